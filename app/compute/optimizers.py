"""Gradient descent's descendants raced on one surface, each step taken by ``torch.optim`` itself.

SGD, SGD with momentum, Nesterov, AdaGrad, RMSprop and Adam are the optimizer classes a learner calls
in a training loop; here they run in float64 from one start on a catalogue surface. Newton's method,
which no torch.optim class implements, is the reference they approximate: it divides the gradient by
the Hessian, the curvature the others can only guess at.

How the race is made fast enough for a web request (bench/optimizers.py has the figures):
- Every contestant's weights live in one numpy array, and each torch parameter is a view of its row
  (``torch.from_numpy``), as is each parameter's ``.grad``. One vectorised call of the catalogue's
  closed-form gradient fills every contestant's gradient at once; the optimizers update the rows in
  place; recording a step is one array copy.
- The three SGD variants are three parameter groups of one ``torch.optim.SGD``.
- A contestant that has converged or diverged stops: its ``.grad`` becomes None, which every
  torch.optim class reads as "skip this parameter".
Races are memoised on their validated settings (a frozen dataclass), so a shared link or a replayed
state costs nothing the second time.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

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
CONTESTANTS = (SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM)  # run by torch.optim
EVERYONE = (*CONTESTANTS, NEWTON)

MAX_RACE_STEPS = 5_000  # a bound on one request's work: 7 optimizers × 5,000 steps is about 2 s cold
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

    surface: str
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
    surface = SURFACES[settings.surface]
    entries = dict(settings.contestants)
    runs = _torch_race(surface, settings, [(key, entries[key]) for key in CONTESTANTS if key in entries])
    if NEWTON in entries:
        runs.append(newton(surface, settings.start, settings.steps, entries[NEWTON]))
    return Race(settings, tuple(runs))


def noise_for(steps: int, scale: float) -> np.ndarray:
    """The (steps, 2) noise added to the gradients, one row per step, the same for every contestant."""
    return scale * np.random.default_rng(NOISE_SEED).standard_normal((steps, 2))


# foreach=False says outright what torch picks for one small CPU tensor, and spares it asking every
# step. fused=True (AdaGrad, Adam) measured no faster here (bench/optimizers.py): the time goes to
# Optimizer.step's own wrapper (profiler scope, grad mode, hooks), about 30-90 µs per call.


def _optimizers(keys: list[str], hypers: list[Hyper], params: list[torch.Tensor]) -> list[torch.optim.Optimizer]:
    """The torch.optim objects for these contestants: the SGD family as groups of one SGD."""
    groups, others = [], []
    for key, hyper, param in zip(keys, hypers, params, strict=True):
        if key == SGD:
            groups.append({"params": [param], "lr": hyper.lr, "momentum": 0.0, "nesterov": False})
        elif key in (MOMENTUM, NESTEROV):
            groups.append({"params": [param], "lr": hyper.lr, "momentum": hyper.beta1, "nesterov": key == NESTEROV})
        elif key == ADAGRAD:
            others.append(torch.optim.Adagrad([param], lr=hyper.lr, eps=hyper.eps, foreach=False))
        elif key == RMSPROP:
            others.append(torch.optim.RMSprop([param], lr=hyper.lr, alpha=hyper.beta2, eps=hyper.eps, foreach=False))
        elif key == ADAM:
            others.append(
                torch.optim.Adam([param], lr=hyper.lr, betas=(hyper.beta1, hyper.beta2), eps=hyper.eps, foreach=False)
            )
    return ([torch.optim.SGD(groups, lr=groups[0]["lr"], foreach=False)] if groups else []) + others


def _torch_race(surface: Surface, settings: RaceSettings, entries: list[tuple[str, Hyper]]) -> list[Run]:
    if not entries:
        return []
    keys, hypers = [key for key, _ in entries], [hyper for _, hyper in entries]
    count, steps = len(keys), settings.steps
    weights = np.tile(np.asarray(settings.start, dtype=np.float64), (count, 1))
    grads = np.zeros((count, 2))
    params = [torch.from_numpy(weights[i]) for i in range(count)]  # views: torch writes into weights
    grad_views = [torch.from_numpy(grads[i]) for i in range(count)]
    for param, grad in zip(params, grad_views, strict=True):
        param.grad = grad
    optimizers = _optimizers(keys, hypers, params)
    noise = noise_for(steps, settings.noise) if settings.noise > 0 else None

    positions = np.empty((steps + 1, count, 2))
    true_grads = np.empty((steps + 1, count, 2))
    running = np.ones(count, dtype=bool)
    length = np.full(count, steps + 1)  # how many positions each run keeps
    stopped_at: list[int | None] = [None] * count
    diverged = np.zeros(count, dtype=bool)
    tolerance_squared = TOLERANCE * TOLERANCE
    with np.errstate(all="ignore"):  # a diverging contestant may overflow; it is stopped, not warned about
        for step in range(steps + 1):
            gx, gy = surface.gradient_formula(weights[:, 0], weights[:, 1], np)
            grads[:, 0], grads[:, 1] = gx, gy
            squared = (grads * grads).sum(axis=1)
            far = ~((squared <= BOUND_SQUARED) & ((weights * weights).sum(axis=1) <= BOUND_SQUARED))  # NaN too
            positions[step], true_grads[step] = weights, grads
            for i in np.flatnonzero(running & far):
                running[i], diverged[i], stopped_at[i], length[i] = False, True, step, step
                params[i].grad = None  # torch.optim skips a parameter without a gradient
            for i in np.flatnonzero(running & (squared < tolerance_squared)):
                running[i], stopped_at[i], length[i] = False, step, step + 1
                params[i].grad = None
            if step == steps or not running.any():
                break
            if noise is not None:
                grads += noise[step]  # the views each .grad holds see the noisy gradient
            for optimizer in optimizers:
                optimizer.step()
    return [
        _finish(
            surface,
            key,
            hyper,
            positions[: length[i], i],
            true_grads[: length[i], i],
            bool(diverged[i]),
            stopped_at[i],
        )
        for i, (key, hyper) in enumerate(entries)
    ]


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


def newton(surface: Surface, start, steps: int, hyper: Hyper = DEFAULT_HYPER[NEWTON]) -> Run:
    """Newton's method, w ← w − H⁻¹∇L, with the catalogue's closed-form Hessian: the reference.

    It stops when |∇L| < TOLERANCE, when a value passes the bound, or where H is singular."""
    w = [float(v) for v in start]
    positions, gradients = [], []
    stopped_at, diverged, verdict = None, False, None
    for step in range(steps + 1):
        try:
            gx, gy = surface.gradient_formula(w[0], w[1], math)
            squared = gx * gx + gy * gy
        except (OverflowError, ValueError, ZeroDivisionError):
            squared = math.inf
        if not (squared <= BOUND_SQUARED and w[0] * w[0] + w[1] * w[1] <= BOUND_SQUARED):
            diverged, stopped_at = True, step
            break
        positions.append(w)
        gradients.append((gx, gy))
        if squared < TOLERANCE * TOLERANCE:
            stopped_at = step
            break
        if step == steps:
            break
        (a, b), (c, d) = surface.hessian_formula(w[0], w[1], math)
        det = a * d - b * c
        if not abs(det) > 1e-12 * max(1.0, abs(a * d), abs(b * c)):
            stopped_at, verdict = step, SINGULAR
            break
        # H⁻¹g for a 2×2 H, written out: the step is the minimum of the local quadratic model.
        w = [w[0] - (d * gx - b * gy) / det, w[1] - (a * gy - c * gx) / det]
    return _finish(
        surface,
        NEWTON,
        hyper,
        np.array(positions, dtype=float).reshape(-1, 2),
        np.array(gradients, dtype=float).reshape(-1, 2),
        diverged,
        stopped_at,
        verdict,
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
