"""Figures for /autograd: the graph torch recorded, and the accumulation pitfall on the loss surface."""

from __future__ import annotations

import numpy as np

from app.compute.autograd import Graph
from app.compute.surfaces import Surface
from app.figures import style
from app.figures.gradient import Grid, equal_axes, faint_contours


def graph_figure(graph: Graph, output_name: str) -> dict:
    """Nodes by depth (the output on top, the leaves at the bottom); arrows show where gradients flow."""
    by_depth: dict[int, list] = {}
    for node in graph.nodes:
        by_depth.setdefault(node.depth, []).append(node)
    position = {}
    for depth, nodes in by_depth.items():
        for i, node in enumerate(nodes):
            position[node.key] = ((i + 1) / (len(nodes) + 1), -depth)
    annotations = []
    for node in graph.nodes:
        x0, y0 = position[node.key]
        for target, gradient in zip(node.inputs, node.sent, strict=False):
            x1, y1 = position[target]
            annotations.append(
                {
                    "x": x1,
                    "y": y1 + 0.18,
                    "ax": x0,
                    "ay": y0 - 0.18,
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowwidth": 2.5,
                    "arrowcolor": style.GRADIENT,
                    "text": "",
                }
            )
            annotations.append(
                {
                    "x": (x0 + x1) / 2,
                    "y": (y0 + y1) / 2,
                    "text": f"<b>{gradient:g}</b>",
                    "showarrow": False,
                    "font": {"color": style.GRADIENT, "size": style.FONT_SIZE},
                    "bgcolor": "rgba(255,255,255,0.9)",
                }
            )
    xs = [position[n.key][0] for n in graph.nodes]
    ys = [position[n.key][1] for n in graph.nodes]
    labels = [
        f"<b>{n.name}</b>"
        + (f" → {n.leaf}.grad" if n.leaf else "")
        + f"<br>{n.local}"
        + (f"<br>gradient in: {', '.join(f'{g:g}' for g in n.arriving)}" if n.arriving else "")
        for n in graph.nodes
    ]
    # Labels sit on the outer side of each node, so neighbours in a row never overlap.
    sides = ["middle left" if x < 0.5 else "middle right" for x in xs]
    nodes = style.trace(
        "scatter",
        x=xs,
        y=ys,
        mode="markers+text",
        text=labels,
        textposition=sides,
        marker={
            "size": 22,
            "color": [style.POINT if n.leaf else style.FUNCTION for n in graph.nodes],
            "line": {"color": "white", "width": 2},
        },
        hoverinfo="skip",
        cliponaxis=False,
        showlegend=False,
    )
    deepest = max(ys) if ys else 0
    layout = style.base_layout(
        title={
            "text": f"The graph torch recorded for {output_name}, and the gradients backward() sent (purple)",
            "x": 0.01,
        },
        margin={"l": 20, "r": 20, "t": 60, "b": 20},
        xaxis=style.axis(visible=False, range=[-0.45, 1.45]),
        yaxis=style.axis(visible=False, range=[min(ys) - 0.5 if ys else -1, deepest + 0.5]),
    )
    if annotations:
        layout["annotations"] = annotations
    return style.figure([nodes], layout)


PITFALL_PATHS = (1, 2)  # positions of the two paths in pitfall_figure, after the contours


def pitfall_overlay(correct: np.ndarray, damaged: np.ndarray) -> dict:
    """The two paths: all that changes when η, the steps or the switch change (the contours stay)."""
    return {
        "traces": {
            index: {"x": style.typed(positions[:, 0]), "y": style.typed(positions[:, 1])}
            for index, positions in zip(PITFALL_PATHS, (correct, damaged), strict=True)
        }
    }


def pitfall_figure(surface: Surface, grid: Grid, correct: np.ndarray, damaged: np.ndarray) -> dict:
    """The right trajectory and the one whose gradients were never zeroed, on the same contours."""
    overlay = pitfall_overlay(correct, damaged)
    data = [faint_contours(surface, grid)]
    for index, name, colour, dash in (
        (PITFALL_PATHS[0], "optimizer.zero_grad() every step", style.TRAIL, "solid"),
        (PITFALL_PATHS[1], "gradients never zeroed: they pile up", style.SECANT, "dash"),
    ):
        data.append(
            style.trace(
                "scatter",
                **overlay["traces"][index],
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 3, "dash": dash},
                marker={"color": colour, "size": 9, "symbol": "arrow", "angleref": "previous"},
                hovertemplate="(%{x:.4f}, %{y:.4f})<extra>" + name + "</extra>",
            )
        )
    layout = style.base_layout(
        title={"text": "Same start, same η: what forgetting to zero .grad does", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 55, "r": 10, "t": 50, "b": 90},
        **equal_axes(surface, "w[0]", "w[1]"),
    )
    return style.figure(data, layout)
