"""Figures for /gradient: the contour map with the partials and the gradient at a point, the 3-D
surface with its tangent plane, and the directional derivative over every direction.

The surface meshes depend only on the surface; everything at the point is built separately
(``contour_overlay``, ``surface_overlay``) so a callback can send just that when only the point moves.

The grid of each surface and its encoding for the browser are computed once per process
(``functools.lru_cache`` on pure functions of an immutable surface: a memo, not state; the arrays are
read-only), since /gradient, /descent, /learning-rate and /autograd all draw the same few meshes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import contourpy
import numpy as np

from app.compute import surfaces
from app.compute.descent import read_only
from app.compute.surfaces import Surface
from app.figures import style

GRID_POINTS = 101  # per axis: enough for smooth contours, small enough to send once
CONTOUR_LEVELS = 18
ARROW_SHARE = 0.3  # the gradient arrow is drawn at most this share of the view's smaller side

# Trace positions, fixed so a Patch can replace exactly the traces that depend on the point.
CONTOUR_LEVEL_LINE, CONTOUR_TANGENT, CONTOUR_POINT = 1, 2, 3
SURFACE_POINT, SURFACE_PLANE = 1, 2


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one grid per surface (below)
class Grid:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray  # f on the grid, shape (len(y), len(x))


@functools.lru_cache(maxsize=32)  # a memo of a pure function of an immutable surface
def surface_grid(surface: Surface) -> Grid:
    """f on a GRID_POINTS × GRID_POINTS grid over the view; read-only, computed once per surface."""
    x = np.linspace(*surface.view_x, GRID_POINTS)
    y = np.linspace(*surface.view_y, GRID_POINTS)
    xx, yy = np.meshgrid(x, y)
    return Grid(read_only(x), read_only(y), read_only(surface.value(xx, yy)))


def shown_values(surface: Surface, z: np.ndarray) -> np.ndarray:
    """What the contour colours: f itself, or log10(1 + f − min) where f spans many decades."""
    return np.log10(1.0 + z - np.nanmin(z)) if surface.log_scale else z


@dataclass(frozen=True)
class EncodedGrid:
    """A grid as the browser receives it (typed-array specs), encoded once: x, y, f, and the values
    the contour colours. Use ``copy`` for a spec to put in a figure."""

    x: dict
    y: dict
    z: dict
    shown: dict

    @staticmethod
    def copy(spec: dict) -> dict:
        return dict(spec)  # the strings inside are immutable; the dict is the caller's own


@functools.lru_cache(maxsize=32)  # a memo, like surface_grid; callers only ever get copies
def encoded_grid(surface: Surface, grid: Grid) -> EncodedGrid:
    z = style.typed(grid.z)
    shown = z if not surface.log_scale else style.typed(shown_values(surface, grid.z))
    return EncodedGrid(style.typed(grid.x), style.typed(grid.y), z, shown)


def equal_axes(surface: Surface, x_title: str = "x", y_title: str = "y") -> dict:
    """Layout for the view box of a surface on equal x and y scales (or right angles would not look
    right); the plot shrinks to fit rather than stretching an axis."""
    return {
        "xaxis": style.axis(x_title, range=list(surface.view_x), constrain="domain", showgrid=False, zeroline=False),
        "yaxis": style.axis(
            y_title,
            range=list(surface.view_y),
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
            showgrid=False,
            zeroline=False,
        ),
    }


def faint_contours(surface: Surface, grid: Grid) -> dict:
    """Grey contour lines as a quiet background for paths drawn on top."""
    encoded = encoded_grid(surface, grid)
    return style.trace(
        "contour",
        x=encoded.copy(encoded.x),
        y=encoded.copy(encoded.y),
        z=encoded.copy(encoded.shown),
        ncontours=18,
        colorscale=[list(stop) for stop in style.GREYS],
        opacity=0.35,
        showscale=False,
        hoverinfo="skip",
        line={"width": 1},
    )


def surface_mesh(surface: Surface, grid: Grid, name: str, opacity: float) -> dict:
    """The surface itself in 3-D, on a viridis scale."""
    encoded = encoded_grid(surface, grid)
    return style.trace(
        "surface",
        x=encoded.copy(encoded.x),
        y=encoded.copy(encoded.y),
        z=encoded.copy(encoded.z),
        colorscale=[list(stop) for stop in style.VIRIDIS],
        opacity=opacity,
        showscale=False,
        name=name,
        hovertemplate="x = %{x:.2f}<br>y = %{y:.2f}<br>" + name + " = %{z:.4g}<extra></extra>",
    )


# The 3-D view. plotly.js draws a scene's tick labels into WebGL, at the box's edges, and from this eye the
# x labels and the z labels start at the same corner, (x min, y min, z min): a z tick on the floor of the
# box sat on the x tick there ("0" over "−5" at 1920x1080). The z ticks therefore start a step clear of
# the floor. The eye is far enough, and the box's centre a little below the middle of the view, that the
# labels at the nearest corner ("5", "−4") stay inside the figure instead of under its bottom edge.
SCENE_EYE = {"x": 1.55, "y": -1.75, "z": 1.2}
SCENE_CENTER = {"x": 0, "y": 0, "z": -0.1}
SCENE_TICKS = 5
CORNER_CLEARANCE = 0.12  # no z tick within this share of the z span above the floor of the box


def finite_extent(values: np.ndarray) -> tuple[float, float]:
    """The lowest and highest finite value (NaN, NaN when there is none)."""
    finite = np.asarray(values)[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (np.nan, np.nan)


def nice_ticks(low: float, high: float, count: int = SCENE_TICKS) -> list[float]:
    """Round tick values across [low, high], as plotly.js picks them for ``nticks=count``: the span over
    count, times a power of ten, rounded up to the next of 2, 5 or 10 above it."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        return []
    rough = (high - low) / count
    power = 10.0 ** np.floor(np.log10(rough))
    step = next(m * power for m in (2, 5, 10) if m * power > rough)
    first = np.ceil(low / step - 1e-9) * step
    values = np.arange(first, high + step * 1e-9, step)
    return [float(round(v / step) * step) + 0.0 for v in values]  # + 0.0: no "−0"


def z_ticks(low: float, high: float) -> list[float]:
    """The z ticks of a scene whose box's floor is at ``low``: none near the floor's corner."""
    floor = low + CORNER_CLEARANCE * (high - low)
    return [v for v in nice_ticks(low, high) if v >= floor]


def scene(
    surface: Surface,
    z_title: str,
    z_range: list[float] | None = None,
    z_extent: tuple[float, float] | None = None,
) -> dict:
    """The 3-D axes and camera shared by every surface view. ``z_range`` fixes the z axis; without it
    plotly fits z to what is drawn, and ``z_extent`` (the surface's lowest and highest value) places the
    ticks."""
    z_axis = {"title": {"text": z_title}, "nticks": SCENE_TICKS}
    if z_range is not None:
        z_axis["range"] = z_range
    low, high = z_range if z_range is not None else (z_extent or (np.nan, np.nan))
    ticks = z_ticks(float(low), float(high))
    if len(ticks) >= 2:
        z_axis.update(tickmode="array", tickvals=ticks)
    return {
        "xaxis": {"title": {"text": "x"}, "range": list(surface.view_x), "nticks": SCENE_TICKS},
        "yaxis": {"title": {"text": "y"}, "range": list(surface.view_y), "nticks": SCENE_TICKS},
        "zaxis": z_axis,
        "camera": {"eye": dict(SCENE_EYE), "center": dict(SCENE_CENTER)},
        "aspectmode": "manual",
        "aspectratio": {"x": 1.2, "y": 1.2, "z": 0.8},
    }


def arrow_scale(surface: Surface, gradient: np.ndarray) -> float:
    """Multiplier for drawing vectors: 1 when ∇f fits, smaller when it would run off the map."""
    room = ARROW_SHARE * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
    length = float(np.linalg.norm(gradient))
    return 1.0 if length <= room else room / length


def _arrow(x, y, dx, dy, colour, text, width=3) -> list[dict]:
    """Two plotly annotations: an arrow from (x, y) to (x + dx, y + dy) in data coordinates, and its
    label just beyond the head (plotly would put an arrow's own text at its tail, on the point)."""
    arrow = {
        "x": x + dx,
        "y": y + dy,
        "ax": x,
        "ay": y,
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "showarrow": True,
        "arrowhead": 2,
        "arrowsize": 1.1,
        "arrowwidth": width,
        "arrowcolor": colour,
        "text": "",
    }
    length = float(np.hypot(dx, dy)) or 1.0
    label = {
        "x": x + dx,
        "y": y + dy,
        "xref": "x",
        "yref": "y",
        "showarrow": False,
        "text": text,
        "font": {"color": style.readable(colour), "size": style.FONT_SIZE + 1},
        "bgcolor": "rgba(255,255,255,0.8)",
        "xshift": 14 * dx / length,
        "yshift": 14 * dy / length,
        "xanchor": "left" if dx > 0.3 * length else ("right" if dx < -0.3 * length else "center"),
        "yanchor": "bottom" if dy > 0.3 * length else ("top" if dy < -0.3 * length else "middle"),
    }
    return [arrow, label]


def level_line(surface: Surface, grid: Grid, x: float, y: float) -> tuple[list, list]:
    """The piece of the contour f = f(x, y) that passes through the point, from contourpy."""
    level = float(surface.value(x, y))
    lines = contourpy.contour_generator(grid.x, grid.y, grid.z).lines(level)
    if not lines:
        return [], []
    # The piece closest to the point is the one through it.
    best = min(lines, key=lambda piece: np.min(np.hypot(piece[:, 0] - x, piece[:, 1] - y)))
    return best[:, 0].tolist(), best[:, 1].tolist()


def contour_overlay(surface: Surface, grid: Grid, x: float, y: float, angle: float, show_descent: bool) -> dict:
    """Everything on the contour map that depends on the point: traces by position, and the arrows."""
    gradient = surface.gradient(x, y)
    scale = arrow_scale(surface, gradient)
    gx, gy = gradient * scale
    level_x, level_y = level_line(surface, grid, x, y)
    tangent = surfaces.level_curve_tangent(surface, x, y)
    half = 0.15 * (surface.view_x[1] - surface.view_x[0])
    tangent_x, tangent_y = (
        ([], [])
        if tangent is None
        else (
            [x - half * tangent[0], x + half * tangent[0]],
            [y - half * tangent[1], y + half * tangent[1]],
        )
    )
    unit = 0.12 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
    theta = np.radians(angle)
    # A partial arrow of (almost) zero length would only put its label on top of the point.
    visible = 0.01 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
    arrows = [
        *(_arrow(x, y, gx, 0.0, style.GRADIENT_PART, "∂f/∂x", width=3) if abs(gx) > visible else []),
        *(_arrow(x, y, 0.0, gy, style.GRADIENT_PART, "∂f/∂y", width=3) if abs(gy) > visible else []),
        *_arrow(x, y, gx, gy, style.GRADIENT, "<b>∇f</b>", width=4),
        *_arrow(x, y, unit * np.cos(theta), unit * np.sin(theta), style.TEXT, "u", width=2),
    ]
    if show_descent:
        arrows += _arrow(x, y, -gx, -gy, style.TANGENT, "<b>−∇f</b>", width=4)
    return {
        "traces": {
            CONTOUR_LEVEL_LINE: {"x": level_x, "y": level_y},
            CONTOUR_TANGENT: {"x": tangent_x, "y": tangent_y},
            CONTOUR_POINT: {"x": [x], "y": [y]},
        },
        "annotations": arrows,
        "title": _contour_title(surface, scale),
    }


def _contour_title(surface: Surface, scale: float) -> str:
    size = "true length" if scale == 1.0 else f"{scale:.3g}× true length"
    return f"f = {surface.label} · arrows at {size}"


def contour_figure(surface: Surface, grid: Grid, x: float, y: float, angle: float, show_descent: bool) -> dict:
    """The contour map with the point, the level line through it, its tangent and the arrows."""
    encoded = encoded_grid(surface, grid)
    overlay = contour_overlay(surface, grid, x, y, angle, show_descent)
    data = [
        style.trace(
            "contour",
            x=encoded.copy(encoded.x),
            y=encoded.copy(encoded.y),
            z=encoded.copy(encoded.shown),
            ncontours=CONTOUR_LEVELS,
            colorscale=[[0.0, "#f4f6f8"], [1.0, "#8fa3b8"]],
            line={"color": "rgba(60,75,90,0.55)", "width": 1},
            showscale=True,
            colorbar={
                "title": {"text": "log₁₀(1 + f − min f)" if surface.log_scale else "f(x, y)", "side": "right"},
                "thickness": 14,
            },
            customdata=encoded.copy(encoded.z),
            hovertemplate=(
                "x = %{x:.3f}<br>y = %{y:.3f}<br>f = %{customdata:.4g}<extra>click to move the point</extra>"
            ),
            name="f",
        ),
        style.trace(
            "scatter",
            **overlay["traces"][CONTOUR_LEVEL_LINE],
            mode="lines",
            name="contour line through the point",
            line={"color": style.TEXT, "width": 3},
            hoverinfo="skip",
        ),
        style.trace(
            "scatter",
            **overlay["traces"][CONTOUR_TANGENT],
            mode="lines",
            name="its tangent at the point",
            line={"color": style.TEXT, "width": 2, "dash": style.GUIDE_DASH},
            hoverinfo="skip",
        ),
        style.trace(
            "scatter",
            **overlay["traces"][CONTOUR_POINT],
            mode="markers",
            name="the point",
            marker={"color": style.POINT, "size": 16, "line": {"color": "white", "width": 2}},
            hovertemplate="(%{x:.3f}, %{y:.3f})<extra></extra>",
        ),
    ]
    layout = style.base_layout(
        title={"text": overlay["title"], "x": 0.01},
        annotations=overlay["annotations"],
        legend=style.legend_below(),
        margin={"l": 60, "r": 10, "t": 50, "b": 90},
        clickmode="event",
        **equal_axes(surface),
    )
    return style.figure(data, layout)


def tangent_plane(surface: Surface, x: float, y: float) -> dict:
    """A square patch of the plane z = f(p) + ∇f·(q − p) around p, as surface-trace data."""
    half = 0.2 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
    px = np.array([x - half, x + half])
    py = np.array([y - half, y + half])
    gx, gy = surface.gradient(x, y)
    z0 = float(surface.value(x, y))
    zz = z0 + gx * (px[None, :] - x) + gy * (py[:, None] - y)
    return {"x": px.tolist(), "y": py.tolist(), "z": zz.tolist()}


def surface_overlay(surface: Surface, x: float, y: float) -> dict:
    z0 = float(surface.value(x, y))
    return {"traces": {SURFACE_POINT: {"x": [x], "y": [y], "z": [z0]}, SURFACE_PLANE: tangent_plane(surface, x, y)}}


def surface_figure(surface: Surface, grid: Grid, x: float, y: float) -> dict:
    """The surface in 3-D, the point on it and the tangent plane there."""
    overlay = surface_overlay(surface, x, y)
    data = [
        surface_mesh(surface, grid, "f", 0.85),
        style.trace(
            "scatter3d",
            **overlay["traces"][SURFACE_POINT],
            mode="markers",
            name="the point",
            marker={"color": style.POINT, "size": 7, "line": {"color": "white", "width": 2}},
        ),
        style.trace(
            "surface",
            **overlay["traces"][SURFACE_PLANE],
            colorscale=[[0, style.TANGENT], [1, style.TANGENT]],
            opacity=0.6,
            showscale=False,
            name="tangent plane",
            hoverinfo="skip",
        ),
    ]
    layout = style.base_layout(
        title={"text": "The surface and its tangent plane at the point", "x": 0.01},
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
        scene=scene(surface, "f", z_extent=finite_extent(grid.z)),
        showlegend=False,
    )
    return style.figure(data, layout)


def directional_figure(gradient: np.ndarray, angle: float) -> dict:
    """D_u f = ∇f·u for every direction, with its peak at ∇f's direction and zeros along the contour."""
    angles = np.linspace(0.0, 360.0, 361)
    values = surfaces.directional_derivative(gradient, angles)
    peak = surfaces.gradient_angle(gradient)
    magnitude = float(np.linalg.norm(gradient))
    zeros = sorted(((peak + 90.0) % 360.0, (peak + 270.0) % 360.0))
    data = [
        style.trace(
            "scatter",
            x=style.typed(angles),
            y=style.typed(values),
            mode="lines",
            name="D_u f",
            line={"color": style.GRADIENT, "width": 3},
            hovertemplate="θ = %{x:.0f}°<br>D_u f = %{y:.4f}<extra></extra>",
        ),
        style.trace(
            "scatter",
            x=zeros,
            y=[0.0, 0.0],
            mode="markers",
            name="along the contour: 0",
            marker={"symbol": "circle-open", "size": 13, "color": style.TEXT, "line": {"width": 2}},
        ),
        style.trace(
            "scatter",
            x=[peak],
            y=[magnitude],
            mode="markers+text",
            name="peak: |∇f|, in ∇f's direction",
            text=[f"|∇f| = {magnitude:.4f}"],
            textposition="top center",
            marker={"symbol": "star", "size": 16, "color": style.GRADIENT},
        ),
        style.trace(
            "scatter",
            x=[angle],
            y=[float(surfaces.directional_derivative(gradient, angle))],
            mode="markers",
            name="your direction u",
            marker={"size": 13, "color": style.POINT, "line": {"color": style.TEXT, "width": 1}},
        ),
    ]
    pad = 0.2 * max(magnitude, 1e-9)
    layout = style.base_layout(
        title={"text": "Slope in every direction: D_u f = ∇f · u", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 60, "r": 10, "t": 50, "b": 100},
        xaxis=style.axis("direction θ of u (degrees)", range=[0, 360], tickvals=list(range(0, 361, 45))),
        yaxis=style.axis("D_u f", range=[-magnitude - pad, magnitude + 2 * pad], zeroline=True),
    )
    return style.figure(data, layout)
