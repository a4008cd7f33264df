"""Gradient descent's descendants raced on one surface: one vectorised numpy engine, with torch.optim as
its oracle.

SGD, SGD with momentum, Nesterov, AdaGrad, RMSprop and Adam are the optimizer classes a learner calls
in a training loop; here each update rule is written out once (the Rule classes below), in torch.optim's
own order of operations, and run in float64 from one start on a surface. Newton's method, which no
torch.optim class implements, is the reference they approximate: it divides the gradient by the
Hessian, the curvature the others can only guess at.

Why numpy and not torch.optim itself: each ``Optimizer.step()`` costs 30-90 µs of Python wrapper, so a
race of seven over 2,000 steps took 0.4-0.7 s, and a class of them blocked everyone else. The engine
keeps every contestant (or every start of a basin map) as one row of one array: one vectorised gradient
per step for all rows, then each rule updates its block of rows. tests/unit/test_optimizer_oracle.py runs
every torch.optim class beside it on every surface and checks each step to 12 digits.

- A row that arrives (|∇L| < TOLERANCE) or diverges stops, and keeps its place; the others go on.
- Optional minibatch-like noise (a fixed seed) is added to every contestant's gradient alike.
- Races are memoised on their validated settings (a frozen dataclass), so a shared link or a replayed
  state costs nothing the second time.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from app.compute.descent import (
    BOUND_SQUARED,
    CONVERGED,
    first_bad_loss,
    run_verdict,
    zigzags,
)
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


@functools.lru_cache(maxsize=64)
def _race(settings: RaceSettings) -> Race:
    surface = surface_of(settings)
    entries = dict(settings.contestants)
    runs = _race_runs(surface, settings, [(key, entries[key]) for key in CONTESTANTS if key in entries], True)
    if NEWTON in entries:  # the reference runs on the true gradient: no noise
        runs += _race_runs(surface, settings, [(NEWTON, entries[NEWTON])], False)
    return Race(settings, tuple(runs))


def surface_of(settings: RaceSettings) -> Surface:
    """The race's surface: a catalogue key, or a typed function's Surface itself."""
    return SURFACES[settings.surface] if isinstance(settings.surface, str) else settings.surface


def noise_for(steps: int, scale: float) -> np.ndarray:
    """The (steps, 2) noise added to the gradients, one row per step, the same for every contestant."""
    return scale * np.random.default_rng(NOISE_SEED).standard_normal((steps, 2))


# ---- the update rules ------------------------------------------------------------------------------
# Each rule moves a block of rows of the weights w (one row per start, columns x and y) in place, given
# the gradient g at those rows and the step number t (1 on the first step). One line per update
# equation, in the order of operations of torch.optim's single-tensor code (torch/optim/sgd.py,
# adagrad.py, rmsprop.py, adam.py), so every step agrees with torch's to the last bit or two: torch's
# CPU kernels fuse some multiply-adds into one rounding, numpy rounds each operation.


class Rule:
    """One optimizer's update for ``rows`` starts at once; its memory holds one row per start.

    Settings are kept as arrays of the block's own shape: numpy multiplies two arrays of one shape about
    twice as fast as an array by a Python number or by a broadcast column, and a race is thousands of
    such operations on a few numbers each."""

    def __init__(self, hyper: Hyper, rows: int):
        self.hyper = hyper
        self.rows = rows

    def full(self, value: float) -> np.ndarray:
        return np.full((self.rows, 2), value, dtype=np.float64)

    def step(self, w: np.ndarray, g: np.ndarray, t: int, surface: Surface) -> np.ndarray | None:
        """Move w (rows × 2) in place. Returns the rows that cannot step (Newton's singular H), or None."""
        raise NotImplementedError


class TorchSGD(Rule):
    """torch.optim.SGD, as torch writes it: plain SGD (β = 0), heavy-ball momentum and Nesterov are one
    rule, and contestants of this family share one block, each row with its own η, β and look-ahead."""

    def __init__(self, members: list[tuple[str, Hyper]]):
        super().__init__(members[0][1], len(members))
        self.members = members
        column = np.ones((1, 2))
        self.lr = np.array([[hyper.lr] for _, hyper in members]) * column
        self.beta = np.array([[0.0 if key == SGD else hyper.beta1] for key, hyper in members]) * column
        # The direction is a·∇L + b·v: (0, 1) without look-ahead, (1, β) for Nesterov. Both are exact:
        # 0·∇L + 1·v is v to the bit, and 1·∇L + β·v is torch's ∇L + βv.
        self.ahead = np.array([[1.0 if key == NESTEROV else 0.0] for key, _ in members]) * column
        self.follow = np.where(self.ahead == 1.0, self.beta, 1.0)
        self.velocity = self.full(0.0)

    def step(self, w, g, t, surface):
        self.velocity = self.velocity * self.beta + g  # v ← βv + ∇L   (β = 0 leaves v = ∇L: plain SGD)
        direction = self.ahead * g + self.follow * self.velocity  # v, or for Nesterov ∇L + βv
        w -= self.lr * direction  # w ← w − η·direction, rounded as the /descent engine rounds w − η∇L


class AdaGrad(Rule):
    def __init__(self, hyper, rows):
        super().__init__(hyper, rows)
        self.lr, self.eps = self.full(hyper.lr), self.full(hyper.eps)
        self.squares = self.full(0.0)

    def step(self, w, g, t, surface):
        self.squares = self.squares + g * g  # s ← s + ∇L²  (per coordinate, never forgotten)
        w -= self.lr * g / (np.sqrt(self.squares) + self.eps)  # w ← w − η∇L / (√s + ε)


class RMSprop(Rule):
    def __init__(self, hyper, rows):
        super().__init__(hyper, rows)
        self.lr, self.eps = self.full(hyper.lr), self.full(hyper.eps)
        self.alpha, self.rest = self.full(hyper.beta2), self.full(1 - hyper.beta2)
        self.mean_square = self.full(0.0)

    def step(self, w, g, t, surface):
        self.mean_square = self.mean_square * self.alpha + self.rest * g * g  # s ← αs + (1 − α)∇L²
        w -= self.lr * g / (np.sqrt(self.mean_square) + self.eps)  # w ← w − η∇L / (√s + ε)


class Adam(Rule):
    def __init__(self, hyper, rows):
        super().__init__(hyper, rows)
        self.eps = self.full(hyper.eps)
        self.beta2, self.rest2 = self.full(hyper.beta2), self.full(1 - hyper.beta2)
        self.mean = self.full(0.0)
        self.mean_square = self.full(0.0)

    def step(self, w, g, t, surface):
        hyper = self.hyper
        self.mean = lerp(self.mean, g, 1 - hyper.beta1)  # m ← β₁m + (1 − β₁)∇L
        self.mean_square = self.mean_square * self.beta2 + self.rest2 * g * g  # v ← β₂v + (1 − β₂)∇L²
        step_size = hyper.lr / (1 - hyper.beta1**t)  # η / (1 − β₁ᵗ), as m̂ = m / (1 − β₁ᵗ)
        root_correction = (1 - hyper.beta2**t) ** 0.5  # √(1 − β₂ᵗ), as v̂ = v / (1 − β₂ᵗ)
        w -= step_size * self.mean / (np.sqrt(self.mean_square) / root_correction + self.eps)  # w ← w − ηm̂/(√v̂ + ε)


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """start + weight·(end − start), computed from whichever end is nearer, as torch.lerp does."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)


class Newton(Rule):
    """w ← w − H⁻¹∇L with the surface's closed-form Hessian: the minimum of the local quadratic model."""

    def step(self, w, g, t, surface):
        rows = (len(w),)  # a quadratic's Hessian entries are plain numbers: the same for every row
        (a, b), (c, d) = (
            (np.broadcast_to(entry, rows) for entry in row) for row in surface.hessian_formula(w[:, 0], w[:, 1], np)
        )
        det = a * d - b * c
        invertible = np.abs(det) > 1e-12 * np.maximum(1.0, np.maximum(np.abs(a * d), np.abs(b * c)))
        # H⁻¹g for a 2×2 H, written out
        step = np.column_stack(((d * g[:, 0] - b * g[:, 1]) / det, (a * g[:, 1] - c * g[:, 0]) / det))
        w -= np.where(invertible[:, None], step, 0.0)
        return None if invertible.all() else ~invertible


SGD_FAMILY = (SGD, MOMENTUM, NESTEROV)  # one torch.optim.SGD rule, one block
RULES = {ADAGRAD: AdaGrad, RMSPROP: RMSprop, ADAM: Adam, NEWTON: Newton}


def _rules(blocks: list[tuple[str, Hyper, int]]) -> list[tuple[Rule, int, int]]:
    """Each rule with its block of rows (lo, hi); neighbouring blocks of the SGD family become one."""
    spans, first = [], 0
    for key, hyper, count in blocks:
        if key in SGD_FAMILY and spans and isinstance(spans[-1][0], TorchSGD):
            rule, lo, _ = spans.pop()
            spans.append((TorchSGD(rule.members + [(key, hyper)] * count), lo, first + count))
        elif key in SGD_FAMILY:
            spans.append((TorchSGD([(key, hyper)] * count), first, first + count))
        else:
            spans.append((RULES[key](hyper, count), first, first + count))
        first += count
    return spans


# ---- the engine ------------------------------------------------------------------------------------


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


CHUNK = 64  # steps between two looks at who has stopped


def descend_many(
    surface: Surface,
    blocks: list[tuple[str, Hyper, int]],
    starts: np.ndarray,
    steps: int,
    noise: np.ndarray | None = None,
    record: bool = True,
) -> Descents:
    """Run every block's rule on its rows of ``starts`` (row order: the blocks in order) for up to
    ``steps`` steps. A row stops when |∇L| < TOLERANCE (arrived), when |w| or |∇L| passes the bound or
    stops being finite (diverged), or where Newton meets a singular Hessian. ``noise`` (steps × 2) is
    added to every row's gradient at each step.

    Rows never affect one another, so who stops where is read off the recorded steps every CHUNK steps,
    in one vectorised look, rather than tested row by row at every step: a row that stopped may run on
    for a few steps, and whatever it does then is cut off. A rule whose rows have all stopped stops
    stepping, and the run ends when every row has."""
    w = np.array(starts, dtype=np.float64).reshape(-1, 2)
    rows = len(w)
    g = np.empty_like(w)
    moved = np.empty_like(w) if noise is not None else g  # the gradient the rules see
    spans = [(rule, lo, hi, w[lo:hi], moved[lo:hi]) for rule, lo, hi in _rules(blocks)]  # views, made once
    if spans[-1][2] != rows:
        raise ValueError(f"the blocks hold {spans[-1][2]} rows, the starts {rows}")
    x, y, gx, gy = w[:, 0], w[:, 1], g[:, 0], g[:, 1]  # views, made once
    kept = steps + 1 if record else CHUNK  # without a record, one chunk of steps is kept at a time
    positions, gradients = np.empty((kept, rows, 2)), np.empty((kept, rows, 2))
    running = np.ones(rows, dtype=bool)
    length = np.full(rows, steps + 1)
    stopped_at = np.full(rows, -1)
    diverged = np.zeros(rows, dtype=bool)
    singular = np.zeros(rows, dtype=bool)
    final = np.full((rows, 2), np.nan)
    since = 0  # the first step not yet looked at

    def look(step: int, at: int) -> None:
        """Who stopped in steps since..step (kept at at − (step − since)..at), and the place each kept."""
        start = at - (step - since)
        stopping = _look(positions[start : at + 1], gradients[start : at + 1], since, running, stopped_at, diverged)
        length[stopping] = stopped_at[stopping] + np.where(diverged[stopping], 0, 1)
        final[stopping] = positions[stopped_at[stopping] - since + start, stopping]

    with np.errstate(all="ignore"):  # a diverging row may overflow; it is stopped, not warned about
        for step in range(steps + 1):
            at = step if record else step % CHUNK
            gx[:], gy[:] = surface.gradient_formula(x, y, np)
            positions[at], gradients[at] = w, g
            if at % CHUNK == CHUNK - 1 or step == steps:
                look(step, at)
                since = step + 1
                spans = [span for span in spans if running[span[1] : span[2]].any()]
            if step == steps or not spans:
                break
            if noise is not None:
                np.add(g, noise[step], out=moved)  # every row meets the same noise
            for rule, lo, hi, w_rows, g_rows in spans:
                stuck = rule.step(w_rows, g_rows, step + 1, surface)
                if stuck is not None and (stuck & running[lo:hi]).any():
                    look(step, at)  # a row that stopped earlier in this chunk stopped for that reason
                    since = step + 1
                    rows_stuck = lo + np.flatnonzero(stuck & running[lo:hi])
                    running[rows_stuck], stopped_at[rows_stuck], singular[rows_stuck] = False, step, True
                    length[rows_stuck], final[rows_stuck] = step + 1, w[rows_stuck]  # Newton left them in place
    final[diverged] = np.nan
    final[running] = w[running]
    if not record:
        positions = gradients = None
    return Descents(positions, gradients, final, length, stopped_at, diverged, singular)


def _look(positions, gradients, first_step, running, stopped_at, diverged) -> np.ndarray:
    """The running rows that stopped among these recorded steps (numbered from first_step), marked
    stopped where they did: a row diverges at the first step where |w| or |∇L| passes the bound (that
    position is not kept), and arrives where |∇L| < TOLERANCE."""
    g, w = gradients, positions
    squared = g[..., 0] * g[..., 0] + g[..., 1] * g[..., 1]
    far = ~(np.maximum(squared, w[..., 0] * w[..., 0] + w[..., 1] * w[..., 1]) <= BOUND_SQUARED)  # NaN too
    event = (far | (squared < TOLERANCE * TOLERANCE)) & running
    rows = np.flatnonzero(event.any(axis=0))
    if len(rows):
        first = event[:, rows].argmax(axis=0)
        running[rows], stopped_at[rows], diverged[rows] = False, first_step + first, far[first, rows]
    return rows


def _race_runs(surface: Surface, settings: RaceSettings, entries: list[tuple[str, Hyper]], noisy: bool) -> list[Run]:
    """One row per contestant, all from the race's start."""
    if not entries:
        return []
    starts = np.tile(np.asarray(settings.start, dtype=np.float64), (len(entries), 1))
    noise = noise_for(settings.steps, settings.noise) if noisy and settings.noise > 0 else None
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
