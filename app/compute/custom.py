"""A learner's own f(x) or f(x, y), made into the same catalog objects the pages already use.

The text goes through the one expression language (app/compute/expressions.py); its tree gives the
formula, the closed-form derivatives (sympy, from the tree) and the torch version. Everything else a
page needs, a view window, a starting point, whether contours need a log scale, is derived here from
the formula itself, inside a window the learner may change. Built objects are memoised per (text,
window), so the meshes and sweeps memoised per surface work for typed surfaces too.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from app.compute.expressions import Expression, parse
from app.compute.functions import ALL_REALS, Function1D
from app.compute.surfaces import Surface

CUSTOM_PREFIX = "custom:"  # a typed object's key starts with this; catalog keys never do
DEFAULT_WINDOW_1D = (-3.0, 3.0)
DEFAULT_WINDOW_2D = (-3.0, 3.0, -3.0, 3.0)
MAX_WINDOW = 1e4  # a window edge beyond this would only show rounding
LOG_SCALE_SPAN = 500.0  # values spanning more than this read better on contours of log(1 + f − min f)
SAMPLES = 64


@dataclass(frozen=True)
class Window:
    """The part of the plane a typed function is drawn on."""

    x: tuple[float, float]
    y: tuple[float, float] | None = None

    def problem(self) -> str | None:
        """Why this window cannot be used, or None."""
        for low, high in filter(None, (self.x, self.y)):
            if not (math.isfinite(low) and math.isfinite(high)) or max(abs(low), abs(high)) > MAX_WINDOW:
                return f"The window must lie within ±{MAX_WINDOW:g}."
            if not high - low > 1e-6 * max(1.0, abs(low)):
                return "The window's right (top) edge must be greater than its left (bottom) edge."
        return None


def _inside(low: float, high: float, share: float) -> float:
    return low + share * (high - low)


class TypedFunction1D(Function1D):
    """A typed f(x): defined wherever its value is finite (so log x, 1/x and sqrt x get their gaps from
    the formula itself, not from a list of intervals written by hand)."""

    def defined(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            return np.isfinite(np.asarray(self.formula(x, np), dtype=float) + 0 * x)

    def piece_index(self, x) -> np.ndarray:
        return np.where(self.defined(x), 0, -1)

    def same_piece(self, a, b) -> np.ndarray:
        """Defined at both ends and at points between (no gap or pole in between, as far as sampling sees)."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        between = a[..., None] + (b - a)[..., None] * np.linspace(0.0, 1.0, 33)
        return np.all(self.defined(between), axis=-1)

    def domain_message(self) -> str:
        return f"f(x) = {self.label} has no finite value there"


def _function_view_y(expression: Expression, view_x: tuple[float, float]) -> tuple[float, float]:
    xs = np.linspace(*view_x, 400)
    values = np.asarray(expression(xs), dtype=float) + 0 * xs
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (-1.0, 1.0)
    low, high = np.percentile(finite, [2, 98])
    pad = 0.12 * max(high - low, 1e-9) or 1.0
    return (float(low - pad), float(high + pad))


@functools.lru_cache(maxsize=128)
def custom_function(text: str, window: Window = Window(DEFAULT_WINDOW_1D)) -> TypedFunction1D:
    """f(x) from typed text (ExpressionError if refused), drawn on ``window.x``."""
    expression = parse(text, ("x",))
    derivative = expression.derivative("x")
    low, high = window.x
    return TypedFunction1D(
        key=f"{CUSTOM_PREFIX}{expression.text}@{low:g},{high:g}",
        label=expression.label,
        latex=expression.text,
        derivative_latex=derivative.text,
        derivative_label=derivative.label,
        formula=expression.formula(),
        derivative_formula=derivative.formula(),
        pieces=ALL_REALS,
        x0_range=(_inside(low, high, 0.05), _inside(low, high, 0.95)),
        default_x0=round(_inside(low, high, 0.65), 2),
        view_x=(low, high),
        view_y=_function_view_y(expression, (low, high)),
        neural_network_use="your own function",
    )


def _is_constant(expression: Expression) -> bool:
    return "var" not in repr(expression.tree)


@functools.lru_cache(maxsize=128)
def custom_surface(text: str, window: Window = Window(DEFAULT_WINDOW_2D[:2], DEFAULT_WINDOW_2D[2:])) -> Surface:
    """f(x, y) from typed text (ExpressionError if refused), drawn on ``window``."""
    expression = parse(text, ("x", "y"))
    dx, dy = expression.derivative("x"), expression.derivative("y")
    second = ((dx.derivative("x"), dx.derivative("y")), (dy.derivative("x"), dy.derivative("y")))
    (x_low, x_high), (y_low, y_high) = window.x, window.y
    grid = np.meshgrid(np.linspace(x_low, x_high, SAMPLES), np.linspace(y_low, y_high, SAMPLES))
    values = np.asarray(expression(*grid), dtype=float) + 0 * grid[0]
    finite = values[np.isfinite(values)]
    span = float(finite.max() - finite.min()) if finite.size else 0.0
    return Surface(
        key=f"{CUSTOM_PREFIX}{expression.text}@{x_low:g},{x_high:g},{y_low:g},{y_high:g}",
        label=expression.label,
        latex=expression.text,
        gradient_latex=f"({dx.text}, {dy.text})",
        description=f"Your own surface: ∂f/∂x = {dx.label}, ∂f/∂y = {dy.label}.",
        formula=expression.formula(),
        gradient_formula=lambda x, y, ops: (dx(x, y, ops=ops), dy(x, y, ops=ops)),
        hessian_formula=lambda x, y, ops: tuple(tuple(d(x, y, ops=ops) for d in row) for row in second),
        view_x=(x_low, x_high),
        view_y=(y_low, y_high),
        example_point=(round(_inside(x_low, x_high, 0.7), 3), round(_inside(y_low, y_high, 0.6), 3)),
        start=(round(_inside(x_low, x_high, 0.9), 3), round(_inside(y_low, y_high, 0.85), 3)),
        log_scale=span > LOG_SCALE_SPAN,
        quadratic=all(_is_constant(d) for row in second for d in row),
    )


# The catalogs' own functions as texts of the same language: they are the presets of the typed input.
FUNCTION_TEXTS = {
    "square": "x^2",
    "cube": "x^3",
    "sin": "sin(x)",
    "exp": "exp(x)",
    "log": "log(x)",
    "reciprocal": "1/x",
}
SURFACE_TEXTS = {
    "bowl": "x^2 + 3*y^2",
    "round": "x^2 + y^2",
    "ravine": "x^2 + 10*y^2",
    "saddle": "x^2 - y^2",
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
}
