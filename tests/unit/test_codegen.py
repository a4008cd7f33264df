"""The code panel: each page's generated code, run in a subprocess, prints the page's own numbers."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from app import codegen, tracing
from app.components import derivative as derivative_parts
from app.components import gradient as gradient_parts
from app.compute import differences, surfaces
from app.compute.autograd import chapter_expression, torch_descent, trace_graph
from app.compute.functions import FUNCTIONS
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.formatting import fixed


def run(code: codegen.GeneratedCode) -> str:
    result = subprocess.run(
        [sys.executable, "-I", "-c", code.source], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def numbers_after(label: str, text: str) -> list[str]:
    line = next(line for line in text.splitlines() if label in line)
    return re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?|undefined", line.split(label, 1)[1])


@pytest.mark.parametrize(
    ("key", "x0", "h"), [("square", 2.0, 0.1), ("sin", 1.0, 1e-3), ("log", 0.5, 0.25), ("reciprocal", -0.5, 1.0)]
)
def test_derivative_code_prints_the_pages_numbers(key, x0, h):
    function = FUNCTIONS[key]
    printed = run(codegen.derivative_code(function, x0, h))
    page = derivative_parts.readout_texts(function, x0, h)
    assert numbers_after("exact f'(x0) =", printed) == [page["true"]]
    if page["slope"] == "undefined":
        assert "secant slope = undefined" in printed
    else:
        slope, error = numbers_after("secant slope =", printed)
        assert slope == page["slope"] and error == page["error"]
    table = differences.limit_table(function, x0)
    for i, step in enumerate(table.h):
        row = numbers_after(f"h = {step:g}:", printed)
        if np.isfinite(table.central[i]):
            assert row[2] == fixed(float(table.central[i]))
        if np.isfinite(table.forward[i]):
            assert row[0] == fixed(float(table.forward[i]))


@pytest.mark.parametrize(
    ("key", "x", "y", "angle"), [("bowl", 2.0, 1.0, 135.0), ("rosenbrock", -1.0, 1.0, 45.0), ("saddle", 1.0, 0.5, 0.0)]
)
def test_gradient_code_prints_the_pages_numbers(key, x, y, angle):
    surface = SURFACES[key]
    printed = run(codegen.gradient_code(surface, x, y, angle))
    page = gradient_parts.readout_texts(surface, x, y, angle)
    assert numbers_after("f =", printed) == [page["f"]]
    assert numbers_after("df/dx =", printed) == [page["dx"], page["dy"], page["norm"]]
    assert numbers_after("D_u f =", printed) == [page["directional"]]
    numeric = surfaces.central_gradient(surface, x, y)
    assert numbers_after("central differences:", printed) == [fixed(float(v)) for v in numeric]
    assert numbers_after("torch autograd:", printed) == [fixed(float(v)) for v in surface.autograd_gradient(x, y)]


@pytest.mark.parametrize(
    ("one", "two"),
    [
        (("shifted", 0.0, 0.1, 10), ("bowl", (4.0, 3.0), 0.05, 8)),
        (("double-well", 0.3, 0.05, 50), ("rosenbrock", (-1.5, 2.0), 0.001, 300)),
        (("square", 0.0, 1.1, 200), ("bowl", (4.0, 3.0), 0.4, 60)),
        (("square", 0.0, 0.5, 20), ("himmelblau", (-0.5, 0.5), 0.01, 300)),
    ],
)
def test_descent_code_ends_where_the_page_does(one, two):
    loss, w0, lr1, steps1 = one
    surface, start, lr2, steps2 = two
    printed = run(codegen.descent_code(LOSSES[loss], w0, lr1, steps1, SURFACES[surface], start, lr2, steps2))
    finals = [line for line in printed.splitlines() if line.startswith("Final:")]
    run1 = LOSSES[loss].descent(w0, lr1, steps1)
    run2 = SURFACES[surface].descent(start, lr2, steps2)
    assert finals[0] == f"Final: w = {run1.final_position[0]:.4f}, L = {run1.final_loss:.4f}"
    assert finals[1] == (
        f"Final: w = [{run2.final_position[0]:.4f}, {run2.final_position[1]:.4f}], L = {run2.final_loss:.4f}"
    )
    for trajectory in (run1, run2):
        if trajectory.verdict == "diverged":
            assert f"diverged at step {trajectory.stopped_at}" in printed
        if trajectory.verdict == "converged":
            assert f"converged at step {trajectory.stopped_at}" in printed


def test_learning_rate_code_prints_each_runs_final():
    rates = [0.01, 0.1, 0.5, 0.9, 1.0, 1.1, 3.0]
    printed = run(codegen.learning_rate_code(LOSSES["square"], rates, 200, 0.0))
    for rate in rates:
        trajectory = LOSSES["square"].descent(0.0, rate, 200)
        assert (
            f"eta = {rate:g}: factor 1 - 2*eta = {1 - 2 * rate:.4f}, final w = "
            f"{trajectory.final_position[0]:.4f}, L = {trajectory.final_loss:.4f}"
        ) in printed


@pytest.mark.parametrize(("x", "lr", "steps", "zero"), [(2.0, 0.05, 8, True), (-3.5, 0.1, 5, False)])
def test_autograd_code_prints_the_pages_numbers(x, lr, steps, zero):
    printed = run(codegen.autograd_code(x, (2.0, 1.0), (4.0, 3.0), lr, steps, zero))
    scalar = trace_graph(lambda x: x**2, x=x)
    assert numbers_after("y =", printed) == [fixed(scalar.output, 4), fixed(scalar.gradients["x"], 4)]
    two = trace_graph(chapter_expression, x=2.0, y=1.0)
    assert numbers_after("z =", printed) == [
        fixed(two.output, 4),
        fixed(two.gradients["x"], 4),
        fixed(two.gradients["y"], 4),
    ]
    torch_run = torch_descent(SURFACES["bowl"], (4.0, 3.0), lr, steps, zero_grad=zero)
    final = torch_run.positions[-1]
    assert f"Final: w = [{final[0]:.4f}, {final[1]:.4f}], L = {torch_run.losses[-1]:.4f}" in printed


def test_formulas_come_from_the_catalog_itself():
    assert codegen.formula_source(SURFACES["saddle"].formula) == "x ** 2 - y ** 2"
    assert codegen.formula_source(SURFACES["bowl"].gradient_formula) == "(2 * x, 6 * y)"
    assert codegen.formula_source(FUNCTIONS["sin"].formula) == "np.sin(x)"
    assert (
        codegen.formula_source(chapter_expression, rename=(("x", "w[0]"), ("y", "w[1]"))) == "w[0] ** 2 + 3 * w[1] ** 2"
    )


def test_the_trace_shows_each_lines_values_and_loops():
    code = codegen.descent_code(LOSSES["shifted"], 0.0, 0.1, 10, SURFACES["bowl"], (4.0, 3.0), 0.05, 8)
    result = tracing.run_traced(code)
    assert result.error is None and "Final: w = 2.6779, L = 1.1038" in result.stdout
    g_line = next(i + 1 for i, line in enumerate(code.source.splitlines()) if line.strip() == "g = grad(w)")
    values = [row[1]["g"] for row in result.rows if row[0] == g_line and "g" in row[1]]
    assert values[:3] == ["-6", "-4.8", "-3.84"], "one row per loop iteration, like a debugger"
    assert code.notes[g_line]


def test_the_tracer_reports_errors_and_limits_instead_of_failing():
    broken = codegen.GeneratedCode("x = 1\nraise ValueError('boom')\n", {}, "broken.py")
    result = tracing.run_traced(broken)
    assert "boom" in result.error and result.rows
    endless = codegen.GeneratedCode("while True:\n    pass\n", {}, "endless.py")
    result = tracing.run_traced(endless, tracing.Limits(cpu_seconds=1))
    assert result.error and result.stdout == ""
