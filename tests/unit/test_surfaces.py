"""The 2-D surface catalog: closed-form gradients and Hessians against differences and torch."""

import math

import numpy as np
import pytest
import torch

from app.compute import surfaces
from app.compute.surfaces import SURFACES


def random_points(surface, count=12, seed=7):
    rng = np.random.default_rng(seed)
    xs = rng.uniform(*surface.view_x, count)
    ys = rng.uniform(*surface.view_y, count)
    return list(zip(xs, ys, strict=True))


def test_catalog_holds_the_issues_surfaces():
    assert set(SURFACES) == {"bowl", "round", "ravine", "saddle", "rosenbrock", "himmelblau"}
    for surface in SURFACES.values():
        assert surface.in_view(*surface.example_point) and surface.in_view(*surface.start)
        assert surface.description and surface.latex


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_gradient_matches_central_differences(key):
    surface = SURFACES[key]
    for x, y in random_points(surface):
        numeric = surfaces.central_gradient(surface, x, y, h=1e-6)
        np.testing.assert_allclose(surface.gradient(x, y), numeric, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_gradient_matches_torch_autograd(key):
    surface = SURFACES[key]
    for x, y in random_points(surface):
        np.testing.assert_allclose(surface.gradient(x, y), surface.autograd_gradient(x, y), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_hessian_is_symmetric_and_matches_differences_of_the_gradient(key):
    surface = SURFACES[key]
    h = 1e-6
    for x, y in random_points(surface, count=6):
        hessian = surface.hessian(x, y)
        assert hessian[0, 1] == hessian[1, 0]
        by_differences = np.column_stack(
            [
                (surface.gradient(x + h, y) - surface.gradient(x - h, y)) / (2 * h),
                (surface.gradient(x, y + h) - surface.gradient(x, y - h)) / (2 * h),
            ]
        )
        np.testing.assert_allclose(hessian, by_differences, rtol=1e-6, atol=1e-4)
        # And against torch's own Hessian of the same formula.
        point = torch.tensor([x, y], dtype=torch.float64)
        torch_hessian = torch.autograd.functional.hessian(lambda p: surface.formula(p[0], p[1], torch), point)
        np.testing.assert_allclose(hessian, torch_hessian.numpy(), rtol=1e-10, atol=1e-8)


def test_the_chapters_numbers_at_2_1():
    bowl = SURFACES["bowl"]
    assert float(bowl.value(2.0, 1.0)) == 2.0**2 + 3 * 1.0**2 == 7.0
    gradient = bowl.gradient(2.0, 1.0)
    assert gradient.tolist() == [2 * 2.0, 6 * 1.0]
    assert f"{np.linalg.norm(gradient):.4f}" == f"{math.sqrt(4**2 + 6**2):.4f}" == "7.2111"
    numeric = surfaces.central_gradient(bowl, 2.0, 1.0)
    assert [f"{v:.6f}" for v in numeric] == ["4.000000", "6.000000"]


def test_directional_derivative_peaks_at_the_gradient():
    gradient = np.array([4.0, 6.0])
    angles = np.linspace(0, 360, 3601)
    values = surfaces.directional_derivative(gradient, angles)
    assert values.max() == pytest.approx(np.linalg.norm(gradient), rel=1e-6)
    assert angles[values.argmax()] == pytest.approx(math.degrees(math.atan2(6, 4)), abs=0.1)
    along_contour = surfaces.gradient_angle(gradient) + 90
    assert surfaces.directional_derivative(gradient, along_contour) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("key", sorted(SURFACES))
def test_gradient_is_perpendicular_to_the_measured_contour(key):
    surface = SURFACES[key]
    for x, y in random_points(surface, count=5):
        tangent = surfaces.level_curve_tangent(surface, x, y)
        assert tangent is not None
        assert surfaces.angle_between(surface.gradient(x, y), tangent) == pytest.approx(90.0, abs=1e-3)


def test_no_contour_tangent_at_a_critical_point():
    assert surfaces.level_curve_tangent(SURFACES["bowl"], 0.0, 0.0) is None
    assert surfaces.level_curve_tangent(SURFACES["saddle"], 0.0, 0.0) is None
