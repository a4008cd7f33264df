"""/derivative: the derivative as the limit of secant slopes.

Layout first, then two callbacks: one validates the control that moved into the last good state and
draws it (one request per change), and one (in the browser) plays the animation.
"""

from __future__ import annotations

import math
from dataclasses import replace

import dash
import numpy as np
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from app import codegen, ids
from app.components import derivative as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, presets, radio_group, readout, slider_with_input, table_box
from app.components.formula import (
    CUSTOM,
    FORMULA_KEY,
    FUNCTION_PRESETS,
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
from app.components.parse import Choice, Number, clicked_x, read_fields
from app.components.patching import overlay_patch, prefilled
from app.components.questions import (
    page_link_check,
    question_from_query,
    question_mirrors,
    question_panel,
    register_question_callbacks,
)
from app.components.share import Mirror, link_store, query_choice, query_number, register_url_mirror
from app.components.shell import next_concept_link, page_header, section
from app.compute import differences
from app.compute.functions import FUNCTIONS
from app.figures.derivative import error_curve_figure, secant_figure, secant_overlay
from app.formatting import step

PATH = "/derivative"
dash.register_page(
    __name__,
    path=PATH,
    name="Derivative",
    title="The derivative as a limit",
    order=1,
    description="Shrink h and watch the secant's slope become the tangent's: the derivative as a limit.",
    read_link=lambda query: read_link(query),  # defined below, once the page's mirrors are
)

ID = ids.Derivative


PRESETS = parts.PRESETS
DEFAULT_STATE = parts.DEFAULT_STATE
DEFAULT_PRECISION = "float64"

FUNCTION = Choice("Function", tuple(FUNCTIONS))
PRECISION = Choice("Precision", tuple(differences.PRECISIONS))
PRESET = Choice("Preset", tuple(PRESETS))
H = Number("h", differences.H_MIN, differences.H_MAX, positive=True)
LOG_H = Number("log₁₀ h", math.log10(differences.H_MIN), math.log10(differences.H_MAX))
X0 = Number("x₀")  # each function's own range and domain are checked after this (see _x0_problem)
FORMULA_IDS = FormulaIds(ID.FORMULA, ID.FORMULA_MESSAGE, (ID.WINDOW_X_FROM, ID.WINDOW_X_TO), ID.WINDOW_MESSAGE)

LOG_H_MARKS = {e: ("1" if e == 0 else f"1e{e}") for e in range(-15, 1, 5)}


def x0_marks(function) -> dict:
    low, high = function.x0_range
    return {float(v): f"{v + 0.0:g}" for v in np.linspace(low, high, 5).round(2)}  # + 0.0: no "-0" mark


def state_from_query(query: dict) -> tuple[dict, str, list[str]]:
    """The first state and precision from a shared link (see URL_MIRROR), and notes on what was refused."""
    notes: list[str] = []
    function_key = query_choice(query, "function", DEFAULT_STATE["function"], (*FUNCTION.choices, CUSTOM), notes)
    typed = query_function(query, FUNCTION_PRESETS, "function", notes)
    if typed is None and function_key == CUSTOM:
        function_key = DEFAULT_STATE["function"]  # a typed function lives in its formula; without one, the default
    chosen, function = stored_choice(
        FUNCTION_PRESETS, (typed or Chosen(function_key, "", [])).fields("function"), "function"
    )
    low, high = function.x0_range
    # With no x0 in the link, the page's default x0, if this function allows it (the mirror leaves
    # out an x0 equal to that default); otherwise the function's own.
    fallback = DEFAULT_STATE["x0"]
    if not low <= fallback <= high or _x0_problem(function, fallback):
        fallback = function.default_x0
    x0 = query_number(query, "x0", fallback, low, high, notes)
    if _x0_problem(function, x0):
        notes.append(_x0_problem(function, x0))
        x0 = fallback
    h = query_number(query, "h", DEFAULT_STATE["h"], H.low, H.high, notes, positive=True)
    precision = query_choice(query, "precision", DEFAULT_PRECISION, PRECISION.choices, notes)
    return chosen.compact_fields("function") | {"x0": x0, "h": h}, precision, notes


def _controls(state: dict) -> html.Div:
    """The function, x₀ and h (each slider with its exact box), Animate and the presets."""
    function = function_of(state)
    return html.Div(
        [
            radio_group(
                ID.FUNCTION,
                "Function f(x)",
                [{"label": f.label, "value": key} for key, f in FUNCTIONS.items()],
                state["function"] if state["function"] in FUNCTIONS else None,
            ),
            formula_controls(
                FORMULA_IDS,
                "f(x) =",
                shown_formula(FUNCTION_PRESETS, state, "function"),
                shown_edges(FUNCTION_PRESETS, state, "function"),
            ),
            slider_with_input(
                label="Point x₀",
                hint="or click the curve",
                slider_id=ID.X0_SLIDER,
                input_id=ID.X0_INPUT,
                message_id=ID.X0_MESSAGE,
                min=function.x0_range[0],
                max=function.x0_range[1],
                step=0.01,
                value=state["x0"],
                input_value=f"{state['x0']:g}",
                marks=x0_marks(function),
            ),
            slider_with_input(
                label="Step h",
                hint=f"log scale, {step(H.low)} to {step(H.high)}",
                slider_id=ID.H_SLIDER,
                input_id=ID.H_INPUT,
                message_id=ID.H_MESSAGE,
                min=LOG_H.low,
                max=LOG_H.high,
                step=0.01,
                value=math.log10(state["h"]),
                input_value=step(state["h"]),
                marks=LOG_H_MARKS,
                log_of="h",
            ),
            html.Button("▶ Animate h → 0.0001", id=ID.ANIMATE, n_clicks=0, className="primary", title="Play / pause"),
            presets(ID.PRESET, {key: preset.label for key, preset in PRESETS.items()}),
        ],
        className="panel controls",
    )


def _figure_block() -> html.Div:
    """The secant figure with its readouts, and the three-way check under it."""
    return html.Div(
        [
            graph(ID.FIGURE, summary_id=ID.FIGURE_SUMMARY),
            html.Div(
                [
                    readout("h", ID.READ_H),
                    readout("secant slope", ID.READ_SLOPE),
                    readout("f′(x₀), exact", ID.READ_TRUE),
                    readout("|error|", ID.READ_ERROR),
                ],
                className="readouts",
            ),
            html.Div(id=ID.VIEW_MESSAGE, className="message", role="status"),
            html.P(id=ID.THREE_WAYS, className="three-ways"),
        ],
        className="figure-block",
    )


def _limit_section() -> html.Section:
    return section(
        "The limit, row by row",
        html.P(
            "Each row cuts h ten-fold. Watch the errors: the forward one falls ten-fold, the central "
            "one a hundred-fold.",
            className="section-idea",
        ),
        table_box(ID.TABLE, "Secant slopes as h shrinks"),
    )


def _rounding_section(precision: str) -> html.Section:
    return section(
        "Beyond the chapter: where smaller h stops helping",
        html.P(
            "A computer rounds every number. Push h far enough and rounding, not the limit, decides the answer.",
            className="section-idea",
        ),
        radio_group(
            ID.PRECISION,
            "Arithmetic",
            [
                {"label": "float64 (double)", "value": "float64"},
                {"label": "float32 (single, as on most GPUs)", "value": "float32"},
            ],
            precision,
            inline=True,
        ),
        graph(ID.ERROR_FIGURE, "secondary-figure", ID.ERROR_SUMMARY),
        html.P(id=ID.ERROR_EXPLANATION, className="explanation"),
    )


def _rules_section() -> html.Section:
    return section(
        "The rules that save you the limit",
        html.P(
            "Nobody takes the limit every time: a few rules give the derivative directly.",
            className="section-idea",
        ),
        html.Div(
            [
                table_box(ID.POWER_RULES, "The power rule", html.H3("The power rule"), parts.power_rule_table()),
                table_box(
                    ID.SPECIAL_RULES,
                    "Special functions",
                    html.H3("Special functions"),
                    parts.special_functions_table(1.0),
                ),
            ],
            className="two-columns",
        ),
    )


@memoised_layout
def layout(**query):
    """The page, drawn: everything for the link's state is in it (no first request)."""
    state, precision, notes = state_from_query(query)
    question = question_from_query(PATH, query, notes)
    first = draw(read_state(state) or DEFAULT_STATE, precision, None, None)
    return prefilled(_page(state, precision, notes, question), DRAW_OUTPUTS, first)


def _page(state: dict, precision: str, notes: list[str], question: dict | None = None) -> html.Div:
    return html.Div(
        [
            page_header(
                "The derivative: where secant slopes are heading",
                "Join two points on a curve, h apart, and slide them together: the slope of the line between "
                "them settles on one number, the derivative.",
                notes,
            ),
            question_panel(PATH, question),
            html.Div([_controls(state), _figure_block()], className="workbench"),
            html.Div(id=ID.EXPLANATION, className="explanation"),
            _limit_section(),
            _rounding_section(precision),
            _rules_section(),
            code_panel("derivative"),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.STATE, data=state),
            dcc.Store(id=ID.ANIMATION_FRAMES),
            dcc.Store(id=ID.DRAWN_FUNCTION),
            dcc.Store(id=ID.ANIMATION_STATE, data={"running": False, "frame": 0}),
            dcc.Interval(id=ID.ANIMATION_TICK, interval=parts.ANIMATION_FRAME_MS, disabled=True),
        ],
        className="page derivative",
    )


def function_of(state: dict):
    """The function a state read by read_state names: a catalog entry, or the typed one (memoised)."""
    return stored_choice(FUNCTION_PRESETS, state, "function")[1]


def _x0_problem(function, x0: float) -> str | None:
    """Why x0 cannot be used for this function, or None."""
    if not bool(function.defined(x0)):
        return f"{function.domain_message()}, so x₀ = {x0:g} has no tangent. Pick another x₀."
    return None


def _with_function(state: dict, chosen: Chosen) -> dict:
    """The state on another function: x₀ stays if the new function allows it, else its own default x₀."""
    function = stored_choice(FUNCTION_PRESETS, chosen.fields("function"), "function")[1]
    new = chosen.compact_fields("function") | {"x0": state["x0"], "h": state["h"]}
    low, high = function.x0_range
    if not low <= new["x0"] <= high or _x0_problem(function, new["x0"]):
        new["x0"] = function.default_x0
    return new


def _read_controls(trigger, function_key, x0_slider, x0_text, log_h, h_text, state, click_data=None, typed=()):
    """The new state and the messages for each control, from whichever control moved."""
    new = dict(state)
    messages = {"x0": "", "h": "", ID.FORMULA_MESSAGE: "", ID.WINDOW_MESSAGE: ""}
    if trigger == ID.FORMULA or trigger in FORMULA_IDS.edges:
        formula_text, *edge_texts = typed
        chosen, message_id, message = typed_change(
            FUNCTION_PRESETS, state, "function", FORMULA_IDS, trigger, formula_text, edge_texts
        )
        if message:
            messages[message_id] = message
            return None, messages
        return _with_function(state, chosen), messages
    if isinstance(trigger, dict) and trigger.get("type") == ID.PRESET:
        preset = PRESETS.get(PRESET.read(trigger.get("index")))
        if preset is not None:
            new = {"function": preset.function, "x0": preset.x0, "h": preset.h}
        return new, messages
    if trigger == ID.FUNCTION:
        function_key = FUNCTION.read(function_key)
        if function_key is None:
            return state, messages
        return _with_function(state, Chosen(function_key, "", [])), messages
    function = function_of(new)
    low, high = function.x0_range
    if trigger in (ID.X0_SLIDER, ID.X0_INPUT, ID.FIGURE):
        # A click lands on the slider's 0.01 grid.
        source = {ID.X0_SLIDER: x0_slider, ID.X0_INPUT: x0_text, ID.FIGURE: clicked_x(click_data, 2)}[trigger]
        # Is it a number, then is f defined there, then is it on the slider's range: the first
        # problem found is the one the learner most needs to hear about.
        parsed = X0.parse(source)
        problem = parsed.message or _x0_problem(function, parsed.value)
        problem = problem or replace(X0, low=low, high=high).parse(parsed.value).message
        if problem:
            messages["x0"] = problem
            return None, messages
        new["x0"] = parsed.value
    if trigger in (ID.H_SLIDER, ID.H_INPUT):
        if trigger == ID.H_SLIDER:
            parsed = LOG_H.parse(log_h)
            value = None if parsed.message else 10.0**parsed.value
        else:
            parsed = H.parse(h_text)
            value = parsed.value
        if parsed.message:
            messages["h"] = parsed.message
            return None, messages
        new["h"] = value
    return new, messages


# Everything that follows from a state, in the order draw returns it.
DRAW_OUTPUTS = (
    Output(ID.FIGURE, "figure"),
    Output(ID.READ_H, "children"),
    Output(ID.READ_SLOPE, "children"),
    Output(ID.READ_TRUE, "children"),
    Output(ID.READ_ERROR, "children"),
    Output(ID.VIEW_MESSAGE, "children"),
    Output(ID.THREE_WAYS, "children"),
    Output(ID.EXPLANATION, "children"),
    Output(ID.TABLE, "children"),
    Output(ID.ERROR_FIGURE, "figure"),
    Output(ID.ERROR_EXPLANATION, "children"),
    Output(ID.SPECIAL_RULES, "children"),
    Output(ID.ANIMATION_FRAMES, "data"),
    Output(ID.FIGURE_SUMMARY, "children"),
    Output(ID.ERROR_SUMMARY, "children"),
    Output(ID.DRAWN_FUNCTION, "data"),
)
# What sync_controls answers, in order: the state, then every control showing it and its messages.
SYNC_OUTPUTS = (
    Output(ID.STATE, "data"),
    Output(ID.FUNCTION, "value"),
    Output(ID.X0_SLIDER, "min"),
    Output(ID.X0_SLIDER, "max"),
    Output(ID.X0_SLIDER, "marks"),
    Output(ID.X0_SLIDER, "value"),
    Output(ID.X0_INPUT, "value"),
    Output(ID.X0_MESSAGE, "children"),
    Output(ID.H_SLIDER, "value"),
    Output(ID.H_INPUT, "value"),
    Output(ID.H_MESSAGE, "children"),
    Output(ID.FORMULA, "value"),
    *(Output(edge, "value") for edge in FORMULA_IDS.edges),
    Output(ID.FORMULA_MESSAGE, "children"),
    Output(ID.WINDOW_MESSAGE, "children"),
)


# One request per change: the control that moved is validated and the new state drawn in the same
# callback (a separate draw callback fed by the state store cost every change a second round trip). The
# page opens already drawn (layout), so this runs only when a control changes.
@callback(
    *SYNC_OUTPUTS,
    *DRAW_OUTPUTS,
    Input(ID.FUNCTION, "value"),
    Input(ID.X0_SLIDER, "value"),
    Input(ID.X0_INPUT, "value"),
    Input(ID.H_SLIDER, "value"),
    Input(ID.H_INPUT, "value"),
    Input({"type": ID.PRESET, "index": ALL}, "n_clicks"),
    Input(ID.FIGURE, "clickData"),
    Input(ID.FORMULA, "value"),
    *(Input(edge, "value") for edge in FORMULA_IDS.edges),
    Input(ID.PRECISION, "value"),
    State(ID.STATE, "data"),
    State(ID.DRAWN_FUNCTION, "data"),
    prevent_initial_call=True,
)
def sync_and_draw(*values):
    """The controls' answer; and when it holds a new state (or a new precision), that state drawn."""
    *controls, precision, stored, drawn_function = values
    previous = read_state(stored)
    if ctx.triggered_id == ID.PRECISION:  # no control of the state moved: it is redrawn as it is
        answer, state = (dash.no_update,) * len(SYNC_OUTPUTS), previous or DEFAULT_STATE
    else:
        answer = sync_controls(*controls, stored)
        state = answer[0]
        if state is dash.no_update:
            return answer + (dash.no_update,) * len(DRAW_OUTPUTS)
    return answer + draw(state, precision, drawn_function, previous)


def sync_controls(function_key, x0_slider, x0_text, log_h, h_text, _preset_clicks, click_data, *typed_and_state):
    """Validate whichever control moved; on success every control shows the new state."""
    *typed, state = typed_and_state
    state = read_state(state) or DEFAULT_STATE
    new, messages = _read_controls(
        ctx.triggered_id, function_key, x0_slider, x0_text, log_h, h_text, state, click_data, typed
    )
    no = dash.no_update
    if new is None:
        # Refused: say why beside the input, keep the last good view and the learner's text.
        return (
            (no,) * 7
            + (messages["x0"], no, no, messages["h"])
            + (no,) * 3
            + (messages[ID.FORMULA_MESSAGE], messages[ID.WINDOW_MESSAGE])
        )
    function = function_of(new)
    low, high = function.x0_range
    return (
        new,
        new["function"] if new["function"] in FUNCTIONS else None,
        low,
        high,
        x0_marks(function),
        new["x0"],
        f"{new['x0']:g}",
        "",
        math.log10(new["h"]),
        step(new["h"]),
        "",
        *shown_controls(FUNCTION_PRESETS, new, "function"),
        "",
        "",
    )


def read_state(state) -> dict | None:
    """A state from the browser, trusted only if it is exactly what sync_controls could have stored."""
    clean = read_fields(state, {"x0": X0, "h": H})
    found = stored_choice(FUNCTION_PRESETS, state, "function")
    if clean is None or found is None:
        return None
    chosen, function = found
    low, high = function.x0_range
    if not low <= clean["x0"] <= high or _x0_problem(function, clean["x0"]):
        return None
    return chosen.compact_fields("function") | clean


def draw(state: dict, precision, drawn_function, previous: dict | None) -> tuple:
    """Everything on the page that follows from the last good state. The curve itself is sent only when
    the function changed (otherwise the figure gets a Patch of its moving parts), and what depends only
    on the function and x₀ (the limit table, the three ways, the animation's frames) only when one of
    them changed: a drag of h, the control a learner moves most, leaves them as they are."""
    precision = PRECISION.read(precision) or DEFAULT_PRECISION
    function = function_of(state)
    x0, h = state["x0"], state["h"]
    texts = parts.readout_texts(function, x0, h)
    curve = differences.error_curve(function, x0, precision)
    same_curve = drawn_function == function.key
    same_point = same_curve and previous is not None and _without_h(previous) == _without_h(state)

    def unless_same_point(make):
        return dash.no_update if same_point else make()

    return (
        overlay_patch(secant_overlay(function, x0, h)) if same_curve else secant_figure(function, x0, h),
        texts["h"],
        texts["slope"],
        texts["true"],
        texts["error"],
        parts.secant_problem(function, x0, h) or "",
        unless_same_point(lambda: parts.three_ways(function, x0)),
        parts.explanation(function, x0, h),
        unless_same_point(lambda: parts.limit_table(function, x0)),
        error_curve_figure(curve, h),
        parts.error_explanation(function, x0, curve),
        unless_same_point(lambda: [html.H3("Special functions"), parts.special_functions_table(x0)]),
        unless_same_point(lambda: parts.animation_frames(function, x0)),
        parts.secant_summary(function, x0, h),
        parts.error_summary(curve, h),
        function.key,
    )


def _without_h(state: dict) -> dict:
    return {key: value for key, value in state.items() if key != "h"}


# The animation runs in the browser (assets/derivative.js): the frames above are sent once, and each
# tick swaps the secant's data in the figure. Only when it ends does it set h, which asks the server
# once to redraw the final state.
clientside_callback(
    ClientsideFunction(namespace="derivative", function_name="animate"),
    Output(ID.ANIMATION_STATE, "data"),
    Output(ID.ANIMATION_TICK, "disabled"),
    Output(ID.ANIMATE, "children"),
    Output(ID.FIGURE, "figure", allow_duplicate=True),
    Output(ID.READ_H, "children", allow_duplicate=True),
    Output(ID.READ_SLOPE, "children", allow_duplicate=True),
    Output(ID.READ_ERROR, "children", allow_duplicate=True),
    Output(ID.H_SLIDER, "value", allow_duplicate=True),
    Input(ID.ANIMATE, "n_clicks"),
    Input(ID.ANIMATION_TICK, "n_intervals"),
    Input(ID.ANIMATION_FRAMES, "data"),
    State(ID.ANIMATION_STATE, "data"),
    State(ID.FIGURE, "figure"),
    prevent_initial_call=True,
)


def _code(state):
    state = read_state(state) or DEFAULT_STATE
    return codegen.derivative_code(function_of(state), state["x0"], state["h"])


register_code_panel("derivative", [State(ID.STATE, "data")], _code)


# The address bar follows the state (assets/share.js); state_from_query reads it back.
URL_MIRRORS = [
    Mirror("function", ID.STATE, field="function", default=DEFAULT_STATE["function"]),
    Mirror("x0", ID.STATE, field="x0", default=DEFAULT_STATE["x0"]),
    Mirror("h", ID.STATE, field="h", default=DEFAULT_STATE["h"]),
    # A typed function's formula and window; a preset's state leaves them out.
    Mirror(FORMULA_KEY, ID.STATE, field="formula", default="", optional=True),
    Mirror(WINDOW_KEY, ID.STATE, field="window", default=[], optional=True),
    Mirror("precision", ID.PRECISION, prop="value", default=DEFAULT_PRECISION),
]
register_url_mirror(ID.LINK, URL_MIRRORS + question_mirrors(PATH))
read_link = page_link_check(PATH, URL_MIRRORS, state_from_query)  # a lesson's step here is checked with it
register_question_callbacks(PATH)
