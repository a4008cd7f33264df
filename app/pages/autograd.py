"""/autograd: the chapter's PyTorch steps, live: one input, two inputs and the graph torch records,
and the training loop, with the forgotten zero_grad() pitfall.

Layout first, then one callback: it validates the input that moved into the last good state and
computes, with torch, the parts of the page that state changes (one request per change).
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import autograd as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, readout, table_box, text_box
from app.components.layout_memo import memoised_layout
from app.components.parse import Number, read_fields, read_flag
from app.components.patching import overlay_patch, prefilled
from app.components.questions import (
    page_link_check,
    question_from_query,
    question_mirrors,
    question_panel,
    register_question_callbacks,
)
from app.components.share import Mirror, link_store, query_flag, query_number, register_url_mirror
from app.components.shell import next_concept_link, page_header, section
from app.compute.autograd import chapter_expression, torch_descent, trace_graph
from app.compute.surfaces import SURFACES
from app.figures import autograd as figures
from app.figures.gradient import surface_grid
from app.formatting import fixed

PATH = "/autograd"
dash.register_page(
    __name__,
    path=PATH,
    name="Autograd",
    title="PyTorch autograd",
    order=6,
    description="PyTorch records every operation and runs the chain rule backwards: gradients for free.",
    read_link=lambda query: read_link(query),  # defined below, once the page's mirrors are
)

ID = ids.Autograd
BOWL = SURFACES["bowl"]  # the chapter's z = x² + 3y²
START = (4.0, 3.0)
DEFAULT_STATE = {"x": 2.0, "a": 2.0, "b": 1.0, "lr": 0.05, "steps": 8, "forget": False}
# What each value may be; its name is the one the page shows beside the box.
RULES = {
    "x": Number("x", -100.0, 100.0),
    "a": Number("x", -5.0, 5.0),
    "b": Number("y", -4.0, 4.0),
    "lr": Number("η", 1e-4, 1.0, positive=True),
    "steps": Number("Steps", 1, 200, whole=True),
}
FORGET = "forget"


QUERY_KEYS = {"x": "x", "a": "zx", "b": "zy", "lr": "lr", "steps": "steps"}  # state entry: URL key


def state_from_query(query: dict) -> tuple[dict, list[str]]:
    """The first state from a shared link (see the mirror at the end), and notes on what was refused."""
    notes: list[str] = []
    state = {
        name: query_number(
            query,
            key,
            DEFAULT_STATE[name],
            RULES[name].low,
            RULES[name].high,
            notes,
            whole=RULES[name].whole,
            positive=RULES[name].positive,
        )
        for name, key in QUERY_KEYS.items()
    }
    state["forget"] = query_flag(query, "forget", DEFAULT_STATE["forget"], notes)
    return state, notes


def _one_input_section(state: dict) -> html.Section:
    """y = x² at one x: its value and x.grad."""
    return section(
        "One input: y = x²",
        html.Div(
            [
                text_box(ID.X_INPUT, "x", f"{state['x']:g}", RULES["x"].hint),
                html.Div(
                    [readout("y = x²", ID.READ_Y), readout("x.grad", ID.READ_XGRAD)],
                    className="readouts",
                    **{"aria-live": "polite"},
                ),
            ],
            className="two-columns",
        ),
    )


def _two_input_section(state: dict) -> html.Section:
    """z = x² + 3y²: its gradient and the graph torch recorded."""
    return section(
        "Two inputs: z = x² + 3y², and the graph behind it",
        html.Div(
            [
                html.Div(
                    [
                        text_box(ID.A_INPUT, "x", f"{state['a']:g}", RULES["a"].hint),
                        text_box(ID.B_INPUT, "y", f"{state['b']:g}", RULES["b"].hint),
                        html.Div(
                            [readout("z", ID.READ_Z), readout("[x.grad, y.grad]", ID.READ_GRADIENT)],
                            className="readouts",
                            **{"aria-live": "polite"},
                        ),
                    ],
                    className="panel controls",
                ),
                graph(ID.GRAPH, "secondary-figure", ID.GRAPH_SUMMARY),
            ],
            className="workbench",
        ),
    )


def _training_section(state: dict) -> html.Section:
    """The 8-step loop, and what forgetting zero_grad() does to it."""
    return section(
        "The training loop, and the gradient-accumulation pitfall",
        html.Div(
            [
                html.Div(
                    [
                        text_box(ID.LR_INPUT, "Learning rate η", f"{state['lr']:g}", RULES["lr"].hint),
                        text_box(ID.STEPS_INPUT, "Steps", str(state["steps"]), RULES["steps"].hint),
                        dcc.Checklist(
                            id=ID.FORGET,
                            options=[{"label": " forget to zero the gradients (no w.grad.zero_())", "value": FORGET}],
                            value=[FORGET] if state["forget"] else [],
                            className="checkbox",
                        ),
                        html.P(id=ID.MATCH, className="verdict", role="status"),
                    ],
                    className="panel controls",
                ),
                graph(ID.PITFALL, summary_id=ID.PITFALL_SUMMARY),
            ],
            className="workbench",
        ),
        html.P(id=ID.PITFALL_TEXT, className="explanation"),
        table_box(ID.LOOP_TABLE, "The training loop, step by step"),
    )


@memoised_layout
def layout(**query):
    """The page, computed: everything torch gives for the link's state is in it (no first request)."""
    state, notes = state_from_query(query)
    question = question_from_query(PATH, query, notes)
    return prefilled(_page(state, notes, question), DRAW_OUTPUTS, draw(valid_state(state), None))


def _page(state: dict, notes: list[str], question: dict | None = None) -> html.Div:
    return html.Div(
        [
            page_header(
                "Autograd: PyTorch does the calculus",
                "Mark a tensor with requires_grad, compute with it, call backward(): torch has recorded every "
                "step and applies the chain rule in reverse to fill .grad.",
                notes,
            ),
            question_panel(PATH, question),
            html.Div(id=ID.MESSAGE, className="message", role="alert"),
            _one_input_section(state),
            _two_input_section(state),
            _training_section(state),
            code_panel("autograd"),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.STATE, data=state),
            dcc.Store(id=ID.DRAWN),
        ],
        className="page autograd",
    )


def valid_state(state) -> dict:
    """The state from the browser if every value is in range, else the chapter's defaults."""
    clean = read_fields(state, RULES)
    return dict(DEFAULT_STATE) if clean is None else clean | {"forget": read_flag(state.get("forget"))}


FIELDS = {ID.X_INPUT: "x", ID.A_INPUT: "a", ID.B_INPUT: "b", ID.LR_INPUT: "lr", ID.STEPS_INPUT: "steps"}


def sync(x, a, b, lr, steps, forget, state):
    """Validate whichever input moved; a refusal keeps the last good state and says why."""
    state = valid_state(state)
    trigger = ctx.triggered_id
    if trigger == ID.FORGET:
        state["forget"] = isinstance(forget, list) and FORGET in forget
        return state, ""
    if trigger not in FIELDS:
        return dash.no_update, ""
    key = FIELDS[trigger]
    text = {ID.X_INPUT: x, ID.A_INPUT: a, ID.B_INPUT: b, ID.LR_INPUT: lr, ID.STEPS_INPUT: steps}[trigger]
    parsed = RULES[key].parse(text)
    if not parsed.ok:
        return dash.no_update, parsed.message
    state[key] = parsed.value
    return state, ""


# Which values each part of the page depends on: a change leaves the other parts as the browser has them.
SCALAR_FIELDS, GRAPH_FIELDS, LOOP_FIELDS = ("x",), ("a", "b"), ("lr", "steps", "forget")


# Everything torch computes from a state, in the order draw returns it.
DRAW_OUTPUTS = (
    Output(ID.READ_Y, "children"),
    Output(ID.READ_XGRAD, "children"),
    Output(ID.READ_Z, "children"),
    Output(ID.READ_GRADIENT, "children"),
    Output(ID.GRAPH, "figure"),
    Output(ID.LOOP_TABLE, "children"),
    Output(ID.MATCH, "children"),
    Output(ID.PITFALL, "figure"),
    Output(ID.PITFALL_TEXT, "children"),
    Output(ID.GRAPH_SUMMARY, "children"),
    Output(ID.PITFALL_SUMMARY, "children"),
    Output(ID.DRAWN, "data"),
)


# One request per change: the input that moved is validated and the new state drawn in the same callback
# (a separate draw callback fed by the state store cost every change a second round trip). The page
# opens already computed (layout), so this runs only when an input changes.
@callback(
    Output(ID.STATE, "data"),
    Output(ID.MESSAGE, "children"),
    *DRAW_OUTPUTS,
    Input(ID.X_INPUT, "value"),
    Input(ID.A_INPUT, "value"),
    Input(ID.B_INPUT, "value"),
    Input(ID.LR_INPUT, "value"),
    Input(ID.STEPS_INPUT, "value"),
    Input(ID.FORGET, "value"),
    State(ID.STATE, "data"),
    State(ID.DRAWN, "data"),
    prevent_initial_call=True,
)
def sync_and_draw(x, a, b, lr, steps, forget, state, drawn):
    """The input's answer (the state and its message); and when there is a new state, what it changes."""
    if ctx.triggered_id is None:
        new, message = valid_state(state), ""  # the page opening
    else:
        new, message = sync(x, a, b, lr, steps, forget, state)
    if new is dash.no_update:
        return (new, message) + (dash.no_update,) * len(DRAW_OUTPUTS)
    return (new, message) + draw(new, drawn)


def draw(state, drawn):
    """Everything on the page, computed by torch from the last good state; only the parts whose values
    changed since the browser last drew are sent (the pitfall's contours never again)."""
    state = valid_state(state)
    drawn = valid_state(drawn) if isinstance(drawn, dict) else None
    no = dash.no_update

    def changed(fields) -> bool:
        return drawn is None or any(state[field] != drawn[field] for field in fields)

    scalar_parts = (no,) * 2
    if changed(SCALAR_FIELDS):
        scalar = trace_graph(lambda x: x**2, x=state["x"])
        scalar_parts = (fixed(scalar.output, 4), fixed(scalar.gradients["x"], 4))
    graph_parts = (no,) * 4
    if changed(GRAPH_FIELDS):
        two = trace_graph(chapter_expression, x=state["a"], y=state["b"])
        graph_parts = (
            fixed(two.output, 4),
            f"[{fixed(two.gradients['x'], 4)}, {fixed(two.gradients['y'], 4)}]",
            figures.graph_figure(two, "z = x² + 3y²"),
            parts.graph_summary(state["a"], state["b"], two),
        )
    loop_parts = (no,) * 5
    if changed(LOOP_FIELDS):
        correct = torch_descent(BOWL, START, state["lr"], state["steps"], zero_grad=True)
        damaged = torch_descent(BOWL, START, state["lr"], state["steps"], zero_grad=False)
        shown = damaged if state["forget"] else correct
        truth = BOWL.gradient(shown.positions[:-1, 0], shown.positions[:-1, 1]).T
        numpy_run = BOWL.descent(START, state["lr"], state["steps"])
        pitfall = (
            overlay_patch(figures.pitfall_overlay(correct.positions, damaged.positions))
            if drawn is not None
            else figures.pitfall_figure(BOWL, surface_grid(BOWL), correct.positions, damaged.positions)
        )
        loop_parts = (
            parts.loop_table(shown, truth),
            parts.match_text(correct, numpy_run.positions),
            pitfall,
            parts.pitfall_text(correct, damaged),
            parts.pitfall_summary(START, state["lr"], state["steps"], correct, damaged),
        )
    # The outputs interleave the parts: the two summaries come last.
    table, match, pitfall_figure, pitfall_text, pitfall_summary = loop_parts
    read_z, read_gradient, graph_figure, graph_summary = graph_parts
    return (
        *scalar_parts,
        read_z,
        read_gradient,
        graph_figure,
        table,
        match,
        pitfall_figure,
        pitfall_text,
        graph_summary,
        pitfall_summary,
        state,
    )


def _code(state):
    state = valid_state(state)
    return codegen.autograd_code(
        state["x"], (state["a"], state["b"]), START, state["lr"], state["steps"], zero_grad=not state["forget"]
    )


register_code_panel("autograd", [State(ID.STATE, "data")], _code)


# The address bar follows the state (assets/share.js); state_from_query reads it back.
URL_MIRRORS = [Mirror(key, ID.STATE, field=name, default=DEFAULT_STATE[name]) for name, key in QUERY_KEYS.items()] + [
    Mirror("forget", ID.STATE, field="forget", kind="flag", default=False)
]
register_url_mirror(ID.LINK, URL_MIRRORS + question_mirrors(PATH))
read_link = page_link_check(PATH, URL_MIRRORS, state_from_query)  # a lesson's step here is checked with it
register_question_callbacks(PATH)
