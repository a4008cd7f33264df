"""Gradient descent in any number of dimensions, with a verdict on how the run went.

The loop runs on plain Python floats: for the small problems on these pages (1 to a few weights, up
to 10,000 steps) that is several times faster than numpy's per-call overhead. Results come back as
numpy arrays. A run that blows up stops at the first step where a value passes DIVERGENCE_BOUND or
stops being finite; nothing is allowed to overflow, so no warning ever escapes.
"""

from __future__ import annotations

import functools
import gc
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

MAX_STEPS = 10_000
DIVERGENCE_BOUND = 1e8  # |w| or L beyond this counts as diverged: far off every view, far from overflow
GRADIENT_TOLERANCE = 1e-8  # |∇L| below this counts as converged
BOUND_SQUARED = DIVERGENCE_BOUND**2

CONVERGED = "converged"
DESCENDING = "still descending"
OSCILLATING = "oscillating"
GROWING = "growing"  # the loss is rising step after step, though no bound has been passed yet
DIVERGED = "diverged"

Vector = Sequence[float]


@dataclass(frozen=True)
class Trajectory:
    """Every position visited, the loss and gradient there, and each update taken."""

    positions: np.ndarray  # (k + 1, d): w_0 ... w_k
    losses: np.ndarray  # (k + 1,)
    gradients: np.ndarray  # (k + 1, d): ∇L at each position
    updates: np.ndarray  # (k, d): w_{i+1} − w_i = −η ∇L(w_i)
    learning_rate: float
    verdict: str
    stopped_at: int | None  # step at which it converged or diverged, if it stopped early
    zigzag: bool  # successive updates point in opposite directions along some axis

    @property
    def final_position(self) -> np.ndarray:
        return self.positions[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def descend(
    gradient: Callable[[list[float]], Sequence[float]],
    losses_at: Callable[[np.ndarray], np.ndarray],
    start: Sequence[float],
    learning_rate: float | Sequence[float],
    steps: int,
    tolerance: float = GRADIENT_TOLERANCE,
) -> Trajectory:
    """Run w ← w − η ∇L(w) for up to ``steps`` steps from ``start``.

    ``learning_rate`` is one η, or one per step (a schedule; see compute.learning_rate).
    ``gradient`` maps one position (a list of floats) to ∇L there; ``losses_at`` maps an (n, d) array
    of positions to their n losses, so the losses are computed in one vectorised call after the loop.
    It stops early when |∇L| < tolerance (converged) or when a position, gradient or loss is no longer
    finite or passes DIVERGENCE_BOUND (diverged); ``stopped_at`` says at which step.
    """
    w = [float(v) for v in start]
    rates = [float(learning_rate)] * steps if np.ndim(learning_rate) == 0 else [float(r) for r in learning_rate]
    if len(rates) < steps:
        raise ValueError(f"a schedule needs {steps} learning rates, got {len(rates)}")
    # This loop is the hot path of a 10,000-step run (see bench/descent_response.py): a few list
    # operations per step, and no function calls beyond the gradient itself. It allocates tens of
    # thousands of small lists and no reference cycles, so the cyclic garbage collector has nothing to
    # find here; pausing it avoids the collections those allocations would trigger.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _descend(gradient, losses_at, w, rates, steps, tolerance)
    finally:
        if collecting:
            gc.enable()


def _descend(gradient, losses_at, w, rates, steps, tolerance) -> Trajectory:
    dims = len(w)
    positions, gradients = [], []
    stopped_at = None
    diverged = False
    tolerance_squared = tolerance * tolerance
    for step in range(steps + 1):
        try:
            g = gradient(w)
            squared = sum([v * v for v in g])
        except (OverflowError, ZeroDivisionError, ValueError):
            squared = math.inf
        if not (squared <= BOUND_SQUARED and sum([v * v for v in w]) <= BOUND_SQUARED):  # NaN fails too
            diverged, stopped_at = True, step
            break
        positions.append(w)
        gradients.append(g)
        if squared < tolerance_squared:
            stopped_at = step
            break
        if step < steps:
            eta = rates[step]
            w = [wi - eta * gi for wi, gi in zip(w, g, strict=True)]
    positions_array = np.array(positions, dtype=float).reshape(-1, dims)
    gradients_array = np.array(gradients, dtype=float).reshape(-1, dims)
    with np.errstate(all="ignore"):
        losses = np.asarray(losses_at(positions_array), dtype=float).reshape(-1)
    first = first_bad_loss(losses)
    if first is not None:
        positions_array, gradients_array, losses = positions_array[:first], gradients_array[:first], losses[:first]
        diverged, stopped_at = True, first
    updates = np.diff(positions_array, axis=0)
    return Trajectory(
        positions=positions_array,
        losses=losses,
        gradients=gradients_array,
        updates=updates,
        learning_rate=rates[0] if rates else math.nan,
        verdict=run_verdict(losses, positions_array, updates, diverged, stopped_at),
        stopped_at=stopped_at,
        zigzag=zigzags(updates),
    )


# A class moves the same few controls over and over: /learning-rate redraws every η's run when one η
# changes, and /descent reruns when the step player's speed or a view changes. A run is a pure function
# of (loss or surface, start, η, steps), so it is remembered. Only runs of up to REMEMBERED_STEPS steps
# (at most ~100 KB each) are kept, so the memo stays a few tens of MB in the worst case.
RUNS_REMEMBERED = 512
REMEMBERED_STEPS = 2_000


def remembered_runs(run: Callable) -> Callable:
    """Memoise a ``descent(self, start, learning_rate, steps)`` method for one fixed η; a schedule (one
    η per step), a long run or an owner that cannot be hashed is computed each time. The arrays of a
    remembered run are read-only, since every caller shares them."""

    @functools.lru_cache(maxsize=RUNS_REMEMBERED)
    def remembered(owner, start, learning_rate: float, steps: int) -> Trajectory:
        return read_only_run(run(owner, start, learning_rate, steps))

    @functools.wraps(run)
    def descent(self, start, learning_rate, steps: int) -> Trajectory:
        if np.ndim(learning_rate) != 0 or steps > REMEMBERED_STEPS:
            return run(self, start, learning_rate, steps)
        key = float(start) if np.ndim(start) == 0 else tuple(float(v) for v in start)
        try:
            return remembered(self, key, float(learning_rate), int(steps))
        except TypeError:  # an owner that cannot be hashed
            return run(self, start, learning_rate, steps)

    descent.cache_clear = remembered.cache_clear
    descent.cache_info = remembered.cache_info
    return descent


def read_only(array: np.ndarray) -> np.ndarray:
    """The array itself, made read-only: for memoised results, which every caller shares."""
    array.flags.writeable = False
    return array


def read_only_run(trajectory: Trajectory) -> Trajectory:
    for array in (trajectory.positions, trajectory.losses, trajectory.gradients, trajectory.updates):
        read_only(array)
    return trajectory


def first_bad_loss(losses: np.ndarray) -> int | None:
    """The first step whose loss is not finite or passes DIVERGENCE_BOUND: a run is cut there."""
    bad = ~(np.abs(losses) <= DIVERGENCE_BOUND)
    return int(np.argmax(bad)) if bad.any() else None


ZIGZAG_STREAK = 10  # this many direction flips in a row (or the whole of a shorter run) is a zig-zag


def zigzags(updates: np.ndarray) -> bool:
    """True when successive updates keep flipping direction along some axis for a stretch of the run:
    the run bounces from one wall of a valley to the other instead of walking along it."""
    if len(updates) < 3:
        return False
    flips = (np.sign(updates[1:]) * np.sign(updates[:-1]) < 0).any(axis=1)
    longest = current = 0
    for flipped in flips:
        current = current + 1 if flipped else 0
        longest = max(longest, current)
    return longest >= min(ZIGZAG_STREAK, len(flips))


def run_verdict(losses, positions, updates, diverged: bool, stopped_at: int | None) -> str:
    if diverged:
        return DIVERGED
    if stopped_at is not None:
        return CONVERGED
    if len(updates) >= 2:
        # A 2-cycle: every other position repeats, yet each step is big.
        tail = min(len(updates), 10)
        hop = np.abs(updates[-tail:]).max()
        period_two = np.abs(positions[-1] - positions[-3]).max()
        if hop > 0 and period_two <= 1e-9 * hop:  # relative: swings that are dying out are no cycle, however small
            return OSCILLATING
        recent = losses[-min(len(losses), 6) :]
        if losses[-1] > losses[0] and np.all(np.diff(recent) > 0):
            return GROWING
    return DESCENDING


def contraction_factors(hessian: np.ndarray, learning_rate: float) -> list[tuple[float, np.ndarray, float]]:
    """For each eigen-direction of the Hessian: (λ, direction, |1 − ηλ|).

    Near a minimum a step multiplies the distance along each eigen-direction by (1 − ηλ); its size
    |1 − ηλ| below 1 means that direction converges, above 1 that it blows up.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    return [
        (float(lam), eigenvectors[:, i], abs(1.0 - learning_rate * float(lam))) for i, lam in enumerate(eigenvalues)
    ]


def largest_stable_learning_rate(hessian: np.ndarray) -> float:
    """2 / λ_max: above it the steepest direction's factor |1 − ηλ| exceeds 1."""
    return 2.0 / float(np.max(np.abs(np.linalg.eigvalsh(hessian))))
