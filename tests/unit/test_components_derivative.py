"""Words, tables and frames of /derivative, checked against independent computations."""

import math

import numpy as np
import pytest
from dash import html

from app.components import derivative as parts
from app.compute.functions import FUNCTIONS

square, sin = FUNCTIONS["square"], FUNCTIONS["sin"]


def flat_text(component) -> str:
    """All the text inside a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(flat_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else flat_text(children)


def inline_text(component) -> str:
    """The text of an inline component as it reads on screen (a formula's pieces run together)."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return "".join(inline_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else inline_text(children)


def components_of(component, kind) -> list:
    """Every component of this kind inside a tree, in order."""
    found = [component] if isinstance(component, kind) else []
    children = component if isinstance(component, list | tuple) else getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            found += components_of(child, kind)
    elif children is not None and not isinstance(children, str | int | float):
        found += components_of(children, kind)
    return found


def table_rows(component) -> list[list[str]]:
    """A table's body, row by row, each cell's text as it reads."""
    return [[inline_text(cell) for cell in row.children] for row in components_of(component, html.Tbody)[0].children]


def test_readouts_for_the_chapters_example():
    texts = parts.readout_texts(square, 2.0, 0.1)
    assert texts == {"h": "0.1", "slope": f"{(2.1**2 - 4) / 0.1:.6f}", "true": "4.000000", "error": "1.00e-01"}


def test_readouts_are_undefined_across_a_pole():
    texts = parts.readout_texts(FUNCTIONS["reciprocal"], -0.5, 1.0)
    assert texts["slope"] == "undefined" and texts["error"] == "undefined" and texts["true"] == "-4.000000"
    assert "x = 0" in parts.secant_problem(FUNCTIONS["reciprocal"], -0.5, 1.0)
    assert parts.secant_problem(FUNCTIONS["reciprocal"], -0.5, 0.4) is None


def test_limit_table_shows_the_chapters_numbers():
    text = flat_text(parts.limit_table(square, 2.0))
    for slope in ("5.000000", "4.100000", "4.010000", "4.001000", "4.000100"):
        assert slope in text
    for value in ("9.00000000", "4.41000000", "4.04010000", "4.00400100", "4.00040001"):
        assert value in text


def test_animation_frames_shrink_h_from_one_to_1e_minus_4():
    frames = parts.animation_frames(sin, 1.0)
    assert frames["h"][0] == "1" and frames["h"][-1] == "0.0001" and frames["final_label"] == "0.0001"
    assert frames["log_h"][0] == 0 and frames["log_h"][-1] == -4
    assert np.all(np.diff(frames["log_h"]) < 0)
    # Every frame's slope is the secant slope for that frame's h, computed independently.
    for log_h, slope in zip(frames["log_h"], frames["slope"], strict=True):
        h = 10.0**log_h
        assert float(slope) == pytest.approx((math.sin(1 + h) - math.sin(1)) / h, abs=2e-6)
    # The secant rotates: its slope moves monotonically towards cos(1).
    gaps = [abs(float(s) - math.cos(1)) for s in frames["slope"]]
    assert gaps[0] > 0.3 and gaps[-1] < 1e-4 and all(a >= b for a, b in zip(gaps, gaps[1:], strict=False))


def test_explanation_reports_the_observed_shrink_factors():
    paragraph = parts.explanation(sin, 1.0, 0.1)
    text = flat_text(paragraph)
    steps = [10.0**-k for k in range(5)]
    forward = [abs((math.sin(1 + h) - math.sin(1)) / h - math.cos(1)) for h in steps]
    central = [abs((math.sin(1 + h) - math.sin(1 - h)) / (2 * h) - math.cos(1)) for h in steps]

    def mean_ratio(errors):
        return math.exp(sum(math.log(a / b) for a, b in zip(errors, errors[1:], strict=False)) / (len(errors) - 1))

    assert f"f′(1) = {math.cos(1):.6f}" in text
    bold = [inline_text(strong) for strong in components_of(paragraph, html.Strong)]
    assert f"{mean_ratio(forward):.1f}×" in bold and f"{mean_ratio(central):.0f}×" in bold
    assert "exact up to rounding" in flat_text(parts.explanation(square, 2.0, 0.1))
    assert "f′(x) = cos x" in inline_text(paragraph), "the derivative's formula, with the variables as <var>"


def test_three_ways_agree():
    text = parts.three_ways(FUNCTIONS["exp"], 1.0)
    assert text.count(f"{math.e:.6f}") == 3
    gap = float(text.rsplit(" ", 1)[-1])
    assert gap < 1e-8


def test_power_rule_table_is_computed():
    rows = table_rows(parts.power_rule_table())
    for row in (["x²", "2x", "4.0"], ["x⁴", "4x³", "32.0"], ["1", "0", "0.0"]):
        assert row in rows


def test_special_functions_table_at_the_current_point():
    table = parts.special_functions_table(2.0)
    text = flat_text(table)
    assert f"{math.exp(2):.4f}" in text and f"{math.cos(2):.4f}" in text and "-0.2500" in text
    assert "cross-entropy" in text and "softmax" in text
    assert [row[:3] for row in table_rows(table)][-1] == ["1/x", "−1/x²", "-0.2500"]
