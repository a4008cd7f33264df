"""The /derivative figures: lines through the right points, spanning the view, in the right colours."""

import math

import numpy as np
import pytest

from app.compute import differences
from app.compute.functions import FUNCTIONS
from app.figures import style
from app.figures.derivative import (
    RISE_UID,
    SECANT_UID,
    SECOND_POINT_UID,
    error_curve_figure,
    moving_parts,
    moving_parts_many,
    secant_figure,
)


def figure(fig):
    """The figure as plotly.js will read it: typed arrays decoded to numpy."""
    return style.untyped(fig)


def trace(fig, predicate):
    (match,) = [t for t in fig["data"] if predicate(t)]
    return match


def slope_of(line):
    (xa, xb), (ya, yb) = line["x"], line["y"]
    return (yb - ya) / (xb - xa)


@pytest.mark.parametrize(("key", "x0", "h"), [("square", 2.0, 0.1), ("sin", 1.0, 0.5), ("log", 0.5, 1.0)])
def test_secant_and_tangent_have_the_right_slopes_and_span_the_view(key, x0, h):
    function = FUNCTIONS[key]
    fig = figure(secant_figure(function, x0, h))
    secant = trace(fig, lambda t: t.get("uid") == SECANT_UID)
    tangent = trace(fig, lambda t: t.get("line", {}).get("color") == style.TANGENT)
    reference = {"square": lambda x: x * x, "sin": math.sin, "log": math.log}[key]
    assert slope_of(secant) == pytest.approx((reference(x0 + h) - reference(x0)) / h, rel=1e-9)
    exact = {"square": 2 * x0, "sin": math.cos(x0), "log": 1 / x0}[key]
    assert slope_of(tangent) == pytest.approx(exact, rel=1e-12)
    for line in (secant, tangent):
        assert tuple(line["x"]) == function.view_x
        # The line passes through (x0, f(x0)).
        y_at_x0 = line["y"][0] + slope_of(line) * (x0 - line["x"][0])
        assert y_at_x0 == pytest.approx(reference(x0), abs=1e-9)
    assert secant["line"]["dash"] == "dash" and secant["line"]["color"] == style.SECANT
    point = trace(fig, lambda t: t.get("marker", {}).get("color") == style.POINT)
    assert (point["x"][0], point["y"][0]) == pytest.approx((x0, reference(x0)))
    layout = fig["layout"]
    assert tuple(layout["xaxis"]["range"]) == function.view_x and tuple(layout["yaxis"]["range"]) == function.view_y


def test_curve_breaks_at_the_pole():
    fig = figure(secant_figure(FUNCTIONS["reciprocal"], 1.0, 0.5))
    curve = fig["data"][0]
    y = np.array(curve["y"], dtype=float)
    x = np.array(curve["x"], dtype=float)
    crossing = np.argmax(x > 0)
    assert np.isnan(y[crossing]), "no line joins the two branches of 1/x"


def test_no_secant_across_a_pole():
    parts = moving_parts(FUNCTIONS["reciprocal"], -0.5, 1.0)
    assert all(part == {"x": [], "y": []} for part in parts.values())


def test_triangle_shows_run_and_rise():
    parts = moving_parts(FUNCTIONS["square"], 2.0, 0.5)
    assert parts[SECOND_POINT_UID] == {"x": [2.5], "y": [6.25]}
    assert parts[RISE_UID] == {"x": [2.5, 2.5], "y": [4.0, 6.25]}


@pytest.mark.parametrize(("key", "x0"), [("sin", 1.0), ("log", 0.3), ("reciprocal", -0.4), ("exp", 2.0)])
def test_all_frames_at_once_are_the_frames_one_at_a_time(key, x0):
    function = FUNCTIONS[key]
    steps = 10.0 ** np.linspace(0.0, -4.0, 101)  # crosses the pole for 1/x from x0 = -0.4
    many = moving_parts_many(function, x0, steps)
    assert len(many) == len(steps)
    for frame, h in zip(many, steps, strict=True):
        one = moving_parts(function, x0, float(h))
        assert frame.keys() == one.keys()
        for uid, part in one.items():
            assert frame[uid]["x"] == pytest.approx(part["x"], rel=1e-12)
            assert frame[uid]["y"] == pytest.approx(part["y"], rel=1e-12)


def test_error_figure_is_log_log_and_marks_the_best_steps():
    curve = differences.error_curve(FUNCTIONS["sin"], 1.0)
    fig = figure(error_curve_figure(curve, 1e-3))
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"]["type"] == "log"
    stars = [t for t in fig["data"] if t["marker"].get("symbol") == "star"]
    assert sorted(s["x"][0] for s in stars) == sorted([curve.best_forward_h, curve.best_central_h])
    assert fig["layout"]["shapes"][0]["x0"] == 1e-3, "the learner's own h is marked"


def test_error_figure_marks_no_best_step_where_there_is_no_truncation():
    curve = differences.error_curve(FUNCTIONS["square"], 2.0)
    stars = [t for t in figure(error_curve_figure(curve, 1.0))["data"] if t["marker"].get("symbol") == "star"]
    assert [s["x"][0] for s in stars] == [curve.best_forward_h]
