"""Memoised compute (sweeps, torch runs, contour tangents): the same answers as computing afresh, and
nothing a caller can change."""

import math

import numpy as np
import pytest
import torch

from app.compute import learning_rate as theory
from app.compute import surfaces
from app.compute.autograd import torch_descent
from app.compute.descent import REMEMBERED_STEPS, descend
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES


@pytest.mark.parametrize("key", ["bowl", "ravine", "saddle"])
def test_a_memoised_surface_sweep_is_the_sweep(key):
    surface = SURFACES[key]
    direct = theory.sweep(
        lambda w: np.stack(surface.gradient(w[:, 0], w[:, 1]), axis=1),
        lambda w: surface.value(w[:, 0], w[:, 1]),
        surface.start,
        30,
        *theory.SWEEP_RANGE,
    )
    memo = theory.surface_sweep(surface, 30, *theory.SWEEP_RANGE)
    assert theory.surface_sweep(surface, 30, *theory.SWEEP_RANGE) is memo
    np.testing.assert_array_equal(memo.final_losses, direct.final_losses)
    assert (memo.critical, memo.fastest, memo.initial_loss) == (direct.critical, direct.fastest, direct.initial_loss)
    with pytest.raises(ValueError, match="read-only"):
        memo.final_losses[0] = 0.0


def test_the_refined_critical_eta_sits_on_the_edge_of_settling():
    square = LOSSES["square"]
    result = theory.loss_sweep(square, 0.0, 20, *theory.SWEEP_RANGE)

    def settles(eta):
        final = theory.run_many(
            lambda w: square.derivative(w[:, 0])[:, None], lambda w: square.value(w[:, 0]), [0.0], [eta], 20
        )[0]
        return bool(np.isfinite(final) and final < result.initial_loss)

    assert not settles(result.critical)
    assert settles(result.critical * (1 - 1e-9))


def test_memoised_torch_runs_are_read_only_and_keyed_by_every_setting():
    bowl = SURFACES["bowl"]
    good = torch_descent(bowl, (4.0, 3.0), 0.05, 8, zero_grad=True)
    assert torch_descent(bowl, [4, 3], 0.05, 8, True) is good
    assert torch_descent(bowl, (4.0, 3.0), 0.05, 8, zero_grad=False) is not good
    assert len(torch_descent(bowl, (4.0, 3.0), 0.05, 9).positions) == 10
    with pytest.raises(ValueError, match="read-only"):
        good.positions[0, 0] = 0.0


def _unbroken_torch_run(surface, start, lr, steps, zero_grad):
    """One run from start to end in a single loop, the way the chapter writes it."""
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    positions, losses, used = [w.tolist()], [], []
    for _ in range(steps):
        if zero_grad and w.grad is not None:
            w.grad.zero_()
        loss = surface.formula(w[0], w[1], torch)
        loss.backward()
        losses.append(loss.item())
        used.append(w.grad.tolist())
        with torch.no_grad():
            w -= lr * w.grad
        positions.append(w.tolist())
    losses.append(surface.formula(w[0], w[1], torch).item())
    return np.array(positions), np.array(losses), np.array(used).reshape(-1, 2)


# Orders a learner could type Steps in: longer runs continue remembered stretches, shorter ones slice them.
@pytest.mark.parametrize(
    "lr, order",
    [(0.05, [8, 20, 21, 57, 40, 1, 200]), (0.31, [200, 3, 39]), (0.4, [45, 20, 80])],  # 0.4 diverges to inf
)
def test_torch_runs_built_from_stretches_are_the_unbroken_runs(lr, order):
    bowl = SURFACES["bowl"]
    for steps in order:
        for zero_grad in (True, False):
            run = torch_descent(bowl, (4.0, 3.0), lr, steps, zero_grad=zero_grad)
            positions, losses, used = _unbroken_torch_run(bowl, (4.0, 3.0), lr, steps, zero_grad)
            np.testing.assert_array_equal(run.positions, positions)  # bit for bit, NaN where NaN
            np.testing.assert_array_equal(run.losses, losses)
            np.testing.assert_array_equal(run.used_gradients, used)


def test_a_memoised_tangent_is_the_callers_own_copy():
    surface = SURFACES["himmelblau"]
    first = surfaces.level_curve_tangent(surface, 1.0, 1.0)
    first[:] = 0.0
    again = surfaces.level_curve_tangent(surface, 1.0, 1.0)
    assert np.linalg.norm(again) == pytest.approx(1.0)


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_a_remembered_surface_run_is_the_run_computed_afresh(key):
    surface = SURFACES[key]
    start, eta = (float(surface.start[0]) + 0.25, float(surface.start[1])), 0.01
    fresh = descend(
        lambda w: surface.gradient_formula(w[0], w[1], math),
        lambda p: surface.value(p[:, 0], p[:, 1]),
        start,
        eta,
        40,
    )
    memo = surface.descent(start, eta, 40)
    assert surface.descent(list(start), eta, 40) is memo  # a list or a tuple: the same run
    assert surface.descent(start, eta, 41) is not memo  # every setting is in the key
    assert surface.descent(start, eta * 2, 40) is not memo
    for name in ("positions", "losses", "gradients", "updates"):
        np.testing.assert_array_equal(getattr(memo, name), getattr(fresh, name))
    assert (memo.verdict, memo.stopped_at, memo.zigzag) == (fresh.verdict, fresh.stopped_at, fresh.zigzag)
    with pytest.raises(ValueError, match="read-only"):
        memo.positions[0, 0] = 0.0


def test_a_schedule_or_a_long_run_is_computed_each_time():
    loss = next(iter(LOSSES.values()))
    schedule = [0.1] * 30
    assert loss.descent(0.0, schedule, 30) is not loss.descent(0.0, schedule, 30)
    assert loss.descent(0.0, 0.01, REMEMBERED_STEPS + 1) is not loss.descent(0.0, 0.01, REMEMBERED_STEPS + 1)
    assert loss.descent(0.0, 0.1, 30) is loss.descent(0.0, 0.1, 30)
    assert loss.descent(0.0, 0.1, 30).positions.flags.writeable is False
