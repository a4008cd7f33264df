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

from app.compute import optimizers as opt
from app.compute.custom import custom_surface
from app.compute.functions import FUNCTIONS
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.figures import style
from app.figures.derivative import curve_samples, line_across
from app.figures.gradient import equal_axes, faint_contours, surface_grid
from app.figures.optimizers import NAMES, look
from app.questions import base

GUESS = "#1f2933"  # the learner's answer: the page's own text colour, hollow markers, dotted lines


def view(question: base.Question) -> str | None:
    setup = question.setup
    if "function" in setup and "x0" in setup:
        return "curve"
    if "surface" in setup:
        return "map"
    if "loss" in setup and "w" in setup:
        return "loss"
    return None


def surface_of(setup) -> object:
    """A catalogue surface by key, or a typed one from its formula (drawn on the catalogue's window)."""
    if setup["surface"] in SURFACES:
        return SURFACES[setup["surface"]]
    return custom_surface(setup["formula"])


def point_of(setup) -> tuple[float, float] | None:
    """The set-up's point on the map (the ball, the start), or None."""
    if "x" in setup and "y" in setup:
        return float(setup["x"]), float(setup["y"])
    if "start" in setup:
        return float(setup["start"][0]), float(setup["start"][1])
    return None


def anchor(question: base.Question) -> list[float] | None:
    """The point a click is measured from (a direction's start, a slope's point of contact), or None."""
    setup, shown = question.setup, view(question)
    if shown == "curve" and question.answer == base.NUMBER:
        function = FUNCTIONS[setup["function"]]
        return [float(setup["x0"]), float(function.value(setup["x0"]))]
    if shown == "map" and question.answer == base.DIRECTION:
        return list(point_of(setup))
    return None


def code_of(question: base.Question) -> str | None:
    """The torch code an autograd question is about, laid out as a learner would type it; None if none."""
    setup = question.setup
    if "code" not in setup or "x" not in setup:
        return None
    lines = ["import torch", "", f"x = torch.tensor({float(setup['x'])!r}, requires_grad=True)"]
    body = [f"y = {setup['code']}", "y.backward()"]
    if question.kind == "grad-two-backward":
        lines += ["for _ in range(2):  # nothing zeroes x.grad in between", *(f"    {line}" for line in body)]
    else:
        lines += body
    return "\n".join([*lines, "print(x.grad)  # what does it print?"])


def summary(question: base.Question) -> str:
    """The set-up in words, for screen readers."""
    shown, setup = view(question), question.setup
    if shown == "curve":
        return f"The curve f(x) = {FUNCTIONS[setup['function']].label} with the point x₀ = {setup['x0']:g} marked."
    if shown == "map":
        surface, point = surface_of(setup), point_of(setup)
        where = f" with the point ({point[0]:g}, {point[1]:g}) marked" if point else ""
        return f"Contour map of {surface.label}{where}."
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
    ]
    tangent = anchor(question) is not None  # a slope to predict: a click draws the learner's tangent
    if tangent:
        data.append(_click_catcher(function.view_x, function.view_y))
    layout = _layout(
        "Click to draw your tangent" if tangent else f"f(x) = {function.label} near x₀ = {x0:g}",
        xaxis=style.axis("x", range=list(function.view_x)),
        yaxis=style.axis("f(x)", range=list(function.view_y)),
    )
    return data, layout


def _map_figure(question: base.Question) -> tuple[list, dict]:
    surface, point = surface_of(question.setup), point_of(question.setup)
    data = [faint_contours(surface, surface_grid(surface))]
    if point is not None:
        data.append(_point(*point, f"{'the start' if 'start' in question.setup else 'the point'} {_pair(point)}"))
    if question.answer in (base.POINT, base.DIRECTION):
        data.append(_click_catcher(surface.view_x, surface.view_y))
    ask = {base.POINT: ": click where it lands", base.DIRECTION: ": click to point"}.get(question.answer, "")
    return data, _layout(f"{surface.label}{ask}", **equal_axes(surface))


def _pair(point) -> str:
    return f"({point[0]:.3g}, {point[1]:.3g})"


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


def _step_line(start, end) -> dict:
    """The step from the set-up's point to where it truly lands, in the path's colour."""
    return style.trace(
        "scatter",
        x=[start[0], end[0]],
        y=[start[1], end[1]],
        mode="lines",
        name="the step",
        line={"color": style.TRAIL, "width": 3},
        hoverinfo="skip",
    )


def revealed_figure(question: base.Question, verdict: base.Verdict) -> dict:
    """The set-up with the truth and the guess drawn together.

    ``layout.meta.reveal`` lists the truth's traces with where each starts from: assets/reveal.js puts
    them there and moves them to where they are, so the secant shrinks to the tangent, the arrow grows
    from the point and the ball takes its step. The figure itself holds the end, so any redraw shows it."""
    figure = question_figure(question)
    shown, data = view(question), figure["data"]
    truth, guess = verdict.truth, verdict.guess
    data[:] = [trace for trace in data if trace.get("name") != "click"]
    moving = []  # (index of a trace, the data it starts from)

    def starts_from(trace: dict, start: dict) -> None:
        moving.append({"trace": len(data), "x": start["x"], "y": start["y"]})
        data.append(trace)

    if shown == "curve" and question.answer == base.NUMBER:
        function = FUNCTIONS[question.setup["function"]]
        x0 = float(question.setup["x0"])
        y0 = float(function.value(x0))
        secant = float((function.value(x0 + 1.0) - y0) / 1.0) if function.defined(x0 + 1.0) else float(guess)
        tangent = style.trace(
            "scatter",
            **line_across(function.view_x, x0, y0, float(truth)),
            mode="lines",
            name=f"the tangent: slope {truth:.4g}",
            line={"color": style.TANGENT, "width": 4},
        )
        starts_from(tangent, line_across(function.view_x, x0, y0, secant))  # the secant with h = 1 turns into it
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
        surface = surface_of(question.setup)
        x, y = point_of(question.setup)
        length = 0.25 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
        arrow = _direction_arrow(x, y, float(truth), length, style.TANGENT, f"the answer: {truth:.0f}°", "solid")
        starts_from(arrow, {"x": [x, x], "y": [y, y]})  # it grows out of the point
        data.append(_direction_arrow(x, y, float(guess), length, GUESS, f"yours: {guess:.0f}°", "dot"))
    elif shown == "map" and question.answer == base.POINT:
        start = point_of(question.setup)
        starts_from(_step_line(start, truth), {"x": [start[0], start[0]], "y": [start[1], start[1]]})
        starts_from(
            _point(float(truth[0]), float(truth[1]), f"where it lands {_pair(truth)}"),
            {"x": [start[0]], "y": [start[1]]},
        )
        data.append(_point(float(guess[0]), float(guess[1]), f"yours {_pair(guess)}", GUESS, True))
    elif shown == "loss" and question.answer == base.NUMBER:
        loss = LOSSES[question.setup["loss"]]
        w = float(question.setup["w"])
        steps = question.setup.get("steps")
        if steps:
            data.extend(_runs(question))
        else:
            data.append(_step_line((w, float(loss.value(w))), (float(truth), float(loss.value(truth)))))
        where = f"after {steps} steps" if steps else "after the step"
        ball = _point(float(truth), float(loss.value(truth)), f"{where}: w = {truth:.4g}")
        starts_from(ball, {"x": [w], "y": [float(loss.value(w))]})
        data.append(_point(float(guess), float(loss.value(guess)), f"yours: w = {guess:.4g}", GUESS, True))
    elif question.answer == base.CHOICE:
        data.extend(_runs(question))
    figure["layout"]["title"] = {"text": verdict.headline.split(":")[0], "x": 0.01}
    if moving:
        figure["layout"]["meta"] = {"reveal": moving}
    return figure


def _path(name: str, xs, ys, colour: str, dash: str = "solid") -> dict:
    return style.trace(
        "scatter",
        x=style.typed(np.asarray(xs, dtype=np.float32)),
        y=style.typed(np.asarray(ys, dtype=np.float32)),
        mode="lines+markers",
        name=name,
        line={"color": colour, "width": 3, "dash": dash},
        marker={"size": 5, "color": colour},
        hoverinfo="skip",
    )


SHOWN_STEPS = 12  # the first steps of a run, enough to see it settle, swing or run away


def _runs(question: base.Question) -> list[dict]:
    """After Reveal, what really happened: the runs the question was about, drawn as the pages draw them."""
    setup = question.setup
    if "loss" in setup and "lr" in setup:
        loss = LOSSES[setup["loss"]]
        run = loss.descent(float(setup["w"]), float(setup["lr"]), int(setup.get("steps", SHOWN_STEPS)))
        ws = run.positions[:, 0]
        return [_path(f"the first {len(ws) - 1} steps", ws, loss.value(ws), style.TRAIL)]
    if "surface" in setup and "lr" in setup and "x" in setup and "contestants" not in setup:
        surface = surface_of(setup)
        run = surface.descent((float(setup["x"]), float(setup["y"])), float(setup["lr"]), SHOWN_STEPS)
        return [_path(f"the first {len(run.positions) - 1} steps", *run.positions.T, style.TRAIL)]
    if "contestants" in setup:
        keys = list(setup["contestants"])
        hypers = [
            opt.Hyper(*values) for values in zip(setup["lr"], setup["beta1"], setup["beta2"], setup["eps"], strict=True)
        ]
        settings = opt.RaceSettings(
            setup["surface"], tuple(setup["start"]), int(setup["steps"]), tuple(zip(keys, hypers, strict=True))
        )
        return [
            _path(NAMES[run.key], *run.positions.T, look(run.key).colour, look(run.key).dash)
            for run in opt.race(settings).runs
        ]
    if "optimizer" in setup:
        key = setup["optimizer"]
        hyper = opt.Hyper(float(setup["lr"]), beta1=float(setup.get("beta", 0.9)))
        settings = opt.RaceSettings(setup["surface"], tuple(setup["start"]), int(setup["steps"]), ((key, hyper),))
        run = opt.race(settings).runs[0]
        return [_path(NAMES[key], *run.positions.T, look(key).colour, look(key).dash)]
    return []


# ---- a live class's answers, all on one figure (app/components/classroom.py) -------------------------

RIGHT_SYMBOL, WRONG_SYMBOL = "circle-open", "x-thin-open"  # right and not right differ in shape, not colour alone


def class_figure(question: base.Question, truth, guesses: list, rights: list[bool], names: list[str] | None) -> dict:
    """Every learner's guess on the question's own figure, with the truth: a cloud of points on the map,
    rays from the point for directions, a histogram of typed numbers, bars for choices. ``names`` (the
    teacher's choice) labels the points; by default nobody is named."""
    right_count = sum(rights)
    title = f"{right_count} of {len(guesses)} right" if guesses else "Nobody answered"
    if question.answer == base.CHOICE:
        return _choice_bars(question, truth, guesses, title)
    if question.answer == base.NUMBER and not (view(question) == "curve" and anchor(question) is not None):
        return _number_histogram(truth, guesses, rights, title, question.unit)
    figure = question_figure(question)
    data = figure["data"]
    data[:] = [trace for trace in data if trace.get("name") != "click"]
    if view(question) == "map" and question.answer == base.POINT:
        start = point_of(question.setup)
        data.append(_step_line(start, truth))
        for right in (True, False):
            chosen = [
                (g, n) for g, r, n in zip(guesses, rights, names or [""] * len(guesses), strict=True) if r == right
            ]
            if chosen:
                data.append(_cloud(chosen, right, bool(names)))
        data.append(_point(float(truth[0]), float(truth[1]), f"where it lands {_pair(truth)}"))
    elif view(question) == "map" and question.answer == base.DIRECTION:
        surface = surface_of(question.setup)
        x, y = point_of(question.setup)
        length = 0.25 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
        for right in (True, False):
            angles = [float(g) for g, r in zip(guesses, rights, strict=True) if r == right]
            if angles:
                data.append(_rays(x, y, angles, 0.8 * length, right))
        data.append(_direction_arrow(x, y, float(truth), length, style.TANGENT, f"the answer: {truth:.0f}°", "solid"))
    elif view(question) == "curve":  # a slope: each learner's tangent, thin, and the true one
        function = FUNCTIONS[question.setup["function"]]
        x0 = float(question.setup["x0"])
        y0 = float(function.value(x0))
        for right in (True, False):
            slopes = [float(g) for g, r in zip(guesses, rights, strict=True) if r == right]
            if slopes:
                data.append(_slopes(function.view_x, x0, y0, slopes, right))
        data.append(
            style.trace(
                "scatter",
                **line_across(function.view_x, x0, y0, float(truth)),
                mode="lines",
                name=f"the tangent: slope {truth:.4g}",
                line={"color": style.TANGENT, "width": 4},
            )
        )
    figure["layout"]["title"] = {"text": title, "x": 0.01}
    return figure


def _group_name(right: bool, count: int) -> str:
    return f"{'right' if right else 'not right'} ({count})"


def _cloud(chosen: list, right: bool, named: bool) -> dict:
    return style.trace(
        "scatter",
        x=[float(g[0]) for g, _ in chosen],
        y=[float(g[1]) for g, _ in chosen],
        mode="markers+text" if named else "markers",
        text=[name for _, name in chosen] if named else None,
        textposition="top center",
        name=_group_name(right, len(chosen)),
        marker={
            "size": 13,
            "symbol": RIGHT_SYMBOL if right else WRONG_SYMBOL,
            "color": style.TANGENT if right else GUESS,
            "line": {"width": 2.5, "color": style.TANGENT if right else GUESS},
        },
        hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>",
    )


def _rays(x: float, y: float, angles: list[float], length: float, right: bool) -> dict:
    """Each learner's direction, a thin line out of the point."""
    ends = [(x + length * math.cos(math.radians(a)), y + length * math.sin(math.radians(a))) for a in angles]
    return _segments([((x, y), end) for end in ends], right, width=2, opacity=0.75)


def _slopes(view_x, x0: float, y0: float, slopes: list[float], right: bool) -> dict:
    """Each learner's tangent, across the view."""
    lines = [line_across(view_x, x0, y0, slope) for slope in slopes]
    return _segments([tuple(zip(line["x"], line["y"], strict=True)) for line in lines], right, 1.5, 0.6)


def _segments(segments: list, right: bool, width: float, opacity: float) -> dict:
    """One trace of many lines (each a run of (x, y) points), split by gaps: one legend entry per group."""
    xs, ys = [], []
    for points in segments:
        xs += [*(float(p[0]) for p in points), None]
        ys += [*(float(p[1]) for p in points), None]
    return style.trace(
        "scatter",
        x=xs,
        y=ys,
        mode="lines",
        name=_group_name(right, len(segments)),
        line={"color": style.TANGENT if right else GUESS, "width": width, "dash": "solid" if right else "dot"},
        opacity=opacity,
        hoverinfo="skip",
    )


# The class's counts are drawn as filled outlines of scatter traces, not plotly's bar or histogram traces:
# the app's partial plotly.js (assets/vendor, scripts/build-bundles) holds only the trace types the
# pages draw, and a class of 300 makes at most a few dozen rectangles.
NOT_RIGHT_FILL = "#c3cad3"  # light grey, hatched: "not right" by pattern as well as by colour


def _bars(rectangles: list[tuple[float, float, float, float]], name: str, right: bool) -> dict:
    """Rectangles (x0, x1, y0, y1) as one filled trace: one legend entry for the group."""
    xs, ys = [], []
    for x0, x1, y0, y1 in rectangles:
        xs += [x0, x0, x1, x1, x0, None]
        ys += [y0, y1, y1, y0, y0, None]
    trace = style.trace(
        "scatter",
        x=xs,
        y=ys,
        mode="lines",
        fill="toself",
        fillcolor=style.TANGENT if right else NOT_RIGHT_FILL,
        line={"color": style.TEXT, "width": 1},
        name=name,
        hoverinfo="skip",
    )
    if not right:
        trace["fillpattern"] = {"shape": "/", "fgcolor": style.TEXT, "size": 8, "solidity": 0.15}
    return trace


def _count_axis(most: int) -> dict:
    """A y axis of whole learners: ticks 1 apart for a small class, fewer for a large one."""
    return style.axis("learners", dtick=max(1, math.ceil(most / 8)), range=[0, max(most, 1) * 1.2])


def _number_histogram(truth, guesses: list, rights: list[bool], title: str, unit: str) -> dict:
    values = np.array([float(g) for g in guesses])
    right = np.array(rights, dtype=bool)
    spread = np.append(values, float(truth))
    if np.ptp(spread) == 0:
        half = 0.5 * max(abs(float(truth)) * 0.1, 0.1)
        edges = np.linspace(float(truth) - 5 * half, float(truth) + 5 * half, 11)
    else:
        edges = np.histogram_bin_edges(spread, bins=int(min(20, max(6, math.sqrt(len(spread)) + 1))))
    right_counts = np.histogram(values[right], edges)[0] if right.any() else np.zeros(len(edges) - 1, int)
    other_counts = np.histogram(values[~right], edges)[0] if (~right).any() else np.zeros(len(edges) - 1, int)
    data = []
    bins = list(zip(edges[:-1], edges[1:], right_counts, other_counts, strict=True))
    if right.any():
        rectangles = [(a, b, 0, r) for a, b, r, _ in bins if r]
        data.append(_bars(rectangles, _group_name(True, int(right.sum())), True))
    if (~right).any():
        rectangles = [(a, b, r, r + o) for a, b, r, o in bins if o]
        data.append(_bars(rectangles, _group_name(False, int((~right).sum())), False))
    side = "top left" if float(truth) > (edges[0] + edges[-1]) / 2 else "top right"  # the label stays in view
    shape, note = style.vline(
        float(truth), {"color": style.TANGENT, "width": 4}, f"the answer: {float(truth):.4g}{unit}", side
    )
    pad = 0.05 * (edges[-1] - edges[0])
    layout = _layout(
        title,
        xaxis=style.axis(f"typed answer{f' ({unit})' if unit else ''}", range=[edges[0] - pad, edges[-1] + pad]),
        yaxis=_count_axis(int((right_counts + other_counts).max(initial=0))),
        shapes=[shape],
        annotations=[note],
    )
    return style.figure(data, layout)


def _choice_bars(question: base.Question, truth, guesses: list, title: str) -> dict:
    counts = [sum(1 for g in guesses if g == choice) for choice in question.choices]
    labels = [f"{choice} ✓" if choice == truth else choice for choice in question.choices]
    data = []
    for right in (True, False):
        chosen = [
            (i, c)
            for i, (choice, c) in enumerate(zip(question.choices, counts, strict=True))
            if (choice == truth) == right
        ]
        rectangles = [(i - 0.35, i + 0.35, 0, c) for i, c in chosen if c]
        if rectangles:
            data.append(_bars(rectangles, _group_name(right, sum(c for _, c in chosen)), right))
    data.append(
        style.trace(
            "scatter",
            x=list(range(len(counts))),
            y=counts,
            mode="text",
            text=[str(count) for count in counts],
            textposition="top center",
            textfont={"size": 20},
            showlegend=False,
            hoverinfo="skip",
            name="counts",
        )
    )
    layout = _layout(
        f"{title}: the answer is “{truth}”",
        xaxis=style.axis(
            None, tickvals=list(range(len(labels))), ticktext=labels, range=[-0.6, len(labels) - 0.4], zeroline=False
        ),
        yaxis=_count_axis(max(counts, default=0)),
    )
    return style.figure(data, layout)
