"""torch.optim is the race engine's oracle.

The page promises that every step of the race equals torch.optim's to 12 digits. These tests keep that
promise on every build: each torch.optim class runs beside the numpy engine (app/compute/optimizers.py)
from the same start, with the same hyperparameters and the same seeded noise, on every catalogue surface.

- Step by step: torch is handed the engine's position at every step, takes its own step from there with
  its own memory (momentum buffer, sums of squares, moments: these depend only on the gradients met), and
  lands where the engine's next position is, to 1e-12 relative.
- Run freely, torch's whole trajectory stops at the same step, for the same reason, with the same verdict.
  Where a run is not chaotic its every position agrees too. Where it is (Rosenbrock's valley bounces a
  run from wall to wall), one rounding apart grows: torch's CPU kernels fuse some multiply-adds into
  one rounding and numpy does not, so the free positions are compared only on calm surfaces.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from app.compute import optimizers as opt
from app.compute.descent import BOUND_SQUARED
from app.compute.surfaces import SURFACES

TORCH_CLASSES = {
    opt.SGD: lambda p, h: torch.optim.SGD([p], lr=h.lr),
    opt.MOMENTUM: lambda p, h: torch.optim.SGD([p], lr=h.lr, momentum=h.beta1),
    opt.NESTEROV: lambda p, h: torch.optim.SGD([p], lr=h.lr, momentum=h.beta1, nesterov=True),
    opt.ADAGRAD: lambda p, h: torch.optim.Adagrad([p], lr=h.lr, eps=h.eps),
    opt.RMSPROP: lambda p, h: torch.optim.RMSprop([p], lr=h.lr, alpha=h.beta2, eps=h.eps),
    opt.ADAM: lambda p, h: torch.optim.Adam([p], lr=h.lr, betas=(h.beta1, h.beta2), eps=h.eps),
}
assert set(TORCH_CLASSES) == set(opt.CONTESTANTS)  # a new contestant must be checked here too


def torch_run(surface, key, hyper, start, steps, noise=None, along=None):
    """One contestant stepped by torch.optim, stopped by the race's rules: a position or gradient past
    the bound (that position is not kept), |∇L| below the tolerance (kept), or the last step.

    With ``along`` (the engine's positions), torch's parameter is set to along[t] before each step, and
    row t + 1 of the answer is where torch's step from there landed."""
    p = torch.tensor(start, dtype=torch.float64)
    optimizer = TORCH_CLASSES[key](p, hyper)
    positions, stopped_at, diverged = [], None, False
    for t in range(steps + 1):
        if along is not None:
            if t >= len(along):
                break
            p.copy_(torch.from_numpy(np.array(along[t])))
        w = p.numpy().copy()
        with np.errstate(all="ignore"):
            g = np.array(surface.gradient_formula(w[0], w[1], np), dtype=float)
            squared = float(g @ g)
            if not (squared <= BOUND_SQUARED and float(w @ w) <= BOUND_SQUARED):
                diverged, stopped_at = True, t
                break
        positions.append(w)
        if squared < opt.TOLERANCE**2:
            stopped_at = t
            break
        if t == steps:
            break
        if noise is not None:
            g = g + noise[t]
        p.grad = torch.from_numpy(g)
        optimizer.step()
        if along is not None:
            positions[-1] = p.numpy().copy()  # torch's prediction of along[t + 1]
    if along is not None:
        return np.array([along[0], *positions[:-1]]).reshape(-1, 2), None, None
    return np.array(positions).reshape(-1, 2), stopped_at, diverged


def cases():
    """Every catalogue surface from its page's start with its page's settings, plus settings that take
    other branches of the rules (Adam's β₁ ≥ 0.5 side of torch.lerp, small β, RMSprop's α = 0.9), seeded
    noise, and a run that diverges."""
    found = []
    for key, surface in SURFACES.items():
        steps = 2000 if key == "rosenbrock" else 300
        found.append((key, surface.start, steps, tuple(opt.hyper_for(key).items()), 0.0))
    other = {
        opt.SGD: opt.Hyper(0.02),
        opt.MOMENTUM: opt.Hyper(0.02, beta1=0.5),
        opt.NESTEROV: opt.Hyper(0.02, beta1=0.3),
        opt.ADAGRAD: opt.Hyper(0.5, eps=1e-6),
        opt.RMSPROP: opt.Hyper(0.01, beta2=0.9, eps=1e-6),
        opt.ADAM: opt.Hyper(0.1, beta1=0.3, beta2=0.9, eps=1e-6),
    }
    found.append(("himmelblau", (-1.0, 4.0), 400, tuple(other.items()), 0.0))
    found.append(("bowl", (4.0, 3.0), 300, tuple(opt.hyper_for("bowl").items()), 2.0))
    found.append(("rosenbrock", (-1.5, 2.0), 500, tuple(opt.hyper_for("rosenbrock").items()), 5.0))
    found.append(("ravine", (4.0, 1.5), 100, tuple((k, opt.Hyper(0.12, 0.9, 0.99, 1e-8)) for k in other), 0.0))
    # Each contestant alone, with noise: a race without Adam has no bias corrections to make, and a race
    # without the SGD family or without AdaGrad, RMSprop and Adam skips terms of the update.
    found += [("round", (3.0, -2.0), 150, ((key, opt.hyper_for("round")[key]),), 0.5) for key in opt.CONTESTANTS]
    return found


CASES = cases()


def assert_same_to_12_digits(engine: np.ndarray, torch_positions: np.ndarray, key: str) -> None:
    """Each step agrees to 12 significant digits of the numbers it was computed from: the position it
    left and the one it reached. (Measured against the landing point alone, a coordinate that cancels
    to exactly 0 in numpy and to 1e-17 in torch's fused multiply-add would differ "100%".)"""
    scale = np.maximum(np.abs(engine), np.abs(np.roll(engine, 1, axis=0))).max(axis=1, keepdims=True)
    difference = np.abs(engine - torch_positions)
    apart = ~(difference <= 1e-12 * scale).all(axis=1)
    first = int(np.argmax(apart))
    assert not apart.any(), (
        f"{key}: step {first} lands at {engine[first]} in the engine, {torch_positions[first]} in torch.optim"
    )


CALM = {"bowl", "round", "ravine", "saddle", "himmelblau"}


def _ids(case):
    surface, _, steps, contestants, noise = case
    alone = f"-{contestants[0][0]}-alone" if len(contestants) == 1 else ""
    return f"{surface}-{steps}-noise{noise:g}{alone}"


def _race(case):
    surface, start, steps, contestants, noise = case
    race = opt.race(opt.RaceSettings(surface, start, steps, contestants, noise))
    shared = opt.noise_for(steps, noise) if noise else None
    return SURFACES[surface], race, shared


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_step_lands_where_torch_optim_lands(case):
    surface, race, noise = _race(case)
    _, start, steps, _, _ = case
    checked = 0
    for run in race.runs:
        if run.key == opt.NEWTON:
            continue
        expected, _, _ = torch_run(surface, run.key, run.hyper, start, steps, noise, along=run.positions)
        assert expected.shape == run.positions.shape, run.key
        assert_same_to_12_digits(run.positions, expected, run.key)
        checked += len(run.positions) - 1
    assert checked > 0


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_run_freely_torch_stops_at_the_same_step_with_the_same_verdict(case):
    surface, race, noise = _race(case)
    _, start, steps, _, _ = case
    for run in race.runs:
        if run.key == opt.NEWTON:
            continue
        positions, stopped_at, diverged = torch_run(surface, run.key, run.hyper, start, steps, noise)
        twin = opt._finish(surface, run.key, run.hyper, positions, positions * 0, diverged, stopped_at)
        assert (len(twin.positions), twin.stopped_at, twin.verdict) == (
            len(run.positions),
            run.stopped_at,
            run.verdict,
        ), run.key
        if case[0] in CALM:
            np.testing.assert_allclose(run.positions, twin.positions, rtol=1e-12, atol=1e-12, err_msg=run.key)


def test_the_cases_cover_every_surface_every_verdict_and_noise():
    verdicts = set()
    for case in CASES:
        _, race, _ = _race(case)
        verdicts |= {run.verdict for run in race.runs}
    assert {case[0] for case in CASES} == set(SURFACES)
    assert {"converged", "diverged"} <= verdicts
    assert any(case[4] > 0 for case in CASES)


def test_the_oracle_notices_a_wrong_rule(monkeypatch):
    """The check can fail: Adam without its bias correction is caught at the first step."""
    real = opt.update_of

    def uncorrected(key, hyper):
        return dataclasses.replace(real(key, hyper), bias_beta1=0.0, bias_beta2=0.0)  # 1 − 0ᵗ = 1: no correction

    monkeypatch.setattr(opt, "update_of", uncorrected)
    opt.forget_races()
    try:
        surface, race, noise = _race(CASES[0])
        run = race.run(opt.ADAM)
        expected, _, _ = torch_run(surface, opt.ADAM, run.hyper, CASES[0][1], CASES[0][2], noise, along=run.positions)
        with pytest.raises(AssertionError, match="adam: step 1 lands"):
            assert_same_to_12_digits(run.positions, expected, opt.ADAM)
    finally:
        opt.forget_races()
