"""Memoised compute (sweeps, torch runs, contour tangents): the same answers as computing afresh, and
nothing a caller can change."""

import numpy as np
import pytest

from app.compute import learning_rate as theory
from app.compute import surfaces
from app.compute.autograd import torch_descent
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


def test_a_memoised_tangent_is_the_callers_own_copy():
    surface = SURFACES["himmelblau"]
    first = surfaces.level_curve_tangent(surface, 1.0, 1.0)
    first[:] = 0.0
    again = surfaces.level_curve_tangent(surface, 1.0, 1.0)
    assert np.linalg.norm(again) == pytest.approx(1.0)
