"""A typed function becomes the same kind of object as the catalog's: each catalog entry, typed as text,
agrees with its hand-written original, so every page can take either."""

from __future__ import annotations

import numpy as np
import pytest

from app.compute.custom import (
    CUSTOM_PREFIX,
    FUNCTION_TEXTS,
    SURFACE_TEXTS,
    Window,
    custom_function,
    custom_surface,
)
from app.compute.expressions import ExpressionError
from app.compute.functions import FUNCTIONS
from app.compute.surfaces import SURFACES


def test_every_catalog_entry_has_a_text():
    assert set(SURFACE_TEXTS) == set(SURFACES)
    assert set(FUNCTION_TEXTS) == set(FUNCTIONS)


@pytest.mark.parametrize("key", list(SURFACE_TEXTS))
def test_a_typed_surface_matches_the_catalog(key):
    original = SURFACES[key]
    typed = custom_surface(SURFACE_TEXTS[key], Window(original.view_x, original.view_y))
    assert typed.key.startswith(CUSTOM_PREFIX) and not original.key.startswith(CUSTOM_PREFIX)
    for point in (original.example_point, original.start, (0.3, -0.7)):
        assert typed.value(*point) == pytest.approx(original.value(*point), rel=1e-12)
        assert typed.gradient(*point) == pytest.approx(original.gradient(*point), rel=1e-12)
        assert typed.hessian(*point) == pytest.approx(original.hessian(*point), rel=1e-12, abs=1e-12)
        assert typed.autograd_gradient(*point) == pytest.approx(original.gradient(*point), rel=1e-12)
    assert typed.quadratic == original.quadratic and typed.log_scale == original.log_scale
    ours, theirs = typed.descent(original.start, 1e-3, 200), original.descent(original.start, 1e-3, 200)
    assert np.allclose(ours.positions, theirs.positions, rtol=1e-12) and ours.verdict == theirs.verdict


@pytest.mark.parametrize("key", list(FUNCTION_TEXTS))
def test_a_typed_function_matches_the_catalog(key):
    original = FUNCTIONS[key]
    typed = custom_function(FUNCTION_TEXTS[key], Window(original.view_x))
    xs = np.linspace(*original.view_x, 101)
    assert np.allclose(typed.value(xs), original.value(xs), equal_nan=True, rtol=1e-12)
    assert np.allclose(typed.derivative(xs), original.derivative(xs), equal_nan=True, rtol=1e-12)
    assert np.array_equal(typed.defined(xs), original.defined(xs))


def test_gaps_come_from_the_formula():
    log = custom_function("log(x)")
    assert list(log.defined(np.array([-1.0, 0.0, 0.5]))) == [False, False, True]
    reciprocal = custom_function("1/x")
    assert not reciprocal.same_piece(-1.0, 1.0) and reciprocal.same_piece(1.0, 2.0)
    assert "no finite value" in reciprocal.domain_message()


def test_memoised_per_text_and_window():
    assert custom_surface("x^2 + y^2") is custom_surface("x^2 + y^2")
    assert custom_surface("x^2 + y^2") is not custom_surface("x^2 + y^2", Window((-1.0, 1.0), (-1.0, 1.0)))


@pytest.mark.parametrize(
    ("window", "fragment"),
    [
        (Window((1.0, 1.0), (0.0, 1.0)), "greater"),
        (Window((2.0, 1.0)), "greater"),
        (Window((-1e9, 1.0)), "within"),
        (Window((float("nan"), 1.0)), "within"),
    ],
)
def test_window_problems_are_explained(window, fragment):
    assert fragment in window.problem()


def test_refused_text_raises_the_languages_error():
    with pytest.raises(ExpressionError, match="Unknown name 'z'"):
        custom_surface("x + z")
