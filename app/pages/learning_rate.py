"""/learning-rate: why the step size matters most.

Layout first, then the callbacks: one takes every change to the runs (eight fixed slots, shown or
hidden), to Steps or to the surface, and redraws the runs, the 2-D comparison and the stability sweep
as that change needs, in one request; one draws the schedule.
"""

from __future__ import annotations

from dataclasses import replace

import dash
from dash import ALL, Input, Output, Patch, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import learning_rate as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, radio_group, table_box, text_box
from app.components.descent import csv_header, csv_rows
from app.components.downloads import csv_button, csv_download, csv_filename
from app.components.formula import (
    CUSTOM,
    FORMULA_KEY,
    SURFACE_PRESETS,
    WINDOW_KEY,
    Chosen,
    FormulaIds,
    formula_controls,
    query_function,
    shown_controls,
    shown_edges,
    shown_formula,
    stored_choice,
    typed_change,
)
from app.components.layout_memo import memoised_layout
from app.components.parse import Choice, Number
from app.components.patching import replace_tail
from app.components.questions import (
    page_link_check,
    question_from_query,
    question_mirrors,
    question_panel,
    register_question_callbacks,
)
from app.components.share import Mirror, link_store, query_choice, query_number, query_numbers, register_url_mirror
from app.components.shell import next_concept_link, page_header, section
from app.compute import learning_rate as theory
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
    read_link=lambda query: read_link(query),  # defined below, once the page's mirrors are
)

ID = ids.LearningRate
LOSS, START = parts.LOSS, parts.START
QUADRATIC_SURFACES = ("bowl", "round", "ravine", "saddle")
SURFACE = Choice("Surface", QUADRATIC_SURFACES)
SCHEDULE = Choice("Schedule", tuple(theory.SCHEDULES))
PRESET = Choice("Preset", tuple(parts.PRESETS))
RUN_COUNT = Number("Runs", 0, parts.MAX_RUNS, whole=True)
STARTING_LR = replace(parts.LEARNING_RATE, name="The starting η")
CSV_HINT_1D = "every run on (w − 3)², step by step: η, w, loss, gradient, update"
CSV_HINT_2D = "every run on this surface, step by step: η, (x, y), loss, gradient, update"


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
        # A dict id cannot be a label's "for"; assets/a11y.js names the box from this instead.
        **{"data-aria-label": f"Learning rate η of run {index + 1}"},
    )


DEFAULT_SURFACE = "bowl"
DEFAULT_SURFACE_STATE = {"surface": DEFAULT_SURFACE, "formula": "", "window": []}  # see components/formula.py
NOT_QUADRATIC = "The factor theory needs a quadratic: its Hessian must be the same everywhere."
FORMULA_IDS = FormulaIds(
    ID.FORMULA,
    ID.FORMULA_MESSAGE,
    (ID.WINDOW_X_FROM, ID.WINDOW_X_TO, ID.WINDOW_Y_FROM, ID.WINDOW_Y_TO),
    ID.WINDOW_MESSAGE,
)
DEFAULT_SCHEDULE = "cosine"
DEFAULT_SCHEDULE_LR = 0.95


def read_surface(state) -> tuple[dict, object] | None:
    """The 2-D section's surface from its store: a quadratic preset, or a typed quadratic; else None."""
    found = stored_choice(SURFACE_PRESETS, state, "surface")
    if found is None or not found[1].quadratic or (found[0].key != CUSTOM and found[0].key not in SURFACE.choices):
        return None
    return found[0].fields("surface"), found[1]


def _surface(state):
    return read_surface(state) or read_surface(DEFAULT_SURFACE_STATE)


def _query_surface(query: dict, notes: list[str]) -> dict:
    key = query_choice(query, "surface", DEFAULT_SURFACE, (*SURFACE.choices, CUSTOM), notes)
    typed = query_function(query, SURFACE_PRESETS, "surface", notes)
    if typed is None and key == CUSTOM:
        key = DEFAULT_SURFACE  # a typed surface lives in its formula; without one, the default
    found = read_surface((typed or Chosen(key, "", [])).fields("surface"))
    if found is None:
        notes.append(f"{FORMULA_KEY}: {NOT_QUADRATIC}")
        return dict(DEFAULT_SURFACE_STATE)
    return found[0]


def state_from_query(query: dict) -> tuple[dict, list[str]]:
    """Every control's first value from a shared link (see the mirror at the end), and notes."""
    notes: list[str] = []
    default_rates = [run["lr"] for run in parts.DEFAULT_RUNS]
    rates = query_numbers(query, "runs", default_rates, parts.LR_MIN, parts.LR_MAX, parts.MAX_RUNS, notes)
    steps = parts.STEPS
    state = {
        "runs": [{"key": i, "lr": lr} for i, lr in enumerate(rates)],
        "steps": query_number(query, "steps", parts.DEFAULT_STEPS, steps.low, steps.high, notes, whole=True),
        "surface": _query_surface(query, notes),
        "schedule": query_choice(query, "schedule", DEFAULT_SCHEDULE, SCHEDULE.choices, notes),
        "schedule_lr": query_number(
            query, "eta0", DEFAULT_SCHEDULE_LR, parts.LR_MIN, parts.LR_MAX, notes, positive=True
        ),
    }
    return state, notes


def _controls(state: dict) -> html.Div:
    """The runs (eight slots, shown or hidden), the presets and the number of steps."""
    return html.Div(
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
            text_box(ID.STEPS, "Steps", str(state["steps"]), parts.STEPS.hint),
            html.Div(id=ID.STEPS_MESSAGE, className="message", role="alert"),
        ],
        className="panel controls",
    )


def _two_weight_section(state: dict) -> html.Section:
    return section(
        "Two weights: the steepest direction sets the limit",
        html.Div(
            [
                radio_group(
                    ID.SURFACE,
                    "Quadratic surface",
                    [{"label": SURFACES[k].label, "value": k} for k in QUADRATIC_SURFACES],
                    state["surface"]["surface"] if state["surface"]["surface"] in SURFACES else None,
                    inline=True,
                ),
                formula_controls(
                    FORMULA_IDS,
                    "L(x, y) =",
                    shown_formula(SURFACE_PRESETS, state["surface"], "surface"),
                    shown_edges(SURFACE_PRESETS, state["surface"], "surface"),
                ),
                dcc.Store(id=ID.SURFACE_STATE, data=state["surface"]),
            ],
            className="panel controls surface-controls",
        ),
        html.Div(
            [
                graph(ID.CONTOUR, summary_id=ID.CONTOUR_SUMMARY),
                html.Div(
                    [
                        html.P(id=ID.RULE_2D, className="explanation"),
                        table_box(ID.FACTORS, "The factor of each Hessian direction, per run"),
                        csv_button(ID.CSV_BUTTON_2D, ID.CSV_DOWNLOAD_2D, "Download the 2-D runs (CSV)", CSV_HINT_2D),
                    ]
                ),
            ],
            className="two-columns",
        ),
    )


def _sweep_section() -> html.Section:
    low, high = theory.SWEEP_RANGE
    return section(
        "Stability sweep",
        html.P(
            f"Every η from {low:g} to {high:g}, run for the same number of steps, in one vectorised pass.",
            className="section-idea",
        ),
        graph(ID.SWEEP, "secondary-figure", ID.SWEEP_SUMMARY),
        html.P(id=ID.SWEEP_TEXT, className="explanation"),
    )


def _schedule_section(state: dict) -> html.Section:
    return section(
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
                        text_box(ID.SCHEDULE_LR, "Starting η", f"{state['schedule_lr']:g}", STARTING_LR.hint),
                        html.Div(id=ID.SCHEDULE_MESSAGE, className="message", role="alert"),
                    ]
                ),
            ],
            className="two-columns",
        ),
        graph(ID.SCHEDULE_FIGURE, "secondary-figure", ID.SCHEDULE_SUMMARY),
        html.P(id=ID.SCHEDULE_TEXT, className="explanation"),
    )


@memoised_layout
def layout(**query):
    state, notes = state_from_query(query)
    question = question_from_query(PATH, query, notes)
    return html.Div(
        [
            page_header(
                "The learning rate: how big a step?",
                "Gradient descent only says which way is downhill; η decides how far to go. Too small crawls, "
                "too large overshoots, and one precise value in between oscillates for ever.",
                notes,
            ),
            question_panel(PATH, question),
            html.Div(
                [_controls(state), html.Div([graph(ID.CURVE, summary_id=ID.CURVE_SUMMARY)], className="figure-block")],
                className="workbench",
            ),
            graph(ID.LOSSES, "secondary-figure", ID.LOSSES_SUMMARY),
            table_box(ID.TABLE, "The runs compared"),
            csv_button(ID.CSV_BUTTON, ID.CSV_DOWNLOAD, "Download the runs (CSV)", CSV_HINT_1D),
            html.Div(id=ID.RULE),
            _two_weight_section(state),
            _sweep_section(),
            _schedule_section(state),
            code_panel("learning-rate"),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.RUNS, data=state["runs"]),
            dcc.Store(id=ID.STEPS_STATE, data=state["steps"]),
            dcc.Store(id=ID.DRAWN_CONTOUR),
        ],
        className="page learning-rate",
    )


def _valid_runs(runs) -> list[dict]:
    """The runs from the browser, kept only if each is a number in range; at most MAX_RUNS."""
    good = []
    if isinstance(runs, list):
        for run in runs[: parts.MAX_RUNS]:
            lr = parts.LEARNING_RATE.read(run.get("lr")) if isinstance(run, dict) else None
            if lr is not None:
                good.append({"key": len(good), "lr": lr})
    return good


def _steps(stored) -> int:
    """The Steps value every section uses: the last one the page accepted (see sync_steps)."""
    steps = parts.STEPS.read(stored)
    return parts.DEFAULT_STEPS if steps is None else steps


def _parse_lr(text, name="η"):
    return parts.LEARNING_RATE.parse(text, name)


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
        elif PRESET.read(key):
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
                    # An echo of our own update: nothing changed. (A tuple of no_update would be refused by
                    # Dash for the ALL outputs, which need lists: a 500 seen under bench/load.py's class.)
                    raise dash.exceptions.PreventUpdate
                runs[index]["lr"] = parsed.value
            else:
                message = parsed.message
    runs = [{"key": i, "lr": run["lr"]} for i, run in enumerate(runs)]
    values = [f"{runs[i]['lr']:g}" if i < len(runs) else "" for i in range(parts.MAX_RUNS)]
    classes = ["run-slot" if i < len(runs) else "run-slot hidden" for i in range(parts.MAX_RUNS)]
    return runs, values, classes, message, clear_new


def sync_steps(steps_text):
    """Accept a typed Steps value once, for every section and the code; a refusal keeps the last one."""
    parsed = parts.STEPS.parse(steps_text)
    return (parsed.value, "") if parsed.ok else (dash.no_update, parsed.message)


def _one_weight_runs(runs, steps: int) -> list[tuple[float, object]]:
    """(η, run) on (w − 3)² for each valid run: what the page draws and what its CSV holds."""
    return [(run["lr"], LOSS.descent(START, run["lr"], steps)) for run in _valid_runs(runs)]


def _surface_runs(runs, surface, steps: int) -> list[tuple[float, object]]:
    """(η, run) on the 2-D surface from its start, for each valid run: drawn, and saved as CSV."""
    return [(run["lr"], surface.descent(surface.start, run["lr"], steps)) for run in _valid_runs(runs)]


def _long_rows(runs: list[tuple[float, object]]) -> list[list]:
    """Every run's rows under one header, each led by its η: one row per step and run (long format)."""
    return [[lr, *row] for lr, trajectory in runs for row in csv_rows(trajectory)]


def draw_runs(runs, stored_steps):
    """Each run on (w − 3)²: its path, its loss per step, its factor and verdict."""
    steps = _steps(stored_steps)
    computed = _one_weight_runs(runs, steps)
    drawn = [figures.Run(lr, trajectory, i) for i, (lr, trajectory) in enumerate(computed)]
    return (
        figures.runs_on_curve(LOSS, drawn),
        figures.losses_per_step(drawn),
        parts.run_rows(LOSS, computed),
        parts.one_weight_rule(LOSS),
        parts.curve_summary(LOSS, START, steps, computed),
        parts.losses_summary(computed),
    )


def draw_two_weights(runs, surface_state, stored_steps, on_screen):
    """The same η values on a quadratic surface, and the factor of each Hessian direction. While the
    browser's map shows this surface, only the runs are sent: the contours stay."""
    _, surface = _surface(surface_state)
    steps = _steps(stored_steps)
    rates = [run["lr"] for run in _valid_runs(runs)]
    drawn = [figures.Run(lr, trajectory, i) for i, (lr, trajectory) in enumerate(_surface_runs(runs, surface, steps))]
    shown_runs = _runs_on_screen(on_screen, surface.key)
    if shown_runs is None:
        contour = figures.runs_on_contour(surface, surface_grid(surface), drawn)
    else:
        overlay = figures.contour_runs_overlay(surface, drawn)
        contour = replace_tail(Patch(), figures.CONTOUR_FIRST_RUN, shown_runs, overlay["runs"])
        contour["layout"]["annotations"] = overlay["annotations"]
    return (
        contour,
        parts.factor_table(surface, rates),
        parts.two_weight_rule(surface),
        parts.contour_summary(surface, [(run.learning_rate, run.trajectory) for run in drawn]),
        {"surface": surface.key, "runs": len(drawn)},
    )


def _runs_on_screen(on_screen, surface_key: str) -> int | None:
    """How many runs the browser's map holds, if it shows this surface; None if it must be drawn whole."""
    if not isinstance(on_screen, dict) or on_screen.get("surface") != surface_key:
        return None
    return RUN_COUNT.read(on_screen.get("runs"))


def sync_surface(surface_key, formula_text, *edges_and_state):
    """A preset, a typed L(x, y) or a new window, kept only if it is a quadratic; else the message says why."""
    *edge_texts, state = edges_and_state
    state, _ = _surface(state)
    trigger = ctx.triggered_id
    no = dash.no_update
    refused = [no] * (len(FORMULA_IDS.edges) + 5)
    if trigger == ID.SURFACE:
        found = read_surface(Chosen(surface_key, "", []).fields("surface")) if SURFACE.read(surface_key) else None
        if found is None:
            return tuple(refused)
    else:
        chosen, message_id, message = typed_change(
            SURFACE_PRESETS, state, "surface", FORMULA_IDS, trigger, formula_text, edge_texts
        )
        found = None if message else read_surface(chosen.fields("surface"))
        if found is None:
            message_id = message_id or (ID.FORMULA_MESSAGE if trigger == ID.FORMULA else ID.WINDOW_MESSAGE)
            refused[-2 if message_id == ID.FORMULA_MESSAGE else -1] = message or NOT_QUADRATIC
            return tuple(refused)
    state = found[0]
    preset = state["surface"] if state["surface"] in SURFACES else None
    return (state, preset, *shown_controls(SURFACE_PRESETS, state, "surface"), "", "")


def draw_sweep(surface_state, stored_steps):
    """Final loss against η for (w − 3)² and the chosen surface, with their critical and fastest η."""
    _, surface = _surface(surface_state)
    steps = _steps(stored_steps)
    # Memoised per (problem, steps): a class asks for the same few sweeps over and over.
    one = theory.loss_sweep(LOSS, START, steps, *theory.SWEEP_RANGE)
    two = theory.surface_sweep(surface, steps, *theory.SWEEP_RANGE)
    one_theory, two_theory = theory.loss_theory(LOSS), theory.surface_theory(surface)
    return (
        figures.sweep_figure(
            [
                (f"L(w) = {LOSS.label}", one, one_theory.critical, one_theory.fastest),
                (f"L = {surface.label}", two, two_theory.critical, two_theory.fastest),
            ]
        ),
        parts.sweep_text(one, one_theory.critical, two, two_theory.critical, surface),
        parts.sweep_summary(one, two, surface, steps),
    )


# edit_runs' answer: the runs, the eight slots, the message, the new-η box.
RUN_OUTPUTS = (
    Output(ID.RUNS, "data"),
    Output({"type": ID.RUN_INPUT, "index": ALL}, "value"),
    Output({"type": ID.RUN_SLOT, "index": ALL}, "className"),
    Output(ID.RUNS_MESSAGE, "children"),
    Output(ID.NEW_LR, "value"),
)

# sync_steps' answer.
STEPS_OUTPUTS = (
    Output(ID.STEPS_STATE, "data"),
    Output(ID.STEPS_MESSAGE, "children"),
)

# sync_surface's answer: the surface, the preset, the formula and window, the messages.
SURFACE_OUTPUTS = (
    Output(ID.SURFACE_STATE, "data"),
    Output(ID.SURFACE, "value"),
    Output(ID.FORMULA, "value"),
    *(Output(edge, "value") for edge in FORMULA_IDS.edges),
    Output(ID.FORMULA_MESSAGE, "children"),
    Output(ID.WINDOW_MESSAGE, "children"),
)

# draw_runs' drawing.
CURVE_OUTPUTS = (
    Output(ID.CURVE, "figure"),
    Output(ID.LOSSES, "figure"),
    Output(ID.TABLE, "children"),
    Output(ID.RULE, "children"),
    Output(ID.CURVE_SUMMARY, "children"),
    Output(ID.LOSSES_SUMMARY, "children"),
)

# draw_two_weights' drawing.
CONTOUR_OUTPUTS = (
    Output(ID.CONTOUR, "figure"),
    Output(ID.FACTORS, "children"),
    Output(ID.RULE_2D, "children"),
    Output(ID.CONTOUR_SUMMARY, "children"),
    Output(ID.DRAWN_CONTOUR, "data"),
)

# draw_sweep's drawing.
SWEEP_OUTPUTS = (
    Output(ID.SWEEP, "figure"),
    Output(ID.SWEEP_TEXT, "children"),
    Output(ID.SWEEP_SUMMARY, "children"),
)


# One request per change: the control that moved (a run, Steps, the surface) is validated and every part
# it changes is drawn in the same callback. Separate callbacks fed by the stores cost each change two or
# three more round trips (and a page open five). The schedule has its own controls and callback.
@callback(
    *RUN_OUTPUTS,
    *STEPS_OUTPUTS,
    *SURFACE_OUTPUTS,
    *CURVE_OUTPUTS,
    *CONTOUR_OUTPUTS,
    *SWEEP_OUTPUTS,
    Input(ID.ADD, "n_clicks"),
    Input(ID.NEW_LR, "n_submit"),
    Input({"type": ID.PRESET, "index": ALL}, "n_clicks"),
    Input({"type": ID.RUN_REMOVE, "index": ALL}, "n_clicks"),
    Input({"type": ID.RUN_INPUT, "index": ALL}, "value"),
    Input(ID.STEPS, "value"),
    Input(ID.SURFACE, "value"),
    Input(ID.FORMULA, "value"),
    *(Input(edge, "value") for edge in FORMULA_IDS.edges),
    State(ID.NEW_LR, "value"),
    State(ID.RUNS, "data"),
    State(ID.STEPS_STATE, "data"),
    State(ID.SURFACE_STATE, "data"),
    State(ID.DRAWN_CONTOUR, "data"),
)
def edit_and_draw(add, submit, presets, removes, slot_values, steps_text, surface_key, formula_text, *rest):
    """The answer of the control that moved, and each part of the page that its change redraws."""
    *edge_texts, new_lr, runs, stored_steps, surface_state, on_screen = rest
    trigger = ctx.triggered_id
    no = dash.no_update
    # The slots' values and classes are wildcard outputs: Dash takes a list there, one entry per slot.
    slots = [no] * len(ctx.outputs_list[1])
    run_answer, steps_answer, surface_answer = (no, slots, slots, no, no), (no,) * 2, (no,) * len(SURFACE_OUTPUTS)
    if trigger == ID.STEPS:
        steps_answer = sync_steps(steps_text)
        changed = steps_answer[0] is not no
        stored_steps = steps_answer[0] if changed else stored_steps
        redraw = (changed, changed, changed)  # the curve, the map and the sweep all use Steps
    elif trigger == ID.SURFACE or trigger == ID.FORMULA or trigger in FORMULA_IDS.edges:
        surface_answer = sync_surface(surface_key, formula_text, *edge_texts, surface_state)
        changed = surface_answer[0] is not no
        surface_state = surface_answer[0] if changed else surface_state
        redraw = (False, changed, changed)
    else:  # a run added, edited, removed or preset; or the page opening, which draws everything
        run_answer = edit_runs(add, submit, presets, removes, slot_values, new_lr, runs)
        changed = trigger is None or run_answer[0] != _valid_runs(runs)
        runs = run_answer[0]
        redraw = (changed, changed, trigger is None)
    draw_curve, draw_map, draw_sweep_now = redraw
    return (
        *run_answer,
        *steps_answer,
        *surface_answer,
        *(draw_runs(runs, stored_steps) if draw_curve else (no,) * len(CURVE_OUTPUTS)),
        *(draw_two_weights(runs, surface_state, stored_steps, on_screen) if draw_map else (no,) * len(CONTOUR_OUTPUTS)),
        *(draw_sweep(surface_state, stored_steps) if draw_sweep_now else (no,) * len(SWEEP_OUTPUTS)),
    )


@callback(
    Output(ID.SCHEDULE_FIGURE, "figure"),
    Output(ID.SCHEDULE_TEXT, "children"),
    Output(ID.SCHEDULE_MESSAGE, "children"),
    Output(ID.SCHEDULE_SUMMARY, "children"),
    Input(ID.SCHEDULE, "value"),
    Input(ID.SCHEDULE_LR, "value"),
    Input(ID.STEPS_STATE, "data"),
)
def draw_schedule(schedule_key, lr_text, stored_steps):
    """The chosen schedule, and the same run with it and with a constant η."""
    parsed = STARTING_LR.parse(lr_text)
    if not parsed.ok:
        return dash.no_update, dash.no_update, parsed.message, dash.no_update
    label, make = theory.SCHEDULES[SCHEDULE.read(schedule_key) or DEFAULT_SCHEDULE]
    steps = max(_steps(stored_steps), 2)
    rates = make(parsed.value, steps)
    constant_run = LOSS.descent(START, parsed.value, steps)
    scheduled_run = LOSS.descent(START, rates, steps)
    return (
        figures.schedule_figure(rates, constant_run, scheduled_run, label),
        parts.schedule_text(label, constant_run, scheduled_run),
        "",
        parts.schedule_summary(label, rates, constant_run, scheduled_run),
    )


@callback(
    Output(ID.CSV_DOWNLOAD, "data"),
    Input(ID.CSV_BUTTON, "n_clicks"),
    State(ID.RUNS, "data"),
    State(ID.STEPS_STATE, "data"),
    prevent_initial_call=True,
)
def download_runs(_clicks, runs, stored_steps):
    """Every run the page shows on (w − 3)², from the stored runs and Steps; none valid saves nothing."""
    steps = parts.STEPS.read(stored_steps)
    computed = _one_weight_runs(runs, steps) if steps is not None else []
    if not computed:
        return dash.no_update
    filename = csv_filename("learning-rate", LOSS.key, f"{len(computed)}runs", f"{steps}steps")
    return csv_download(filename, ["eta", *csv_header(("w",))], _long_rows(computed))


@callback(
    Output(ID.CSV_DOWNLOAD_2D, "data"),
    Input(ID.CSV_BUTTON_2D, "n_clicks"),
    State(ID.RUNS, "data"),
    State(ID.SURFACE_STATE, "data"),
    State(ID.STEPS_STATE, "data"),
    prevent_initial_call=True,
)
def download_surface_runs(_clicks, runs, surface_state, stored_steps):
    """Every run the page shows on the 2-D surface; an invalid surface, Steps or list of runs saves nothing."""
    found, steps = read_surface(surface_state), parts.STEPS.read(stored_steps)
    computed = _surface_runs(runs, found[1], steps) if found is not None and steps is not None else []
    if not computed:
        return dash.no_update
    filename = csv_filename("learning-rate", found[1].key, f"{len(computed)}runs", f"{steps}steps")
    return csv_download(filename, ["eta", *csv_header(("x", "y"))], _long_rows(computed))


def _code(runs, stored_steps):
    rates = [run["lr"] for run in _valid_runs(runs)]
    return codegen.learning_rate_code(LOSS, rates, _steps(stored_steps), START)


register_code_panel("learning-rate", [State(ID.RUNS, "data"), State(ID.STEPS_STATE, "data")], _code)


# The address bar follows every control (assets/share.js); state_from_query reads it back.
URL_MIRRORS = [
    Mirror("runs", ID.RUNS, item="lr", default=parts.DEFAULT_RUNS),
    Mirror("steps", ID.STEPS_STATE, default=parts.DEFAULT_STEPS),
    Mirror("surface", ID.SURFACE_STATE, field="surface", default=DEFAULT_SURFACE),
    Mirror(FORMULA_KEY, ID.SURFACE_STATE, field="formula", default=""),
    Mirror(WINDOW_KEY, ID.SURFACE_STATE, field="window", default=[]),
    Mirror("schedule", ID.SCHEDULE, prop="value", default=DEFAULT_SCHEDULE),
    Mirror(
        "eta0",
        ID.SCHEDULE_LR,
        prop="value",
        kind="number",
        default=DEFAULT_SCHEDULE_LR,
        low=STARTING_LR.low,
        high=STARTING_LR.high,
    ),
]
register_url_mirror(ID.LINK, URL_MIRRORS + question_mirrors(PATH))
read_link = page_link_check(PATH, URL_MIRRORS, state_from_query)  # a lesson's step here is checked with it
register_question_callbacks(PATH)
