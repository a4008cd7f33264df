"""The pieces of /descent that turn a trajectory into words, tables and the player's payload."""

from __future__ import annotations

import numpy as np
from dash import html

from app.components import elements as el
from app.compute import descent
from app.compute.descent import Trajectory
from app.compute.losses import Loss1D
from app.formatting import fixed, sci

TABLE_HEAD_ROWS = 10  # long runs show their first steps...
TABLE_TAIL_ROWS = 5  # ...and their last ones
ARROW_SHARE = 0.12  # the descent arrow's length, as a share of the view's smaller side


def player_payload(trajectory: Trajectory, view_size: float) -> dict:
    """What the browser needs to replay the run: positions and losses, sent once.

    The gradient at step k is −(w_{k+1} − w_k)/η, so only the last one travels separately.
    """
    positions = trajectory.positions
    # numpy arrays, not lists: Dash's JSON encoder (orjson) writes them in one pass, lists item by item.
    payload = {
        "x": positions[:, 0],
        "loss": trajectory.losses,
        "final_gradient": trajectory.gradients[-1].tolist() if len(trajectory.gradients) else [],
        "learning_rate": trajectory.learning_rate,
        "arrow_length": ARROW_SHARE * view_size,
        "dims": positions.shape[1],
    }
    if positions.shape[1] > 1:
        payload["y"] = positions[:, 1]
    return payload


def _vector(values: np.ndarray) -> str:
    return fixed(float(values[0]), 4) if len(values) == 1 else "[" + ", ".join(fixed(float(v), 4) for v in values) + "]"


def shown_steps(count: int) -> list[int | None]:
    """The steps a run's table lists: all of a short run; the first and last few of a long one, with
    None where the skipped middle goes (a 10,000-row table would take longer to build than the run)."""
    if count <= TABLE_HEAD_ROWS + TABLE_TAIL_ROWS:
        return list(range(count))
    return [*range(TABLE_HEAD_ROWS), None, *range(count - TABLE_TAIL_ROWS, count)]


def skipped_row(count: int, columns: int) -> html.Tr:
    """The row that stands for the steps a long table leaves out."""
    return el.Tr(el.Td(f"… {count - TABLE_HEAD_ROWS - TABLE_TAIL_ROWS} steps …", colSpan=columns))


def step_table(trajectory: Trajectory, names: tuple[str, ...]) -> html.Table:
    """The chapter's trace: step, position, loss, gradient and update, then the final position."""
    count = len(trajectory.updates)
    shown = shown_steps(count)
    position_header = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
    header = el.Tr([el.Th("step"), el.Th(position_header), el.Th("L"), el.Th("gradient"), el.Th("update −η·gradient")])
    rows = []
    for k in shown:
        if k is None:
            rows.append(skipped_row(count, 5))
            continue
        rows.append(
            el.Tr(
                [
                    el.Td(str(k)),
                    el.Td(_vector(trajectory.positions[k])),
                    el.Td(fixed(float(trajectory.losses[k]), 4)),
                    el.Td(_vector(trajectory.gradients[k])),
                    el.Td(_vector(trajectory.updates[k])),
                ]
            )
        )
    final = el.Tr(
        [
            el.Th("final", scope="row"),
            el.Td(_vector(trajectory.final_position)),
            el.Td(fixed(trajectory.final_loss, 4)),
            el.Td(_vector(trajectory.gradients[-1])),
            el.Td(""),
        ],
        className="final-row",
    )
    return el.Table([el.Thead(header), el.Tbody([*rows, final])], className="numbers")


def csv_header(names: tuple[str, ...]) -> list[str]:
    """The columns of a run's CSV, the step table's in full: step, position, loss, gradient, update."""
    if len(names) == 1:
        return ["step", names[0], "loss", "gradient", "update"]
    return ["step", *names, "loss", *(f"grad_{name}" for name in names), *(f"update_{name}" for name in names)]


def csv_rows(trajectory: Trajectory) -> list[list]:
    """One row per step of the run, every step (the table on the page skips the middle of a long run).

    The last position takes no step, so its update cells are empty.
    """
    dims = trajectory.positions.shape[1]
    rows = []
    for k, (position, loss, gradient) in enumerate(
        zip(trajectory.positions.tolist(), trajectory.losses.tolist(), trajectory.gradients.tolist(), strict=True)
    ):
        update = trajectory.updates[k].tolist() if k < len(trajectory.updates) else [""] * dims
        rows.append([k, *position, loss, *gradient, *update])
    return rows


def verdict(trajectory: Trajectory) -> str:
    """How the run went, in one sentence with its numbers."""
    steps = len(trajectory.updates)
    start, end = float(trajectory.losses[0]), trajectory.final_loss
    if trajectory.verdict == descent.DIVERGED:
        return (
            f"Diverged at step {trajectory.stopped_at}: the values passed {sci(descent.DIVERGENCE_BOUND, 0)}, "
            "so the run was stopped. Each step overshot further than the last: η is too large here."
        )
    if trajectory.verdict == descent.CONVERGED:
        return (
            f"Converged at step {trajectory.stopped_at}: the gradient's length fell below "
            f"{sci(descent.GRADIENT_TOLERANCE, 0)}, so there is nowhere left to go. L = {fixed(end, 4)}."
        )
    if trajectory.verdict == descent.OSCILLATING:
        a, b = trajectory.positions[-2], trajectory.positions[-1]
        return (
            f"Oscillating: after {steps} steps the run hops between {_vector(a)} and {_vector(b)} forever, "
            f"with the loss stuck at {fixed(end, 4)}. Each step overshoots by exactly as much as it corrects."
        )
    if trajectory.verdict == descent.GROWING:
        return (
            f"Growing: the loss rose from {fixed(start, 4)} to {fixed(end, 4)} in {steps} steps, and rises every "
            "step. Run longer and it diverges: η is too large here."
        )
    zigzag = " It zig-zags: successive steps point in opposite directions." if trajectory.zigzag else ""
    return f"Still descending after {steps} steps: the loss fell from {fixed(start, 4)} to {fixed(end, 4)}.{zigzag}"


def factor_explanation(hessian: np.ndarray, learning_rate: float, names: tuple[str, ...], constant: bool) -> str:
    """Why some directions converge faster: the factor |1 − ηλ| of each Hessian eigen-direction."""
    factors = descent.contraction_factors(hessian, learning_rate)
    where = "everywhere (its Hessian is constant)" if constant else "near the run's last position"
    parts = []
    for eigenvalue, direction, factor in factors:
        axis = next((names[i] for i in range(len(names)) if abs(abs(direction[i]) - 1) < 1e-9), None)
        label = f"along {axis}" if axis else f"along ({', '.join(f'{v:.2f}' for v in direction)})"
        fate = "shrinks" if factor < 1 else ("stays the same size" if factor == 1 else "grows")
        parts.append(
            f"{label}, the curvature is λ = {eigenvalue:.4g}, so each step multiplies the distance to the minimum "
            f"by |1 − η·λ| = |1 − {learning_rate:g}·{eigenvalue:.4g}| = {factor:.4g}: it {fate}"
        )
    limit = descent.largest_stable_learning_rate(hessian)
    slowest = max(factors, key=lambda item: item[2])
    return (
        f"On this surface, {where}: "
        + "; ".join(parts)
        + f". The direction with factor {slowest[2]:.4g} sets the pace. Any η above 2/λ_max = {limit:.4g} "
        "makes the steepest direction blow up."
    )


def one_weight_explanation(loss: Loss1D, trajectory: Trajectory) -> str:
    """Why the 1-D run behaves as it does: near the minimum each step multiplies the error by 1 − η·L″."""
    curvature, minimum, start = loss.curvature_at_minimum(), loss.minimum, float(trajectory.positions[0][0])
    eta = trajectory.learning_rate
    factor = 1.0 - eta * curvature
    steps = len(trajectory.updates)
    text = (
        f"Near the minimum w* = {minimum:g} the curvature is L″(w*) = {curvature:.4g}, so each step multiplies "
        f"the error w − w* by 1 − η·L″ = 1 − {eta:g}·{curvature:.4g} = {factor:.4g}."
    )
    if abs(factor) < 1:
        text += " Its size is below 1, so the error shrinks"
        text += " while flipping sign: the run zig-zags across the minimum." if factor < 0 else "."
    elif abs(factor) == 1:
        text += " Its size is exactly 1: the error never shrinks, it only flips sign, an endless oscillation."
    else:
        text += " Its size is above 1: every step makes the error larger, and the run diverges."
    if not loss.quadratic:
        text += " This loss is not a parabola, so that factor only holds close to the minimum."
    elif steps and trajectory.verdict != descent.DIVERGED:
        predicted = abs(factor) ** steps * abs(start - minimum)
        observed = abs(float(trajectory.final_position[0]) - minimum)
        text += (
            f" After {steps} steps that predicts |w − w*| = |{factor:.4g}|^{steps} × {abs(start - minimum):g} = "
            f"{predicted:.4g}; the run ended {observed:.4g} away."
        )
    return text
