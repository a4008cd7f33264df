"""/descent: gradient descent on one weight, then on a loss surface in 2-D and 3-D.

Layout first, then the callbacks. For each section one callback validates the control that moved into
the last good state and computes its run once, in one request; the step player (assets/player.js)
replays the run in the browser.
"""

from __future__ import annotations

import math
from dataclasses import replace

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import descent as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, point_boxes, presets, radio_group, slider_with_input, table_box, text_box
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
from app.components.parse import Choice, Number, clicked_point, read_fields, typed_start
from app.components.player import DEFAULT_SPEED, SPEEDS, figure_id, player, player_id, register_player_callback
from app.components.questions import (
    page_link_check,
    question_from_query,
    question_mirrors,
    question_panel,
    register_question_callbacks,
)
from app.components.share import (
    Mirror,
    link_store,
    query_choice,
    query_number,
    query_point,
    query_step,
    register_url_mirror,
)
from app.components.shell import next_concept_link, page_header, section
from app.compute.descent import MAX_STEPS
from app.compute.losses import DEFAULT_LOSS, LOSSES
from app.compute.surfaces import SURFACES
from app.figures import descent as figures
from app.figures.gradient import surface_grid

PATH = "/descent"
dash.register_page(
    __name__,
    path=PATH,
    name="Descent",
    title="Gradient descent",
    order=3,
    description="Walk downhill one step at a time: gradient descent on one weight, then on a 3-D loss surface.",
    read_link=lambda query: read_link(query),  # defined below, once the page's mirrors are
)

ID = ids.Descent
P = ids.Player
LR_MIN, LR_MAX = 1e-4, 10.0
SURFACE_CHOICES = ("bowl", "rosenbrock", "saddle", "himmelblau", "ravine", "round")
LEARNING_RATE = Number("η", LR_MIN, LR_MAX, positive=True)
LOG_LEARNING_RATE = Number("log₁₀ η", math.log10(LR_MIN), math.log10(LR_MAX))
STEPS = Number("Steps", 1, MAX_STEPS, whole=True)
LOSS = Choice("Loss", tuple(LOSSES))
SURFACE = Choice("Surface", SURFACE_CHOICES)
COORDINATE = Number("A coordinate")  # each loss's and surface's own view bounds are checked after this

DEFAULT_1D = {"loss": DEFAULT_LOSS, "w0": LOSSES[DEFAULT_LOSS].default_start, "lr": 0.1, "steps": 10}
# formula and window: a typed L(x, y)'s canonical text and its window; empty for a preset (formula.py)
NO_FORMULA = {"formula": "", "window": []}
DEFAULT_2D = {"surface": "bowl", **NO_FORMULA, "x0": 4.0, "y0": 3.0, "lr": 0.05, "steps": 8}
FORMULA_IDS = FormulaIds(
    ID.FORMULA,
    ID.FORMULA_MESSAGE,
    (ID.WINDOW_X_FROM, ID.WINDOW_X_TO, ID.WINDOW_Y_FROM, ID.WINDOW_Y_TO),
    ID.WINDOW_MESSAGE,
)


PRESETS_2D = {
    "chapter": ("The chapter: x² + 3y², η = 0.05", DEFAULT_2D),
    "rosenbrock": ("Rosenbrock's valley", {"surface": "rosenbrock", "x0": -1.5, "y0": 2.0, "lr": 0.002, "steps": 3000}),
    "too-big": ("Too large an η", {"surface": "bowl", "x0": 4.0, "y0": 3.0, "lr": 0.4, "steps": 60}),
    "himmelblau": (
        "Himmelblau's four minima",
        {"surface": "himmelblau", "x0": -0.5, "y0": 0.5, "lr": 0.01, "steps": 300},
    ),
    "saddle": ("Escaping a saddle", {"surface": "saddle", "x0": 2.5, "y0": 0.01, "lr": 0.1, "steps": 40}),
}
PRESET_2D = Choice("Preset", tuple(PRESETS_2D))
CSV_HINT = "every step: position, loss, gradient and update"


def _lr_control(slider_id, input_id, message_id, value):
    return slider_with_input(
        label="Learning rate η",
        hint=f"log scale, {LEARNING_RATE.low:g} to {LEARNING_RATE.high:g}",
        slider_id=slider_id,
        input_id=input_id,
        message_id=message_id,
        min=math.log10(LR_MIN),
        max=math.log10(LR_MAX),
        step=0.01,
        value=math.log10(value),
        input_value=f"{value:g}",
        marks={-4: "1e-4", -2: "0.01", 0: "1", 1: "10"},
        log_of="η",
    )


def _one_weight_section(state: dict, start_step: int | None, speed: int):
    # The page opens with its run already drawn (the layout is memoised per link): no request on opening.
    run, curve, verdict, explanation, table, drawn_loss = run_one_weight(state, None)
    controls = html.Div(
        [
            radio_group(
                ID.LOSS,
                "Loss L(w)",
                [{"label": item.label, "value": key} for key, item in LOSSES.items()],
                state["loss"],
            ),
            text_box(ID.W0_INPUT, "Start w₀", f"{state['w0']:g}"),
            _lr_control(ID.LR1_SLIDER, ID.LR1_INPUT, ID.LR1_MESSAGE, state["lr"]),
            text_box(ID.STEPS1_INPUT, "Steps", str(state["steps"]), f"{STEPS.low:g} to {STEPS.high:,}"),
            html.Div(id=ID.MESSAGE1, className="message", role="alert"),
        ],
        className="panel controls",
    )
    views = html.Div(
        [
            graph(figure_id(ID.ONE_D, "curve"), figure=curve),
            player(ID.ONE_D, start_step, speed, run),
            html.P(verdict, id=ID.VERDICT1, className="verdict", role="status"),
            csv_button(ID.CSV_BUTTON1, ID.CSV_DOWNLOAD1, "Download the one-weight run (CSV)", CSV_HINT),
        ],
        className="figure-block",
    )
    return html.Div(
        [
            html.Div([controls, views], className="workbench"),
            html.P(explanation, id=ID.EXPLANATION1, className="explanation"),
            html.Div(
                [
                    graph(figure_id(ID.ONE_D, "loss"), "secondary-figure", figure=figures.loss_chart()),
                    table_box(ID.TABLE1, "The one-weight run, step by step", table),
                ],
                className="two-columns",
            ),
            dcc.Store(id=ID.STATE1, data=state),
            dcc.Store(id=ID.DRAWN_LOSS, data=drawn_loss),
        ],
        **{"data-player-scope": ID.ONE_D},
    )


def _two_weight_section(state: dict, start_step: int | None, speed: int):
    run, surface_figure, contour_figure, drawn_surface, verdict, explanation, table = run_two_weights(state, None)
    controls = html.Div(
        [
            radio_group(
                ID.SURFACE,
                "Loss surface L(x, y)",
                [{"label": SURFACES[key].label, "value": key} for key in SURFACE_CHOICES],
                state["surface"] if state["surface"] in SURFACES else None,
            ),
            formula_controls(
                FORMULA_IDS,
                "L(x, y) =",
                shown_formula(SURFACE_PRESETS, state, "surface"),
                shown_edges(SURFACE_PRESETS, state, "surface"),
            ),
            point_boxes(
                "Start (x₀, y₀)",
                "type, or click the contour map",
                [(ID.X0_INPUT, "x₀", f"{state['x0']:g}"), (ID.Y0_INPUT, "y₀", f"{state['y0']:g}")],
            ),
            _lr_control(ID.LR2_SLIDER, ID.LR2_INPUT, ID.LR2_MESSAGE, state["lr"]),
            text_box(ID.STEPS2_INPUT, "Steps", str(state["steps"]), f"{STEPS.low:g} to {STEPS.high:,}"),
            html.Div(id=ID.MESSAGE2, className="message", role="alert"),
            presets(ID.PRESET, {key: label for key, (label, _) in PRESETS_2D.items()}),
        ],
        className="panel controls",
    )
    views = html.Div(
        [
            html.Div(
                [
                    graph(figure_id(ID.TWO_D, "surface"), figure=surface_figure),
                    graph(figure_id(ID.TWO_D, "contour"), figure=contour_figure),
                ],
                className="two-columns tight",
            ),
            player(ID.TWO_D, start_step, speed, run),
            html.P(verdict, id=ID.VERDICT2, className="verdict", role="status"),
            csv_button(ID.CSV_BUTTON2, ID.CSV_DOWNLOAD2, "Download the two-weight run (CSV)", CSV_HINT),
        ],
        className="figure-block",
    )
    return html.Div(
        [
            html.Div([controls, views], className="workbench"),
            html.P(explanation, id=ID.EXPLANATION2, className="explanation"),
            html.Div(
                [
                    graph(figure_id(ID.TWO_D, "loss"), "secondary-figure", figure=figures.loss_chart()),
                    table_box(ID.TABLE2, "The two-weight run, step by step", table),
                ],
                className="two-columns",
            ),
            dcc.Store(id=ID.STATE2, data=state),
            dcc.Store(id=ID.DRAWN_SURFACE, data=drawn_surface),
        ],
        **{"data-player-scope": ID.TWO_D},
    )


def state_from_query(query: dict) -> tuple[dict, dict, dict, list[str]]:
    """Both sections' first states, their players' step and speed, from a shared link (see URL_MIRROR)."""
    notes: list[str] = []
    loss_key = query_choice(query, "loss", DEFAULT_1D["loss"], tuple(LOSSES), notes)
    low, high = LOSSES[loss_key].view_w
    # A w₀ or (x₀, y₀) left out of the link is the page's default when it fits, as the mirror assumes.
    w0_fallback = DEFAULT_1D["w0"] if low <= DEFAULT_1D["w0"] <= high else LOSSES[loss_key].default_start
    one = {
        "loss": loss_key,
        "w0": query_number(query, "w0", w0_fallback, low, high, notes),
        "lr": query_number(query, "lr1", DEFAULT_1D["lr"], LR_MIN, LR_MAX, notes, positive=True),
        "steps": query_number(query, "steps1", DEFAULT_1D["steps"], STEPS.low, STEPS.high, notes, whole=True),
    }
    key = query_choice(query, "surface", DEFAULT_2D["surface"], (*SURFACE_CHOICES, CUSTOM), notes)
    typed = query_function(query, SURFACE_PRESETS, "surface", notes)
    if typed is None and key == CUSTOM:
        key = DEFAULT_2D["surface"]  # a typed surface lives in its formula; without one, the default
    chosen, surface = stored_choice(SURFACE_PRESETS, (typed or Chosen(key, "", [])).fields("surface"), "surface")
    x0, y0 = query_point(query, ("x0", "y0"), surface, (DEFAULT_2D["x0"], DEFAULT_2D["y0"]), surface.start, notes)
    two = chosen.fields("surface") | {
        "x0": x0,
        "y0": y0,
        "lr": query_number(query, "lr2", DEFAULT_2D["lr"], LR_MIN, LR_MAX, notes, positive=True),
        "steps": query_number(query, "steps2", DEFAULT_2D["steps"], STEPS.low, STEPS.high, notes, whole=True),
    }
    steps = {ID.ONE_D: query_step(query, "step1", notes), ID.TWO_D: query_step(query, "step2", notes)}
    speeds = {
        ID.ONE_D: int(query_choice(query, "speed1", str(DEFAULT_SPEED), tuple(map(str, SPEEDS)), notes)),
        ID.TWO_D: int(query_choice(query, "speed2", str(DEFAULT_SPEED), tuple(map(str, SPEEDS)), notes)),
    }
    return one, two, {"steps": steps, "speeds": speeds}, notes


@memoised_layout
def layout(**query):
    one, two, players, notes = state_from_query(query)
    question = question_from_query(PATH, query, notes)
    steps, speeds = players["steps"], players["speeds"]
    return html.Div(
        [
            page_header(
                "Gradient descent: walking downhill",
                "The gradient points uphill, so step the other way: w ← w − η·∇L. Repeat, and the loss falls.",
                notes,
            ),
            question_panel(PATH, question),
            section("One weight", _one_weight_section(one, steps[ID.ONE_D], speeds[ID.ONE_D])),
            section("Two weights: a loss surface", _two_weight_section(two, steps[ID.TWO_D], speeds[ID.TWO_D])),
            html.P(
                "Keys: space plays or pauses the player you last used, ← and → step through it.",
                className="hint-text",
            ),
            code_panel("descent"),
            next_concept_link(PATH),
            link_store(ID.LINK),
        ],
        className="page descent",
    )


register_player_callback()


def _mirrors(suffix: str, section: str, store: str, fields: dict, defaults: dict) -> list[Mirror]:
    """One section's state, its player's paused step and its speed, as URL keys."""
    return [Mirror(key, store, field=field, default=defaults[field]) for key, field in fields.items()] + [
        Mirror(f"step{suffix}", player_id(P.STATE, section), kind="frame"),
        Mirror(f"speed{suffix}", player_id(P.SPEED, section), prop="value", default=DEFAULT_SPEED),
    ]


# The address bar follows both sections (assets/share.js); state_from_query reads it back.
URL_MIRRORS = _mirrors(
    "1", ID.ONE_D, ID.STATE1, {"loss": "loss", "w0": "w0", "lr1": "lr", "steps1": "steps"}, DEFAULT_1D
) + _mirrors(
    "2",
    ID.TWO_D,
    ID.STATE2,
    {"surface": "surface", FORMULA_KEY: "formula", WINDOW_KEY: "window", "x0": "x0", "y0": "y0", "lr2": "lr"}
    | {"steps2": "steps"},
    DEFAULT_2D,
)
register_url_mirror(ID.LINK, URL_MIRRORS + question_mirrors(PATH))
read_link = page_link_check(PATH, URL_MIRRORS, state_from_query)  # a lesson's step here is checked with it
register_question_callbacks(PATH)


# ---- validation -------------------------------------------------------------------------------


def _parse_lr(trigger, slider_id, log_lr, lr_text):
    """η from its slider (log scale) or its box, or a message."""
    if trigger == slider_id:
        parsed = LOG_LEARNING_RATE.parse(log_lr)
        return (10.0**parsed.value, None) if parsed.ok else (None, parsed.message)
    parsed = LEARNING_RATE.parse(lr_text)
    return parsed.value, parsed.message


def read_one_weight(state) -> dict | None:
    """A 1-D state from the browser, trusted only if sync_one_weight could have stored it."""
    clean = read_fields(state, {"loss": LOSS, "w0": COORDINATE, "lr": LEARNING_RATE, "steps": STEPS})
    if clean is None:
        return None
    low, high = LOSSES[clean["loss"]].view_w
    return clean if low <= clean["w0"] <= high else None


def read_two_weights(state) -> tuple[dict, object] | None:
    """A 2-D state from the browser and its surface, trusted only if sync_two_weights could have stored it."""
    clean = read_fields(state, {"x0": COORDINATE, "y0": COORDINATE, "lr": LEARNING_RATE, "steps": STEPS})
    found = stored_choice(SURFACE_PRESETS, state, "surface")
    if clean is None or found is None or not found[1].in_view(clean["x0"], clean["y0"]):
        return None
    return found[0].fields("surface") | clean, found[1]


def _default_two_weights():
    return read_two_weights(DEFAULT_2D)


def _lr_outputs(lr):
    return math.log10(lr), f"{lr:g}"


def sync_one_weight(loss_key, w0_text, log_lr, lr_text, steps_text, state):
    """Validate whichever 1-D control moved; a refusal keeps the last good run and says why."""
    state = read_one_weight(state) or dict(DEFAULT_1D)
    trigger = ctx.triggered_id
    message = None
    if trigger == ID.LOSS and LOSS.read(loss_key):
        state["loss"], state["w0"] = loss_key, LOSSES[loss_key].default_start
    elif trigger == ID.W0_INPUT:
        low, high = LOSSES[state["loss"]].view_w
        parsed = replace(COORDINATE, low=low, high=high).parse(w0_text, "w₀")
        message = parsed.message
        state["w0"] = parsed.value if parsed.ok else state["w0"]
    elif trigger in (ID.LR1_SLIDER, ID.LR1_INPUT):
        lr, message = _parse_lr(trigger, ID.LR1_SLIDER, log_lr, lr_text)
        state["lr"] = lr if message is None else state["lr"]
    elif trigger == ID.STEPS1_INPUT:
        parsed = STEPS.parse(steps_text)
        state["steps"], message = (parsed.value, None) if parsed.ok else (state["steps"], parsed.message)
    if message:
        about_lr = trigger in (ID.LR1_SLIDER, ID.LR1_INPUT)
        return (dash.no_update,) * 5 + (("", message) if about_lr else (message, ""))
    return (state, f"{state['w0']:g}", *_lr_outputs(state["lr"]), str(state["steps"]), "", "")


TWO_WEIGHT_OUTPUTS = 16  # sync_two_weights' outputs: the state, nine control values and messages, the formula's 7


def sync_two_weights(
    surface_key, x_text, y_text, click, log_lr, lr_text, steps_text, _presets, formula_text, *edges_and_state
):
    """Validate whichever 2-D control moved; a refusal keeps the last good run and says why."""
    *edge_texts, state = edges_and_state
    state, surface = read_two_weights(state) or _default_two_weights()
    trigger = ctx.triggered_id
    message = None
    if isinstance(trigger, dict) and trigger.get("type") == ID.PRESET:
        preset = PRESET_2D.read(trigger.get("index"))
        if preset:
            state, surface = read_two_weights(NO_FORMULA | PRESETS_2D[preset][1])
    elif trigger == ID.SURFACE and SURFACE.read(surface_key):
        state |= Chosen(surface_key, "", []).fields("surface")
        surface = SURFACES[surface_key]
        state["x0"], state["y0"] = surface.start
    elif trigger == ID.FORMULA or trigger in FORMULA_IDS.edges:
        chosen, message_id, why = typed_change(
            SURFACE_PRESETS, state, "surface", FORMULA_IDS, trigger, formula_text, edge_texts
        )
        if why:
            answer = [dash.no_update] * TWO_WEIGHT_OUTPUTS
            answer[-2 if message_id == ID.FORMULA_MESSAGE else -1] = why
            return tuple(answer)
        _, surface = stored_choice(SURFACE_PRESETS, chosen.fields("surface"), "surface")
        state |= chosen.fields("surface")
        if not surface.in_view(state["x0"], state["y0"]):
            state["x0"], state["y0"] = surface.start
    elif trigger in (ID.X0_INPUT, ID.Y0_INPUT):
        point, message = typed_start(surface, x_text, y_text)
        if point is not None:
            state["x0"], state["y0"] = point
    elif isinstance(trigger, dict) and trigger.get("index") == "contour":
        point = clicked_point(click, 3)
        if point is None or not surface.in_view(*point):
            return (dash.no_update,) * TWO_WEIGHT_OUTPUTS
        state["x0"], state["y0"] = point
    elif trigger in (ID.LR2_SLIDER, ID.LR2_INPUT):
        lr, message = _parse_lr(trigger, ID.LR2_SLIDER, log_lr, lr_text)
        state["lr"] = lr if message is None else state["lr"]
    elif trigger == ID.STEPS2_INPUT:
        parsed = STEPS.parse(steps_text)
        state["steps"], message = (parsed.value, None) if parsed.ok else (state["steps"], parsed.message)
    if message:
        about_lr = trigger in (ID.LR2_SLIDER, ID.LR2_INPUT)
        return (dash.no_update,) * 7 + (("", message) if about_lr else (message, "")) + (dash.no_update,) * 7
    return (
        state,
        state["surface"] if state["surface"] in SURFACES else None,
        f"{state['x0']:g}",
        f"{state['y0']:g}",
        *_lr_outputs(state["lr"]),
        str(state["steps"]),
        "",
        "",
        *shown_controls(SURFACE_PRESETS, state, "surface"),
        "",
        "",
    )


# ---- runs -------------------------------------------------------------------------------------


def _one_weight_run(state: dict):
    """The loss and the 1-D run a validated state names: what the page draws and what the CSV holds."""
    loss = LOSSES[state["loss"]]
    return loss, loss.descent(state["w0"], state["lr"], state["steps"])


def _two_weight_run(state: dict, surface):
    """The 2-D run a validated state names on its surface: what the page draws and what the CSV holds."""
    return surface.descent((state["x0"], state["y0"]), state["lr"], state["steps"])


def run_one_weight(state, drawn_loss):
    """Run the 1-D descent once and send it; the curve is re-sent only when the loss changed."""
    state = read_one_weight(state) or DEFAULT_1D
    loss, trajectory = _one_weight_run(state)
    view = loss.view_w[1] - loss.view_w[0]
    return (
        parts.player_payload(trajectory, view),
        dash.no_update if drawn_loss == loss.key else figures.curve_1d_figure(loss),
        parts.verdict(trajectory),
        parts.one_weight_explanation(loss, trajectory),
        parts.step_table(trajectory, ("w",)),
        loss.key,
    )


def run_two_weights(state, drawn_surface):
    """Run the 2-D descent once and send it; the surface meshes only when the surface changed."""
    state, surface = read_two_weights(state) or _default_two_weights()
    trajectory = _two_weight_run(state, surface)
    if drawn_surface == surface.key:
        surface_figure = contour_figure = dash.no_update
    else:
        grid = surface_grid(surface)
        surface_figure = figures.surface_run_figure(surface, grid)
        contour_figure = figures.contour_run_figure(surface, grid)
    view = min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
    hessian = surface.hessian(*trajectory.final_position)
    return (
        parts.player_payload(trajectory, view),
        surface_figure,
        contour_figure,
        surface.key,
        parts.verdict(trajectory),
        parts.factor_explanation(hessian, trajectory.learning_rate, ("x", "y"), surface.quadratic),
        parts.step_table(trajectory, ("x", "y")),
    )


# ---- one request per change ---------------------------------------------------------------------
# Each section's control that moved is validated and the new state run in the same callback (a separate
# run callback fed by the state store cost every change a second round trip). The page opens with the
# link's runs already in its layout (_one_weight_section, _two_weight_section), so neither runs then.

ONE_WEIGHT_RUN_OUTPUTS = (
    Output(player_id(P.RUN, ID.ONE_D), "data"),
    Output(figure_id(ID.ONE_D, "curve"), "figure"),
    Output(ID.VERDICT1, "children"),
    Output(ID.EXPLANATION1, "children"),
    Output(ID.TABLE1, "children"),
    Output(ID.DRAWN_LOSS, "data"),
)


@callback(
    Output(ID.STATE1, "data"),
    Output(ID.W0_INPUT, "value"),
    Output(ID.LR1_SLIDER, "value"),
    Output(ID.LR1_INPUT, "value"),
    Output(ID.STEPS1_INPUT, "value"),
    Output(ID.MESSAGE1, "children"),
    Output(ID.LR1_MESSAGE, "children"),
    *ONE_WEIGHT_RUN_OUTPUTS,
    Input(ID.LOSS, "value"),
    Input(ID.W0_INPUT, "value"),
    Input(ID.LR1_SLIDER, "value"),
    Input(ID.LR1_INPUT, "value"),
    Input(ID.STEPS1_INPUT, "value"),
    State(ID.STATE1, "data"),
    State(ID.DRAWN_LOSS, "data"),
    prevent_initial_call=True,
)
def sync_and_run_one_weight(*values):
    """The 1-D controls' answer; and when it holds a new state, that state's run."""
    *controls, drawn_loss = values
    answer = sync_one_weight(*controls)
    if answer[0] is dash.no_update:
        return answer + (dash.no_update,) * len(ONE_WEIGHT_RUN_OUTPUTS)
    return answer + run_one_weight(answer[0], drawn_loss)


TWO_WEIGHT_RUN_OUTPUTS = (
    Output(player_id(P.RUN, ID.TWO_D), "data"),
    Output(figure_id(ID.TWO_D, "surface"), "figure"),
    Output(figure_id(ID.TWO_D, "contour"), "figure"),
    Output(ID.DRAWN_SURFACE, "data"),
    Output(ID.VERDICT2, "children"),
    Output(ID.EXPLANATION2, "children"),
    Output(ID.TABLE2, "children"),
)


@callback(
    Output(ID.STATE2, "data"),
    Output(ID.SURFACE, "value"),
    Output(ID.X0_INPUT, "value"),
    Output(ID.Y0_INPUT, "value"),
    Output(ID.LR2_SLIDER, "value"),
    Output(ID.LR2_INPUT, "value"),
    Output(ID.STEPS2_INPUT, "value"),
    Output(ID.MESSAGE2, "children"),
    Output(ID.LR2_MESSAGE, "children"),
    Output(ID.FORMULA, "value"),
    *(Output(edge, "value") for edge in FORMULA_IDS.edges),
    Output(ID.FORMULA_MESSAGE, "children"),
    Output(ID.WINDOW_MESSAGE, "children"),
    *TWO_WEIGHT_RUN_OUTPUTS,
    Input(ID.SURFACE, "value"),
    Input(ID.X0_INPUT, "value"),
    Input(ID.Y0_INPUT, "value"),
    Input(figure_id(ID.TWO_D, "contour"), "clickData"),
    Input(ID.LR2_SLIDER, "value"),
    Input(ID.LR2_INPUT, "value"),
    Input(ID.STEPS2_INPUT, "value"),
    Input({"type": ID.PRESET, "index": ALL}, "n_clicks"),
    Input(ID.FORMULA, "value"),
    *(Input(edge, "value") for edge in FORMULA_IDS.edges),
    State(ID.STATE2, "data"),
    State(ID.DRAWN_SURFACE, "data"),
    prevent_initial_call=True,
)
def sync_and_run_two_weights(*values):
    """The 2-D controls' answer; and when it holds a new state, that state's run."""
    *controls, drawn_surface = values
    answer = sync_two_weights(*controls)
    if answer[0] is dash.no_update:
        return answer + (dash.no_update,) * len(TWO_WEIGHT_RUN_OUTPUTS)
    return answer + run_two_weights(answer[0], drawn_surface)


@callback(
    Output(ID.CSV_DOWNLOAD1, "data"),
    Input(ID.CSV_BUTTON1, "n_clicks"),
    State(ID.STATE1, "data"),
    prevent_initial_call=True,
)
def download_one_weight(_clicks, state):
    """The run the page shows, from its last good state; a state the page could not have stored saves nothing."""
    state = read_one_weight(state)
    if state is None:
        return dash.no_update
    loss, trajectory = _one_weight_run(state)
    return _run_csv(loss.key, state, ("w",), trajectory)


@callback(
    Output(ID.CSV_DOWNLOAD2, "data"),
    Input(ID.CSV_BUTTON2, "n_clicks"),
    State(ID.STATE2, "data"),
    prevent_initial_call=True,
)
def download_two_weights(_clicks, state):
    """The 2-D run the page shows, from its last good state; an invalid state saves nothing."""
    found = read_two_weights(state)
    if found is None:
        return dash.no_update
    state, surface = found
    return _run_csv(surface.key, state, ("x", "y"), _two_weight_run(state, surface))


def _run_csv(problem: str, state: dict, names: tuple[str, ...], trajectory) -> dict:
    """One run as a CSV file named for its loss or surface, η and steps: descent-bowl-eta0.05-8steps.csv."""
    filename = csv_filename("descent", problem, f"eta{state['lr']:g}", f"{state['steps']}steps")
    return csv_download(filename, parts.csv_header(names), parts.csv_rows(trajectory))


def _code(one, two):
    one = read_one_weight(one) or DEFAULT_1D
    two, surface = read_two_weights(two) or _default_two_weights()
    return codegen.descent_code(
        LOSSES[one["loss"]],
        float(one["w0"]),
        float(one["lr"]),
        int(one["steps"]),
        surface,
        (float(two["x0"]), float(two["y0"])),
        float(two["lr"]),
        int(two["steps"]),
    )


register_code_panel("descent", [State(ID.STATE1, "data"), State(ID.STATE2, "data")], _code)
