"""Learning rates: stability sweeps over many η at once, the theory that predicts them, and schedules.

For a quadratic loss the whole story is in the Hessian's eigenvalues λ: each step multiplies the error
along an eigen-direction by (1 − ηλ). So |1 − ηλ| < 1 for every λ (η < 2/λ_max) converges, η = 2/λ_max
oscillates for ever, and anything above diverges; the sweep checks that theory by running all the η.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from app.compute import compiled
from app.compute.descent import DIVERGENCE_BOUND, largest_stable_learning_rate, read_only
from app.compute.losses import Loss1D
from app.compute.surfaces import Surface

SWEEP_POINTS = 200
SWEEP_RANGE = (1e-3, 2.0)  # the η a sweep covers on /learning-rate


@dataclass(frozen=True)
class Theory:
    """What the Hessian predicts for descent with a fixed η on a quadratic."""

    eigenvalues: tuple[float, ...]
    critical: float  # 2/λ_max: above it the steepest direction's factor |1 − ηλ| exceeds 1
    fastest: float  # 2/(λ_min + λ_max), which balances the extreme factors; NaN unless every λ > 0


def quadratic_theory(hessian: np.ndarray) -> Theory:
    eigenvalues = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    fastest = 2 / float(eigenvalues.min() + eigenvalues.max()) if np.all(eigenvalues > 0) else math.nan
    return Theory(tuple(float(v) for v in eigenvalues), largest_stable_learning_rate(hessian), fastest)


@functools.lru_cache(maxsize=64)
def loss_theory(loss: Loss1D) -> Theory:
    """For a 1-D loss: one eigenvalue, L'' at the minimum, so 2/L'' and 1/L''."""
    return quadratic_theory(np.array([[loss.curvature_at_minimum()]]))


@functools.lru_cache(maxsize=64)
def surface_theory(surface: Surface) -> Theory:
    """For a quadratic surface, from its (constant) Hessian."""
    return quadratic_theory(surface.hessian(0.0, 0.0))


@dataclass(frozen=True)
class Sweep:
    learning_rates: np.ndarray
    final_losses: np.ndarray  # NaN where the run passed DIVERGENCE_BOUND
    initial_loss: float
    critical: float  # the measured η where the final loss stops being below the initial one
    fastest: float  # the η with the smallest final loss


def loss_history(
    gradient: Callable[[np.ndarray], np.ndarray],
    loss: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    learning_rates: np.ndarray,
    steps: int,
    formulas: compiled.Formulas | None = None,
) -> np.ndarray:
    """The loss after every step of gradient descent, for every η at once: shape (n_η, steps + 1).

    Positions are (n_η, d) for a start of shape (d,), d = 1 or 2. A run is NaN from the first step where
    a weight or the loss passes DIVERGENCE_BOUND (or stops being finite). That is decided once, over the
    whole record, after the loop: a run past the bound just runs on (to inf or NaN) and is cut off.

    With ``formulas`` (a catalogue problem's, compiled) the loop runs compiled, one η at a time; else
    numpy steps every η at once through ``gradient`` and ``loss``. The numbers are the same to the bit
    (tests/unit/test_compiled.py); the compiled loop is 20-30 times faster (a cold sweep is 8 loops).
    """
    rates = np.asarray(learning_rates, dtype=float)[:, None]
    history = np.empty((len(rates), steps + 1))
    largest = np.empty((len(rates), steps + 1))  # each run's largest |weight| at each step
    if formulas is not None:
        point = np.asarray(start, dtype=float).reshape(-1)
        x, y = float(point[0]), (float(point[1]) if len(point) > 1 else 0.0)  # a 1-D loss's w is (w, 0)
        _compiled_history()(formulas.gradient, formulas.value, x, y, rates[:, 0].copy(), steps, history, largest)
    else:
        w = np.tile(np.asarray(start, dtype=float), (len(rates), 1))
        with np.errstate(all="ignore"):
            history[:, 0] = loss(w)
            largest[:, 0] = np.abs(w).max(axis=1)
            for k in range(1, steps + 1):
                w = w - rates * gradient(w)
                largest[:, k] = np.abs(w).max(axis=1)
                history[:, k] = loss(w)
    with np.errstate(invalid="ignore"):
        within = (largest <= DIVERGENCE_BOUND) & (np.abs(history) <= DIVERGENCE_BOUND)  # NaN is not within
    within[:, 0] = True  # the start is kept as it is, as it always was
    history[~np.logical_and.accumulate(within, axis=1)] = np.nan
    return history


def _history_loop(gradient, value, x0, y0, rates, steps, history, largest):  # noqa: PLR0913
    """loss_history's loop, for one η at a time, as numpy does it for all: w ← w − η∇L(w)."""
    for r in range(rates.shape[0]):
        x, y, rate = x0, y0, rates[r]
        history[r, 0], largest[r, 0] = value(x, y, 0), compiled.maximum(abs(x), abs(y))
        for k in range(1, steps + 1):
            gx, gy = gradient(x, y, 0)
            x, y = x - rate * gx, y - rate * gy
            largest[r, k], history[r, k] = compiled.maximum(abs(x), abs(y)), value(x, y, 0)


@compiled.build_once
def _compiled_history():
    """_history_loop compiled once per process, for the formulas as first-class functions."""
    t = numba.types
    table = t.float64[:, ::1]
    signature = t.void(
        t.FunctionType(compiled.GRADIENT_SIGNATURE),
        t.FunctionType(compiled.VALUE_SIGNATURE),
        *(t.float64, t.float64, t.float64[::1], t.int64, table, table),  # x0, y0, rates, steps, history, largest
    )
    return numba.njit(signature, **compiled.OPTIONS)(_history_loop)


def run_many(gradient, loss, start, learning_rates, steps: int, formulas=None) -> np.ndarray:
    """Final losses for every η at once (NaN for runs that diverged)."""
    return loss_history(gradient, loss, start, learning_rates, steps, formulas)[:, -1]


# Losses this small (relative to the start) are float64's rounding floor, (1e-16 of a weight)²
# and a little: runs that reach it cannot be told apart by their final loss.
PRECISION_FLOOR = 1e-24


# The critical η is pinned down inside the grid step where runs stop settling: BRACKET_POINTS η at once
# across the bracket, REFINEMENTS times. 63**7 > 2**40, so as fine as 40 halvings, in 7 vectorised
# passes instead of 40 one-η runs (each pass costs about the same: the time goes in numpy's per-call
# overhead, not in the number of η).
BRACKET_POINTS = 64
REFINEMENTS = 7


def sweep(  # noqa: PLR0913
    gradient, loss, start, steps: int, low: float, high: float, points: int = SWEEP_POINTS, formulas=None
) -> Sweep:
    """Final loss against η on a log grid, with the critical η found by refining the same runs.
    ``formulas``: the problem's compiled formulas, if it has them (see loss_history)."""
    rates = np.geomspace(low, high, points)
    start = np.asarray(start, dtype=float)
    history = loss_history(gradient, loss, start, rates, steps, formulas)
    initial = float(history[0, 0])
    finals = history[:, -1]

    def settles(etas: np.ndarray) -> np.ndarray:
        values = run_many(gradient, loss, start, etas, steps, formulas)
        return np.isfinite(values) & (values < initial)

    # The grid brackets the change from "ends below where it started" to "does not"; each pass puts
    # BRACKET_POINTS η across the bracket (log-spaced) and keeps the step where they stop settling.
    stable = np.isfinite(finals) & (finals < initial)
    unstable_after = np.nonzero(~stable & (np.arange(points) > np.argmax(stable)))[0]
    critical = math.nan
    if stable.any() and len(unstable_after):
        hi = float(rates[unstable_after[0]])
        lo = float(rates[unstable_after[0] - 1])
        for _ in range(REFINEMENTS):
            inside = np.geomspace(lo, hi, BRACKET_POINTS)[1:-1]
            failing = np.nonzero(~settles(inside))[0]
            if len(failing):
                first = int(failing[0])
                lo, hi = (float(inside[first - 1]) if first else lo), float(inside[first])
            else:
                lo = float(inside[-1])
        critical = hi
    return Sweep(read_only(rates), read_only(finals.copy()), initial, critical, _fastest(rates, history, initial))


# Sweeps of the catalog's own problems, memoised: a class asks for the same few (problem, steps) over
# and over, and a sweep is the most expensive thing on /learning-rate. ``functools.lru_cache`` on a pure
# function of immutable arguments (frozen dataclasses, numbers) is a memo, not state: every process
# computes the same answers, and the arrays in a Sweep are read-only.
#
# The sweeps call the formulas themselves, not Loss1D.value or Surface.gradient: those convert and
# stack their arguments for any caller, a few µs a call, and a sweep of 500 steps calls them 8,000
# times. The numbers are the same; loss_history silences the warnings.


@functools.lru_cache(maxsize=256)
def loss_sweep(loss: Loss1D, start: float, steps: int, low: float, high: float) -> Sweep:
    """``sweep`` for a 1-D loss from ``start``."""

    def slope(w: np.ndarray) -> np.ndarray:
        return np.broadcast_to(loss.derivative_formula(w[:, 0], np), len(w))[:, None]

    formulas = compiled.loss_formulas(loss)
    return sweep(slope, lambda w: loss.formula(w[:, 0], np), [start], steps, low, high, formulas=formulas)


@functools.lru_cache(maxsize=256)
def surface_sweep(surface: Surface, steps: int, low: float, high: float) -> Sweep:
    """``sweep`` for a surface from its own start."""

    def gradient(w: np.ndarray) -> np.ndarray:
        g = np.empty_like(w)
        g[:, 0], g[:, 1] = surface.gradient_formula(w[:, 0], w[:, 1], np)  # a constant part broadcasts
        return g

    value = lambda w: surface.formula(w[:, 0], w[:, 1], np)  # noqa: E731
    return sweep(gradient, value, surface.start, steps, low, high, formulas=compiled.surface_formulas(surface))


def _fastest(rates: np.ndarray, history: np.ndarray, initial: float) -> float:
    """The η with the lowest loss, judged at the last step before any run reaches the rounding floor:
    past that step many η tie at the floor, and the smallest final loss is down to luck."""
    floor = PRECISION_FLOOR * max(abs(initial), 1.0)
    best_per_step = np.nanmin(np.where(np.isfinite(history), np.abs(history), np.nan), axis=0)
    usable = np.nonzero(best_per_step > floor)[0]
    step = int(usable[-1]) if len(usable) else history.shape[1] - 1
    column = np.where(np.isfinite(history[:, step]), history[:, step], np.nan)
    return float(rates[np.nanargmin(column)])


# ---- schedules ------------------------------------------------------------------------------------


def constant(base: float, steps: int) -> np.ndarray:
    return np.full(steps, base)


def step_decay(base: float, steps: int, every: int = 10, factor: float = 0.5) -> np.ndarray:
    """η cut by ``factor`` every ``every`` steps."""
    return base * factor ** (np.arange(steps) // every)


def exponential_decay(base: float, steps: int, rate: float = 0.95) -> np.ndarray:
    """η multiplied by ``rate`` every step."""
    return base * rate ** np.arange(steps)


def cosine(base: float, steps: int, floor: float = 0.0) -> np.ndarray:
    """η falling from base to ``floor`` along half a cosine wave over the run."""
    k = np.arange(steps)
    return floor + 0.5 * (base - floor) * (1 + np.cos(np.pi * k / max(steps, 1)))


SCHEDULES: dict[str, tuple[str, Callable[[float, int], np.ndarray]]] = {
    "constant": ("constant", constant),
    "step": ("step decay (×0.5 every 10 steps)", step_decay),
    "exponential": ("exponential decay (×0.95 a step)", exponential_decay),
    "cosine": ("cosine, down to 0", cosine),
}
