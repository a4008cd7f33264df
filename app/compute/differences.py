"""Finite differences: the secant slope, the central difference, and how their errors depend on h.

Every function takes numpy arrays of h so a whole table or curve is one vectorised call. A slope whose
stencil would leave the function's domain, or cross a pole, is NaN rather than a wrong number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.compute.functions import Function1D

# The chapter's limit table: h = 1, 0.1, ..., 1e-4.
LIMIT_TABLE_STEPS = 10.0 ** -np.arange(5)

# The error-vs-h curve: ten points a decade from 1 down to 1e-15.
ERROR_CURVE_STEPS = 10.0 ** np.linspace(0.0, -15.0, 151)

H_MIN, H_MAX = 1e-15, 1.0

PRECISIONS = {"float64": np.float64, "float32": np.float32}


def _as(dtype, values):
    return np.asarray(values, dtype=float).astype(dtype)


def forward_difference(function: Function1D, x0: float, h, dtype=np.float64) -> np.ndarray:
    """(f(x0 + h) - f(x0)) / h, the slope of the secant, evaluated entirely in ``dtype``."""
    x0c, hc = _as(dtype, x0), _as(dtype, h)
    with np.errstate(all="ignore"):
        slope = (function.value(x0c + hc) - function.value(x0c)) / hc
    return np.where(function.same_piece(x0, np.asarray(x0) + h), slope, np.nan)


def central_difference(function: Function1D, x0: float, h, dtype=np.float64) -> np.ndarray:
    """(f(x0 + h) - f(x0 - h)) / 2h, evaluated entirely in ``dtype``."""
    x0c, hc = _as(dtype, x0), _as(dtype, h)
    with np.errstate(all="ignore"):
        slope = (function.value(x0c + hc) - function.value(x0c - hc)) / (2 * hc)
    valid = function.same_piece(np.asarray(x0) - h, np.asarray(x0) + h)
    return np.where(valid, slope, np.nan)


@dataclass(frozen=True)
class LimitTable:
    """The rows of the limit table: one per h."""

    h: np.ndarray
    f_x0: float
    f_x0_plus_h: np.ndarray
    rise: np.ndarray  # Δy = f(x0 + h) - f(x0)
    forward: np.ndarray
    forward_error: np.ndarray
    central: np.ndarray
    central_error: np.ndarray
    true_derivative: float


def limit_table(function: Function1D, x0: float, steps=LIMIT_TABLE_STEPS) -> LimitTable:
    """Secant and central slopes for each h, with their errors against the closed form."""
    steps = np.asarray(steps, dtype=float)
    exact = float(function.derivative(x0))
    f_x0 = float(function.value(x0))
    ok = function.same_piece(x0, x0 + steps)
    f_right = np.where(ok, function.value(x0 + steps), np.nan)
    forward = forward_difference(function, x0, steps)
    central = central_difference(function, x0, steps)
    return LimitTable(
        h=steps,
        f_x0=f_x0,
        f_x0_plus_h=f_right,
        rise=f_right - f_x0,
        forward=forward,
        forward_error=np.abs(forward - exact),
        central=central,
        central_error=np.abs(central - exact),
        true_derivative=exact,
    )


@dataclass(frozen=True)
class ErrorCurve:
    """|slope - f'(x0)| against h for both differences, and where each is smallest."""

    h: np.ndarray
    forward_error: np.ndarray  # NaN where the stencil is invalid or the error is exactly zero
    central_error: np.ndarray
    best_forward_h: float | None  # None when the difference has no truncation error to balance
    best_central_h: float | None
    machine_epsilon: float
    precision: str
    forward_truncates: bool  # False when exact up to round-off even at large h
    central_truncates: bool  # e.g. False for the central difference of x², whose third derivative is 0


# Round-off error is jagged: single points dip far below the trend by luck. The best step is taken on
# the error's running geometric mean over one decade of h (11 points), so a lucky dip cannot win.
SMOOTHING_WINDOW = 11


def _best_step(steps: np.ndarray, errors: np.ndarray) -> float | None:
    log_error = np.log10(errors)
    finite = np.isfinite(log_error)
    if not finite.any():
        return None
    kernel = np.ones(SMOOTHING_WINDOW)
    total = np.convolve(np.where(finite, log_error, 0.0), kernel, mode="same")
    count = np.convolve(finite.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        smoothed = np.where(finite, total / count, np.nan)
    return float(steps[np.nanargmin(smoothed)])


def vanishing_step(x0: float, precision: str, steps=ERROR_CURVE_STEPS) -> float | None:
    """The largest h for which x0 + h rounds back to x0 itself, so every difference is exactly 0."""
    dtype = PRECISIONS[precision]
    steps = np.asarray(steps, dtype=float)
    lost = (_as(dtype, x0) + _as(dtype, steps)) == _as(dtype, x0)
    return float(steps[lost].max()) if lost.any() else None


def error_curve(function: Function1D, x0: float, precision: str = "float64", steps=ERROR_CURVE_STEPS) -> ErrorCurve:
    """How the error of each difference changes as h shrinks, in float64 or float32.

    The exact derivative is computed in float64 either way, so the curve shows the error of the
    chosen precision, not of the reference. Exact zeros cannot sit on a log axis and become NaN.
    """
    dtype = PRECISIONS[precision]
    steps = np.asarray(steps, dtype=float)
    exact = float(function.derivative(x0))
    forward = np.abs(forward_difference(function, x0, steps, dtype).astype(float) - exact)
    central = np.abs(central_difference(function, x0, steps, dtype).astype(float) - exact)
    forward = np.where(forward > 0, forward, np.nan)
    central = np.where(central > 0, central, np.nan)
    eps = float(np.finfo(dtype).eps)
    scale = max(1.0, abs(float(function.value(x0))), abs(exact))
    forward_truncates = _has_truncation_error(steps, forward, eps, scale)
    central_truncates = _has_truncation_error(steps, central, eps, scale)
    return ErrorCurve(
        h=steps,
        forward_error=forward,
        central_error=central,
        best_forward_h=_best_step(steps, forward) if forward_truncates else None,
        best_central_h=_best_step(steps, central) if central_truncates else None,
        machine_epsilon=eps,
        precision=precision,
        forward_truncates=forward_truncates,
        central_truncates=central_truncates,
    )


def _has_truncation_error(steps: np.ndarray, errors: np.ndarray, eps: float, scale: float) -> bool:
    """True unless the difference is exact up to round-off even at large h, as central is on x²."""
    large = (steps >= 1e-3) & np.isfinite(errors)
    return bool(large.any() and errors[large].max() > 1e4 * eps * scale)


def rule_of_thumb_steps(machine_epsilon: float) -> tuple[float, float]:
    """The textbook best steps: √ε for forward differences, ∛ε for central ones.

    Forward: truncation ~ h, round-off ~ ε/h, balanced at h ~ √ε. Central: truncation ~ h², so the
    balance moves to h ~ ∛ε.
    """
    return machine_epsilon**0.5, machine_epsilon ** (1 / 3)


def fitted_order(curve_steps, errors, h_low: float, h_high: float) -> float:
    """Slope of log(error) against log(h) over [h_low, h_high]: 1 for forward, 2 for central."""
    steps = np.asarray(curve_steps, dtype=float)
    errors = np.asarray(errors, dtype=float)
    window = (steps >= h_low) & (steps <= h_high) & np.isfinite(errors)
    if window.sum() < 3:
        return float("nan")
    return float(np.polyfit(np.log10(steps[window]), np.log10(errors[window]), 1)[0])
