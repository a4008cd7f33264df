"""Figures for /learning-rate: several runs side by side, the stability sweep, and schedules.

Runs that blow up are clipped to the view and marked where they leave it, so one diverging run never
flattens the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.compute.descent import DIVERGED, Trajectory
from app.compute.learning_rate import Sweep
from app.compute.losses import Loss1D
from app.compute.surfaces import Surface
from app.figures import style
from app.figures.gradient import Grid, equal_axes, faint_contours

LOSS_CHART_DECADES_ABOVE = 2  # the loss chart shows up to 100× the largest starting loss


@dataclass(frozen=True)
class Run:
    """One learning rate's run, and how to draw it."""

    learning_rate: float
    trajectory: Trajectory
    index: int  # its place in the list: picks colour, marker and dash

    @property
    def colour(self) -> str:
        return style.RUN_COLOURS[self.index % len(style.RUN_COLOURS)]

    @property
    def name(self) -> str:
        return f"η = {self.learning_rate:g}"

    def look(self) -> dict:
        i = self.index % len(style.RUN_COLOURS)
        return {
            "line": {"color": self.colour, "width": 2.5, "dash": style.RUN_DASHES[i]},
            "marker": {"color": self.colour, "size": 8, "symbol": style.RUN_SYMBOLS[i]},
        }


def _first_outside(values: np.ndarray, low: float, high: float) -> int | None:
    outside = (values < low) | (values > high) | ~np.isfinite(values)
    return int(np.argmax(outside)) if outside.any() else None


def _exit_marker(run: Run, x, y, text: str, textposition: str = "top center", **scatter_kwargs) -> dict:
    return style.trace(
        "scatter",
        x=[x],
        y=[y],
        mode="markers+text",
        text=[text],
        textposition=textposition,
        textfont={"color": style.readable(run.colour)},
        marker={"color": run.colour, "size": 14, "symbol": "x-thin-open", "line": {"width": 3, "color": run.colour}},
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
        **scatter_kwargs,
    )


def runs_on_curve(loss: Loss1D, runs: list[Run]) -> dict:
    """Every run's path on L(w), clipped to the view; a run that leaves it is marked where it does."""
    w = np.linspace(*loss.view_w, 400)
    curve = loss.value(w)
    low_w, high_w = loss.view_w
    top = float(curve.max())
    data = [
        style.trace(
            "scatter",
            x=style.typed(w),
            y=style.typed(curve),
            mode="lines",
            name=f"L(w) = {loss.label}",
            line={"color": style.FUNCTION, "width": 3},
            hoverinfo="skip",
        )
    ]
    for run in runs:
        positions = run.trajectory.positions[:, 0]
        losses = run.trajectory.losses
        leaves = _first_outside(positions, low_w, high_w)
        shown = slice(0, leaves if leaves is not None else len(positions))
        data.append(
            style.trace(
                "scatter",
                x=style.typed(positions[shown]),
                y=style.typed(losses[shown]),
                mode="lines+markers",
                name=run.name,
                customdata=style.typed(np.arange(len(positions))[shown]),
                hovertemplate=f"{run.name}<br>step %{{customdata}}: w = %{{x:.4f}}, L = %{{y:.4f}}<extra></extra>",
                opacity=0.9,
                **run.look(),
            )
        )
        if leaves is not None:
            edge = high_w if positions[leaves] > high_w or not np.isfinite(positions[leaves]) else low_w
            # The words run inwards from the edge the path leaves by, so the figure's edge cannot cut them.
            inwards = "top right" if edge == low_w else "top left"
            data.append(_exit_marker(run, edge, top, f"{run.name} leaves at step {leaves}", inwards))
    layout = style.base_layout(
        title={"text": f"Each run's path on L(w) = {loss.label}", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 60, "r": 20, "t": 50, "b": 110},
        xaxis=style.axis("weight w", range=list(loss.view_w)),
        yaxis=style.axis("loss L(w)", range=[-0.05 * top, 1.12 * top]),
    )
    return style.figure(data, layout)


def losses_per_step(runs: list[Run]) -> dict:
    """The loss at every step for every run, on one log axis capped above the starting losses."""
    starts = [float(run.trajectory.losses[0]) for run in runs if len(run.trajectory.losses)]
    ceiling = max(starts, default=1.0) * 10**LOSS_CHART_DECADES_ABOVE
    positive = [
        losses[(losses > 0) & (losses <= ceiling)] for losses in (np.asarray(run.trajectory.losses) for run in runs)
    ]
    smallest = min((float(p.min()) for p in positive if p.size), default=1e-12)
    floor = max(smallest, 1e-16) / 3
    data = []
    for run in runs:
        losses = run.trajectory.losses
        steps = np.arange(len(losses))
        plotted = np.where(losses > 0, losses, np.nan)  # a loss of exactly 0 has no place on a log axis
        data.append(
            style.trace(
                "scatter",
                x=style.typed(steps),
                y=style.typed(plotted),
                mode="lines+markers",
                name=run.name,
                hovertemplate=f"{run.name}<br>step %{{x}}: L = %{{y:.4g}}<extra></extra>",
                **run.look(),
            )
        )
        over = _first_outside(losses, -np.inf, ceiling)
        if over is not None or run.trajectory.verdict == DIVERGED:
            step = over if over is not None else len(losses)
            data.append(_exit_marker(run, step, ceiling, f"{run.name}: diverges"))
    layout = style.base_layout(
        title={"text": "Loss per step, every run (log scale)", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 70, "r": 20, "t": 50, "b": 110},
        xaxis=style.axis("step"),
        yaxis=style.axis(
            "loss (log scale)",
            type="log",
            exponentformat="power",
            range=[float(np.log10(floor)), float(np.log10(ceiling) + 0.15)],
        ),
    )
    return style.figure(data, layout)


CONTOUR_FIRST_RUN = 1  # runs_on_contour: the contours first, then one trace per run


def contour_runs_overlay(surface: Surface, runs: list[Run]) -> dict:
    """What changes with the runs on the contour map: one trace each (clipped to the map) and a note
    naming the runs that left it. The contours underneath stay as they are."""
    traces, gone = [], []
    for run in runs:
        positions = run.trajectory.positions
        inside = (
            (positions[:, 0] >= surface.view_x[0])
            & (positions[:, 0] <= surface.view_x[1])
            & (positions[:, 1] >= surface.view_y[0])
            & (positions[:, 1] <= surface.view_y[1])
        )
        leaves = int(np.argmax(~inside)) if (~inside).any() else None
        shown = slice(0, leaves if leaves is not None else len(positions))
        traces.append(
            style.trace(
                "scatter",
                x=style.typed(positions[shown, 0]),
                y=style.typed(positions[shown, 1]),
                mode="lines+markers",
                name=run.name,
                hovertemplate=f"{run.name}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
                **run.look(),
            )
        )
        if leaves is not None:
            gone.append(f"{run.name} (step {leaves})")
    notes = []
    if gone:
        # One note for all the runs that left, rather than a label each piled on the start point.
        notes.append(
            {
                "text": "left the map: " + ", ".join(gone),
                "xref": "paper",
                "yref": "paper",
                "x": 0.01,
                "y": 0.99,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "bgcolor": "rgba(255,255,255,0.85)",
                "font": {"color": style.TEXT},
            }
        )
    return {"runs": traces, "annotations": notes}


def runs_on_contour(surface: Surface, grid: Grid, runs: list[Run]) -> dict:
    """Every run's path on the contour map of a quadratic surface, clipped to the map."""
    overlay = contour_runs_overlay(surface, runs)
    layout = style.base_layout(
        title={"text": f"The same learning rates on L = {surface.label}", "x": 0.01},
        legend=style.legend_below(),
        margin={"l": 55, "r": 10, "t": 50, "b": 100},
        annotations=overlay["annotations"],
        **equal_axes(surface),
    )
    return style.figure([faint_contours(surface, grid), *overlay["runs"]], layout)


def sweep_figure(sweeps: list[tuple[str, Sweep, float, float]]) -> dict:
    """Final loss against η for each problem, with the measured critical and fastest η marked.

    ``sweeps`` holds (name, sweep, critical η by theory, fastest η by theory).
    """
    data, shapes, labels = [], [], []
    colours = (style.SECOND_SERIES, style.SECANT)
    for i, (name, result, theory_critical, theory_fastest) in enumerate(sweeps):
        colour = colours[i % len(colours)]
        floor = 1e-30
        finals = np.where(np.isfinite(result.final_losses), np.maximum(result.final_losses, floor), np.nan)
        data.append(
            style.trace(
                "scatter",
                x=style.typed(result.learning_rates),
                y=style.typed(finals),
                mode="lines",
                name=name,
                line={"color": colour, "width": 3, "dash": "solid" if i == 0 else "dash"},
                hovertemplate="η = %{x:.4g}<br>final loss %{y:.3g}<extra>" + name + "</extra>",
            )
        )
        shape, label = style.vline(
            result.critical,
            {"color": colour, "dash": "dot", "width": 2},
            f"critical η = {result.critical:.4g} (theory {theory_critical:.4g})",
            "top right" if i == 0 else "top left",
            font={"color": style.readable(colour)},
        )
        shapes.append(shape)
        labels.append(label)
        fastest_loss = float(finals[np.argmin(np.abs(result.learning_rates - result.fastest))])
        data.append(
            style.trace(
                "scatter",
                x=[result.fastest],
                y=[max(fastest_loss, floor)],
                mode="markers+text",
                text=[f"fastest ≈ {result.fastest:.3g} (theory {theory_fastest:.4g})"],
                textposition="bottom right" if i == 0 else "top left",
                textfont={"color": style.readable(colour)},
                marker={"symbol": "star", "size": 16, "color": colour},
                showlegend=False,
            )
        )
    layout = style.base_layout(
        title={
            "text": "Stability sweep: final loss after the same number of steps, for 200 values of η",
            "x": 0.01,
        },
        legend=style.legend_below(),
        margin={"l": 70, "r": 20, "t": 50, "b": 100},
        xaxis=style.axis("learning rate η (log scale)", type="log", exponentformat="power"),
        yaxis=style.axis("final loss (log scale)", type="log", exponentformat="power"),
    )
    if shapes:
        layout["shapes"], layout["annotations"] = shapes, labels
    return style.figure(data, layout)


# make_subplots(rows=1, cols=2, horizontal_spacing=0.12), written out: the two panels' domains.
_LEFT_DOMAIN, _RIGHT_DOMAIN = [0.0, 0.44], [0.56, 1.0]


def schedule_figure(rates: np.ndarray, constant_run: Trajectory, scheduled_run: Trajectory, name: str) -> dict:
    """The schedule itself, and the loss per step with and without it, side by side."""
    left = {"xaxis": "x", "yaxis": "y"}
    right = {"xaxis": "x2", "yaxis": "y2"}
    data = [
        style.trace(
            "scatter",
            x=style.typed(np.arange(len(rates))),
            y=style.typed(rates),
            mode="lines",
            name="scheduled η",
            line={"color": style.GRADIENT, "width": 3},
            **left,
        ),
        style.trace(
            "scatter",
            x=[0, len(rates) - 1],
            y=[rates[0], rates[0]],
            mode="lines",
            name="constant η",
            line={"color": style.GUIDE, "width": 2, "dash": "dash"},
            **left,
        ),
    ]
    for run, label, colour, dash in (
        (constant_run, "constant η", style.GUIDE, "dash"),
        (scheduled_run, "scheduled η", style.GRADIENT, "solid"),
    ):
        losses = np.where(run.losses > 0, run.losses, np.nan)
        data.append(
            style.trace(
                "scatter",
                x=style.typed(np.arange(len(losses))),
                y=style.typed(losses),
                mode="lines",
                name=label,
                showlegend=False,
                line={"color": colour, "width": 3, "dash": dash},
                **right,
            )
        )

    def panel_title(text: str, x: float) -> dict:
        return {
            "font": {"size": 16},
            "showarrow": False,
            "text": text,
            "x": x,
            "xanchor": "center",
            "xref": "paper",
            "y": 1.0,
            "yanchor": "bottom",
            "yref": "paper",
        }

    layout = style.base_layout(
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        legend=style.legend_below(),
        xaxis=style.axis("step", anchor="y", domain=_LEFT_DOMAIN),
        yaxis=style.axis("η", anchor="x", domain=[0.0, 1.0]),
        xaxis2={"anchor": "y2", "domain": _RIGHT_DOMAIN, "title": {"text": "step"}},
        yaxis2={
            "anchor": "x2",
            "domain": [0.0, 1.0],
            "title": {"text": "loss (log scale)"},
            "type": "log",
            "exponentformat": "power",
        },
        annotations=[panel_title(f"η at each step: {name}", 0.22), panel_title("loss per step", 0.78)],
    )
    return style.figure(data, layout)
