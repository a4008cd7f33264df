"""The optimizer race: every torch.optim trajectory against an independent numpy implementation of the
update rule torch documents, SGD against the /descent engine, Newton, the theory and the verdicts."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from app.compute import optimizers as opt
from app.compute.descent import DIVERGENCE_BOUND, descend
from app.compute.surfaces import SURFACES

ALL = tuple((key, opt.DEFAULT_HYPER[key]) for key in opt.EVERYONE)
ROSENBROCK_HYPER = {
    opt.SGD: opt.Hyper(0.001),
    opt.MOMENTUM: opt.Hyper(0.001, beta1=0.9),
    opt.NESTEROV: opt.Hyper(0.001, beta1=0.9),
    opt.ADAGRAD: opt.Hyper(0.5, eps=1e-10),
    opt.RMSPROP: opt.Hyper(0.01, beta2=0.99, eps=1e-8),
    opt.ADAM: opt.Hyper(0.05, beta1=0.9, beta2=0.999, eps=1e-8),
    opt.NEWTON: opt.Hyper(1.0),
}


# ---- the documented rules, written out in numpy (https://pytorch.org/docs/stable/optim.html) -------


def reference_run(surface, key, hyper, start, steps, noise=None, along=None):
    """Positions of one contestant by the documented rule, with the race's stopping rules.

    With ``along`` (another run's positions) the rule is applied step by step from those positions
    instead of its own: row k + 1 is then the rule's step from along[k]. The optimizer's memory (momentum
    buffer, sums of squares) only depends on the gradients met, so this checks every single step. It is
    what a chaotic run needs: where a run bounces along Rosenbrock's valley, two correct implementations
    that round in a different order drift apart by 1e-2 after a few hundred steps."""
    w = np.array(start, dtype=float)
    buffer, square_sum, first, second = np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2)
    positions = []
    for t in range(steps + 1):
        if along is not None:
            if t >= len(along):
                break
            w = along[t]
        g = np.array(surface.gradient_formula(w[0], w[1], np), dtype=float)
        finite = np.sum(g * g) <= DIVERGENCE_BOUND**2 and np.sum(w * w) <= DIVERGENCE_BOUND**2
        if not (finite and abs(float(surface.value(*w))) <= DIVERGENCE_BOUND):
            break
        positions.append(w.copy())
        if np.sqrt(np.sum(g * g)) < opt.TOLERANCE or t == steps:
            break
        if noise is not None:
            g = g + noise[t]
        if key == opt.SGD:
            w = w - hyper.lr * g
        elif key in (opt.MOMENTUM, opt.NESTEROV):
            buffer = g.copy() if t == 0 else hyper.beta1 * buffer + g  # dampening 0
            direction = g + hyper.beta1 * buffer if key == opt.NESTEROV else buffer
            w = w - hyper.lr * direction
        elif key == opt.ADAGRAD:
            square_sum = square_sum + g * g
            w = w - hyper.lr * g / (np.sqrt(square_sum) + hyper.eps)
        elif key == opt.RMSPROP:
            second = hyper.beta2 * second + (1 - hyper.beta2) * g * g
            w = w - hyper.lr * g / (np.sqrt(second) + hyper.eps)
        elif key == opt.ADAM:
            first = hyper.beta1 * first + (1 - hyper.beta1) * g
            second = hyper.beta2 * second + (1 - hyper.beta2) * g * g
            m_hat = first / (1 - hyper.beta1 ** (t + 1))
            v_hat = second / (1 - hyper.beta2 ** (t + 1))
            w = w - hyper.lr * m_hat / (np.sqrt(v_hat) + hyper.eps)
        elif key == opt.NEWTON:
            w = w - np.linalg.solve(surface.hessian(*w), g)
        if along is not None:
            positions[-1] = w  # the rule's prediction of along[t + 1]
    if along is not None:
        return np.array([along[0], *positions[:-1]]).reshape(-1, 2)
    return np.array(positions).reshape(-1, 2)


CASES = [
    ("bowl", (4.0, 3.0), 300, ALL, 0.0),
    ("rosenbrock", (-1.5, 2.0), 2000, tuple(ROSENBROCK_HYPER.items()), 0.0),
    ("himmelblau", (0.5, -1.0), 400, tuple((k, opt.Hyper(0.01, 0.9, 0.99, 1e-8)) for k in opt.EVERYONE), 0.0),
    ("ravine", (4.0, 1.5), 300, ALL, 0.0),
    ("saddle", (2.5, 0.1), 60, ALL, 0.0),
    ("round", (4.0, 3.0), 300, ALL, 0.0),
    ("bowl", (4.0, 3.0), 300, ALL, 2.0),  # the noisy variant
    ("rosenbrock", (-1.5, 2.0), 500, tuple(ROSENBROCK_HYPER.items()), 5.0),
]


def _race_and_noise(surface, start, steps, contestants, noise):
    race = opt.race(opt.RaceSettings(surface, start, steps, contestants, noise))
    shared_noise = noise * np.random.default_rng(opt.NOISE_SEED).standard_normal((steps, 2)) if noise else None
    assert [run.key for run in race.runs] == [key for key, _ in contestants]
    return race, shared_noise


@pytest.mark.parametrize(("surface", "start", "steps", "contestants", "noise"), CASES)
def test_every_step_of_every_trajectory_follows_its_documented_rule(surface, start, steps, contestants, noise):
    race, shared_noise = _race_and_noise(surface, start, steps, contestants, noise)
    for run in race.runs:
        own_noise = None if run.key == opt.NEWTON else shared_noise
        expected = reference_run(SURFACES[surface], run.key, run.hyper, start, steps, own_noise, run.positions)
        assert run.positions.shape == expected.shape, run.key
        np.testing.assert_allclose(run.positions, expected, rtol=1e-12, atol=1e-12, err_msg=run.key)


# The races whose runs are not chaotic: there each whole trajectory, run freely by the rule, agrees,
# and so do the steps at which each run stops (converged or diverged).
CALM = [case for case in CASES if case[0] in ("bowl", "ravine", "round", "saddle")]


@pytest.mark.parametrize(("surface", "start", "steps", "contestants", "noise"), CALM)
def test_every_whole_trajectory_equals_the_rule_run_freely(surface, start, steps, contestants, noise):
    race, shared_noise = _race_and_noise(surface, start, steps, contestants, noise)
    for run in race.runs:
        own_noise = None if run.key == opt.NEWTON else shared_noise
        expected = reference_run(SURFACES[surface], run.key, run.hyper, start, steps, own_noise)
        assert run.positions.shape == expected.shape, run.key
        np.testing.assert_allclose(run.positions, expected, rtol=1e-12, atol=1e-12, err_msg=run.key)


@pytest.mark.parametrize(
    ("surface", "start", "lr", "steps"),
    [("bowl", (4.0, 3.0), 0.05, 300), ("rosenbrock", (-1.5, 2.0), 0.001, 2000), ("bowl", (4.0, 3.0), 0.4, 100)],
)
def test_sgd_without_momentum_is_the_descent_engine(surface, start, lr, steps):
    """Same steps, same stop, same verdict, and the same positions to the last bit: the race engine
    writes w − η∇L exactly as the /descent engine does."""
    s = SURFACES[surface]
    race = opt.race(opt.RaceSettings(surface, start, steps, ((opt.SGD, opt.Hyper(lr)),)))
    engine = descend(
        lambda w: s.gradient_formula(w[0], w[1], math),
        lambda p: s.value(p[:, 0], p[:, 1]),
        start,
        lr,
        steps,
        tolerance=opt.TOLERANCE,
    )
    run = race.run(opt.SGD)
    assert run.positions.shape == engine.positions.shape
    np.testing.assert_array_equal(run.positions, engine.positions)
    np.testing.assert_array_equal(run.losses, engine.losses)
    assert run.verdict == engine.verdict and run.stopped_at == engine.stopped_at


def test_the_closed_form_gradients_the_race_uses_are_torch_autograds():
    race = opt.race(opt.RaceSettings("rosenbrock", (-1.5, 2.0), 2000, tuple(ROSENBROCK_HYPER.items())))
    surface = SURFACES["rosenbrock"]
    for run in race.runs:
        for k in range(0, len(run.positions), 97):
            np.testing.assert_allclose(
                run.gradients[k], surface.autograd_gradient(*run.positions[k]), rtol=1e-12, atol=1e-9
            )


def test_a_catalogue_surface_and_its_uncompiled_copy_descend_alike():
    """A surface that is not the catalogue's own object (a typed one) takes the numpy path to the same
    compiled update: on a copy of Rosenbrock the two paths agree to the bit, noise, Newton and all."""
    surface = SURFACES["rosenbrock"]
    copy = dataclasses.replace(surface, key="custom:rosenbrock")
    blocks = [(key, hyper, 2) for key, hyper in ROSENBROCK_HYPER.items()]
    starts = np.random.default_rng(8).uniform(-2, 2, (2 * len(ROSENBROCK_HYPER), 2))
    noise = opt.noise_for(600, 0.3)
    for record in (True, False):
        compiled = opt.descend_many(surface, blocks, starts, 600, noise, record)
        numpy_path = opt.descend_many(copy, blocks, starts, 600, noise, record)
        for field in ("final", "length", "stopped_at", "diverged", "singular"):
            assert np.array_equal(getattr(compiled, field), getattr(numpy_path, field), equal_nan=True), field
        if record:
            for row, kept in enumerate(compiled.length):
                assert np.array_equal(compiled.positions[:kept, row], numpy_path.positions[:kept, row])
                assert np.array_equal(compiled.gradients[:kept, row], numpy_path.gradients[:kept, row])
    assert len(set(compiled.length)) > 2  # the rows stopped at different steps, for different reasons


def test_the_engine_takes_no_rows_no_steps_and_refuses_short_noise():
    surface = SURFACES["bowl"]
    empty = opt.descend_many(surface, [(opt.SGD, opt.DEFAULT_HYPER[opt.SGD], 0)], np.empty((0, 2)), 50)
    assert empty.final.shape == (0, 2) and empty.positions.shape == (51, 0, 2)
    still = opt.descend_many(surface, [(opt.ADAM, opt.DEFAULT_HYPER[opt.ADAM], 1)], np.array([[4.0, 3.0]]), 0)
    assert still.length.tolist() == [1] and still.positions[0, 0].tolist() == [4.0, 3.0]
    assert still.final.tolist() == [[4.0, 3.0]] and still.stopped_at.tolist() == [-1]
    with pytest.raises(ValueError, match="noise"):  # the compiled loop checks no bounds: refused before it
        opt.descend_many(surface, [(opt.SGD, opt.DEFAULT_HYPER[opt.SGD], 1)], np.ones((1, 2)), 50, np.ones((49, 2)))
    with pytest.raises(ValueError, match="rows"):
        opt.descend_many(surface, [(opt.SGD, opt.DEFAULT_HYPER[opt.SGD], 2)], np.ones((1, 2)), 50)


def test_newton_takes_one_step_on_a_quadratic_and_few_on_rosenbrock():
    bowl = opt.newton(SURFACES["bowl"], (4.0, 3.0), 50)
    assert bowl.stopped_at == 1 and np.array_equal(bowl.final_position, [0.0, 0.0])
    rosen = opt.newton(SURFACES["rosenbrock"], (-1.5, 2.0), 50)
    assert rosen.verdict == "converged" and rosen.stopped_at < 10
    np.testing.assert_allclose(rosen.final_position, [1.0, 1.0], atol=1e-9)


def test_newton_stops_where_the_hessian_is_singular():
    # On Rosenbrock H = [[2 − 400(y − x²) + 800x², −400x], [−400x, 200]] is singular where y = x² + 1/200.
    run = opt.newton(SURFACES["rosenbrock"], (0.0, 0.005), 10)
    assert run.verdict == opt.SINGULAR and run.stopped_at == 0


def test_a_diverging_contestant_stops_and_the_others_keep_running():
    hyper = dict(ROSENBROCK_HYPER) | {opt.SGD: opt.Hyper(0.01)}
    race = opt.race(opt.RaceSettings("rosenbrock", (-1.5, 2.0), 2000, tuple(hyper.items())))
    sgd = race.run(opt.SGD)
    assert sgd.verdict == "diverged" and sgd.stopped_at == len(sgd.positions) < 10
    assert np.all(np.abs(sgd.losses) <= DIVERGENCE_BOUND)
    for other in race.runs[1:]:
        assert other.verdict != "diverged", other.key
        assert other.verdict == "converged" or len(other.positions) == 2001, other.key


def test_races_are_memoised_and_bounded():
    settings = opt.RaceSettings("bowl", (4.0, 3.0), 300, ALL)
    assert opt.race(settings) is opt.race(opt.RaceSettings("bowl", (4.0, 3.0), 300, ALL))
    with pytest.raises(ValueError):
        opt.race(opt.RaceSettings("bowl", (4.0, 3.0), 10**6, ALL))


@pytest.mark.parametrize("surface, noise", [("himmelblau", 0.0), ("rosenbrock", 1.0), ("saddle", 0.5)])
def test_a_contestant_runs_the_same_alone_as_in_any_race(surface, noise):
    """The memo reuses a contestant's run in another line-up, so its run must not depend on its rivals:
    every contestant alone, to the bit, equals its run in the full race (Adam's bias corrections, the
    noise and Newton's rows are all in the full race and absent alone)."""
    start, steps = SURFACES[surface].start, 700
    hyper = opt.hyper_for(surface)
    opt.forget_races()
    together = opt.race(opt.RaceSettings(surface, start, steps, tuple(hyper.items()), noise))
    for key in opt.EVERYONE:
        opt.forget_races()  # computed afresh, not looked up
        alone = opt.race(opt.RaceSettings(surface, start, steps, ((key, hyper[key]),), noise)).run(key)
        both = together.run(key)
        assert alone.positions.tobytes() == both.positions.tobytes(), key
        assert (alone.verdict, alone.stopped_at) == (both.verdict, both.stopped_at), key


def test_a_changed_contestant_is_the_only_one_run_again(monkeypatch):
    """Retyping one η runs that contestant alone; the six others are the runs already made."""
    settings = opt.RaceSettings("ravine", (4.0, 1.5), 400, tuple(opt.hyper_for("ravine").items()), 0.5)
    opt.forget_races()
    first = opt.race(settings)
    engine_rows = []
    real = opt.descend_many
    monkeypatch.setattr(
        opt,
        "descend_many",
        lambda surface, blocks, *rest: engine_rows.append(len(blocks)) or real(surface, blocks, *rest),
    )
    changed = dict(settings.contestants) | {opt.ADAM: opt.Hyper(0.05)}
    second = opt.race(dataclasses.replace(settings, contestants=tuple(changed.items())))
    assert engine_rows == [1]
    assert second.run(opt.ADAM).hyper == opt.Hyper(0.05) and second.run(opt.ADAM) is not first.run(opt.ADAM)
    assert all(second.run(key) is first.run(key) for key in opt.EVERYONE if key != opt.ADAM)
    fewer = opt.race(dataclasses.replace(settings, contestants=settings.contestants[:3]))
    assert engine_rows == [1] and [run.key for run in fewer.runs] == [opt.SGD, opt.MOMENTUM, opt.NESTEROV]


def test_momentum_theory_from_the_hessian():
    theory = opt.momentum_theory(SURFACES["bowl"].hessian(0, 0))  # H = diag(2, 6)
    assert theory.kappa == pytest.approx(3.0)
    assert theory.best_lr == pytest.approx(4 / (math.sqrt(6) + math.sqrt(2)) ** 2)
    assert theory.best_beta == pytest.approx(((math.sqrt(3) - 1) / (math.sqrt(3) + 1)) ** 2)
    assert opt.momentum_theory(SURFACES["saddle"].hessian(0, 0)) is None


def test_predicted_momentum_rate_matches_the_measured_one():
    # η = 0.05, β = 0.3 on diag(2, 6): along x the iteration matrix has the real roots of
    # r² − (1 + β − 2η) r + β = 0; the larger, (1.2 + √0.24)/2, dominates (along y the roots are complex, |r| = √0.3).
    expected = (1.2 + math.sqrt(0.24)) / 2
    hessian = SURFACES["bowl"].hessian(0, 0)
    assert opt.predicted_rate(hessian, 0.05, 0.3) == pytest.approx(expected, rel=1e-12)
    race = opt.race(opt.RaceSettings("bowl", (4.0, 3.0), 2000, ((opt.MOMENTUM, opt.Hyper(0.05, beta1=0.3)),)))
    assert opt.measured_rate(race.run(opt.MOMENTUM)) == pytest.approx(expected, rel=1e-3)
    assert opt.predicted_rate(hessian, 0.05, 0.0) == pytest.approx(0.9)  # plain GD: max |1 − ηλ|


def test_effective_rates_are_eta_for_sgd_and_per_coordinate_for_adam():
    race = opt.race(opt.RaceSettings("ravine", (4.0, 1.5), 300, ALL))
    sgd = opt.effective_rates(race.run(opt.SGD))
    np.testing.assert_allclose(sgd[:20, 0], 0.05, rtol=1e-9)
    # Along y the ravine's factor is 1 − 0.05·20 = 0: one step lands on y = 0 exactly, and with no
    # gradient left there is no rate to read.
    assert sgd[0, 1] == pytest.approx(0.05) and np.isnan(sgd[1:20, 1]).all()
    assert np.all(race.run(opt.SGD).positions[1:, 1] == 0.0)
    adam = opt.effective_rates(race.run(opt.ADAM))
    # Adam's first step moves each coordinate by η·g/(|g| + ε'), so its rate is about η/|g| per coordinate.
    g0 = race.run(opt.ADAM).gradients[0]
    hyper = opt.DEFAULT_HYPER[opt.ADAM]
    np.testing.assert_allclose(adam[0], hyper.lr / (np.abs(g0) + hyper.eps), rtol=1e-9)


def test_torch_is_float64_and_untouched_by_the_race():
    before = torch.get_default_dtype()
    opt.race(opt.RaceSettings("round", (1.0, 1.0), 10, ALL))
    assert torch.get_default_dtype() == before


def test_a_typed_surface_races_like_its_catalogue_twin():
    from app.compute.custom import SURFACE_TEXTS, Window, custom_surface

    bowl = SURFACES["bowl"]
    typed = custom_surface(SURFACE_TEXTS["bowl"], Window(bowl.view_x, bowl.view_y))
    for key in ("bowl",):
        catalogue = opt.race(opt.RaceSettings(key, (4.0, 3.0), 300, ALL))
        own = opt.race(opt.RaceSettings(typed, (4.0, 3.0), 300, ALL))
        for a, b in zip(catalogue.runs, own.runs, strict=True):
            np.testing.assert_allclose(a.positions, b.positions, rtol=1e-12, atol=1e-15, err_msg=a.key)
            assert a.verdict == b.verdict and a.stopped_at == b.stopped_at


def test_the_measured_rate_is_taken_to_a_typed_bowls_own_minimum():
    """A typed quadratic need not be centred on the origin: the factor per step is measured to its own
    minimum, and matches the theory's prediction there."""
    from app.compute.custom import Window, custom_surface

    surface = custom_surface("(x - 1)^2 + 5*(y - 1)^2", Window((-5.0, 5.0), (-5.0, 5.0)))
    assert opt.quadratic_minimum(surface) == pytest.approx((1.0, 1.0), abs=1e-12)
    race = opt.race(opt.RaceSettings(surface, (4.0, 3.0), 2000, ((opt.MOMENTUM, opt.Hyper(0.02, beta1=0.3)),)))
    run = race.run(opt.MOMENTUM)
    predicted = opt.predicted_rate(surface.hessian(0.0, 0.0), 0.02, 0.3)
    assert opt.measured_rate(run, opt.quadratic_minimum(surface)) == pytest.approx(predicted, rel=1e-3)
    assert opt.measured_rate(run) != pytest.approx(predicted, rel=1e-2)  # measured to (0, 0) it is wrong
