"""Learning rates: the 1-D factor, the exact η = 1 oscillation, divergence, sweeps and schedules."""

import numpy as np
import pytest

from app.components import learning_rate as parts
from app.compute import descent
from app.compute import learning_rate as theory
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES

SQUARE = LOSSES["square"]


def one_d_sweep(steps=20):
    return theory.sweep(
        lambda w: SQUARE.derivative(w[:, 0])[:, None], lambda w: SQUARE.value(w[:, 0]), [0.0], steps, 1e-3, 2.0
    )


@pytest.mark.parametrize("eta", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1])
def test_each_step_multiplies_the_error_by_one_minus_two_eta(eta):
    run = SQUARE.descent(0.0, eta, 8)
    errors = run.positions[:, 0] - 3
    np.testing.assert_allclose(errors, -3 * (1 - 2 * eta) ** np.arange(len(errors)), rtol=1e-12, atol=1e-15)
    ratio, exact = parts.observed_ratio(run, 3.0)
    if eta != 0.5:  # η = 0.5 lands on the minimum in one step: no ratio after that
        assert ratio == pytest.approx(1 - 2 * eta) and exact


def test_eta_one_oscillates_for_ever_with_constant_amplitude():
    run = SQUARE.descent(0.0, 1.0, 1000)
    assert run.positions[:6, 0].tolist() == [0.0, 6.0, 0.0, 6.0, 0.0, 6.0]
    assert np.all(np.abs(run.positions[:, 0] - 3) == 3.0), "the amplitude never changes"
    assert run.verdict == descent.OSCILLATING


def test_eta_above_one_diverges():
    run = SQUARE.descent(0.0, 1.1, 500)
    assert run.verdict == descent.DIVERGED
    errors = np.abs(run.positions[:, 0] - 3)
    assert np.all(np.diff(errors) > 0)


def test_vectorised_runs_match_the_engine_run_by_run():
    rates = np.array([0.01, 0.1, 0.9, 1.0, 1.1])
    finals = theory.run_many(
        lambda w: SQUARE.derivative(w[:, 0])[:, None], lambda w: SQUARE.value(w[:, 0]), np.array([0.0]), rates, 30
    )
    for eta, final in zip(rates, finals, strict=True):
        assert final == pytest.approx(SQUARE.descent(0.0, eta, 30).final_loss, rel=1e-12)


def test_sweep_finds_the_critical_eta_within_one_percent():
    result = one_d_sweep()
    assert len(result.learning_rates) == theory.SWEEP_POINTS
    assert result.critical == pytest.approx(2 / SQUARE.curvature_at_minimum(), rel=0.01)
    assert result.fastest == pytest.approx(1 / SQUARE.curvature_at_minimum(), rel=0.05)


def test_two_d_sweep_and_factor_theory():
    bowl = SURFACES["bowl"]
    result = theory.sweep(
        lambda w: np.stack(bowl.gradient(w[:, 0], w[:, 1]), axis=1),
        lambda w: bowl.value(w[:, 0], w[:, 1]),
        bowl.start,
        200,
        1e-3,
        2.0,
    )
    assert result.critical == pytest.approx(1 / 3, rel=0.01)  # with enough steps the measured limit is sharp
    assert descent.largest_stable_learning_rate(bowl.hessian(0, 0)) == pytest.approx(1 / 3)


def test_a_diverging_sweep_never_overflows():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        finals = theory.run_many(
            lambda w: SQUARE.derivative(w[:, 0])[:, None],
            lambda w: SQUARE.value(w[:, 0]),
            np.array([0.0]),
            np.array([5.0, 10.0]),
            500,
        )
    assert np.all(np.isnan(finals))


def test_schedules():
    assert theory.constant(0.5, 4).tolist() == [0.5] * 4
    assert theory.step_decay(1.0, 25).tolist()[:21:10] == [1.0, 0.5, 0.25]
    assert theory.exponential_decay(1.0, 3).tolist() == pytest.approx([1.0, 0.95, 0.9025])
    cos = theory.cosine(1.0, 100)
    assert cos[0] == 1.0 and cos[50] == pytest.approx(0.5) and np.all(np.diff(cos) < 0)


def test_a_schedule_is_used_step_by_step():
    rates = theory.step_decay(0.9, 12)
    run = SQUARE.descent(0.0, rates, 12)
    w = 0.0
    for eta in rates:  # independently
        w -= eta * 2 * (w - 3)
    assert run.final_position[0] == pytest.approx(w, rel=1e-12)
    assert run.verdict != descent.CONVERGED, "the comparison covers every step"
    with pytest.raises(ValueError):
        SQUARE.descent(0.0, rates[:5], 12)


def test_factor_table_and_rules_are_computed():
    from tests.unit.test_components_derivative import flat_text

    text = flat_text(parts.factor_table(SURFACES["bowl"], [0.05, 0.5]))
    assert "0.9000 0.7000" in text and "converges" in text and "diverges" in text
    assert "2/6 = 0.3333" in parts.two_weight_rule(SURFACES["bowl"])
    rule = flat_text(parts.one_weight_rule(SQUARE))
    assert "oscillates" in rule and "constant amplitude" in rule and "It neither converges nor" in rule
