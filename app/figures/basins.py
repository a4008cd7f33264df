"""The basin map: every start of a grid coloured by where the optimizer took it.

A cell's colour is its destination, one colour per minimum (the same minimum keeps its colour from one
optimizer to the next, since app/compute/basins.py orders the flat points by place); starts still on
their way after the steps are light grey, diverged ones dark grey. The flat points are marked on top:
minima with a lettered star, saddles with a cross, peaks with a triangle.

The grid goes out as a compact typed array of one byte per start. It is drawn by a contour trace
coloured as a heatmap (the app's plotly.js bundle has contour, not heatmap): with one contour level
between neighbouring labels, its lines outline each basin.
"""

from __future__ import annotations

import numpy as np

from app.compute import basins as compute
from app.compute.basins import point_letter, point_name  # noqa: F401 (the pages name points through here too)
from app.compute.surfaces import Surface
from app.figures import style
from app.figures.gradient import equal_axes

# Destinations: Paul Tol's colour-blind-safe "muted" and "light" tints, light enough for the black
# markers and the basin outlines on top to read. Saddles and peaks (only Newton goes there) get the
# darker end of the list.
DESTINATION_COLOURS = ("#88ccee", "#ddcc77", "#cc6677", "#44aa99", "#aa4499", "#999933", "#ee8866", "#bbcc33")
FLAT_POINT_COLOURS = ("#882255", "#332288", "#117733", "#6b5200")
STILL_GOING_COLOUR = "#e6e6e6"
DIVERGED_COLOUR = "#4d4d4d"
MARKERS = {compute.MINIMUM: "star", compute.SADDLE: "x", compute.PEAK: "triangle-up"}


def destination_colours(points: tuple[compute.FlatPoint, ...]) -> list[str]:
    """One colour per flat point, in the points' order: minima from DESTINATION_COLOURS, others darker."""
    colours, minima, others = [], 0, 0
    for point in points:
        if point.kind == compute.MINIMUM:
            colours.append(DESTINATION_COLOURS[minima % len(DESTINATION_COLOURS)])
            minima += 1
        else:
            colours.append(FLAT_POINT_COLOURS[others % len(FLAT_POINT_COLOURS)])
            others += 1
    return colours


def colour_of(points: tuple[compute.FlatPoint, ...], label: int) -> str:
    if label == compute.STILL_GOING:
        return STILL_GOING_COLOUR
    if label == compute.DIVERGED:
        return DIVERGED_COLOUR
    return destination_colours(points)[label]


def _stepped_scale(colours: list[str]) -> list[list]:
    """A colour scale with one flat band per colour, for the integers 0 … n − 1 on a [−0.5, n − 0.5] axis."""
    count = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / count, colour], [(i + 1) / count, colour]]
    return scale


def basin_figure(surface: Surface, basins: compute.Basins, title: str) -> dict:
    """The grid of starts coloured by destination, with the flat points marked."""
    points = basins.points
    colours = [*destination_colours(points), STILL_GOING_COLOUR, DIVERGED_COLOUR]
    # Labels to colour indices: flat points keep theirs; still going and diverged come after them.
    shown = basins.labels.astype(np.int16)
    shown = np.where(shown == compute.STILL_GOING, len(points), shown)
    shown = np.where(shown == compute.DIVERGED, len(points) + 1, shown)
    cells = style.trace(
        "contour",
        x=style.typed(basins.xs.astype(np.float32)),
        y=style.typed(basins.ys.astype(np.float32)),
        z=style.typed(shown.astype(np.int8)),
        zmin=-0.5,
        zmax=len(colours) - 0.5,
        colorscale=_stepped_scale(colours),
        contours={"coloring": "heatmap", "start": 0.5, "end": len(colours) - 1.5, "size": 1.0},
        line={"color": "rgba(40,40,40,0.55)", "width": 1, "smoothing": 0},
        showscale=False,
        hovertemplate="start (%{x:.2f}, %{y:.2f})<extra></extra>",
        name="destinations",
        showlegend=False,
    )
    data = [cells]
    for kind, symbol in MARKERS.items():
        chosen = [i for i, point in enumerate(points) if point.kind == kind]
        if not chosen:
            continue
        data.append(
            style.trace(
                "scatter",
                x=[points[i].x for i in chosen],
                y=[points[i].y for i in chosen],
                mode="markers+text" if kind == compute.MINIMUM else "markers",
                text=[point_letter(points, i) for i in chosen],
                textposition="top right",
                textfont={"size": style.FONT_SIZE + 2, "color": style.TEXT},
                marker={
                    "symbol": symbol,
                    "size": 16 if kind == compute.MINIMUM else 11,
                    "color": "#111111",
                    "line": {"color": "white", "width": 1.5},
                },
                hovertemplate=[f"{point_name(points, i)}<extra></extra>" for i in chosen],
                name=kind,
                showlegend=False,
            )
        )
    layout = style.base_layout(
        title={"text": title, "x": 0.01},
        showlegend=False,
        margin={"l": 55, "r": 10, "t": 50, "b": 50},
        **equal_axes(surface),
    )
    return style.figure(data, layout)
