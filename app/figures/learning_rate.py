"""Figures for /learning-rate: several runs side by side, the stability sweep, and schedules.

Runs that blow up are clipped to the view and marked where they leave it, so one diverging run never
flattens the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

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


def _exit_marker(fig, run: Run, x, y, text: str, **scatter_kwargs) -> None:
    fig.add_scatter(
        x=[x],
        y=[y],
        mode="markers+text",
        text=[text],
        textposition="top center",
        textfont={"color": run.colour},
        marker={"color": run.colour, "size": 14, "symbol": "x-thin-open", "line": {"width": 3, "color": run.colour}},
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
        **scatter_kwargs,
    )


def runs_on_curve(loss: Loss1D, runs: list[Run]) -> go.Figure:
    """Every run's path on L(w), clipped to the view; a run that leaves it is marked where it does."""
    w = np.linspace(*loss.view_w, 400)
    curve = loss.value(w)
    low_w, high_w = loss.view_w
    top = float(curve.max())
    fig = go.Figure()
    fig.add_scatter(
        x=w,
        y=curve,
        mode="lines",
        name=f"L(w) = {loss.label}",
        line={"color": style.FUNCTION, "width": 3},
        hoverinfo="skip",
    )
    for run in runs:
        positions = run.trajectory.positions[:, 0]
        losses = run.trajectory.losses
        leaves = _first_outside(positions, low_w, high_w)
        shown = slice(0, leaves if leaves is not None else len(positions))
        fig.add_scatter(
            x=positions[shown],
            y=losses[shown],
            mode="lines+markers",
            name=run.name,
            customdata=np.arange(len(positions))[shown],
            hovertemplate=f"{run.name}<br>step %{{customdata}}: w = %{{x:.4f}}, L = %{{y:.4f}}<extra></extra>",
            opacity=0.9,
            **run.look(),
        )
        if leaves is not None:
            edge = high_w if positions[leaves] > high_w or not np.isfinite(positions[leaves]) else low_w
            _exit_marker(fig, run, edge, top, f"{run.name} leaves at step {leaves}")
    fig.update_layout(
        **style.base_layout(
            title={"text": f"Each run's path on L(w) = {loss.label}", "x": 0.01},
            legend={"orientation": "h", "y": -0.22, "x": 0, "bgcolor": "rgba(0,0,0,0)"},
            margin={"l": 60, "r": 20, "t": 50, "b": 110},
        )
    )
    fig.update_xaxes(title_text="weight w", range=list(loss.view_w))
    fig.update_yaxes(title_text="loss L(w)", range=[-0.05 * top, 1.12 * top])
    return fig


def losses_per_step(runs: list[Run]) -> go.Figure:
    """The loss at every step for every run, on one log axis capped above the starting losses."""
    fig = go.Figure()
    starts = [float(run.trajectory.losses[0]) for run in runs if len(run.trajectory.losses)]
    ceiling = max(starts, default=1.0) * 10**LOSS_CHART_DECADES_ABOVE
    positive = [v for run in runs for v in run.trajectory.losses if 0 < v <= ceiling]
    floor = max(min(positive, default=1e-12), 1e-16) / 3
    for run in runs:
        losses = run.trajectory.losses
        steps = np.arange(len(losses))
        plotted = np.where(losses > 0, losses, np.nan)  # a loss of exactly 0 has no place on a log axis
        fig.add_scatter(
            x=steps,
            y=plotted,
            mode="lines+markers",
            name=run.name,
            hovertemplate=f"{run.name}<br>step %{{x}}: L = %{{y:.4g}}<extra></extra>",
            **run.look(),
        )
        over = _first_outside(losses, -np.inf, ceiling)
        if over is not None or run.trajectory.verdict == DIVERGED:
            step = over if over is not None else len(losses)
            _exit_marker(fig, run, step, ceiling, f"{run.name}: diverges")
    fig.update_layout(
        **style.base_layout(
            title={"text": "Loss per step, every run (log scale)", "x": 0.01},
            legend={"orientation": "h", "y": -0.22, "x": 0, "bgcolor": "rgba(0,0,0,0)"},
            margin={"l": 70, "r": 20, "t": 50, "b": 110},
        )
    )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(
        title_text="loss (log scale)",
        type="log",
        exponentformat="power",
        range=[np.log10(floor), np.log10(ceiling) + 0.15],
    )
    return fig


def runs_on_contour(surface: Surface, grid: Grid, runs: list[Run]) -> go.Figure:
    """Every run's path on the contour map of a quadratic surface, clipped to the map."""
    fig = go.Figure()
    gone = []
    faint_contours(fig, surface, grid)
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
        fig.add_scatter(
            x=positions[shown, 0],
            y=positions[shown, 1],
            mode="lines+markers",
            name=run.name,
            hovertemplate=f"{run.name}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            **run.look(),
        )
        if leaves is not None:
            gone.append(f"{run.name} (step {leaves})")
    if gone:
        # One note for all the runs that left, rather than a label each piled on the start point.
        fig.add_annotation(
            text="left the map: " + ", ".join(gone),
            xref="paper",
            yref="paper",
            x=0.01,
            y=0.99,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
            font={"color": style.TEXT},
        )
    fig.update_layout(
        **style.base_layout(
            title={"text": f"The same learning rates on L = {surface.label}", "x": 0.01},
            legend={"orientation": "h", "y": -0.18, "x": 0, "bgcolor": "rgba(0,0,0,0)"},
            margin={"l": 55, "r": 10, "t": 50, "b": 100},
        )
    )
    equal_axes(fig, surface)
    return fig


def sweep_figure(sweeps: list[tuple[str, Sweep, float, float]]) -> go.Figure:
    """Final loss against η for each problem, with the measured critical and fastest η marked.

    ``sweeps`` holds (name, sweep, critical η by theory, fastest η by theory).
    """
    fig = go.Figure()
    colours = (style.SECOND_SERIES, style.SECANT)
    for i, (name, result, theory_critical, theory_fastest) in enumerate(sweeps):
        colour = colours[i % len(colours)]
        floor = 1e-30
        finals = np.where(np.isfinite(result.final_losses), np.maximum(result.final_losses, floor), np.nan)
        fig.add_scatter(
            x=result.learning_rates,
            y=finals,
            mode="lines",
            name=name,
            line={"color": colour, "width": 3, "dash": "solid" if i == 0 else "dash"},
            hovertemplate="η = %{x:.4g}<br>final loss %{y:.3g}<extra>" + name + "</extra>",
        )
        fig.add_vline(
            x=result.critical,
            line={"color": colour, "dash": "dot", "width": 2},
            annotation_text=f"critical η = {result.critical:.4g} (theory {theory_critical:.4g})",
            annotation_position="top right" if i == 0 else "top left",
            annotation_font={"color": colour},
        )
        fastest_loss = float(finals[np.argmin(np.abs(result.learning_rates - result.fastest))])
        fig.add_scatter(
            x=[result.fastest],
            y=[max(fastest_loss, floor)],
            mode="markers+text",
            text=[f"fastest ≈ {result.fastest:.3g} (theory {theory_fastest:.4g})"],
            textposition="bottom right" if i == 0 else "top left",
            textfont={"color": colour},
            marker={"symbol": "star", "size": 16, "color": colour},
            showlegend=False,
        )
    fig.update_layout(
        **style.base_layout(
            title={
                "text": "Stability sweep: final loss after the same number of steps, for 200 values of η",
                "x": 0.01,
            },
            legend={"orientation": "h", "y": -0.2, "x": 0, "bgcolor": "rgba(0,0,0,0)"},
            margin={"l": 70, "r": 20, "t": 50, "b": 100},
        )
    )
    fig.update_xaxes(title_text="learning rate η (log scale)", type="log", exponentformat="power")
    fig.update_yaxes(title_text="final loss (log scale)", type="log", exponentformat="power")
    return fig


def schedule_figure(rates: np.ndarray, constant_run: Trajectory, scheduled_run: Trajectory, name: str) -> go.Figure:
    """The schedule itself, and the loss per step with and without it, one above the other."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1, cols=2, subplot_titles=(f"η at each step: {name}", "loss per step"), horizontal_spacing=0.12
    )
    fig.add_scatter(
        x=np.arange(len(rates)),
        y=rates,
        mode="lines",
        name="scheduled η",
        line={"color": style.GRADIENT, "width": 3},
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=[0, len(rates) - 1],
        y=[rates[0], rates[0]],
        mode="lines",
        name="constant η",
        line={"color": style.GUIDE, "width": 2, "dash": "dash"},
        row=1,
        col=1,
    )
    for run, label, colour, dash in (
        (constant_run, "constant η", style.GUIDE, "dash"),
        (scheduled_run, "scheduled η", style.GRADIENT, "solid"),
    ):
        losses = np.where(run.losses > 0, run.losses, np.nan)
        fig.add_scatter(
            x=np.arange(len(losses)),
            y=losses,
            mode="lines",
            name=label,
            showlegend=False,
            line={"color": colour, "width": 3, "dash": dash},
            row=1,
            col=2,
        )
    fig.update_layout(
        **style.base_layout(margin={"l": 60, "r": 20, "t": 60, "b": 60}, legend={"orientation": "h", "y": -0.2, "x": 0})
    )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text="η", row=1, col=1)
    fig.update_yaxes(title_text="loss (log scale)", type="log", exponentformat="power", row=1, col=2)
    return fig
