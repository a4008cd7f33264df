"""The pieces of /optimizers that turn a race into the player's payload, a results table, verdicts that
name the effect that decided each run, the theory on quadratics, and the CSV rows. Every number is
computed from the race itself."""

from __future__ import annotations

import numpy as np
from dash import html

from app.components import elements as el
from app.components.player import packed
from app.compute import descent
from app.compute import optimizers as opt
from app.compute.surfaces import Surface
from app.figures.optimizers import NAMES, look
from app.formatting import fixed, sci

HYPER_NAMES = {"lr": "η", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
HYPER_NAMES_BY_KEY = {opt.MOMENTUM: {"beta1": "β"}, opt.NESTEROV: {"beta1": "β"}, opt.RMSPROP: {"beta2": "α"}}
JITTER_TAIL = 50  # the last steps over which a noisy run's wandering is measured


def hyper_name(key: str, field: str) -> str:
    """How the page names this contestant's setting: momentum's β is β₁'s slot, RMSprop's α is β₂'s."""
    return HYPER_NAMES_BY_KEY.get(key, {}).get(field, HYPER_NAMES[field])


def hyper_text(run: opt.Run) -> str:
    return ", ".join(f"{hyper_name(run.key, field)} = {getattr(run.hyper, field):g}" for field in opt.USES[run.key])


# The plot markers as text, for the swatch beside a contestant's name in the controls and the table.
SYMBOL_TEXT = {
    "circle": "●",
    "square": "■",
    "diamond": "◆",
    "triangle-up": "▲",
    "cross": "✚",
    "x": "✕",
    "star": "★",
    "hexagon": "⬢",
}


def symbol_span(key: str) -> html.Span:
    """The contestant's marker in its colour; hidden from screen readers, which read its name."""
    seen = look(key)
    return el.Span(
        SYMBOL_TEXT.get(seen.symbol, "●"),
        className="run-symbol",
        style={"color": seen.colour},
        **{"aria-hidden": "true"},
    )


def player_payload(race: opt.Race) -> dict:
    """Every run's positions and losses, sent once; the player picks step k of each in the browser.

    They are only drawn and read at four decimals, so they travel as float32, packed (player.packed); the
    race keeps its float64 values for the table, the verdicts and the CSV, which is built on request."""
    runs = [
        {"x": packed(run.positions[:, 0]), "y": packed(run.positions[:, 1]), "loss": packed(run.losses)}
        for run in race.runs
    ]
    lengths = [len(run.losses) for run in race.runs]
    all_losses = [run.losses for run in race.runs if len(run.losses)]
    return {
        "runs": runs,
        "names": [NAMES[run.key].replace(" (reference)", "") for run in race.runs],
        "last": max(lengths, default=1) - 1,
        # A log axis unless some loss is negative (a saddle falls without bound); exact zeros are left off.
        "log_axis": bool(all_losses) and all(bool(np.all(losses >= 0)) for losses in all_losses),
    }


def ranking(race: opt.Race) -> list[opt.Run]:
    """The torch.optim contestants, best first: arrived sooner, then lower final loss; diverged last."""

    def order(run: opt.Run):
        diverged = run.verdict == descent.DIVERGED
        arrived = run.arrived_at if run.arrived_at is not None else np.inf
        loss = run.final_loss if np.isfinite(run.final_loss) else np.inf
        return (diverged, arrived, loss)

    return sorted((run for run in race.runs if run.key != opt.NEWTON), key=order)


def _effect(run: opt.Run, surface: Surface, noise: float) -> str:
    """The effect that decided this run, read off the run itself."""
    key = run.key
    rates = opt.effective_rates(run) if len(run.positions) > 2 else np.empty((0, 2))
    if key == opt.NEWTON:
        h = surface.hessian(*run.final_position)
        if run.verdict == descent.CONVERGED and np.min(np.linalg.eigvalsh(h)) <= 0:
            return (
                "but that flat point is no minimum (the Hessian there is not positive definite): Newton solves "
                "∇L = 0 and goes to the nearest flat point, uphill or down"
            )
        return "it divides by the curvature (H⁻¹∇L), so every direction gets the step it needs"
    if noise > 0 and run.verdict != descent.CONVERGED and len(run.positions) > JITTER_TAIL:
        wander = float(np.mean(np.linalg.norm(np.diff(run.positions[-JITTER_TAIL:], axis=0), axis=1)))
        smooth = {
            opt.MOMENTUM: "its velocity averages the noise over about 1/(1 − β) steps",
            opt.NESTEROV: "its velocity averages the noise over about 1/(1 − β) steps",
            opt.ADAM: "its average m (β₁) smooths the noise, but its step stays about η",
        }.get(key, "each noisy gradient moves it directly")
        return f"the noise keeps it moving {wander:.3g} per step on average over the last {JITTER_TAIL} steps: {smooth}"
    if key == opt.ADAGRAD and len(rates) > 10:
        first, last = np.abs(rates[0]), np.abs(rates[-1])
        first, last = (float(np.max(v[np.isfinite(v)])) if np.isfinite(v).any() else np.nan for v in (first, last))
        if first > 0 and last < 0.2 * first:
            return (
                f"its step sizes shrank to {last / first:.1%} of the first: AdaGrad adds up every squared "
                "gradient and never forgets, so it slows down for good"
            )
    if run.zigzag and key in (opt.SGD, opt.MOMENTUM, opt.NESTEROV):
        return "it zig-zags across the valley: steps that suit the steep direction overshoot it"
    if key in (opt.MOMENTUM, opt.NESTEROV):
        return "its velocity builds up along directions where the gradient keeps pointing the same way"
    if key in (opt.ADAM, opt.RMSPROP, opt.ADAGRAD) and len(rates) > 1:
        with np.errstate(all="ignore"):
            ratios = np.abs(rates[:, 1]) / np.abs(rates[:, 0])
        ratios = ratios[np.isfinite(ratios)]
        if ratios.size:
            ratio = float(np.median(ratios))
            return (
                f"dividing by √v gives each coordinate its own step size (y's was {ratio:.3g}× x's, in the median "
                "step), so steep and shallow directions move alike"
            )
    if key == opt.SGD:
        if run.verdict == descent.CONVERGED:
            return "plain steps of η·∇L, long where the slope is steep and short where it is gentle"
        return "every step is η·∇L, so where the slope is shallow it crawls"
    return "each step follows its update rule"


def verdict(run: opt.Run, surface: Surface, noise: float) -> str:
    """How one contestant's race went, and why, in one sentence."""
    effect = _effect(run, surface, noise)
    if run.verdict == descent.DIVERGED:
        bound = sci(descent.DIVERGENCE_BOUND, 0)
        return (
            f"Diverged at step {run.stopped_at}: its values passed {bound}. "
            "The step is too large for the curvature here."
        )
    if run.verdict == opt.SINGULAR:
        return f"Stopped at step {run.stopped_at}: the Hessian is singular there, so H⁻¹∇L does not exist."
    if run.verdict == descent.CONVERGED:
        return f"Arrived at step {run.stopped_at} (|∇L| < {sci(opt.TOLERANCE, 0)}): {effect}."
    if run.verdict == descent.OSCILLATING:
        return f"Oscillating: it hops between two points forever; {effect}."
    if run.verdict == descent.GROWING:
        return f"Growing: its loss rises every step and will diverge; {effect}."
    return f"Still on its way after {len(run.positions) - 1} steps: {effect}."


def summary(race: opt.Race) -> str:
    """Who won, in one line (read out to screen readers when it changes)."""
    ranked = ranking(race)
    if not ranked:
        newton = race.run(opt.NEWTON)
        return "Only Newton's method is switched on." + (
            f" It arrived at step {newton.arrived_at}." if newton and newton.arrived_at is not None else ""
        )
    best = ranked[0]
    if best.verdict == descent.DIVERGED:
        text = "Every optimizer diverged: lower the learning rates."
    elif best.arrived_at is not None:
        text = f"{NAMES[best.key]} wins: it arrived first, at step {best.arrived_at}."
    else:
        text = (
            f"Nobody arrived within {race.settings.steps} steps; {NAMES[best.key]} got lowest, "
            f"to L = {sci(best.final_loss, 3)}."
        )
    newton = race.run(opt.NEWTON)
    if newton is not None and newton.arrived_at is not None:
        plural = "s" if newton.arrived_at != 1 else ""
        text += f" Newton's method, which uses the Hessian, needed {newton.arrived_at} step{plural}."
    return text


def map_summary(race: opt.Race, surface: Surface) -> str:
    """The contour map in words: where every path starts and ends (read by screen readers)."""
    x0, y0 = race.settings.start
    ends = "; ".join(
        f"{NAMES[run.key]} ends at {_point(run.final_position)}" for run in race.runs if len(run.positions)
    )
    return f"Contour map of L = {surface.label}. Every optimizer starts at ({x0:g}, {y0:g}). {ends}."


def _point(position: np.ndarray) -> str:
    return f"({fixed(float(position[0]), 4)}, {fixed(float(position[1]), 4)})"


def results_table(race: opt.Race, surface: Surface) -> html.Table:
    """One row per contestant, best first, Newton last: settings, steps to arrive, final point and loss, verdict."""
    header = el.Tr(
        [
            el.Th("optimizer"),
            el.Th("settings"),
            el.Th(f"steps to |∇L| < {sci(opt.TOLERANCE, 0)}"),
            el.Th("final (x, y)"),
            el.Th("final L"),
            el.Th("verdict"),
        ]
    )
    ordered = ranking(race) + [run for run in race.runs if run.key == opt.NEWTON]
    rows = []
    for run in ordered:
        name = [symbol_span(run.key), " ", NAMES[run.key]]
        rows.append(
            el.Tr(
                [
                    el.Th(name, scope="row"),
                    el.Td(hyper_text(run) or "—"),
                    el.Td(str(run.arrived_at) if run.arrived_at is not None else "not reached"),
                    el.Td(_point(run.final_position) if len(run.positions) else "—"),
                    el.Td(sci(run.final_loss, 3) if np.isfinite(run.final_loss) else "—"),
                    el.Td(verdict(run, surface, race.settings.noise), className="verdict-cell"),
                ]
            )
        )
    return el.Table([el.Thead(header), el.Tbody(rows)], className="numbers results")


def theory(race: opt.Race, surface: Surface) -> list:
    """Why it happened, on a quadratic: κ from the Hessian, momentum's best (η, β), predicted vs measured rate."""
    if not surface.quadratic:
        return [
            html.P(
                "On this surface the curvature changes from place to place, so no single (η, β) is best "
                "everywhere. Pick a bowl or the ravine to see momentum's best settings computed from the Hessian."
            )
        ]
    hessian = surface.hessian(0.0, 0.0)
    found = opt.momentum_theory(hessian)
    if found is None:
        return [
            html.P(
                "This Hessian has a negative eigenvalue: there is no minimum to converge to, so no best (η, β) "
                "exists. Along y every optimizer falls for ever; watch which one falls fastest."
            )
        ]
    parts = [
        html.P(
            f"The Hessian's eigenvalues are λ_min = {found.lambda_min:.4g} and λ_max = {found.lambda_max:.4g}, so the "
            f"condition number is κ = λ_max/λ_min = {found.kappa:.4g}. Plain gradient descent at its best η shrinks "
            f"the distance to the minimum by (κ − 1)/(κ + 1) = {found.gd_best_rate:.4f} per step. Momentum at its "
            f"best, η* = 4/(√λ_max + √λ_min)² = {found.best_lr:.4g} "
            f"and β* = ((√κ − 1)/(√κ + 1))² = {found.best_beta:.4g}, "
            f"shrinks it by (√κ − 1)/(√κ + 1) = {found.best_rate:.4f}: the larger κ, the bigger momentum's advantage."
        )
    ]
    for key in (opt.SGD, opt.MOMENTUM):
        run = race.run(key)
        if run is None:
            continue
        beta = run.hyper.beta1 if key == opt.MOMENTUM else 0.0
        predicted = opt.predicted_rate(hessian, run.hyper.lr, beta)
        measured = opt.measured_rate(run, opt.quadratic_minimum(surface))
        measured_text = (
            f"measured over its last steps: {measured:.4f}" if measured is not None else "too short a run to measure"
        )
        parts.append(
            html.P(
                f"{NAMES[key]} with η = {run.hyper.lr:g}"
                + (f", β = {beta:g}" if key == opt.MOMENTUM else "")
                + f": the theory predicts a factor of {predicted:.4f} per step "
                + ("(it diverges); " if predicted > 1 else "(it converges); ")
                + measured_text
                + "."
            )
        )
    return parts


def adam_text(race: opt.Race) -> str:
    adam = race.run(opt.ADAM)
    if adam is None or len(adam.positions) < 3:
        return "Switch Adam on to see its per-coordinate step sizes."
    rates = np.abs(opt.effective_rates(adam))
    first = rates[0]
    return (
        f"Adam's first step moves each coordinate by about η = {adam.hyper.lr:g}, whatever its slope: the "
        f"learning rate it really used was {first[0]:.3g} for x and {first[1]:.3g} for y (that is η/|∂L/∂w| "
        "for each). SGD's is η for both, every step, so its moves shrink with the gradient. The chart shows "
        "how far each coordinate moved at every step: solid lines x, dotted y."
    )


CSV_HEADER = ("optimizer", "step", "x", "y", "loss", "grad_x", "grad_y")


def csv_rows(race: opt.Race):
    """One row per step and optimizer: where it was, its loss and the true gradient there."""
    for run in race.runs:
        for k in range(len(run.positions)):
            yield (
                run.key,
                k,
                float(run.positions[k, 0]),
                float(run.positions[k, 1]),
                float(run.losses[k]),
                float(run.gradients[k, 0]),
                float(run.gradients[k, 1]),
            )
