"""The figure of a question: its set-up before Reveal, and the truth beside the guess after.

Which view a question gets follows from its set-up, not from a list of kinds: a catalogue function and
x₀ give the curve, a surface and a point give the contour map, a loss and a weight give the loss curve.
A question whose set-up has none of these (x.grad after backward()) has no figure.

Before Reveal nothing drawn gives the answer away: no tangent, no arrow, no hover text beyond the
coordinates of the set-up. After Reveal the guess is drawn in a neutral dark colour with a hollow
marker, and the truth in the colour the concept already uses (the tangent and −∇f green, the ball
orange), both together, never the truth alone.
"""

from __future__ import annotations

import math

import numpy as np

from app.compute.functions import FUNCTIONS
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.figures import style
from app.figures.derivative import curve_samples, line_across
from app.figures.gradient import equal_axes, faint_contours, surface_grid
from app.questions import base

GUESS = "#1f2933"  # the learner's answer: the page's own text colour, hollow markers, dotted lines


def view(question: base.Question) -> str | None:
    setup = question.setup
    if "function" in setup and "x0" in setup:
        return "curve"
    if "surface" in setup and "x" in setup and "y" in setup:
        return "map"
    if "loss" in setup and "w" in setup:
        return "loss"
    return None


def anchor(question: base.Question) -> list[float] | None:
    """The point a click is measured from (a direction's start, a slope's point of contact), or None."""
    setup, shown = question.setup, view(question)
    if shown == "curve" and question.answer == base.NUMBER:
        function = FUNCTIONS[setup["function"]]
        return [float(setup["x0"]), float(function.value(setup["x0"]))]
    if shown == "map" and question.answer == base.DIRECTION:
        return [float(setup["x"]), float(setup["y"])]
    return None


def summary(question: base.Question) -> str:
    """The set-up in words, for screen readers."""
    shown, setup = view(question), question.setup
    if shown == "curve":
        return f"The curve f(x) = {FUNCTIONS[setup['function']].label} with the point x₀ = {setup['x0']:g} marked."
    if shown == "map":
        surface = SURFACES[setup["surface"]]
        return f"Contour map of {surface.label} with the point ({setup['x']:g}, {setup['y']:g}) marked."
    if shown == "loss":
        return f"The loss curve with the weight w = {question.setup['w']:g} marked."
    return "This question has no figure: answer from the code and the words."


def _layout(title: str, **extra) -> dict:
    return style.base_layout(
        title={"text": title, "x": 0.01},
        showlegend=True,
        legend=style.legend_below(),
        margin={"l": 55, "r": 10, "t": 50, "b": 90},
        clickmode="event",
        **extra,
    )


def _point(x: float, y: float, name: str, colour: str = style.POINT, hollow: bool = False) -> dict:
    return style.trace(
        "scatter",
        x=[x],
        y=[y],
        mode="markers",
        name=name,
        marker={
            "size": 14,
            "color": "white" if hollow else colour,
            "line": {"color": colour, "width": 3},
            "symbol": "circle-open" if hollow else "circle",
        },
        hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>",
    )


def _click_catcher(x_range, y_range) -> dict:
    """An invisible grid of points over the view: plotly reports clicks on traces only, so a click
    anywhere lands on one of these, and the figure can take a point or a direction."""
    xs, ys = np.meshgrid(np.linspace(*x_range, 41), np.linspace(*y_range, 41))
    return style.trace(
        "scatter",
        x=style.typed(xs.ravel().astype(np.float32)),
        y=style.typed(ys.ravel().astype(np.float32)),
        mode="markers",
        marker={"size": 12, "opacity": 0},
        hoverinfo="none",
        showlegend=False,
        name="click",
    )


def _curve_figure(question: base.Question) -> tuple[list, dict]:
    function = FUNCTIONS[question.setup["function"]]
    x0 = float(question.setup["x0"])
    xs, ys = curve_samples(function)
    data = [
        style.trace(
            "scatter",
            x=style.typed(xs),
            y=style.typed(ys),
            mode="lines",
            name=f"f(x) = {function.label}",
            line={"color": style.FUNCTION, "width": 3},
            hoverinfo="skip",
        ),
        _point(x0, float(function.value(x0)), f"x₀ = {x0:g}"),
        _click_catcher(function.view_x, function.view_y),
    ]
    layout = _layout(
        "Click to draw your tangent",
        xaxis=style.axis("x", range=list(function.view_x)),
        yaxis=style.axis("f(x)", range=list(function.view_y)),
    )
    return data, layout


def _map_figure(question: base.Question) -> tuple[list, dict]:
    surface = SURFACES[question.setup["surface"]]
    x, y = float(question.setup["x"]), float(question.setup["y"])
    data = [
        faint_contours(surface, surface_grid(surface)),
        _point(x, y, f"the point ({x:g}, {y:g})"),
        _click_catcher(surface.view_x, surface.view_y),
    ]
    ask = "click where it lands" if question.answer == base.POINT else "click to point"
    return data, _layout(f"{surface.label}: {ask}", **equal_axes(surface))


def _loss_figure(question: base.Question) -> tuple[list, dict]:
    loss = LOSSES[question.setup["loss"]]
    w = float(question.setup["w"])
    xs = np.linspace(*loss.view_w, 300)
    data = [
        style.trace(
            "scatter",
            x=style.typed(xs),
            y=style.typed(loss.value(xs)),
            mode="lines",
            name=f"L(w) = {loss.label}",
            line={"color": style.FUNCTION, "width": 3},
            hoverinfo="skip",
        ),
        _point(w, float(loss.value(w)), f"w = {w:g}"),
    ]
    return data, _layout("The loss and the weight before the step", xaxis=style.axis("w"), yaxis=style.axis("L(w)"))


def question_figure(question: base.Question) -> dict:
    """The set-up alone: what the learner predicts from."""
    shown = view(question)
    if shown is None:
        return style.figure([], style.base_layout(xaxis={"visible": False}, yaxis={"visible": False}))
    data, layout = {"curve": _curve_figure, "map": _map_figure, "loss": _loss_figure}[shown](question)
    return style.figure(data, layout)


def _direction_arrow(x: float, y: float, angle: float, length: float, colour: str, name: str, dash: str) -> dict:
    radians = math.radians(angle)
    return style.trace(
        "scatter",
        x=[x, x + length * math.cos(radians)],
        y=[y, y + length * math.sin(radians)],
        mode="lines+markers",
        name=name,
        line={"color": colour, "width": 4, "dash": dash},
        marker={"symbol": ["circle", "arrow"], "angleref": "previous", "size": [1, 16], "color": colour},
        hoverinfo="skip",
    )


def revealed_figure(question: base.Question, verdict: base.Verdict) -> dict:
    """The set-up with the truth and the guess drawn together."""
    figure = question_figure(question)
    shown, data = view(question), figure["data"]
    truth, guess = verdict.truth, verdict.guess
    data[:] = [trace for trace in data if trace.get("name") != "click"]
    if shown == "curve" and question.answer == base.NUMBER:
        function = FUNCTIONS[question.setup["function"]]
        x0 = float(question.setup["x0"])
        y0 = float(function.value(x0))
        data.append(
            style.trace(
                "scatter",
                **line_across(function.view_x, x0, y0, float(truth)),
                mode="lines",
                name=f"the tangent: slope {truth:.4g}",
                line={"color": style.TANGENT, "width": 4},
            )
        )
        data.append(
            style.trace(
                "scatter",
                **line_across(function.view_x, x0, y0, float(guess)),
                mode="lines",
                name=f"yours: slope {guess:.4g}",
                line={"color": GUESS, "width": 3, "dash": "dot"},
            )
        )
    elif shown == "map" and question.answer == base.DIRECTION:
        surface = SURFACES[question.setup["surface"]]
        x, y = float(question.setup["x"]), float(question.setup["y"])
        length = 0.25 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
        data.append(_direction_arrow(x, y, float(truth), length, style.TANGENT, f"the answer: {truth:.0f}°", "solid"))
        data.append(_direction_arrow(x, y, float(guess), length, GUESS, f"yours: {guess:.0f}°", "dot"))
    elif shown == "map" and question.answer == base.POINT:
        data.append(_point(float(truth[0]), float(truth[1]), f"where it lands ({truth[0]:.3g}, {truth[1]:.3g})"))
        data.append(_point(float(guess[0]), float(guess[1]), f"yours ({guess[0]:.3g}, {guess[1]:.3g})", GUESS, True))
    figure["layout"]["title"] = {"text": verdict.headline.split(":")[0], "x": 0.01}
    return figure
