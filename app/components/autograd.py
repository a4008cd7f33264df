"""The pieces of /autograd that turn torch's runs into tables and words, every number computed."""

from __future__ import annotations

import numpy as np
from dash import html

from app.components import descent as descent_parts
from app.components import elements as el
from app.formatting import fixed, sci


def loop_table(run, truth: np.ndarray) -> html.Table:
    """Each step's w, L, the gradient the loop used and the true one; a long run shows its first and
    last steps (up to 200 rows of components cost ~30 ms a request under a class, bench/load.py)."""
    header = el.Tr([el.Th("step"), el.Th("w"), el.Th("L"), el.Th("w.grad used"), el.Th("true ∇L at w")])
    count = len(run.used_gradients)
    rows = [
        descent_parts.skipped_row(count, 5)
        if k is None
        else el.Tr(
            [
                el.Td(str(k)),
                el.Td(f"[{fixed(run.positions[k, 0], 4)}, {fixed(run.positions[k, 1], 4)}]"),
                el.Td(fixed(float(run.losses[k]), 4)),
                el.Td(f"[{fixed(run.used_gradients[k, 0], 4)}, {fixed(run.used_gradients[k, 1], 4)}]"),
                el.Td(f"[{fixed(truth[k, 0], 4)}, {fixed(truth[k, 1], 4)}]"),
            ],
            className="wrong" if not np.allclose(run.used_gradients[k], truth[k]) else None,
        )
        for k in descent_parts.shown_steps(count)
    ]
    final = el.Tr(
        [
            el.Th("final", scope="row"),
            el.Td(f"[{fixed(run.positions[-1, 0], 4)}, {fixed(run.positions[-1, 1], 4)}]"),
            el.Td(fixed(float(run.losses[-1]), 4)),
            el.Td(""),
            el.Td(""),
        ],
        className="final-row",
    )
    return el.Table([el.Thead(header), el.Tbody([*rows, final])], className="numbers")


def match_text(correct, numpy_positions: np.ndarray) -> str:
    """The torch loop against the numpy run on /descent: the largest difference at any step."""
    comparable = min(len(numpy_positions), len(correct.positions))
    gap = float(np.max(np.abs(numpy_positions[:comparable] - correct.positions[:comparable])))
    return (
        f"The torch loop (zeroing .grad) ends at [{fixed(correct.positions[-1, 0], 4)}, "
        f"{fixed(correct.positions[-1, 1], 4)}], L = {fixed(float(correct.losses[-1]), 4)}; the numpy run on "
        f"/descent with the same settings differs from it by at most {sci(gap)} at any step."
    )


def pitfall_text(correct, damaged) -> str:
    """What forgetting zero_grad() did: step 1's summed gradient, and where each run ends."""
    if len(damaged.used_gradients) < 2:
        return "Run at least two steps to see the gradients pile up."
    summed, true, first = damaged.used_gradients[1], correct.used_gradients[1], correct.used_gradients[0]
    return (
        "backward() adds to .grad. Without zeroing it, step 1 uses "
        f"[{fixed(summed[0], 1)}, {fixed(summed[1], 1)}]: the true gradient "
        f"[{fixed(true[0], 1)}, {fixed(true[1], 1)}] plus step 0's "
        f"[{fixed(first[0], 1)}, {fixed(first[1], 1)}]. The sums keep "
        f"growing, and the run ends at L = {fixed(float(damaged.losses[-1]), 4)} instead of "
        f"{fixed(float(correct.losses[-1]), 4)}."
    )


def graph_summary(x: float, y: float, traced) -> str:
    return (
        f"Computation graph of z = x² + 3y² at x = {x:g}, y = {y:g}: z = {fixed(traced.output, 4)}; "
        f"backward() gives x.grad = {fixed(traced.gradients['x'], 4)} and y.grad = {fixed(traced.gradients['y'], 4)}."
    )


def pitfall_summary(start: tuple[float, float], lr: float, steps: int, correct, damaged) -> str:
    return (
        f"Paths on x² + 3y² from ({start[0]:g}, {start[1]:g}), η = {lr:g}, {steps} steps: "
        f"zeroing .grad ends at L = {fixed(float(correct.losses[-1]), 4)}; without zeroing, at "
        f"L = {fixed(float(damaged.losses[-1]), 4)}."
    )
