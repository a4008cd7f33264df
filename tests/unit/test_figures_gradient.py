"""The /gradient figures: arrows where the gradient says, scale stated, level line through the point."""

import numpy as np
import pytest

from app.compute.surfaces import SURFACES
from app.figures import gradient as figures
from app.figures import style


def arrows(fig, colour):
    return [a for a in fig["layout"]["annotations"] if a["showarrow"] and a.get("arrowcolor") == colour]


def test_gradient_arrow_is_the_scaled_gradient_and_the_scale_is_stated():
    surface = SURFACES["rosenbrock"]
    x, y = -1.5, 2.0
    grid = figures.surface_grid(surface)
    fig = figures.contour_figure(surface, grid, x, y, 0.0, show_descent=True)
    (gradient_arrow,) = arrows(fig, style.GRADIENT)
    scale = figures.arrow_scale(surface, surface.gradient(x, y))
    assert scale < 1
    assert (gradient_arrow["x"] - x, gradient_arrow["y"] - y) == pytest.approx(tuple(surface.gradient(x, y) * scale))
    assert f"{scale:.3g}×" in fig["layout"]["title"]["text"]
    (descent,) = arrows(fig, style.TANGENT)
    assert (descent["x"] - x, descent["y"] - y) == pytest.approx(tuple(-surface.gradient(x, y) * scale))
    longest = np.hypot(gradient_arrow["x"] - x, gradient_arrow["y"] - y)
    assert longest <= figures.ARROW_SHARE * 4.0 + 1e-9, "the arrow stays on the map"


def test_partial_arrows_run_along_the_axes():
    surface = SURFACES["bowl"]
    fig = figures.contour_figure(surface, figures.surface_grid(surface), 2.0, 1.0, 90.0, show_descent=False)
    dx_arrow, dy_arrow = arrows(fig, style.GRADIENT_PART)
    scale = figures.arrow_scale(surface, surface.gradient(2.0, 1.0))
    assert (dx_arrow["x"], dx_arrow["y"]) == pytest.approx((2.0 + 4.0 * scale, 1.0))
    assert (dy_arrow["x"], dy_arrow["y"]) == pytest.approx((2.0, 1.0 + 6.0 * scale))
    assert arrows(fig, style.TANGENT) == []


def test_level_line_passes_through_the_point_at_its_level():
    surface = SURFACES["himmelblau"]
    grid = figures.surface_grid(surface)
    xs, ys = figures.level_line(surface, grid, 1.0, 1.0)
    xs, ys = np.array(xs), np.array(ys)
    assert np.min(np.hypot(xs - 1.0, ys - 1.0)) < 0.1
    level = float(surface.value(1.0, 1.0))
    assert np.median(np.abs(surface.value(xs, ys) - level)) < 0.02 * level


def test_tangent_plane_touches_the_surface_with_the_gradients_slopes():
    surface = SURFACES["saddle"]
    plane = figures.tangent_plane(surface, 1.0, 0.5)
    z = np.array(plane["z"])
    (x0, x1), (y0, y1) = plane["x"], plane["y"]
    assert (z[0, 1] - z[0, 0]) / (x1 - x0) == pytest.approx(2.0)  # ∂f/∂x = 2x
    assert (z[1, 0] - z[0, 0]) / (y1 - y0) == pytest.approx(-1.0)  # ∂f/∂y = −2y
    assert z.mean() == pytest.approx(float(surface.value(1.0, 0.5)))


def test_directional_chart_marks_the_peak_and_the_zeros():
    fig = style.untyped(figures.directional_figure(np.array([4.0, 6.0]), 30.0))
    peak = next(t for t in fig["data"] if t.get("marker", {}).get("symbol") == "star")
    assert peak["y"][0] == pytest.approx(np.hypot(4, 6))
    zeros = next(t for t in fig["data"] if t.get("marker", {}).get("symbol") == "circle-open")
    assert sorted(zeros["x"]) == pytest.approx(sorted([(np.degrees(np.arctan2(6, 4)) + d) % 360 for d in (90, 270)]))
