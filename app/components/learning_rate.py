"""The pieces of /learning-rate that turn runs and sweeps into tables and words, every number computed."""

from __future__ import annotations

import math

import numpy as np
from dash import html

from app.components import elements as el
from app.components.controls import swatch_label
from app.components.maths import formula
from app.components.parse import Number
from app.compute import descent
from app.compute import learning_rate as theory
from app.compute.descent import Trajectory
from app.compute.learning_rate import Sweep
from app.compute.losses import LOSSES, Loss1D
from app.compute.surfaces import Surface
from app.figures import style
from app.formatting import fixed

MAX_RUNS = 8
LR_MIN, LR_MAX = 1e-4, 10.0
MAX_STEPS = 500
LEARNING_RATE = Number("η", LR_MIN, LR_MAX, positive=True)
STEPS = Number("Steps", 1, MAX_STEPS, whole=True)

# The chapter's five learning rates on (w − 3)², each with the behaviour it shows.
PRESETS = {
    "small": ("too small", 0.01),
    "good": ("good", 0.1),
    "oscillating": ("oscillating", 0.9),
    "boundary": ("boundary", 1.0),
    "diverging": ("diverging", 1.1),
}
DEFAULT_RUNS = [{"key": i, "lr": lr} for i, (_, lr) in enumerate(PRESETS.values())]
DEFAULT_STEPS = 20
LOSS = LOSSES["square"]  # (w − 3)², the chapter's example for learning rates
START = 0.0


def observed_ratio(trajectory: Trajectory, minimum: float) -> tuple[float | None, bool]:
    """The ratio (w_{k+1} − w*) / (w_k − w*) seen in a 1-D run: its mean, and whether it never varied."""
    errors = trajectory.positions[:, 0] - minimum
    # Once the error is a millionth of where it started, rounding w near w* blurs the ratio: stop there.
    usable = np.abs(errors[:-1]) > 1e-6 * abs(errors[0])
    if usable.sum() == 0:
        return None, False
    ratios = errors[1:][usable] / errors[:-1][usable]
    return float(np.mean(ratios)), bool(np.ptp(ratios) < 1e-6)


def run_rows(loss: Loss1D, runs: list[tuple[float, Trajectory]]) -> html.Table:
    """Per run: the factor theory predicts, the ratio observed, and the verdict."""
    curvature = loss.curvature_at_minimum()
    header = el.Tr(
        [
            el.Th("run"),
            el.Th("factor 1 − η·L″ = 1 − 2η"),
            el.Th("observed (wₖ₊₁ − 3)/(wₖ − 3)"),
            el.Th("verdict"),
            el.Th("final w"),
            el.Th("final L"),
        ]
    )
    rows = []
    for index, (lr, trajectory) in enumerate(runs):
        factor = 1 - lr * curvature
        ratio, exact = observed_ratio(trajectory, loss.minimum)
        observed = "—" if ratio is None else f"{fixed(ratio, 4)}" + (" at every step" if exact else " on average")
        colour = style.RUN_COLOURS[index % len(style.RUN_COLOURS)]
        rows.append(
            el.Tr(
                [
                    el.Th(swatch_label(f"η = {lr:g}", colour), scope="row", className="run-name"),
                    el.Td(fixed(factor, 4)),
                    el.Td(observed),
                    el.Td(_verdict_word(trajectory)),
                    el.Td(fixed(float(trajectory.final_position[0]), 4)),
                    el.Td(fixed(trajectory.final_loss, 4)),
                ]
            )
        )
    return el.Table([el.Thead(header), el.Tbody(rows)], className="numbers")


def _verdict_word(trajectory: Trajectory) -> str:
    if trajectory.verdict == descent.DIVERGED:
        return f"diverged at step {trajectory.stopped_at}"
    if trajectory.verdict == descent.CONVERGED:
        return f"converged at step {trajectory.stopped_at}"
    if trajectory.verdict == descent.DESCENDING and trajectory.zigzag:
        return "descending, zig-zagging"
    return trajectory.verdict


def one_weight_rule(loss: Loss1D) -> html.Div:
    """The 1-D rule, computed from the loss's curvature, with the chapter's η = 1 mistake corrected."""
    curvature = loss.curvature_at_minimum()
    predicted = theory.loss_theory(loss)
    boundary, fastest = predicted.critical, predicted.fastest
    factor = f"1 − {curvature:g}η"
    rule = [
        "On ",
        formula(f"L(w) = {loss.label}"),
        " the curvature is ",
        formula(f"L″ = {curvature:g}"),
        ", and one step turns the error ",
        formula("w − 3"),
        " into ",
        formula(f"({factor})(w − 3)"),
        ". So the size of ",
        formula(factor),
        " decides everything: for ",
        formula(f"0 < η < {boundary:g}"),
        " it is below 1 and the run converges (fastest at ",
        formula(f"η = 1/L″ = {fastest:g}"),
        ", which lands on the minimum in one step; above that the factor is negative and the run zig-zags). At ",
        formula(f"η = {boundary:g}"),
        " the factor is exactly ",
        formula("−1"),
        ": from ",
        formula("w₀ = 0"),
        " the weight hops ",
        formula("0, 6, 0, 6, …"),
        " for ever, with constant amplitude. It neither converges nor diverges. Only above ",
        formula(f"η = {boundary:g}"),
        " does the error grow every step.",
    ]
    correction = [
        "The source chapter groups ",
        formula("η = 1"),
        " with divergence. It does not diverge: it oscillates, as the ",
        formula("η = 1"),
        " run here shows.",
    ]
    return html.Div([html.P(rule), html.P(html.Em(correction))], className="explanation")


def factor_table(surface: Surface, learning_rates: list[float]) -> html.Table:
    """For each η, the factor |1 − ηλ| of each Hessian direction, and which one sets the pace."""
    eigenvalues = np.array(theory.surface_theory(surface).eigenvalues)
    header = el.Tr(
        [el.Th("run")]
        + [el.Th(f"|1 − η·{lam:g}| (λ = {lam:g})") for lam in eigenvalues]
        + [el.Th("slowest factor"), el.Th("fate")]
    )
    rows = []
    for index, lr in enumerate(learning_rates):
        factors = np.abs(1 - lr * eigenvalues)
        worst = float(factors.max())
        fate = "converges" if worst < 1 else ("oscillates for ever" if math.isclose(worst, 1.0) else "diverges")
        colour = style.RUN_COLOURS[index % len(style.RUN_COLOURS)]
        rows.append(
            el.Tr(
                [el.Th(swatch_label(f"η = {lr:g}", colour), scope="row", className="run-name")]
                + [el.Td(fixed(float(f), 4)) for f in factors]
                + [el.Td(fixed(worst, 4)), el.Td(fate)]
            )
        )
    return el.Table([el.Thead(header), el.Tbody(rows)], className="numbers")


def two_weight_rule(surface: Surface) -> str:
    predicted = theory.surface_theory(surface)
    eigenvalues = np.array(predicted.eigenvalues)
    largest = float(np.max(np.abs(eigenvalues)))
    limit = predicted.critical
    text = (
        f"On L = {surface.label} the Hessian's eigenvalues are λ = {', '.join(f'{v:g}' for v in eigenvalues)}. "
        f"Each direction shrinks by |1 − ηλ| per step, so every factor stays below 1 only while "
        f"η < 2/λ_max = 2/{largest:g} = {limit:.4g}: the steepest direction sets the limit."
    )
    if np.all(eigenvalues > 0):
        best = predicted.fastest
        slowest = abs(1 - best * eigenvalues.min())
        text += (
            f" Below it, the slowest direction sets the speed: the best single η, 2/(λ_min + λ_max) = "
            f"{best:.4g}, still leaves a factor of {slowest:.4g} per step along the flattest direction."
        )
    else:
        text += " One eigenvalue is negative: along that direction every η pushes the run away (a saddle)."
    return text


def sweep_text(one: Sweep, one_theory: float, two: Sweep, two_theory: float, surface: Surface) -> str:
    return (
        f"On (w − 3)², the runs stop settling at η = {one.critical:.4g}, measured by bisection on the runs "
        f"themselves; theory says 2/L″ = {one_theory:.4g} (off by {abs(one.critical / one_theory - 1):.2%}). "
        f"On {surface.label} the measured limit is {two.critical:.4g} against 2/λ_max = {two_theory:.4g}. "
        "Left of each limit a larger η is faster, up to the star; right of it the loss never comes down "
        "(runs that diverge are left off the chart)."
    )


def schedule_text(name: str, constant_run: Trajectory, scheduled_run: Trajectory) -> str:
    return (
        f"With a constant η the run ends at L = {constant_run.final_loss:.4g} ({_verdict_word(constant_run)}); "
        f"with {name} it ends at L = {scheduled_run.final_loss:.4g} ({_verdict_word(scheduled_run)}). "
        "A schedule takes big steps while far away and small ones near the minimum, where a large η would "
        "overshoot."
    )


# ---- each figure's state in words (the aria-live line under it) ------------------------------------


def _runs_or_none(parts: list[str]) -> str:
    return "; ".join(parts) + "." if parts else "no runs: add one with a learning rate."


def curve_summary(loss: Loss1D, start: float, steps: int, runs: list[tuple[float, Trajectory]]) -> str:
    """The runs on the loss curve: where each one ends, and how."""
    ends = [
        f"η = {lr:g} ends at w = {fixed(float(run.final_position[0]), 4)} ({_verdict_word(run)})" for lr, run in runs
    ]
    return f"Runs on L(w) = {loss.label} from w₀ = {start:g}, {steps} steps: " + _runs_or_none(ends)


def losses_summary(runs: list[tuple[float, Trajectory]]) -> str:
    """The loss-per-step chart: each run's first and last loss."""
    falls = [f"η = {lr:g} goes from {fixed(float(run.losses[0]), 4)} to {fixed(run.final_loss, 4)}" for lr, run in runs]
    return "Loss at each step: " + _runs_or_none(falls)


def contour_summary(surface: Surface, runs: list[tuple[float, Trajectory]]) -> str:
    """The same rates on a quadratic surface: where each run ends."""
    ends = [
        f"η = {lr:g} ends at ({fixed(float(run.final_position[0]), 4)}, {fixed(float(run.final_position[1]), 4)}), "
        f"L = {fixed(run.final_loss, 4)} ({_verdict_word(run)})"
        for lr, run in runs
    ]
    start = f"({surface.start[0]:g}, {surface.start[1]:g})"
    return f"Runs on L = {surface.label} from {start}: " + _runs_or_none(ends)


def sweep_summary(one: Sweep, two: Sweep, surface: Surface, steps: int) -> str:
    """The stability sweep: where each loss is lowest and where it stops settling."""

    def story(sweep: Sweep) -> str:
        if not math.isfinite(sweep.fastest):
            return "no η in the range brings the loss down"
        limit = f"stops settling at {sweep.critical:.4g}" if math.isfinite(sweep.critical) else "settles throughout"
        return f"lowest at η = {sweep.fastest:.4g}, {limit}"

    return (
        f"Final loss after {steps} steps against η from {one.learning_rates[0]:g} to {one.learning_rates[-1]:g}: "
        f"on (w − 3)², {story(one)}; on {surface.label}, {story(two)}."
    )


def schedule_summary(name: str, rates: np.ndarray, constant_run: Trajectory, scheduled_run: Trajectory) -> str:
    """The schedule chart: how η moves, and the two runs' final losses."""
    return (
        f"{name}: η goes from {rates[0]:.4g} to {rates[-1]:.4g} over {len(rates)} steps. Final loss "
        f"{fixed(scheduled_run.final_loss, 4)} with the schedule, {fixed(constant_run.final_loss, 4)} with η "
        f"constant at {rates[0]:.4g}."
    )
