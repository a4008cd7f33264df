"""Figures for /optimizers: every contestant on one map, in 3-D and on one loss chart.

Each figure holds its scenery (contours, the mesh) and, per contestant i, empty traces tagged for the
step player (assets/player.js): ``path:<axes>:i`` (the trail so far), ``ball:<axes>:i`` (where run i is
at step k), ``line:kl:i`` (its whole loss curve) and ``marker:kl:i`` (its loss at step k). The runs
travel once, in the player's store. A contestant keeps one colour, marker and dash in every view;
Newton's method, the reference, is thin, dark and dashed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.compute.optimizers import EVERYONE, NAMES, NEWTON, Run  # NAMES: figures.NAMES for the pages
from app.compute.surfaces import Surface
from app.figures import style
from app.figures.gradient import Grid, encoded_grid, equal_axes, scene, surface_mesh

# A quiet light grey-blue ramp under the paths, so that every contestant's colour stands out on it.
CONTOUR_SCALE = [[0.0, "#f4f6f8"], [1.0, "#9aa8b6"]]
REFERENCE_COLOUR = style.TEXT  # dark, so a thin dashed line still reads on the contours


@dataclass(frozen=True)
class Look:
    colour: str
    symbol: str
    dash: str
    width: float


def look(key: str) -> Look:
    """One contestant's colour, marker and dash, the same in every view and in the table's swatch."""
    if key == NEWTON:
        return Look(REFERENCE_COLOUR, "x", "dash", 1.5)
    i = EVERYONE.index(key)
    return Look(style.RUN_COLOURS[i], style.RUN_SYMBOLS[i], style.RUN_DASHES[i], 3.0)


def _run_traces(keys: list[str], axes: str) -> list[dict]:
    """Per contestant: its trail and its ball, tagged with its index in the race."""
    kind = "scatter3d" if axes == "xyz" else "scatter"
    empty = {"x": [], "y": [], "z": []} if axes == "xyz" else {"x": [], "y": []}
    traces = []
    for i, key in enumerate(keys):
        seen = look(key)
        symbol = seen.symbol if axes != "xyz" else _symbol_3d(seen.symbol)
        traces.append(
            style.trace(
                kind,
                **{name: [] for name in empty},
                meta=f"path:{axes}:{i}",
                mode="lines",
                name=NAMES[key],
                legendgroup=key,
                line={"color": seen.colour, "width": seen.width + (2 if axes == "xyz" else 0), "dash": seen.dash},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        traces.append(
            style.trace(
                kind,
                **{name: [] for name in empty},
                meta=f"ball:{axes}:{i}",
                mode="markers",
                name=NAMES[key],
                legendgroup=key,
                marker={
                    "color": seen.colour,
                    "symbol": symbol,
                    "size": 11 if axes == "xyz" else 15,
                    "line": {"color": "white", "width": 1.5},
                },
                hovertemplate=f"{NAMES[key]}<br>(%{{x:.4f}}, %{{y:.4f}})<extra></extra>",
            )
        )
    return traces


def _symbol_3d(symbol: str) -> str:
    """scatter3d knows only a few marker symbols; the nearest of them."""
    return {"triangle-up": "diamond-open", "star": "cross", "hexagon": "circle-open"}.get(symbol, symbol)


RUN_TRACES_START = 1  # the scenery (contours or mesh) is trace 0; the runs' traces follow it


def run_traces(keys: list[str], axes: str) -> list[dict]:
    """The contestants' traces alone, for a Patch that replaces them when the line-up changes."""
    return _run_traces(keys, axes)


def contour_race_figure(surface: Surface, grid: Grid, keys: list[str]) -> dict:
    """The contour map with a trail and a ball per contestant; a click on it picks the start."""
    encoded = encoded_grid(surface, grid)
    contours = style.trace(
        "contour",
        x=encoded.copy(encoded.x),
        y=encoded.copy(encoded.y),
        z=encoded.copy(encoded.shown),
        ncontours=22,
        colorscale=CONTOUR_SCALE,
        opacity=0.7,
        line={"color": "rgba(60,60,60,0.45)", "width": 1},
        showscale=False,
        customdata=encoded.copy(encoded.z),
        hovertemplate="x = %{x:.3f}<br>y = %{y:.3f}<br>L = %{customdata:.4g}<extra>click: start here</extra>",
        name="L",
        showlegend=False,
    )
    layout = style.base_layout(
        title={"text": "From above: click to set the start", "x": 0.01},
        showlegend=False,  # the key above both views names every marker (app/pages/optimizers.py)
        margin={"l": 55, "r": 10, "t": 50, "b": 50},
        clickmode="event",
        **equal_axes(surface),
    )
    return style.figure([contours, *_run_traces(keys, "xy")], layout)


def surface_race_figure(surface: Surface, grid: Grid, keys: list[str]) -> dict:
    """The surface in 3-D with one ball (and its trail) per contestant."""
    z_low, z_high = float(np.nanmin(grid.z)), float(np.nanmax(grid.z))
    layout = style.base_layout(
        title={"text": "In 3-D: one ball per optimizer", "x": 0.01},
        showlegend=False,
        margin={"l": 0, "r": 0, "t": 50, "b": 0},
        scene=scene(surface, "L", [z_low, z_high]),
    )
    return style.figure([surface_mesh(surface, grid, "L", 0.75), *_run_traces(keys, "xyz")], layout)


def loss_race_chart(keys: list[str]) -> dict:
    """Every contestant's loss at each step (filled by the player), on a log axis."""
    data = []
    for i, key in enumerate(keys):
        seen = look(key)
        data.append(
            style.trace(
                "scatter",
                x=[],
                y=[],
                meta=f"line:kl:{i}",
                mode="lines",
                name=NAMES[key],
                line={"color": seen.colour, "width": seen.width, "dash": seen.dash},
                hovertemplate=f"{NAMES[key]}<br>step %{{x}}<br>L = %{{y:.6g}}<extra></extra>",
            )
        )
        data.append(
            style.trace(
                "scatter",
                x=[],
                y=[],
                meta=f"marker:kl:{i}",
                mode="markers",
                name=NAMES[key],
                showlegend=False,
                marker={
                    "color": seen.colour,
                    "symbol": seen.symbol,
                    "size": 12,
                    "line": {"color": "white", "width": 1},
                },
                hoverinfo="skip",
            )
        )
    layout = style.base_layout(
        title={"text": "Loss at each step", "x": 0.01},
        showlegend=True,
        legend=style.legend_below(),
        margin={"l": 70, "r": 20, "t": 50, "b": 110},
        xaxis=style.axis("step"),
        yaxis=style.axis("loss L (log scale)", type="log", exponentformat="power"),
    )
    return style.figure(data, layout)


SMALLEST_MOVE = 1e-14


def step_size_figure(runs: list[Run]) -> dict:
    """How far each coordinate moved at each step, |Δx| and |Δy| (log axis): SGD's steps shrink with the
    gradient; Adam's stay near η whatever the gradient's size, different for x and y."""
    data = []
    for run in runs:
        seen = look(run.key)
        moves = np.abs(np.diff(run.positions, axis=0))
        # Moves below SMALLEST_MOVE are rounding, not steps (a coordinate already at its minimum): left
        # off, or a log axis would stretch down to 1e-300 and squash every real step into its top.
        moves[moves < SMALLEST_MOVE] = np.nan
        for axis, dash in ((0, "solid"), (1, "dot")):
            data.append(
                style.trace(
                    "scatter",
                    x0=1,  # step k's move is drawn at x = k: plotly counts the steps, none are sent
                    dx=1,
                    y=style.typed(style.drawable(moves[:, axis])),  # float32: only drawn
                    mode="lines",
                    name=f"{NAMES[run.key]}, {'xy'[axis]}",
                    line={"color": seen.colour, "width": 2.5, "dash": dash},
                    hovertemplate=f"{NAMES[run.key]}, |Δ{'xy'[axis]}|<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
                )
            )
    layout = style.base_layout(
        title={"text": "How far each coordinate moved per step", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 70, "r": 20, "t": 50, "b": 110},
        xaxis=style.axis("step"),
        # Short enough to fit beside the plot at 1280 px; the legend says which line is x (solid) and y (dotted).
        yaxis=style.axis("|Δ| per step (log scale)", type="log", exponentformat="power"),
    )
    return style.figure(data, layout)
