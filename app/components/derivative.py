"""The pieces of /derivative that turn computed numbers into words, tables and animation frames.

Pure functions of (function, x0, h): the page's callbacks call them, and unit tests call them directly.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from dash import html

from app.components import elements as el
from app.components.maths import formula, fraction
from app.compute import differences
from app.compute.functions import (
    DEFAULT_FUNCTION,
    FUNCTIONS,
    SPECIAL_FUNCTIONS,
    Function1D,
    autograd_derivative,
    power_derivative_label,
    power_label,
    power_rule,
)
from app.figures.derivative import moving_parts_many
from app.formatting import UNDEFINED, fixed, sci, step


@dataclass(frozen=True)
class Preset:
    label: str
    function: str
    x0: float
    h: float


PRESETS = {
    "chapter": Preset("The chapter: x² at x₀ = 2", "square", 2.0, 1.0),
    "round-off": Preset("Too small: h = 10⁻¹²", "square", 2.0, 1e-12),
    "peak": Preset("sin x at its peak", "sin", 1.57, 0.5),
    "pole": Preset("1/x across its pole", "reciprocal", -0.5, 1.0),
}
# What a learner sees first: the chapter's example, with the widest secant.
DEFAULT_STATE = {"function": DEFAULT_FUNCTION, "x0": FUNCTIONS[DEFAULT_FUNCTION].default_x0, "h": 1.0}

# The animation: h falls smoothly (evenly in log h) from 1 to 1e-4, 25 frames a decade.
ANIMATION_STEPS = 10.0 ** np.linspace(0.0, -4.0, 101)
ANIMATION_FRAME_MS = 40

# The chapter's power-rule table, evaluated at x = 2.
POWER_RULE_EXPONENTS = (2, 3, 4, 1, 0)
POWER_RULE_AT = 2.0

# The step used for the "three ways" check: near the best step for central differences in float64.
CHECK_STEP = 1e-6


def readout_texts(function: Function1D, x0: float, h: float) -> dict[str, str]:
    """The four numbers under the main figure."""
    slope = float(differences.forward_difference(function, x0, h))
    exact = float(function.derivative(x0))
    return {
        "h": step(h),
        "slope": fixed(slope),
        "true": fixed(exact),
        "error": sci(abs(slope - exact)) if math.isfinite(slope) else UNDEFINED,
    }


def secant_problem(function: Function1D, x0: float, h: float) -> str | None:
    """Why there is no secant for this (x0, h), in words; None when there is one."""
    if bool(function.same_piece(x0, x0 + h)):
        return None
    edge = min((lo for lo, _ in function.pieces if x0 < lo < x0 + h), default=0.0)
    return (
        f"No secant: between x₀ = {x0:g} and x₀ + h = {x0 + h:g} the function {function.label} "
        f"is undefined at x = {edge:g}. Make h smaller than {edge - x0:g} to see it again."
    )


@functools.lru_cache(maxsize=256)  # a memo of a pure, JSON-ready result (Dash never modifies it)
def animation_frames(function: Function1D, x0: float) -> dict:
    """Everything the browser needs to play the secant turning into the tangent, computed once."""
    slopes = differences.forward_difference(function, x0, ANIMATION_STEPS).tolist()
    exact = float(function.derivative(x0))
    frames = {
        "parts": moving_parts_many(function, x0, ANIMATION_STEPS),
        "h": [step(float(h)) for h in ANIMATION_STEPS],
        "slope": [fixed(slope) for slope in slopes],
        "error": [sci(abs(slope - exact)) if math.isfinite(slope) else UNDEFINED for slope in slopes],
        "log_h": [round(float(np.log10(h)), 4) for h in ANIMATION_STEPS],
    }
    frames["frame_ms"] = ANIMATION_FRAME_MS
    frames["final_label"] = step(float(ANIMATION_STEPS[-1]))
    return frames


def limit_table(function: Function1D, x0: float) -> html.Table:
    """The chapter's limit table for this f and x0, with the central difference beside it."""
    table = differences.limit_table(function, x0)
    header = el.Thead(
        el.Tr(
            [
                el.Th("h"),
                el.Th("f(x₀ + h)"),
                el.Th("Δy = f(x₀ + h) − f(x₀)"),
                el.Th("forward slope Δy / h", className="forward"),
                el.Th("its error", className="forward"),
                el.Th("central slope", className="central"),
                el.Th("its error", className="central"),
            ]
        )
    )
    rows = [
        el.Tr(
            [
                el.Td(step(float(table.h[i]))),
                el.Td(fixed(float(table.f_x0_plus_h[i]), 8)),
                el.Td(fixed(float(table.rise[i]), 8)),
                el.Td(fixed(float(table.forward[i])), className="forward"),
                el.Td(fixed(float(table.forward_error[i])), className="forward"),
                el.Td(fixed(float(table.central[i])), className="central"),
                el.Td(fixed(float(table.central_error[i])), className="central"),
            ]
        )
        for i in range(len(table.h))
    ]
    caption = html.Caption(
        f"f(x) = {function.label} at x₀ = {x0:g}: f(x₀) = {fixed(table.f_x0)}, "
        f"and the exact f′(x₀) = {fixed(table.true_derivative)}."
    )
    return el.Table([caption, header, el.Tbody(rows)], className="numbers")


def _shrink_factor(errors: np.ndarray) -> float | None:
    """How many times smaller the error gets per ten-fold cut in h, on average over the table."""
    usable = errors[np.isfinite(errors) & (errors > 1e-12)]
    if len(usable) < 2:
        return None
    return float(np.exp(np.mean(np.log(usable[:-1] / usable[1:]))))


def explanation(function: Function1D, x0: float, h: float) -> html.P:
    """A few sentences, with maths, tying the current picture to the idea of a limit."""
    table = differences.limit_table(function, x0)
    texts = readout_texts(function, x0, h)
    forward_factor = _shrink_factor(table.forward_error)
    central_factor = _shrink_factor(table.central_error)
    lines = [
        "The secant's slope is rise over run, ",
        fraction("f(x₀ + h) − f(x₀)", "h"),
        ". The derivative is what that slope tends to as ",
        formula("h → 0"),
        ": for ",
        formula(f"f(x) = {function.label}"),
        " it is ",
        formula(f"f′(x) = {function.derivative_label}"),
        f", so f′({x0:g}) = {texts['true']}. ",
    ]
    if texts["slope"] == UNDEFINED:
        lines.append("With this h the secant would leave the function's domain, so it has no slope. ")
    else:
        lines.append(f"With h = {texts['h']} the secant's slope is {texts['slope']}, off by {texts['error']}. ")
    if forward_factor is not None:
        lines += [
            "In the table below, each ten-fold cut in ",
            formula("h"),
            " cuts the secant's error about ",
            el.Strong(f"{forward_factor:.1f}×"),
            ": the error shrinks in proportion to ",
            formula("h"),
            ". ",
        ]
    if central_factor is not None:
        lines += [
            "The central difference looks both ways and cancels that first-order error: its error shrinks about ",
            el.Strong(f"{central_factor:.0f}×"),
            " per ten-fold cut, in proportion to ",
            formula("h²"),
            ".",
        ]
    elif np.isfinite(table.central_error).all():
        lines += [
            "For ",
            formula(function.label),
            " the central difference is exact up to rounding at every ",
            formula("h"),
            ": its error has no ",
            formula("h"),
            " or ",
            formula("h²"),
            " term at all.",
        ]
    return html.P(lines)


def error_explanation(function: Function1D, x0: float, curve: differences.ErrorCurve) -> str:
    """One paragraph on where each difference is most accurate, and why."""
    forward_rule, central_rule = differences.rule_of_thumb_steps(curve.machine_epsilon)
    parts = [
        f"In {curve.precision}, numbers carry about {-math.log10(curve.machine_epsilon):.0f} significant digits "
        f"(ε = {sci(curve.machine_epsilon, 1)}). Subtracting two nearly equal values f(x₀ + h) and f(x₀) loses "
        "digits, and dividing by a tiny h magnifies what is lost: this round-off error grows like ε/h."
    ]
    if curve.best_forward_h is not None:
        parts.append(
            f"The forward difference is most accurate near h ≈ {sci(curve.best_forward_h, 0)}, where its "
            f"truncation error (∝ h) meets the round-off (theory: √ε ≈ {sci(forward_rule, 0)})."
        )
    if curve.best_central_h is not None:
        parts.append(
            f"The central difference's truncation error falls faster (∝ h²), so its best h is larger, near "
            f"{sci(curve.best_central_h, 0)} (theory: ∛ε ≈ {sci(central_rule, 0)}), and its best error is smaller."
        )
    else:
        parts.append(
            f"Here the central difference has no truncation error at all (for {function.label} the error terms "
            "in h² and beyond cancel exactly), so everything you see in it is round-off: the larger h, the better."
        )
    vanishing = differences.vanishing_step(x0, curve.precision)
    if vanishing is not None:
        parts.append(
            f"From h ≈ {sci(vanishing, 0)} down, x₀ + h rounds back to x₀ itself, so both points are the same "
            "and the computed slope is 0: that is the flat line on the right."
        )
    parts.append("Right of each star, a smaller h only makes things worse.")
    return " ".join(parts)


def three_ways(function: Function1D, x0: float) -> str:
    """f'(x0) by the closed form, a central difference and torch autograd, and how far apart they are."""
    exact = float(function.derivative(x0))
    central = float(differences.central_difference(function, x0, CHECK_STEP))
    autograd = autograd_derivative(function, x0)
    if not math.isfinite(central):
        central_text = f"central difference (h = {step(CHECK_STEP)}) undefined"
        spread = abs(autograd - exact)
    else:
        central_text = f"central difference (h = {step(CHECK_STEP)}) {fixed(central)}"
        spread = max(abs(central - exact), abs(autograd - exact))
    return (
        f"f′(x₀) three ways: closed form {function.derivative_label} = {fixed(exact)} · {central_text} · "
        f"torch autograd {fixed(autograd)} · largest gap {sci(spread)}"
    )


def _rules_table(header: list, rows: list[list], number_column: int) -> html.Div:
    """A small table of rules: formulas and words left-aligned, the one column of numbers right-aligned."""

    def cells(tag, values):
        return [tag(value, className="number" if i == number_column else None) for i, value in enumerate(values)]

    body = el.Tbody([el.Tr(cells(el.Td, row)) for row in rows])
    return html.Div(el.Table([el.Thead(el.Tr(cells(el.Th, header))), body]), className="rules-table")


def power_rule_table() -> html.Div:
    """The power rule at x = 2, every number computed."""
    return _rules_table(
        [formula("f(x)"), formula("f′(x) = n·xⁿ⁻¹"), formula(f"f′({POWER_RULE_AT:g})")],
        [
            [formula(power_label(n)), formula(power_derivative_label(n)), f"{power_rule(n, POWER_RULE_AT):.1f}"]
            for n in POWER_RULE_EXPONENTS
        ],
        number_column=2,
    )


def special_functions_table(x0: float) -> html.Div:
    """eˣ, ln x, sin x and 1/x: their derivatives, their slope at x0, and where networks use them."""
    rows = []
    for key in SPECIAL_FUNCTIONS:
        function = FUNCTIONS[key]
        slope = float(function.derivative(x0))
        rows.append(
            [formula(function.label), formula(function.derivative_label), fixed(slope, 4), function.neural_network_use]
        )
    header = [formula("f(x)"), formula("f′(x)"), formula(f"f′({x0:g})"), "where a neural network uses it"]
    return _rules_table(header, rows, number_column=2)


# ---- each figure's state in words (the aria-live line under it) ------------------------------------


def secant_summary(function: Function1D, x0: float, h: float) -> str:
    """The main figure in one sentence: the point, the secant and the tangent."""
    texts = readout_texts(function, x0, h)
    secant = secant_problem(function, x0, h) or (f"the dashed secant to x₀ + h = {x0 + h:g} has slope {texts['slope']}")
    return (
        f"Curve f(x) = {function.label}, point x₀ = {x0:g}, f(x₀) = {fixed(float(function.value(x0)))}, "
        f"h = {texts['h']}: {secant}; the tangent's slope is {texts['true']}."
    )


def error_summary(curve: differences.ErrorCurve, h: float) -> str:
    """The error-against-h chart in one sentence: where each difference is best, and the current h."""

    def best(name, step_size, truncates):
        if step_size is None or not truncates:
            return f"the {name} difference has only round-off error, so larger h is better"
        return f"the {name} difference is most accurate near h = {sci(step_size, 0)}"

    return (
        f"Error against h in {curve.precision}: "
        f"{best('forward', curve.best_forward_h, curve.forward_truncates)}; "
        f"{best('central', curve.best_central_h, curve.central_truncates)}. The current h is {step(h)}."
    )
