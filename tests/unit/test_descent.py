"""The descent engine: the chapter's traces, verdicts, parity with torch.optim.SGD, clean divergence."""

import math
import warnings

import numpy as np
import pytest
import torch

from app.compute import descent
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES


def test_the_chapters_one_weight_trace():
    run = LOSSES["shifted"].descent(0.0, 0.1, 10)
    first = f"Step 0: w = {run.positions[0, 0]:.4f}, L = {run.losses[0]:.4f}, grad = {run.gradients[0, 0]:.4f}"
    assert first == "Step 0: w = 0.0000, L = 10.0000, grad = -6.0000"
    assert f"Final: w = {run.final_position[0]:.4f}, L = {run.final_loss:.4f}" == "Final: w = 2.6779, L = 1.1038"
    # Independently: w_k = 3 − 3·0.8^k on this loss.
    expected = [3 - 3 * 0.8**k for k in range(11)]
    np.testing.assert_allclose(run.positions[:, 0], expected, rtol=1e-13)
    np.testing.assert_allclose(run.updates[:, 0], -0.1 * run.gradients[:-1, 0], rtol=1e-12)
    assert run.verdict == descent.DESCENDING


def test_the_chapters_two_weight_trace():
    run = SURFACES["bowl"].descent((4.0, 3.0), 0.05, 8)
    assert [f"{v:.4f}" for v in run.losses[:3]] == ["43.0000", "26.1900", "16.9803"]
    assert f"{run.losses[7]:.4f}" == "3.8434" and f"{run.final_loss:.4f}" == "3.0546"
    assert [f"{v:.4f}" for v in run.final_position] == ["1.7219", "0.1729"]
    # Independently: x shrinks by 0.9 and y by 0.7 each step.
    np.testing.assert_allclose(run.final_position, [4 * 0.9**8, 3 * 0.7**8], rtol=1e-13)


def test_factors_come_from_the_hessian():
    factors = descent.contraction_factors(SURFACES["bowl"].hessian(0, 0), 0.05)
    assert [round(f, 12) for _, _, f in factors] == [0.9, 0.7]
    assert descent.largest_stable_learning_rate(SURFACES["bowl"].hessian(0, 0)) == pytest.approx(1 / 3)


def test_converged_verdict_and_step():
    run = LOSSES["square"].descent(0.0, 0.5, 50)  # η = 1/L″: one step lands on the minimum
    assert run.verdict == descent.CONVERGED and run.stopped_at == 1 and run.final_position[0] == 3.0


def test_oscillating_verdict_at_eta_one():
    run = LOSSES["square"].descent(0.0, 1.0, 12)
    assert run.verdict == descent.OSCILLATING
    assert run.positions[:, 0].tolist() == [0.0, 6.0] * 6 + [0.0]
    assert np.all(run.losses == 9.0)


def test_growing_then_diverged_above_one():
    short = LOSSES["square"].descent(0.0, 1.1, 10)
    assert short.verdict == descent.GROWING and short.stopped_at is None
    long = LOSSES["square"].descent(0.0, 1.1, 500)
    assert long.verdict == descent.DIVERGED
    # The loss (w − 3)² = 9·1.44^k first passes the bound at the smallest such k.
    first_over = next(k for k in range(500) if 9 * 1.44**k > descent.DIVERGENCE_BOUND)
    assert long.stopped_at == first_over and len(long.losses) == first_over
    assert np.all(np.isfinite(long.losses)) and long.losses.max() <= descent.DIVERGENCE_BOUND


def test_divergence_is_clean_no_overflow_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = SURFACES["rosenbrock"].descent((-1.5, 2.0), 5.0, 10_000)
        huge = LOSSES["quartic"].descent(5.0, 10.0, 10_000)
    assert run.verdict == descent.DIVERGED and run.stopped_at is not None and run.stopped_at < 10
    assert huge.verdict == descent.DIVERGED


def test_still_descending_with_zigzag():
    run = LOSSES["square"].descent(0.0, 0.9, 10)
    assert run.verdict == descent.DESCENDING and run.zigzag
    assert not LOSSES["square"].descent(0.0, 0.1, 10).zigzag


def test_rosenbrock_zigzags_along_its_valley():
    run = SURFACES["rosenbrock"].descent((-1.5, 2.0), 0.002, 3000)
    assert run.zigzag and run.verdict == descent.DESCENDING
    assert run.final_loss < run.losses[0] / 100


@pytest.mark.parametrize(
    ("key", "start", "lr"),
    [
        ("bowl", (4.0, 3.0), 0.05),
        ("rosenbrock", (-1.5, 2.0), 0.001),
        ("himmelblau", (-0.5, 0.5), 0.01),
        ("saddle", (2.5, 0.01), 0.1),
    ],
)
def test_parity_with_torch_optim_sgd(key, start, lr):
    surface = SURFACES[key]
    steps = 200
    run = surface.descent(start, lr, steps)
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.SGD([w], lr=lr)
    positions = [w.detach().clone().numpy()]
    for _ in range(len(run.updates)):
        optimiser.zero_grad()
        surface.formula(w[0], w[1], torch).backward()
        optimiser.step()
        positions.append(w.detach().clone().numpy())
    # To 1e-12: absolute near the minimum, relative where the saddle run has grown large.
    np.testing.assert_allclose(run.positions, np.array(positions), rtol=1e-12, atol=1e-12)


def test_n_dimensional_descent():
    # A 5-weight quadratic with curvatures 1..5: each coordinate shrinks by |1 − η·c| per step.
    curvature = np.arange(1.0, 6.0)
    run = descent.descend(
        lambda w: [c * v for c, v in zip(curvature, w, strict=True)],
        lambda positions: 0.5 * (positions**2 * curvature).sum(axis=1),
        [1.0] * 5,
        0.1,
        20,
    )
    np.testing.assert_allclose(run.final_position, (1 - 0.1 * curvature) ** 20, rtol=1e-12)


def test_a_gradient_that_raises_counts_as_diverged():
    run = descent.descend(lambda w: [math.exp(w[0])], lambda p: np.exp(p[:, 0]), [800.0], 0.1, 5)
    assert run.verdict == descent.DIVERGED and run.stopped_at == 0 and len(run.losses) == 0


def test_swings_that_die_out_are_not_called_oscillating():
    """On the ravine at η = 0.095 the y factor is 1 − 0.095·20 = −0.9: y swings across 0 and shrinks,
    to 7e-10 after 200 steps. That is a run still descending, not a cycle, however small the swings."""
    from app.compute.surfaces import SURFACES

    run = SURFACES["ravine"].descent((4.0, 1.5), 0.095, 200)
    assert run.verdict == "still descending"
    assert abs(run.positions[-1, 1]) < 1e-8  # the swings are tiny by now
