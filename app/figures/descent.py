"""Figures for /descent. Each holds the unchanging scenery (the curve or surface) plus empty traces
for the run, tagged with ``meta`` so the browser-side player knows what to draw in each:

    path:<axes>   the trail so far          ghost:<axes>  the whole run, faint
    ball:<axes>   the current position      arrow:<axes>  −∇L at the ball, green
    line:kl       the loss at every step    marker:kl     the loss at the current step

where <axes> is xl (1-D: w and L), xy (contour) or xyz (3-D). The run itself travels once, in a
dcc.Store, and assets/descent.js fills these traces from it.
"""

from __future__ import annotations

import numpy as np

from app.compute.losses import Loss1D
from app.compute.surfaces import Surface
from app.figures import style
from app.figures.gradient import Grid, encoded_grid, equal_axes, scene, surface_mesh

EMPTY = {"x": [], "y": []}
EMPTY_3D = {"x": [], "y": [], "z": []}

LOSS_AXIS_LOG = "loss L (log scale)"  # assets/player.js writes "loss L" when the axis turns linear


def _run_traces(axes: str) -> list[dict]:
    """The empty, tagged traces every run view carries, in drawing order."""
    kind = "scatter3d" if axes == "xyz" else "scatter"
    empty = EMPTY_3D if axes == "xyz" else EMPTY
    width = 5 if axes == "xyz" else 3
    return [
        style.trace(
            kind,
            **{key: [] for key in empty},
            meta=f"ghost:{axes}",
            mode="lines",
            name="whole run",
            line={"color": style.TRAIL, "width": width - 2, "dash": "dot"},
            opacity=0.45,
            hoverinfo="skip",
        ),
        style.trace(
            kind,
            **{key: [] for key in empty},
            meta=f"path:{axes}",
            mode="lines+markers",
            name="path so far",
            line={"color": style.TRAIL, "width": width},
            # Each step is a point with an arrowhead turned the way that step went (2-D views).
            marker=(
                {"color": style.TRAIL, "size": 3}
                if axes == "xyz"
                else {"color": style.TRAIL, "size": 11, "symbol": "arrow", "angleref": "previous"}
            ),
            hoverinfo="skip",
        ),
        style.trace(
            kind,
            **{key: [] for key in empty},
            meta=f"arrow:{axes}",
            mode="lines+markers",
            name="−∇L, the way downhill",
            line={"color": style.TANGENT, "width": width + 1},
            # In 2-D the head is an arrow marker turned along the segment; scatter3d has no such marker.
            marker=(
                {"size": 4, "color": style.TANGENT}
                if axes == "xyz"
                else {"size": [0, 16], "symbol": "arrow", "angleref": "previous", "color": style.TANGENT}
            ),
            hoverinfo="skip",
        ),
        style.trace(
            kind,
            **{key: [] for key in empty},
            meta=f"ball:{axes}",
            mode="markers",
            name="current position",
            marker={"color": style.POINT, "size": 9 if axes == "xyz" else 16, "line": {"color": "white", "width": 2}},
            hovertemplate="(%{x:.4f}, %{y:.4f})<extra>ball</extra>",
        ),
    ]


def curve_1d_figure(loss: Loss1D) -> dict:
    """L(w) over the view, ready for a run to be drawn on it."""
    w = np.linspace(*loss.view_w, 400)
    values = loss.value(w)
    low, high = float(np.min(values)), float(np.max(values))
    pad = 0.08 * (high - low)
    data = [
        style.trace(
            "scatter",
            x=style.typed(w),
            y=style.typed(values),
            mode="lines",
            name=f"L(w) = {loss.label}",
            line={"color": style.FUNCTION, "width": 3},
            hovertemplate="w = %{x:.4f}<br>L = %{y:.4f}<extra></extra>",
        ),
        *_run_traces("xl"),
    ]
    layout = style.base_layout(
        title={"text": f"L(w) = {loss.label}: each step moves w by −η·L′(w)", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 60, "r": 20, "t": 50, "b": 100},
        xaxis=style.axis("weight w", range=list(loss.view_w)),
        yaxis=style.axis("loss L(w)", range=[low - pad, high + pad]),
    )
    return style.figure(data, layout)


def contour_run_figure(surface: Surface, grid: Grid) -> dict:
    """The contour map of a surface, ready for a run; a click on it picks the start."""
    encoded = encoded_grid(surface, grid)
    data = [
        style.trace(
            "contour",
            x=encoded.copy(encoded.x),
            y=encoded.copy(encoded.y),
            z=encoded.copy(encoded.shown),
            ncontours=20,
            colorscale=[list(stop) for stop in style.VIRIDIS],
            opacity=0.55,
            line={"color": "rgba(40,40,40,0.35)", "width": 1},
            showscale=False,
            customdata=encoded.copy(encoded.z),
            hovertemplate="x = %{x:.3f}<br>y = %{y:.3f}<br>L = %{customdata:.4g}<extra>click: start here</extra>",
            name="L",
        ),
        *_run_traces("xy"),
    ]
    layout = style.base_layout(
        title={"text": "From above: contours and the path", "x": 0.01},
        showlegend=False,
        margin={"l": 55, "r": 10, "t": 50, "b": 50},
        clickmode="event",
        **equal_axes(surface),
    )
    return style.figure(data, layout)


def surface_run_figure(surface: Surface, grid: Grid) -> dict:
    """The loss surface in 3-D, ready for the ball, its trail and the descent arrow."""
    z_low, z_high = float(np.nanmin(grid.z)), float(np.nanmax(grid.z))
    layout = style.base_layout(
        title={"text": f"L = {surface.label}: the ball rolls downhill", "x": 0.01},
        showlegend=False,
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
        # z fixed to the surface's own range: a diverging ball leaves the box, the view stays.
        scene=scene(surface, "L", [z_low, z_high]),
    )
    return style.figure([surface_mesh(surface, grid, "L", 0.8), *_run_traces("xyz")], layout)


def loss_chart() -> dict:
    """The loss at every step; the player fills it and switches to a log axis when losses are > 0."""
    data = [
        style.trace(
            "scatter",
            x=[],
            y=[],
            meta="line:kl",
            mode="lines",
            name="loss",
            line={"color": style.FUNCTION, "width": 3},
            hovertemplate="step %{x}<br>L = %{y:.6g}<extra></extra>",
        ),
        style.trace(
            "scatter",
            x=[],
            y=[],
            meta="marker:kl",
            mode="markers",
            name="current step",
            marker={"color": style.POINT, "size": 14, "line": {"color": "white", "width": 2}},
            hovertemplate="step %{x}<br>L = %{y:.6g}<extra></extra>",
        ),
    ]
    layout = style.base_layout(
        title={"text": "Loss at each step", "x": 0.01},
        showlegend=False,
        margin={"l": 70, "r": 20, "t": 50, "b": 55},
        xaxis=style.axis("step"),
        # assets/player.js turns the axis linear (and says so) when a run's loss reaches 0 or below.
        yaxis=style.axis(LOSS_AXIS_LOG, type="log", exponentformat="power"),
    )
    return style.figure(data, layout)
