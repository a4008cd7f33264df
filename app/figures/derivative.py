"""Figures for /derivative: the secant turning into the tangent, and the error of a difference vs h."""

from __future__ import annotations

import math

import numpy as np

from app.compute.differences import ErrorCurve, forward_difference
from app.compute.functions import Function1D
from app.figures import style
from app.formatting import sci

CURVE_SAMPLES = 600

# Trace uids the browser-side animation looks up; the names say what each moving piece is.
SECANT_UID = "secant"
SECOND_POINT_UID = "secant-point"
RUN_UID = "run"
RISE_UID = "rise"
MOVING_UIDS = (SECANT_UID, SECOND_POINT_UID, RUN_UID, RISE_UID)


def line_across(x_range: tuple[float, float], x0: float, y0: float, slope: float) -> dict:
    """The straight line through (x0, y0) with this slope, from one side of the view to the other."""
    xs = [float(x_range[0]), float(x_range[1])]
    return {"x": xs, "y": [y0 + slope * (x - x0) for x in xs]}


def curve_samples(function: Function1D) -> tuple[np.ndarray, np.ndarray]:
    """The curve over the view, broken (NaN) wherever it crosses a pole or leaves its domain."""
    x = np.linspace(*function.view_x, CURVE_SAMPLES)
    y = function.value(x)
    piece = function.piece_index(x)
    y = np.where(np.r_[False, piece[1:] != piece[:-1]], np.nan, y)
    return x, y


def moving_parts(function: Function1D, x0: float, h: float) -> dict[str, dict]:
    """x/y data of every trace that changes with h, by uid; empty when the secant is undefined.

    Both the server's figure and the browser's animation frames come from here, so they agree.
    """
    slope = float(forward_difference(function, x0, h))
    if not np.isfinite(slope):
        return {uid: {"x": [], "y": []} for uid in MOVING_UIDS}
    y0 = float(function.value(x0))
    y1 = float(function.value(x0 + h))
    return {
        SECANT_UID: line_across(function.view_x, x0, y0, slope),
        SECOND_POINT_UID: {"x": [x0 + h], "y": [y1]},
        RUN_UID: {"x": [x0, x0 + h], "y": [y0, y0]},
        RISE_UID: {"x": [x0 + h, x0 + h], "y": [y0, y1]},
    }


def moving_parts_many(function: Function1D, x0: float, hs) -> list[dict[str, dict]]:
    """``[moving_parts(function, x0, h) for h in hs]``, computed in one vectorised pass: the secant's
    animation needs a hundred frames, which one at a time cost ~0.2 ms each in numpy's overhead."""
    hs = np.asarray(hs, dtype=float)
    slopes = forward_difference(function, x0, hs).tolist()
    y0 = float(function.value(x0))
    seconds = function.value(x0 + hs).tolist()
    frames = []
    for h, slope, y1 in zip(hs.tolist(), slopes, seconds, strict=True):
        if not math.isfinite(slope):
            frames.append({uid: {"x": [], "y": []} for uid in MOVING_UIDS})
            continue
        frames.append(
            {
                SECANT_UID: line_across(function.view_x, x0, y0, slope),
                SECOND_POINT_UID: {"x": [x0 + h], "y": [y1]},
                RUN_UID: {"x": [x0, x0 + h], "y": [y0, y0]},
                RISE_UID: {"x": [x0 + h, x0 + h], "y": [y0, y1]},
            }
        )
    return frames


# Positions in secant_figure: the curve first (it changes only with the function), then the moving parts.
TANGENT_TRACE, SECANT_TRACE, RUN_TRACE, RISE_TRACE, SECOND_POINT_TRACE, POINT_TRACE = range(1, 7)


def secant_overlay(function: Function1D, x0: float, h: float) -> dict:
    """Everything on the secant figure that depends on x₀ and h: traces by position, and the title."""
    y0 = float(function.value(x0))
    parts = moving_parts(function, x0, h)
    return {
        "traces": {
            TANGENT_TRACE: line_across(function.view_x, x0, y0, float(function.derivative(x0))),
            SECANT_TRACE: parts[SECANT_UID],
            RUN_TRACE: parts[RUN_UID],
            RISE_TRACE: parts[RISE_UID],
            SECOND_POINT_TRACE: parts[SECOND_POINT_UID],
            POINT_TRACE: {"x": [x0], "y": [y0]},
        },
        "title": f"f(x) = {function.label}: secant and tangent at x₀ = {x0:g}",
    }


def secant_figure(function: Function1D, x0: float, h: float) -> dict:
    """The curve, the point, the tangent (green) and the secant over [x0, x0 + h] (red, dashed)."""
    x, y = curve_samples(function)
    moving = secant_overlay(function, x0, h)
    parts = moving["traces"]
    data = [
        style.trace(
            "scatter",
            x=style.typed(x),
            y=style.typed(y),
            mode="lines",
            name=f"f(x) = {function.label}",
            line={"color": style.FUNCTION, "width": 3},
            hovertemplate="x = %{x:.4f}<br>f(x) = %{y:.4f}<extra></extra>",
        ),
        style.trace(
            "scatter",
            **parts[TANGENT_TRACE],
            mode="lines",
            name="tangent (slope f′(x₀))",
            line={"color": style.TANGENT, "width": 3},
            hoverinfo="skip",
        ),
        style.trace(
            "scatter",
            **parts[SECANT_TRACE],
            uid=SECANT_UID,
            mode="lines",
            name="secant through x₀ and x₀ + h",
            line={"color": style.SECANT, "width": 3, "dash": style.SECANT_DASH},
            hoverinfo="skip",
        ),
        style.trace(
            "scatter",
            **parts[RUN_TRACE],
            uid=RUN_UID,
            mode="lines",
            name="run h and rise Δy",
            legendgroup="triangle",
            line={"color": style.GUIDE, "width": 2, "dash": style.GUIDE_DASH},
            hoverinfo="skip",
        ),
        style.trace(
            "scatter",
            **parts[RISE_TRACE],
            uid=RISE_UID,
            mode="lines",
            legendgroup="triangle",
            showlegend=False,
            line={"color": style.GUIDE, "width": 2, "dash": style.GUIDE_DASH},
            hoverinfo="skip",
        ),
        style.trace(
            "scatter",
            **parts[SECOND_POINT_TRACE],
            uid=SECOND_POINT_UID,
            mode="markers",
            name="(x₀ + h, f(x₀ + h))",
            marker={"color": "white", "size": 13, "line": {"color": style.SECANT, "width": 3}},
            hovertemplate="x₀ + h = %{x:.6g}<br>f(x₀ + h) = %{y:.6g}<extra></extra>",
        ),
        style.trace(
            "scatter",
            **parts[POINT_TRACE],
            mode="markers",
            name="(x₀, f(x₀))",
            marker={"color": style.POINT, "size": 15, "line": {"color": "white", "width": 2}},
            hovertemplate="x₀ = %{x:.6g}<br>f(x₀) = %{y:.6g}<extra></extra>",
        ),
    ]
    layout = style.base_layout(
        title={"text": moving["title"], "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
        hovermode="x",  # a click anywhere above or below the curve picks the curve's point there
        xaxis=style.axis("x", range=list(function.view_x), zeroline=True),
        yaxis=style.axis("f(x)", range=list(function.view_y), zeroline=True),
    )
    return style.figure(data, layout)


def error_curve_figure(curve: ErrorCurve, current_h: float) -> dict:
    """Error of forward and central differences against h, log-log, with the best h of each marked."""
    data = []
    series = (
        ("forward (f(x₀+h) − f(x₀)) / h", curve.forward_error, curve.best_forward_h, style.SECANT, "dash"),
        ("central (f(x₀+h) − f(x₀−h)) / 2h", curve.central_error, curve.best_central_h, style.SECOND_SERIES, "solid"),
    )
    for name, errors, best_h, colour, dash in series:
        data.append(
            style.trace(
                "scatter",
                x=style.typed(curve.h),
                y=style.typed(errors),
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 3, "dash": dash},
                marker={"size": 5},
                hovertemplate="h = %{x:.1e}<br>|error| = %{y:.2e}<extra></extra>",
            )
        )
        if best_h is not None:
            best_error = float(errors[np.argmin(np.abs(curve.h - best_h))])
            data.append(
                style.trace(
                    "scatter",
                    x=[best_h],
                    y=[best_error],
                    mode="markers+text",
                    name=f"best h, {name.split()[0]}",
                    showlegend=False,
                    text=[f"best h ≈ {sci(best_h, 0)}"],
                    textposition="bottom center",
                    textfont={"color": style.readable(colour), "size": style.FONT_SIZE},
                    marker={"symbol": "star", "size": 20, "color": colour, "line": {"color": "white", "width": 1}},
                    hovertemplate="best h = %{x:.1e}<br>|error| = %{y:.2e}<extra></extra>",
                )
            )
    shape, label = style.vline(
        current_h,
        {"color": style.POINT, "width": 2, "dash": "dot"},
        f"your h = {sci(current_h, 1)}",
        # The h axis runs right-to-left in value, so "right" of the line is towards smaller h.
        "top right" if current_h > 1e-7 else "top left",
    )
    layout = style.base_layout(
        title={"text": f"Where smaller h stops helping ({curve.precision})", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 70, "r": 20, "t": 50, "b": 100},
        shapes=[shape],
        annotations=[label],
        xaxis=style.axis("step h (log scale)", type="log", exponentformat="power", autorange="reversed"),
        yaxis=style.axis("|slope − f′(x₀)| (log scale)", type="log", exponentformat="power"),
    )
    return style.figure(data, layout)
