"""The compiled formulas and loops (app/compute/compiled.py): the same numbers as numpy, to the bit, or
no compiling at all."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from app.compute import compiled
from app.compute import learning_rate as theory
from app.compute import optimizers as opt
from app.compute.custom import SURFACE_TEXTS, Window, custom_surface
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES

RNG_SEED = 3


def _points(count: int = 300) -> np.ndarray:
    """Points across every view and far beyond it, out to where the numbers overflow."""
    rng = np.random.default_rng(RNG_SEED)
    scale = 10.0 ** rng.uniform(-3, 160, count)
    return rng.uniform(-1, 1, (count, 2)) * scale[:, None]


@pytest.mark.parametrize("key", list(SURFACES))
def test_every_catalogue_surface_compiles_to_numpys_numbers(key):
    surface = SURFACES[key]
    formulas = compiled.surface_formulas(surface)
    assert formulas is not None, f"{key}: its formulas should be plain arithmetic with squares"
    points = _points()
    with np.errstate(all="ignore"):
        values = surface.value(points[:, 0], points[:, 1])
        gradients = surface.gradient(points[:, 0], points[:, 1])
    for (x, y), value, gx, gy in zip(points, values, *gradients, strict=True):
        assert np.array_equal(formulas.value(x, y, 0), value, equal_nan=True), (x, y)
        assert np.array_equal(formulas.gradient(x, y, 0), (gx, gy), equal_nan=True), (x, y)
        with np.errstate(all="ignore"):
            hessian = np.array(surface.hessian_formula(np.float64(x), np.float64(y), np), dtype=float)
        assert np.array_equal(np.array(formulas.hessian(x, y, 0)), hessian, equal_nan=True), (x, y)


@pytest.mark.parametrize("key", list(LOSSES))
def test_a_catalogue_loss_compiles_to_numpys_numbers_or_not_at_all(key):
    """A loss with a cube or a fourth power is left to numpy: numba would multiply where numpy calls
    pow(), and the last bit would differ (as it does: checked below on the quartic)."""
    loss = LOSSES[key]
    formulas = compiled.loss_formulas(loss)
    points = _points()[:, 0]
    with np.errstate(all="ignore"):
        values, slopes = loss.value(points), loss.derivative(points)
    if formulas is None:
        assert key == "quartic"
        raw = compiled.numba.njit(loss.derivative_formula)
        assert any(raw(w, 0) != slope for w, slope in zip(points, slopes, strict=True) if math.isfinite(slope))
        return
    for w, value, slope in zip(points, values, slopes, strict=True):
        assert np.array_equal(formulas.value(w, 123.0, 0), value, equal_nan=True)
        assert np.array_equal(formulas.gradient(w, 123.0, 0), (slope, 0.0), equal_nan=True)


def test_only_squares_and_no_modules_compile():
    assert compiled.compilable(lambda x, y, ops: 3 * x**2 - y / 7)
    assert not compiled.compilable(lambda x, y, ops: x**3 + y)
    assert not compiled.compilable(lambda x, y, ops: x**0.5)
    assert not compiled.compilable(lambda x, y, ops: ops.exp(x) + y)
    assert not compiled.compilable(lambda x, y, ops: math.pi * x)


def test_a_typed_or_copied_problem_is_never_compiled():
    bowl = SURFACES["bowl"]
    assert compiled.surface_formulas(custom_surface(SURFACE_TEXTS["bowl"], Window(bowl.view_x, bowl.view_y))) is None
    assert compiled.surface_formulas(dataclasses.replace(bowl, key="custom:bowl")) is None
    assert compiled.loss_formulas(dataclasses.replace(LOSSES["square"], key="mine")) is None
    assert compiled.surface_formulas(dataclasses.replace(bowl)) is compiled.surface_formulas(bowl) is not None


def test_division_by_zero_is_ieee_not_an_exception():
    """ε = 0 with s = 0 (RMSprop's first step from a flat spot) divides 0 by 0: numpy gives NaN and
    the row diverges; the compiled loop must do the same, not raise ZeroDivisionError."""
    surface = SURFACES["bowl"]
    zero_eps = opt.Hyper(0.1, beta2=0.99, eps=0.0)
    for start in ([[0.0, 1.0]], [[0.0, 0.0]]):
        done = opt.descend_many(surface, [(opt.RMSPROP, zero_eps, 1)], np.array(start), 20)
        assert done.stopped_at[0] >= 0
    no_decay = opt.Hyper(0.1, beta1=0.9, beta2=1.0)  # Adam with β₂ = 1: ρ_t = 0, √s/0 is inf
    done = opt.descend_many(surface, [(opt.ADAM, no_decay, 1)], np.array([[4.0, 3.0]]), 20)
    assert done.length[0] >= 1


@pytest.mark.parametrize("steps", [1, 7, 64, 500])
def test_a_compiled_sweep_is_the_numpy_sweep_to_the_bit(steps):
    """surface_sweep and loss_sweep run compiled for the catalogue; the same sweeps through the numpy
    loop (no formulas) must give the same finals, critical η and fastest η, bit for bit."""

    def numpy_surface_sweep(surface):
        def gradient(w):
            g = np.empty_like(w)
            g[:, 0], g[:, 1] = surface.gradient_formula(w[:, 0], w[:, 1], np)
            return g

        value = lambda w: surface.formula(w[:, 0], w[:, 1], np)  # noqa: E731
        return theory.sweep(gradient, value, surface.start, steps, *theory.SWEEP_RANGE)

    def numpy_loss_sweep(loss, start):
        slope = lambda w: np.broadcast_to(loss.derivative_formula(w[:, 0], np), len(w))[:, None]  # noqa: E731
        return theory.sweep(slope, lambda w: loss.formula(w[:, 0], np), [start], steps, *theory.SWEEP_RANGE)

    pairs = [(theory.surface_sweep(s, steps, *theory.SWEEP_RANGE), numpy_surface_sweep(s)) for s in SURFACES.values()]
    pairs += [
        (
            theory.loss_sweep(loss, loss.default_start, steps, *theory.SWEEP_RANGE),
            numpy_loss_sweep(loss, loss.default_start),
        )
        for loss in LOSSES.values()
    ]
    for fast, slow in pairs:
        assert np.array_equal(fast.final_losses, slow.final_losses, equal_nan=True)
        assert fast.initial_loss == slow.initial_loss and fast.fastest == slow.fastest
        assert fast.critical == slow.critical or (math.isnan(fast.critical) and math.isnan(slow.critical))


def test_typed_surfaces_never_push_the_catalogue_out_of_the_compiled_cache():
    """A class typing many functions must not make a worker compile a catalogue surface again (a few
    hundred ms): typed surfaces are turned away before the cache, which holds catalogue keys only."""
    before = {key: compiled.surface_formulas(surface) for key, surface in SURFACES.items()}
    for k in range(40):
        typed = custom_surface(f"x^2 + {k + 2}*y^2", Window((-3.0, 3.0), (-3.0, 3.0)))
        assert compiled.surface_formulas(typed) is None
        opt.descend_many(typed, [(opt.SGD, opt.Hyper(0.01), 1)], np.array([[1.0, 1.0]]), 5)
    assert {key: compiled.surface_formulas(surface) for key, surface in SURFACES.items()} == before
    assert compiled._surface_formulas.cache_info().currsize == len(SURFACES)
