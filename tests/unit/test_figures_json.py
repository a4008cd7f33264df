"""Figures are plain dicts in plotly's JSON form: valid for plotly, arrays as plotly.py would send them,
and fresh on every call even where the heavy parts are memoised."""

import numpy as np
import plotly.graph_objects as go
import pytest
from _plotly_utils.utils import to_typed_array_spec

from app.compute import differences
from app.compute import learning_rate as theory
from app.compute.autograd import chapter_expression, torch_descent, trace_graph
from app.compute.functions import FUNCTIONS
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.figures import autograd, derivative, descent, gradient, learning_rate, style


def every_figure():
    bowl, rosenbrock, square = SURFACES["bowl"], SURFACES["rosenbrock"], LOSSES["square"]
    runs = [learning_rate.Run(lr, square.descent(0.0, lr, 20), i) for i, lr in enumerate((0.1, 1.0, 1.2))]
    runs_2d = [learning_rate.Run(lr, bowl.descent(bowl.start, lr, 20), i) for i, lr in enumerate((0.1, 0.4))]
    sweep = theory.loss_sweep(square, 0.0, 20, *theory.SWEEP_RANGE)
    rates = theory.cosine(0.9, 20)
    correct = torch_descent(bowl, (4.0, 3.0), 0.05, 8, zero_grad=True)
    damaged = torch_descent(bowl, (4.0, 3.0), 0.05, 8, zero_grad=False)
    return {
        "secant": derivative.secant_figure(FUNCTIONS["log"], 1.0, 0.5),
        "error curve": derivative.error_curve_figure(differences.error_curve(FUNCTIONS["sin"], 1.0), 1e-3),
        "contour": gradient.contour_figure(rosenbrock, gradient.surface_grid(rosenbrock), -1.0, 1.0, 30.0, True),
        "surface": gradient.surface_figure(bowl, gradient.surface_grid(bowl), 1.0, 1.0),
        "directional": gradient.directional_figure(np.array([4.0, 6.0]), 30.0),
        "1-D curve": descent.curve_1d_figure(square),
        "contour run": descent.contour_run_figure(rosenbrock, gradient.surface_grid(rosenbrock)),
        "surface run": descent.surface_run_figure(bowl, gradient.surface_grid(bowl)),
        "loss chart": descent.loss_chart(),
        "runs on curve": learning_rate.runs_on_curve(square, runs),
        "losses per step": learning_rate.losses_per_step(runs),
        "runs on contour": learning_rate.runs_on_contour(bowl, gradient.surface_grid(bowl), runs_2d),
        "sweep": learning_rate.sweep_figure([("square", sweep, 1.0, 0.5)]),
        "schedule": learning_rate.schedule_figure(
            rates, square.descent(0.0, 0.9, 20), square.descent(0.0, rates, 20), "cosine"
        ),
        "graph": autograd.graph_figure(trace_graph(chapter_expression, x=2.0, y=1.0), "z"),
        "pitfall": autograd.pitfall_figure(bowl, gradient.surface_grid(bowl), correct.positions, damaged.positions),
    }


@pytest.mark.parametrize(("name", "fig"), every_figure().items())
def test_every_figure_is_one_plotly_accepts(name, fig):
    assert set(fig) == {"data", "layout"}
    validated = go.Figure(fig)  # raises on any unknown property or bad value
    assert len(validated.data) == len(fig["data"]) > 0
    assert all(trace["type"] for trace in fig["data"])


@pytest.mark.parametrize(
    "array",
    [np.linspace(0.0, 1.0, 7), np.arange(5), np.arange(300), np.arange(70_000), np.zeros((3, 4)), np.array([np.nan])],
)
def test_arrays_travel_as_plotly_py_would_send_them(array):
    assert style.typed(array) == to_typed_array_spec(array)
    np.testing.assert_array_equal(style.untyped(style.typed(array)), array)


def test_an_empty_array_travels_as_an_empty_list():
    assert style.typed(np.array([])) == []


def test_a_strided_column_is_sent_as_its_values():
    positions = np.arange(12.0).reshape(6, 2)
    np.testing.assert_array_equal(style.untyped(style.typed(positions[:, 1])), [1, 3, 5, 7, 9, 11])


def test_meshes_are_computed_once_and_cannot_be_changed():
    surface = SURFACES["himmelblau"]
    grid = gradient.surface_grid(surface)
    assert gradient.surface_grid(surface) is grid
    with pytest.raises(ValueError, match="read-only"):
        grid.z[0, 0] = 0.0


def test_each_call_returns_a_fresh_figure_even_from_memoised_parts():
    surface = SURFACES["ravine"]
    grid = gradient.surface_grid(surface)
    first = descent.contour_run_figure(surface, grid)
    pristine = style.untyped(descent.contour_run_figure(surface, grid))
    first["data"][0]["z"]["bdata"] = ""
    first["data"][0]["colorscale"][0][1] = "red"
    first["layout"]["xaxis"]["title"]["text"] = "changed"
    again = style.untyped(descent.contour_run_figure(surface, grid))
    np.testing.assert_array_equal(again["data"][0]["z"], pristine["data"][0]["z"])
    assert again["data"][0]["colorscale"] == pristine["data"][0]["colorscale"]
    assert again["layout"]["xaxis"]["title"]["text"] == "x"
    assert style.VIRIDIS[0] == [0.0, "#440154"]


def test_contour_values_are_f_or_its_log_as_the_surface_asks():
    for key in ("bowl", "rosenbrock"):
        surface = SURFACES[key]
        grid = gradient.surface_grid(surface)
        contour = style.untyped(gradient.contour_figure(surface, grid, 0.5, 0.5, 0.0, False))["data"][0]
        np.testing.assert_array_equal(contour["customdata"], grid.z)
        np.testing.assert_allclose(contour["z"], gradient.shown_values(surface, grid.z))
        assert surface.log_scale == (not np.allclose(contour["z"], grid.z))
