"""/learning-rate: why the step size matters most.

Layout first, then the callbacks: one edits the list of runs (eight fixed slots, shown or hidden), and
one each draws the runs, the 2-D comparison, the stability sweep and a schedule.
"""

from __future__ import annotations

import math

import dash
import numpy as np
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import learning_rate as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, radio_group, text_box
from app.components.parse import parse_number
from app.components.share import Mirror, link_store, query_choice, query_number, query_numbers, register_url_mirror
from app.components.shell import next_concept_link, page_header, section
from app.compute import learning_rate as theory
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.figures import learning_rate as figures
from app.figures import style
from app.figures.gradient import surface_grid

PATH = "/learning-rate"
dash.register_page(
    __name__,
    path=PATH,
    name="Learning rate",
    title="The learning rate",
    order=4,
    description="Too small crawls, too large explodes: the learning rate decides, and a little algebra predicts it.",
)

ID = ids.LearningRate
LOSS = LOSSES["square"]  # (w − 3)², the chapter's example for learning rates
START = 0.0
QUADRATIC_SURFACES = ("bowl", "round", "ravine", "saddle")
MAX_STEPS = 500
SWEEP_RANGE = (1e-3, 2.0)


def _run_slot(index: int) -> html.Div:
    colour = style.RUN_COLOURS[index]
    return html.Div(
        [
            html.Span(style={"background": colour}, className="swatch", **{"aria-hidden": "true"}),
            html.Span("η", className="axis-label", **{"aria-hidden": "true"}),
            dcc.Input(
                id={"type": ID.RUN_INPUT, "index": index},
                type="text",
                inputMode="decimal",
                debounce=True,
                autoComplete="off",
                className="exact-input",
            ),
            html.Button(
                "✕",
                id={"type": ID.RUN_REMOVE, "index": index},
                n_clicks=0,
                className="remove",
                title="Remove this run",
                **{"aria-label": f"Remove run {index + 1}"},
            ),
        ],
        id={"type": ID.RUN_SLOT, "index": index},
        className="run-slot",
        # A dict id cannot be a label's "for"; assets/shell.js names the box from this instead.
        **{"data-aria-label": f"Learning rate η of run {index + 1}"},
    )


DEFAULT_SURFACE = "bowl"
DEFAULT_SCHEDULE = "cosine"
DEFAULT_SCHEDULE_LR = 0.95


def state_from_query(query: dict) -> tuple[dict, list[str]]:
    """Every control's first value from a shared link (see the mirror at the end), and notes."""
    notes: list[str] = []
    default_rates = [run["lr"] for run in parts.DEFAULT_RUNS]
    rates = query_numbers(query, "runs", default_rates, parts.LR_MIN, parts.LR_MAX, parts.MAX_RUNS, notes)
    state = {
        "runs": [{"key": i, "lr": lr} for i, lr in enumerate(rates)],
        "steps": query_number(query, "steps", parts.DEFAULT_STEPS, 1, MAX_STEPS, notes, whole=True),
        "surface": query_choice(query, "surface", DEFAULT_SURFACE, QUADRATIC_SURFACES, notes),
        "schedule": query_choice(query, "schedule", DEFAULT_SCHEDULE, tuple(theory.SCHEDULES), notes),
        "schedule_lr": query_number(
            query, "eta0", DEFAULT_SCHEDULE_LR, parts.LR_MIN, parts.LR_MAX, notes, positive=True
        ),
    }
    return state, notes


def layout(**query):
    state, notes = state_from_query(query)
    controls = html.Div(
        [
            html.Span(f"Runs (up to {parts.MAX_RUNS})", className="control-label"),
            html.Div([_run_slot(i) for i in range(parts.MAX_RUNS)], className="run-list"),
            html.Div(
                [
                    dcc.Input(
                        id=ID.NEW_LR,
                        type="text",
                        inputMode="decimal",
                        placeholder="new η, e.g. 0.5",
                        className="exact-input",
                        autoComplete="off",
                        debounce=True,
                    ),
                    html.Button("+ Add run", id=ID.ADD, n_clicks=0, className="primary"),
                ],
                className="add-row",
                **{"data-aria-label": "Learning rate η of a new run"},
            ),
            html.Div(id=ID.RUNS_MESSAGE, className="message", role="alert"),
            html.Div(
                [
                    html.Span("Presets: add one, or all five", className="control-label"),
                    html.Div(
                        [
                            html.Button(
                                f"{name}: {lr:g}", id={"type": ID.PRESET, "index": key}, n_clicks=0, className="preset"
                            )
                            for key, (name, lr) in parts.PRESETS.items()
                        ]
                        + [
                            html.Button(
                                "all five", id={"type": ID.PRESET, "index": "all"}, n_clicks=0, className="preset"
                            )
                        ],
                        className="preset-row",
                    ),
                ],
                className="control",
            ),
            text_box(ID.STEPS, "Steps", str(state["steps"]), f"1 to {MAX_STEPS}"),
            html.Div(id=ID.STEPS_MESSAGE, className="message", role="alert"),
        ],
        className="panel controls",
    )
    return html.Div(
        [
            page_header(
                "The learning rate: how big a step?",
                "Gradient descent only says which way is downhill; η decides how far to go. Too small crawls, "
                "too large overshoots, and one precise value in between oscillates for ever.",
                notes,
            ),
            html.Div(
                [controls, html.Div([graph(ID.CURVE, summary_id=ID.CURVE_SUMMARY)], className="figure-block")],
                className="workbench",
            ),
            graph(ID.LOSSES, "secondary-figure", ID.LOSSES_SUMMARY),
            html.Div(id=ID.TABLE, className="table-wrap"),
            html.Div(id=ID.RULE),
            section(
                "Two weights: the steepest direction sets the limit",
                radio_group(
                    ID.SURFACE,
                    "Quadratic surface",
                    [{"label": SURFACES[k].label, "value": k} for k in QUADRATIC_SURFACES],
                    state["surface"],
                    inline=True,
                ),
                html.Div(
                    [
                        graph(ID.CONTOUR, summary_id=ID.CONTOUR_SUMMARY),
                        html.Div(
                            [
                                html.P(id=ID.RULE_2D, className="explanation"),
                                html.Div(id=ID.FACTORS, className="table-wrap"),
                            ]
                        ),
                    ],
                    className="two-columns",
                ),
            ),
            section(
                "Stability sweep",
                html.P(
                    "Every η from 0.001 to 2, run for the same number of steps, in one vectorised pass.",
                    className="section-idea",
                ),
                graph(ID.SWEEP, "secondary-figure", ID.SWEEP_SUMMARY),
                html.P(id=ID.SWEEP_TEXT, className="explanation"),
            ),
            section(
                "Beyond the chapter: learning-rate schedules",
                html.Div(
                    [
                        radio_group(
                            ID.SCHEDULE,
                            "Schedule",
                            [{"label": label, "value": key} for key, (label, _) in theory.SCHEDULES.items()],
                            state["schedule"],
                        ),
                        html.Div(
                            [
                                text_box(ID.SCHEDULE_LR, "Starting η", f"{state['schedule_lr']:g}"),
                                html.Div(id=ID.SCHEDULE_MESSAGE, className="message", role="alert"),
                            ]
                        ),
                    ],
                    className="two-columns",
                ),
                graph(ID.SCHEDULE_FIGURE, "secondary-figure", ID.SCHEDULE_SUMMARY),
                html.P(id=ID.SCHEDULE_TEXT, className="explanation"),
            ),
            code_panel("learning-rate"),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.RUNS, data=state["runs"]),
        ],
        className="page learning-rate",
    )


def _valid_runs(runs) -> list[dict]:
    """The runs from the browser, kept only if each is a number in range; at most MAX_RUNS."""
    good = []
    if isinstance(runs, list):
        for run in runs[: parts.MAX_RUNS]:
            try:
                lr = float(run["lr"])
            except (KeyError, TypeError, ValueError):
                continue
            if parts.LR_MIN <= lr <= parts.LR_MAX:
                good.append({"key": len(good), "lr": lr})
    return good


def _parse_lr(text, name="η"):
    return parse_number(text, name, parts.LR_MIN, parts.LR_MAX, positive=True)


@callback(
    Output(ID.RUNS, "data"),
    Output({"type": ID.RUN_INPUT, "index": ALL}, "value"),
    Output({"type": ID.RUN_SLOT, "index": ALL}, "className"),
    Output(ID.RUNS_MESSAGE, "children"),
    Output(ID.NEW_LR, "value"),
    Input(ID.ADD, "n_clicks"),
    Input(ID.NEW_LR, "n_submit"),
    Input({"type": ID.PRESET, "index": ALL}, "n_clicks"),
    Input({"type": ID.RUN_REMOVE, "index": ALL}, "n_clicks"),
    Input({"type": ID.RUN_INPUT, "index": ALL}, "value"),
    State(ID.NEW_LR, "value"),
    State(ID.RUNS, "data"),
)
def edit_runs(_add, _submit, _presets, _removes, slot_values, new_lr, runs):
    """Add, edit, remove or preset runs; a refused η is explained and changes nothing."""
    runs = _valid_runs(runs)
    if not ctx.triggered_id and not runs:
        runs = _valid_runs(parts.DEFAULT_RUNS)
    trigger = ctx.triggered_id
    message = ""
    clear_new = dash.no_update
    if trigger in (ID.ADD, ID.NEW_LR):
        parsed = _parse_lr(new_lr, "The new η")
        if not parsed.ok:
            message = parsed.message
        elif len(runs) >= parts.MAX_RUNS:
            message = f"At most {parts.MAX_RUNS} runs at once: remove one first."
        else:
            runs.append({"key": len(runs), "lr": parsed.value})
            clear_new = ""
    elif isinstance(trigger, dict) and trigger.get("type") == ID.PRESET:
        key = trigger.get("index")
        if key == "all":
            runs = _valid_runs(parts.DEFAULT_RUNS)
        elif isinstance(key, str) and key in parts.PRESETS:  # a forged trigger's list/dict index is unhashable
            lr = parts.PRESETS[key][1]
            if any(run["lr"] == lr for run in runs):
                message = f"η = {lr:g} is already running."
            elif len(runs) >= parts.MAX_RUNS:
                message = f"At most {parts.MAX_RUNS} runs at once: remove one first."
            else:
                runs.append({"key": len(runs), "lr": lr})
    elif isinstance(trigger, dict) and trigger.get("type") == ID.RUN_REMOVE:
        index = trigger.get("index")
        if isinstance(index, int) and 0 <= index < len(runs):
            runs.pop(index)
    elif isinstance(trigger, dict) and trigger.get("type") == ID.RUN_INPUT:
        index = trigger.get("index")
        if isinstance(index, int) and 0 <= index < len(runs):
            parsed = _parse_lr(slot_values[index] if index < len(slot_values) else None, f"Run {index + 1}: η")
            if parsed.ok:
                if parsed.value == runs[index]["lr"]:
                    return (dash.no_update,) * 5  # an echo of our own update: nothing changed
                runs[index]["lr"] = parsed.value
            else:
                message = parsed.message
    runs = [{"key": i, "lr": run["lr"]} for i, run in enumerate(runs)]
    values = [f"{runs[i]['lr']:g}" if i < len(runs) else "" for i in range(parts.MAX_RUNS)]
    classes = ["run-slot" if i < len(runs) else "run-slot hidden" for i in range(parts.MAX_RUNS)]
    return runs, values, classes, message, clear_new


def _steps(text) -> int | None:
    parsed = parse_number(text, "Steps", 1, MAX_STEPS)
    return int(parsed.value) if parsed.ok and parsed.value == int(parsed.value) else None


def _steps_message(text) -> str:
    parsed = parse_number(text, "Steps", 1, MAX_STEPS)
    if not parsed.ok:
        return parsed.message
    return "" if parsed.value == int(parsed.value) else f"Steps must be a whole number; {parsed.value:g} is not."


@callback(
    Output(ID.CURVE, "figure"),
    Output(ID.LOSSES, "figure"),
    Output(ID.TABLE, "children"),
    Output(ID.RULE, "children"),
    Output(ID.STEPS_MESSAGE, "children"),
    Output(ID.CURVE_SUMMARY, "children"),
    Output(ID.LOSSES_SUMMARY, "children"),
    Input(ID.RUNS, "data"),
    Input(ID.STEPS, "value"),
)
def draw_runs(runs, steps_text):
    """Each run on (w − 3)²: its path, its loss per step, its factor and verdict."""
    steps = _steps(steps_text)
    if steps is None:
        return (dash.no_update,) * 4 + (_steps_message(steps_text),) + (dash.no_update,) * 2
    computed = [(run["lr"], LOSS.descent(START, run["lr"], steps)) for run in _valid_runs(runs)]
    drawn = [figures.Run(lr, trajectory, i) for i, (lr, trajectory) in enumerate(computed)]
    return (
        figures.runs_on_curve(LOSS, drawn),
        figures.losses_per_step(drawn),
        parts.run_rows(LOSS, computed),
        parts.one_weight_rule(LOSS),
        "",
        parts.curve_summary(LOSS, START, steps, computed),
        parts.losses_summary(computed),
    )


@callback(
    Output(ID.CONTOUR, "figure"),
    Output(ID.FACTORS, "children"),
    Output(ID.RULE_2D, "children"),
    Output(ID.CONTOUR_SUMMARY, "children"),
    Input(ID.RUNS, "data"),
    Input(ID.SURFACE, "value"),
    Input(ID.STEPS, "value"),
)
def draw_two_weights(runs, surface_key, steps_text):
    """The same η values on a quadratic surface, and the factor of each Hessian direction."""
    surface = SURFACES[surface_key if surface_key in QUADRATIC_SURFACES else DEFAULT_SURFACE]
    steps = _steps(steps_text) or parts.DEFAULT_STEPS
    rates = [run["lr"] for run in _valid_runs(runs)]
    drawn = [figures.Run(lr, surface.descent(surface.start, lr, steps), i) for i, lr in enumerate(rates)]
    return (
        figures.runs_on_contour(surface, surface_grid(surface), drawn),
        parts.factor_table(surface, rates),
        parts.two_weight_rule(surface),
        parts.contour_summary(surface, [(run.learning_rate, run.trajectory) for run in drawn]),
    )


@callback(
    Output(ID.SWEEP, "figure"),
    Output(ID.SWEEP_TEXT, "children"),
    Output(ID.SWEEP_SUMMARY, "children"),
    Input(ID.SURFACE, "value"),
    Input(ID.STEPS, "value"),
)
def draw_sweep(surface_key, steps_text):
    """Final loss against η for (w − 3)² and the chosen surface, with their critical and fastest η."""
    surface = SURFACES[surface_key if surface_key in QUADRATIC_SURFACES else DEFAULT_SURFACE]
    steps = _steps(steps_text) or parts.DEFAULT_STEPS
    # Memoised per (problem, steps): a class asks for the same few sweeps over and over.
    one = theory.loss_sweep(LOSS, START, steps, *SWEEP_RANGE)
    two = theory.surface_sweep(surface, steps, *SWEEP_RANGE)
    eigenvalues = np.linalg.eigvalsh(surface.hessian(0.0, 0.0))
    curvature = LOSS.curvature_at_minimum()
    one_critical, two_critical = 2 / curvature, 2 / float(np.max(np.abs(eigenvalues)))
    two_fastest = 2 / float(eigenvalues.min() + eigenvalues.max()) if np.all(eigenvalues > 0) else math.nan
    return (
        figures.sweep_figure(
            [
                (f"L(w) = {LOSS.label}", one, one_critical, 1 / curvature),
                (f"L = {surface.label}", two, two_critical, two_fastest),
            ]
        ),
        parts.sweep_text(one, one_critical, two, two_critical, surface),
        parts.sweep_summary(one, two, surface, steps),
    )


@callback(
    Output(ID.SCHEDULE_FIGURE, "figure"),
    Output(ID.SCHEDULE_TEXT, "children"),
    Output(ID.SCHEDULE_MESSAGE, "children"),
    Output(ID.SCHEDULE_SUMMARY, "children"),
    Input(ID.SCHEDULE, "value"),
    Input(ID.SCHEDULE_LR, "value"),
    Input(ID.STEPS, "value"),
)
def draw_schedule(schedule_key, lr_text, steps_text):
    """The chosen schedule, and the same run with it and with a constant η."""
    parsed = _parse_lr(lr_text, "The starting η")
    if not parsed.ok:
        return dash.no_update, dash.no_update, parsed.message, dash.no_update
    label, make = theory.SCHEDULES.get(schedule_key, theory.SCHEDULES["cosine"])
    steps = max(_steps(steps_text) or parts.DEFAULT_STEPS, 2)
    rates = make(parsed.value, steps)
    constant_run = LOSS.descent(START, parsed.value, steps)
    scheduled_run = LOSS.descent(START, rates, steps)
    return (
        figures.schedule_figure(rates, constant_run, scheduled_run, label),
        parts.schedule_text(label, constant_run, scheduled_run),
        "",
        parts.schedule_summary(label, rates, constant_run, scheduled_run),
    )


def _code(runs, steps_text):
    rates = [run["lr"] for run in _valid_runs(runs)]
    return codegen.learning_rate_code(LOSS, rates, _steps(steps_text) or parts.DEFAULT_STEPS, START)


register_code_panel("learning-rate", [State(ID.RUNS, "data"), State(ID.STEPS, "value")], _code)


# The address bar follows every control (assets/share.js); state_from_query reads it back.
URL_MIRRORS = [
    Mirror("runs", ID.RUNS, item="lr", default=parts.DEFAULT_RUNS),
    Mirror(
        "steps", ID.STEPS, prop="value", kind="number", default=parts.DEFAULT_STEPS, low=1, high=MAX_STEPS, whole=True
    ),
    Mirror("surface", ID.SURFACE, prop="value", default=DEFAULT_SURFACE),
    Mirror("schedule", ID.SCHEDULE, prop="value", default=DEFAULT_SCHEDULE),
    Mirror(
        "eta0",
        ID.SCHEDULE_LR,
        prop="value",
        kind="number",
        default=DEFAULT_SCHEDULE_LR,
        low=parts.LR_MIN,
        high=parts.LR_MAX,
    ),
]
register_url_mirror(ID.LINK, URL_MIRRORS)
