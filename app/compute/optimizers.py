"""Gradient descent's descendants raced on one surface: one compiled engine, with torch.optim as its
oracle.

SGD, SGD with momentum, Nesterov, AdaGrad, RMSprop and Adam are the optimizer classes a learner calls
in a training loop; here each is one set of coefficients (update_of) in a single update that all six are
cases of, arranged so that it reduces to torch.optim's own order of operations, and run in float64 from
one start on a surface. Newton's method, which no torch.optim class implements, is the reference they
approximate: it divides the gradient by the Hessian, the curvature the others can only guess at.

Why not torch.optim itself: each ``Optimizer.step()`` costs 30-90 µs of Python wrapper, so a race of
seven over 2,000 steps took 0.4-0.7 s, and a class of them blocked everyone else. The engine keeps every
contestant (or every start of a basin map) as one row, and one update, whichever rule each row follows,
steps them all; the loop is compiled (numba; see "the engine" below). tests/unit/test_optimizer_oracle.py
runs every torch.optim class beside it on every surface and checks each step to 12 digits.

- A row that arrives (|∇L| < TOLERANCE) or diverges stops, and keeps its place; the others go on.
- Optional minibatch-like noise (a fixed seed) is added to every contestant's gradient alike.
- Races are memoised on their validated settings (a frozen dataclass), so a shared link or a replayed
  state costs nothing the second time.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np

from app.compute import compiled
from app.compute.descent import (
    BOUND_SQUARED,
    CONVERGED,
    first_bad_loss,
    run_verdict,
    zigzags,
)
from app.compute.recent import Recent
from app.compute.surfaces import SURFACES, Surface

SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, NEWTON = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "rmsprop",
    "adam",
    "newton",
)
CONTESTANTS = (SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM)  # the torch.optim classes
EVERYONE = (*CONTESTANTS, NEWTON)
NAMES = {  # how every page, table and question names them
    SGD: "SGD",
    MOMENTUM: "Momentum",
    NESTEROV: "Nesterov",
    ADAGRAD: "AdaGrad",
    RMSPROP: "RMSprop",
    ADAM: "Adam",
    NEWTON: "Newton (reference)",
}

MAX_RACE_STEPS = 5_000  # a bound on one request's work: 7 optimizers × 5,000 steps is about 0.1 s cold
TOLERANCE = 1e-6  # |∇L| below this: the contestant has arrived, and stops
NOISE_SEED = 14  # the same "minibatch" noise on every run of the same settings
SINGULAR = "singular Hessian"  # Newton's own way to stop: H cannot be inverted there


@dataclass(frozen=True)
class Hyper:
    """One contestant's settings. Which ones it reads (see USES): η for all; β₁ is momentum's β and
    Adam's β₁; β₂ is RMSprop's α and Adam's β₂; ε is AdaGrad's, RMSprop's and Adam's."""

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8


USES = {
    SGD: ("lr",),
    MOMENTUM: ("lr", "beta1"),
    NESTEROV: ("lr", "beta1"),
    ADAGRAD: ("lr", "eps"),
    RMSPROP: ("lr", "beta2", "eps"),
    ADAM: ("lr", "beta1", "beta2", "eps"),
    NEWTON: (),
}
DEFAULT_HYPER = {
    SGD: Hyper(0.05),
    MOMENTUM: Hyper(0.05, beta1=0.8),
    NESTEROV: Hyper(0.05, beta1=0.8),
    ADAGRAD: Hyper(1.0, eps=1e-10),
    RMSPROP: Hyper(0.05, beta2=0.99, eps=1e-8),
    ADAM: Hyper(0.2, beta1=0.9, beta2=0.999, eps=1e-8),
    NEWTON: Hyper(1.0),
}

# Where the defaults above overshoot at once: Rosenbrock's valley has curvature up to about 1,000, so
# plain GD needs η < 2/1000; Himmelblau's walls are steep too.
SURFACE_HYPER = {
    "rosenbrock": {
        SGD: Hyper(0.001),
        MOMENTUM: Hyper(0.001, beta1=0.9),
        NESTEROV: Hyper(0.001, beta1=0.9),
        ADAGRAD: Hyper(0.3, eps=1e-10),
        RMSPROP: Hyper(0.002, beta2=0.99, eps=1e-8),
        ADAM: Hyper(0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    },
    "himmelblau": {
        SGD: Hyper(0.01),
        MOMENTUM: Hyper(0.01, beta1=0.8),
        NESTEROV: Hyper(0.01, beta1=0.8),
    },
}


def hyper_for(surface_key: str) -> dict[str, Hyper]:
    """Every contestant's suggested settings on this surface."""
    return DEFAULT_HYPER | SURFACE_HYPER.get(surface_key, {})


DEFAULT_SURFACE = "bowl"  # the chapter's x² + 3y²
DEFAULT_STEPS = 300  # enough for every optimizer to arrive on the bowl; a cold race takes about 0.1 s


def suggested_settings(surface_key: str, steps: int, noise: float = 0.0) -> RaceSettings:
    """Everyone racing from the surface's own start with the settings suggested for it."""
    hyper = hyper_for(surface_key)
    start = SURFACES[surface_key].start
    return RaceSettings(surface_key, start, steps, tuple((key, hyper[key]) for key in EVERYONE), noise)


@dataclass(frozen=True)
class RaceSettings:
    """Everything a race depends on; hashable, so races are memoised on it."""

    surface: str | Surface  # a catalogue key, or a typed function's (memoised, so hashable) Surface
    start: tuple[float, float]
    steps: int
    contestants: tuple[tuple[str, Hyper], ...]  # in EVERYONE's order; Newton included if it runs
    noise: float = 0.0  # the standard deviation of the Gaussian noise added to each gradient component


@dataclass(frozen=True)
class Run:
    """One contestant's race: positions, losses and true gradients at each step it took."""

    key: str
    hyper: Hyper
    positions: np.ndarray  # (k + 1, 2)
    losses: np.ndarray  # (k + 1,)
    gradients: np.ndarray  # (k + 1, 2): the true ∇L there (without noise)
    verdict: str  # descent's verdicts (converged, diverged, ...) or SINGULAR
    stopped_at: int | None  # the step it converged or diverged at
    zigzag: bool

    @property
    def final_position(self) -> np.ndarray:
        return self.positions[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1]) if len(self.losses) else math.nan

    @property
    def arrived_at(self) -> int | None:
        """The step at which |∇L| fell below TOLERANCE, or None."""
        return self.stopped_at if self.verdict == CONVERGED else None


@dataclass(frozen=True)
class Race:
    settings: RaceSettings
    runs: tuple[Run, ...]

    def run(self, key: str) -> Run | None:
        return next((run for run in self.runs if run.key == key), None)


def race(settings: RaceSettings) -> Race:
    """Run every contestant in ``settings`` (memoised: the same settings give the same Race object)."""
    if not 1 <= settings.steps <= MAX_RACE_STEPS:
        raise ValueError(f"steps must be 1 to {MAX_RACE_STEPS}")
    return _race(settings)


@dataclass(frozen=True)
class Lane:
    """One contestant's part of a race: all its run depends on. Rows of the engine never affect one
    another, so a contestant runs the same whoever races beside it."""

    surface: str | Surface
    start: tuple[float, float]
    steps: int
    noise: float
    key: str
    hyper: Hyper


# Each worker's recently run contestants. A learner who retypes one η, or ticks a contestant in or out,
# changes one lane of seven: the other six are looked up, not run again. 256 runs of at most 5,001
# steps hold at most about 50 MiB, and a run of a few hundred steps far less.
RECENT_RUNS = Recent(256)


@functools.lru_cache(maxsize=64)
def _race(settings: RaceSettings) -> Race:
    entries = dict(settings.contestants)
    lanes = [
        Lane(settings.surface, settings.start, settings.steps, settings.noise, key, entries[key])
        for key in EVERYONE
        if key in entries
    ]
    known = {lane: RECENT_RUNS.get(lane) for lane in lanes}
    missing = [lane for lane in lanes if known[lane] is None]
    fresh = _race_runs(surface_of(settings), settings, [(lane.key, lane.hyper) for lane in missing])
    for lane, run in zip(missing, fresh, strict=True):
        RECENT_RUNS.put(lane, run)
        known[lane] = run
    return Race(settings, tuple(known[lane] for lane in lanes))


def forget_races() -> None:
    """Empty the race memos (for benchmarks that time a cold race, and tests that change a rule)."""
    _race.cache_clear()
    RECENT_RUNS.clear()


def surface_of(settings: RaceSettings) -> Surface:
    """The race's surface: a catalogue key, or a typed function's Surface itself."""
    return SURFACES[settings.surface] if isinstance(settings.surface, str) else settings.surface


def noise_for(steps: int, scale: float) -> np.ndarray:
    """The (steps, 2) noise added to the gradients, one row per step, the same for every contestant."""
    return scale * np.random.default_rng(NOISE_SEED).standard_normal((steps, 2))


# ---- the update rules ------------------------------------------------------------------------------
# Every rule here is one case of a single update, with its own coefficients per row (one row per
# contestant, or per start of a basin map), so one loop steps a whole race:
#
#   m ← m·keep + take·(∇L − m·lean)           the first moment: momentum's buffer v, Adam's mean m
#   s ← s·decay + fresh·∇L·∇L                 the second moment: AdaGrad's sum, RMSprop's and Adam's mean
#   w ← w − η_t·(now·∇L + later·m) / (√s / ρ_t + ε)
#
# with Adam's bias corrections η_t = η / (1 − β₁ᵗ) and ρ_t = √(1 − β₂ᵗ) (η and 1 for the others). Each
# optimizer's coefficients make the formula reduce, operation by operation, to torch.optim's own (the
# single-tensor code in torch/optim/sgd.py, adagrad.py, rmsprop.py, adam.py): a coefficient of 1 or 0
# multiplies exactly, so SGD's m·0 + 1·(∇L − m·0) is ∇L to the bit and its denominator √0/1 + 1 is 1.
# Every step agrees with torch's to the last bit or two: torch's CPU kernels fuse some multiply-adds
# into one rounding, the engine rounds each operation. Newton's rows take plain steps of η = 1 along
# H⁻¹∇L, which the engine puts in place of their gradient.


@dataclass(frozen=True)
class Update:
    """One optimizer's coefficients in the update above."""

    lr: float
    keep: float = 0.0
    take: float = 1.0
    lean: float = 0.0
    decay: float = 0.0
    fresh: float = 0.0
    now: float = 0.0
    later: float = 1.0
    eps: float = 1.0
    bias_beta1: float = 0.0  # β₁ and β₂ of the bias corrections; 0 leaves η_t = η/(1 − 0) = η, ρ_t = 1
    bias_beta2: float = 0.0


def update_of(key: str, hyper: Hyper) -> Update:
    """The coefficients that make the one update above this optimizer's."""
    lr, beta1, beta2, eps = hyper.lr, hyper.beta1, hyper.beta2, hyper.eps
    if key == SGD:  # m ← ∇L; w ← w − η∇L
        return Update(lr)
    if key == MOMENTUM:  # v ← βv + ∇L; w ← w − ηv
        return Update(lr, keep=beta1)
    if key == NESTEROV:  # v ← βv + ∇L; w ← w − η(∇L + βv)
        return Update(lr, keep=beta1, now=1.0, later=beta1)
    if key == ADAGRAD:  # s ← s + ∇L²; w ← w − η∇L / (√s + ε)
        return Update(lr, take=0.0, decay=1.0, fresh=1.0, now=1.0, later=0.0, eps=eps)
    if key == RMSPROP:  # s ← αs + (1 − α)∇L²; w ← w − η∇L / (√s + ε)
        return Update(lr, take=0.0, decay=beta2, fresh=1 - beta2, now=1.0, later=0.0, eps=eps)
    if key == ADAM:  # m ← lerp(m, ∇L, 1 − β₁); v ← β₂v + (1 − β₂)∇L²; w ← w − η_t·m / (√v/ρ_t + ε)
        # torch.lerp computes from the nearer end: m + w·(∇L − m) when the weight w < 0.5 (β₁ > 0.5, as
        # always in practice); otherwise the plain β₁m + (1 − β₁)∇L, a rounding or so from torch's.
        mean = dict(keep=1.0, lean=1.0) if 1 - beta1 < 0.5 else dict(keep=beta1, lean=0.0)
        return Update(
            lr, take=1 - beta1, decay=beta2, fresh=1 - beta2, eps=eps, bias_beta1=beta1, bias_beta2=beta2, **mean
        )
    if key == NEWTON:  # w ← w − H⁻¹∇L: the engine hands Newton's rows H⁻¹∇L as their gradient
        return Update(1.0)
    raise ValueError(f"unknown optimizer {key!r}")


# The fields of Coefficients.table, one row each (the compiled loop reads them by these indices).
KEEP, TAKE, LEAN, DECAY, FRESH, NOW, LATER, EPS = range(8)
FIELDS = ("keep", "take", "lean", "decay", "fresh", "now", "later", "eps")


class Coefficients:
    """Every row's coefficients (one row of ``table`` per field, one column per descent) and Adam's bias
    corrections per step, as the engine reads them."""

    def __init__(self, blocks: list[tuple[Update, int]]):
        """``blocks``: each update with its count of neighbouring rows."""
        updates = [update for update, _ in blocks]
        counts = [count for _, count in blocks]
        fields = np.array([[getattr(update, field) for field in FIELDS] for update in updates], dtype=np.float64)
        self.table = np.ascontiguousarray(np.repeat(fields.reshape(-1, len(FIELDS)), counts, axis=0).T)
        self.moments = any(update.decay or update.fresh for update in updates)  # else s stays 0
        self.momentum = any(update.later for update in updates)  # else m is never read
        # Adam's corrections per distinct (η, β₁, β₂); each row names its setting
        biased = [(update.lr, update.bias_beta1, update.bias_beta2) for update in updates]
        self.settings, block_setting = np.unique(np.array(biased).reshape(-1, 3), axis=0, return_inverse=True)
        self.row_setting = np.repeat(block_setting.reshape(-1), counts).astype(np.int64)

    def corrections(self, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """η_t and ρ_t for steps t = 1 .. steps, each (steps, settings). With β₁ = β₂ = 0 they are η and 1
        exactly, so the rules without corrections take the same path: a division by 1 changes no bit."""
        t = np.arange(1, steps + 1, dtype=np.float64)[:, None]
        lr, beta1, beta2 = self.settings[:, 0], self.settings[:, 1], self.settings[:, 2]
        return np.ascontiguousarray(lr / (1 - beta1**t)), np.ascontiguousarray((1 - beta2**t) ** 0.5)


# ---- the engine ------------------------------------------------------------------------------------
# Compiled with numba (app/compute/compiled.py says when and why that changes no number). The numpy
# engine it replaced (until session 13) paid a dozen numpy calls of about a microsecond per step,
# however few the rows: a 2,000-step race of seven on Rosenbrock took 25 ms of a worker's time, and a
# class's worth of them queued everyone else. Compiled, that race takes under 1 ms, and every position
# is the numpy engine's to the bit (each operation in its order); tests/unit/test_optimizer_oracle.py
# still checks every step against torch.optim to 12 digits.
#
# - A catalogue surface: the whole loop runs compiled (_descend_compiled), without the interpreter
#   lock, so a worker's other thread answers meanwhile.
# - A typed surface: its formulas walk its expression tree in Python, so numpy evaluates them on every
#   row at once, as before, and the same compiled step (_advance) moves the rows from there.
# - The formulas are handed over as first-class functions, so the loop is compiled once per process
#   (about 2 s with every surface's formulas, in warm_up, before the workers fork).


@numba.njit(**compiled.OPTIONS)
def _advance(  # noqa: PLR0913 (the arrays a step reads and writes, in one place)
    step, g, hessians, w, m, s, running, table, lr_t, rho_t, setting, noise, newton, momentum, moments,
    record, steps, positions, gradients, length, stopped_at, diverged, singular, final,
):  # fmt: skip
    """One step of every running row, given its ∇L at w in g (and, for Newton's rows, its Hessian's
    a, b, c, d in hessians): keep the place; stop the row where it arrived, diverged or met a singular
    Hessian; else move it. Returns how many rows stopped."""
    stopped = 0
    for r in range(w.shape[0]):
        if not running[r]:
            continue
        x, y, gx, gy = w[r, 0], w[r, 1], g[r, 0], g[r, 1]
        if record:
            positions[step, r, 0], positions[step, r, 1] = x, y
            gradients[step, r, 0], gradients[step, r, 1] = gx, gy
        squared = gx * gx + gy * gy
        far = not (compiled.maximum(squared, x * x + y * y) <= BOUND_SQUARED)  # NaN is far too
        if far or squared < TOLERANCE * TOLERANCE:  # diverged (this place is not kept) or arrived
            running[r], stopped_at[r], diverged[r] = False, step, far
            length[r] = step if far else step + 1
            final[r, 0], final[r, 1] = (math.nan, math.nan) if far else (x, y)
            stopped += 1
            continue
        if step == steps:  # ran to the end: no step after the last place
            final[r, 0], final[r, 1] = x, y
            continue
        if newton[r]:  # H⁻¹∇L from the true gradient, without the noise, written out for a 2×2 H
            a, b, c, d = hessians[r, 0], hessians[r, 1], hessians[r, 2], hessians[r, 3]
            det = a * d - b * c
            if not (abs(det) > 1e-12 * compiled.maximum(1.0, compiled.maximum(abs(a * d), abs(b * c)))):
                running[r], stopped_at[r], singular[r] = False, step, True
                length[r] = step + 1
                final[r, 0], final[r, 1] = x, y  # Newton stays where H cannot be inverted
                stopped += 1
                continue
            moved_x, moved_y = (d * gx - b * gy) / det, (a * gy - c * gx) / det
        elif noise.shape[0]:  # every other row meets the same noise
            moved_x, moved_y = gx + noise[step, 0], gy + noise[step, 1]
        else:
            moved_x, moved_y = gx, gy
        lr, rho = lr_t[step, setting[r]], rho_t[step, setting[r]]
        for k in range(2):
            moved = moved_x if k == 0 else moved_y
            if momentum:
                m[r, k] = m[r, k] * table[KEEP, r] + table[TAKE, r] * (moved - m[r, k] * table[LEAN, r])
                direction = table[NOW, r] * moved + table[LATER, r] * m[r, k]
            else:  # no row reads m: later·m is 0·0 for each
                direction = table[NOW, r] * moved
            if moments:
                s[r, k] = s[r, k] * table[DECAY, r] + table[FRESH, r] * moved * moved
                w[r, k] -= lr * direction / (math.sqrt(s[r, k]) / rho + table[EPS, r])
            else:  # s = 0 throughout: the denominator is √0/1 + ε, and ε is 1 for these rules
                w[r, k] -= lr * direction / table[EPS, r]
    return stopped


def _descend_compiled(  # noqa: PLR0913 (the formulas, then _advance's arrays)
    gradient, hessian, w, m, s, running, table, lr_t, rho_t, setting, noise, newton, momentum, moments,
    record, steps, positions, gradients, length, stopped_at, diverged, singular, final,
):  # fmt: skip
    """The whole loop, compiled: each running row's ∇L (and Newton's Hessian) from the compiled
    formulas, then _advance."""
    rows = w.shape[0]
    g, hessians = np.empty((rows, 2)), np.empty((rows, 4))
    left = rows
    for step in range(steps + 1):
        if left == 0:
            break
        for r in range(rows):
            if running[r]:
                g[r, 0], g[r, 1] = gradient(w[r, 0], w[r, 1], 0)
                if newton[r]:
                    (hessians[r, 0], hessians[r, 1]), (hessians[r, 2], hessians[r, 3]) = hessian(w[r, 0], w[r, 1], 0)
        left -= _advance(
            step, g, hessians, w, m, s, running, table, lr_t, rho_t, setting, noise, newton, momentum, moments,
            record, steps, positions, gradients, length, stopped_at, diverged, singular, final,
        )  # fmt: skip


@compiled.build_once
def _compiled_loop():
    """_descend_compiled for exactly the types descend_many passes, compiled once per process."""
    t = numba.types
    table, booleans, integers = t.float64[:, ::1], t.boolean[::1], t.int64[::1]
    signature = t.void(
        t.FunctionType(compiled.GRADIENT_SIGNATURE),  # gradient
        t.FunctionType(compiled.HESSIAN_SIGNATURE),  # hessian
        *(table, table, table, booleans),  # w, m, s, running
        *(table, table, table, integers),  # table, lr_t, rho_t, setting
        *(table, booleans, t.boolean, t.boolean, t.boolean, t.int64),  # noise, newton, momentum, moments, record, steps
        *(t.float64[:, :, ::1], t.float64[:, :, ::1], integers, integers, booleans, booleans, table),  # the outcome
    )
    return numba.njit(signature, **compiled.OPTIONS)(_descend_compiled)


def _descend_typed(surface: Surface, w, running, newton, steps: int, arrays: tuple) -> None:
    """The loop for a typed surface: its formulas (Python) on every row at once with numpy, then
    _advance, compiled, on ``arrays`` (w, running, newton and steps among them, as named here).
    The numbers are those of a vectorised evaluation, as they always were."""
    g, hessians = np.empty_like(w), np.zeros((len(w), 4))
    x, y = w[:, 0], w[:, 1]  # views, made once
    newton_rows = np.flatnonzero(newton)
    left = len(w)
    with np.errstate(all="ignore"):  # a diverging row may overflow; it is stopped, not warned about
        for step in range(steps + 1):
            if left == 0:
                break
            g[:, 0], g[:, 1] = surface.gradient_formula(x, y, np)
            newton_rows = newton_rows[running[newton_rows]]
            if len(newton_rows):
                (a, b), (c, d) = surface.hessian_formula(w[newton_rows, 0], w[newton_rows, 1], np)
                entries = np.broadcast_arrays(a, b, c, d, np.empty(len(newton_rows)))[:4]  # a quadratic's: numbers
                hessians[newton_rows] = np.column_stack(entries)
            left -= _advance(step, g, hessians, *arrays)


@dataclass(frozen=True)
class Descents:
    """Many descents at once, one row each: where each stopped and why, and (if recorded) every step."""

    positions: np.ndarray | None  # (steps + 1, rows, 2), or None when not recorded
    gradients: np.ndarray | None  # the true ∇L at each recorded position (no noise)
    final: np.ndarray  # (rows, 2): the last position each row kept
    length: np.ndarray  # (rows,): how many positions each row kept
    stopped_at: np.ndarray  # (rows,): the step a row arrived, diverged or met a singular H; −1 if it ran on
    diverged: np.ndarray  # (rows,) bool
    singular: np.ndarray  # (rows,) bool


def descend_many(
    surface: Surface,
    blocks: list[tuple[str, Hyper, int]],
    starts: np.ndarray,
    steps: int,
    noise: np.ndarray | None = None,
    record: bool = True,
) -> Descents:
    """Run each block's optimizer on its rows of ``starts`` (row order: the blocks in order) for up to
    ``steps`` steps. A row stops when |∇L| < TOLERANCE (arrived), when |w| or |∇L| passes the bound or
    stops being finite (diverged), or where Newton meets a singular Hessian. ``noise`` (steps × 2) is
    added to every row's gradient at each step, except Newton's: the reference meets none. Positions
    past a row's ``length`` are not written."""
    w = np.array(starts, dtype=np.float64).reshape(-1, 2)
    rows = len(w)
    if sum(count for _, _, count in blocks) != rows:
        raise ValueError(f"the blocks hold {sum(count for _, _, count in blocks)} rows, the starts {rows}")
    noise = np.zeros((0, 2)) if noise is None else np.ascontiguousarray(noise, dtype=np.float64)
    if len(noise) and (noise.ndim != 2 or noise.shape[1] != 2 or len(noise) < steps):
        raise ValueError(f"noise must be ({steps}, 2), not {noise.shape}")  # compiled code checks no bounds
    rule = Coefficients([(update_of(key, hyper), count) for key, hyper, count in blocks])
    newton = np.repeat(np.array([key == NEWTON for key, _, _ in blocks], dtype=np.bool_), [c for *_, c in blocks])
    lr_t, rho_t = rule.corrections(steps)
    kept = steps + 1 if record else 0
    positions, gradients = np.empty((kept, rows, 2)), np.empty((kept, rows, 2))
    length = np.full(rows, steps + 1, dtype=np.int64)
    stopped_at = np.full(rows, -1, dtype=np.int64)
    diverged, singular = np.zeros(rows, dtype=np.bool_), np.zeros(rows, dtype=np.bool_)
    final = np.full((rows, 2), np.nan)
    running = np.ones(rows, dtype=np.bool_)
    arrays = (
        *(w, np.zeros_like(w), np.zeros_like(w), running),  # w, m, s, running
        *(rule.table, lr_t, rho_t, rule.row_setting, noise, newton, rule.momentum, rule.moments, record, steps),
        *(positions, gradients, length, stopped_at, diverged, singular, final),
    )
    formulas = compiled.surface_formulas(surface)
    if formulas:
        _compiled_loop()(formulas.gradient, formulas.hessian, *arrays)
    else:
        _descend_typed(surface, w, running, newton, steps, arrays)
    if not record:
        positions = gradients = None
    return Descents(positions, gradients, final, length, stopped_at, diverged, singular)


def _race_runs(surface: Surface, settings: RaceSettings, entries: list[tuple[str, Hyper]]) -> list[Run]:
    """One row per contestant, all from the race's start, in one run of the engine (Newton's row meets
    no noise: it is the reference)."""
    if not entries:
        return []
    starts = np.tile(np.asarray(settings.start, dtype=np.float64), (len(entries), 1))
    noise = noise_for(settings.steps, settings.noise) if settings.noise > 0 else None
    done = descend_many(surface, [(key, hyper, 1) for key, hyper in entries], starts, settings.steps, noise)
    return [_run_of(surface, key, hyper, done, i) for i, (key, hyper) in enumerate(entries)]


def _run_of(surface: Surface, key: str, hyper: Hyper, done: Descents, row: int) -> Run:
    stop = int(done.stopped_at[row])
    return _finish(
        surface,
        key,
        hyper,
        done.positions[: done.length[row], row],
        done.gradients[: done.length[row], row],
        bool(done.diverged[row]),
        None if stop < 0 else stop,
        SINGULAR if done.singular[row] else None,
    )


def newton(surface: Surface, start, steps: int, hyper: Hyper = DEFAULT_HYPER[NEWTON]) -> Run:
    """Newton's method alone from ``start``: the reference, which never takes the race's noise."""
    done = descend_many(surface, [(NEWTON, hyper, 1)], np.asarray([start], dtype=np.float64), steps)
    return _run_of(surface, NEWTON, hyper, done, 0)


def _finish(surface, key, hyper, positions, gradients, diverged, stopped_at, verdict=None) -> Run:
    """Losses (vectorised), cut at the first that passes the bound, and the verdict, as descent does."""
    positions, gradients = np.ascontiguousarray(positions), np.ascontiguousarray(gradients)
    with np.errstate(all="ignore"):
        losses = surface.value(positions[:, 0], positions[:, 1]).reshape(-1)
    first = first_bad_loss(losses)
    if first is not None:
        positions, gradients, losses = positions[:first], gradients[:first], losses[:first]
        diverged, stopped_at, verdict = True, first, None
    updates = np.diff(positions, axis=0)
    return Run(
        key=key,
        hyper=hyper,
        positions=positions,
        losses=losses,
        gradients=gradients,
        verdict=verdict or run_verdict(losses, positions, updates, diverged, stopped_at),
        stopped_at=stopped_at,
        zigzag=zigzags(updates),
    )


# ---- why it happened ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MomentumTheory:
    """Heavy-ball momentum on a quadratic with Hessian eigenvalues λ_min ≤ λ_max (Polyak, 1964)."""

    lambda_min: float
    lambda_max: float
    kappa: float  # the condition number λ_max / λ_min
    best_lr: float  # 4 / (√λ_max + √λ_min)²
    best_beta: float  # ((√κ − 1) / (√κ + 1))²
    best_rate: float  # √β*: the distance to the minimum shrinks by this factor per step
    gd_best_rate: float  # plain GD at its best η = 2/(λ_min + λ_max): (κ − 1)/(κ + 1)


def momentum_theory(hessian: np.ndarray) -> MomentumTheory | None:
    """The optimal (η, β) for momentum from the Hessian's eigenvalues; None unless H is positive definite."""
    low, high = (float(v) for v in np.linalg.eigvalsh(hessian))
    if not low > 0:
        return None
    kappa = high / low
    root = math.sqrt(kappa)
    return MomentumTheory(
        lambda_min=low,
        lambda_max=high,
        kappa=kappa,
        best_lr=4.0 / (math.sqrt(high) + math.sqrt(low)) ** 2,
        best_beta=((root - 1) / (root + 1)) ** 2,
        best_rate=(root - 1) / (root + 1),
        gd_best_rate=(kappa - 1) / (kappa + 1),
    )


def predicted_rate(hessian: np.ndarray, lr: float, beta: float) -> float:
    """The asymptotic factor per step of heavy-ball momentum (torch's SGD with momentum β and no
    dampening) on a quadratic: the largest spectral radius of [[1 + β − ηλ, −β], [1, 0]] over the
    Hessian's eigenvalues λ. β = 0 gives plain GD's max |1 − ηλ|."""
    radius = 0.0
    for lam in np.linalg.eigvalsh(hessian):
        matrix = np.array([[1.0 + beta - lr * lam, -beta], [1.0, 0.0]])
        radius = max(radius, float(np.max(np.abs(np.linalg.eigvals(matrix)))))
    return radius


def quadratic_minimum(surface: Surface) -> tuple[float, float]:
    """Where a quadratic with a positive-definite Hessian H has its minimum: one Newton step from the
    origin, −H⁻¹∇L(0, 0), exact for a quadratic (a typed bowl need not be centred on the origin)."""
    step = np.linalg.solve(surface.hessian(0.0, 0.0), surface.gradient(0.0, 0.0).reshape(2))
    return (float(-step[0]), float(-step[1]))


def measured_rate(run: Run, minimum: tuple[float, float] = (0.0, 0.0), tail: int = 20) -> float | None:
    """The factor per step by which the distance to the minimum shrank over the run's last ``tail``
    steps (a geometric mean), or None when the run is too short or already at the minimum."""
    distances = np.hypot(run.positions[:, 0] - minimum[0], run.positions[:, 1] - minimum[1])
    if len(distances) < tail + 2:
        tail = len(distances) - 2
    if tail < 2:
        return None
    first, last = float(distances[-tail - 1]), float(distances[-1])
    if not (first > 0 and last > 0):
        return None
    return (last / first) ** (1.0 / tail)


def effective_rates(run: Run) -> np.ndarray:
    """Per coordinate and step, the step taken divided by the gradient: −Δw / ∇L, the learning rate the
    optimizer actually used there ((k, 2); NaN where the gradient is 0). Plain SGD's is η throughout;
    Adam's changes per coordinate, which is its whole idea."""
    updates = np.diff(run.positions, axis=0)
    with np.errstate(all="ignore"):
        rates = -updates / run.gradients[:-1]
    rates[~np.isfinite(rates)] = np.nan
    return rates
