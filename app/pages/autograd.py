"""/autograd: the chapter's PyTorch steps, live: one input, two inputs and the graph torch records,
and the training loop, with the forgotten zero_grad() pitfall.

Layout first, then two callbacks: one validates the inputs into the last good state, one computes
everything from it with torch.
"""

from __future__ import annotations

import math

import dash
import numpy as np
from dash import Input, Output, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import descent as descent_parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, readout, text_box
from app.components.parse import parse_number
from app.components.share import Mirror, link_store, query_flag, query_number, register_url_mirror
from app.components.shell import next_concept_link, page_header, section
from app.compute.autograd import chapter_expression, torch_descent, trace_graph
from app.compute.surfaces import SURFACES
from app.figures import autograd as figures
from app.figures.gradient import surface_grid
from app.formatting import fixed, sci

PATH = "/autograd"
dash.register_page(
    __name__,
    path=PATH,
    name="Autograd",
    title="PyTorch autograd",
    order=5,
    description="PyTorch records every operation and runs the chain rule backwards: gradients for free.",
)

ID = ids.Autograd
BOWL = SURFACES["bowl"]  # the chapter's z = x² + 3y²
START = (4.0, 3.0)
DEFAULT_STATE = {"x": 2.0, "a": 2.0, "b": 1.0, "lr": 0.05, "steps": 8, "forget": False}
LIMITS = {"x": (-100.0, 100.0), "a": (-5.0, 5.0), "b": (-4.0, 4.0), "lr": (1e-4, 1.0), "steps": (1, 200)}
FORGET = "forget"


QUERY_KEYS = {"x": "x", "a": "zx", "b": "zy", "lr": "lr", "steps": "steps"}  # state entry: URL key


def state_from_query(query: dict) -> tuple[dict, list[str]]:
    """The first state from a shared link (see the mirror at the end), and notes on what was refused."""
    notes: list[str] = []
    state = {
        name: query_number(
            query, key, DEFAULT_STATE[name], *LIMITS[name], notes, whole=name == "steps", positive=name == "lr"
        )
        for name, key in QUERY_KEYS.items()
    }
    state["forget"] = query_flag(query, "forget", DEFAULT_STATE["forget"], notes)
    return state, notes


def layout(**query):
    state, notes = state_from_query(query)
    return html.Div(
        [
            page_header(
                "Autograd: PyTorch does the calculus",
                "Mark a tensor with requires_grad, compute with it, call backward(): torch has recorded every "
                "step and applies the chain rule in reverse to fill .grad.",
                notes,
            ),
            html.Div(id=ID.MESSAGE, className="message", role="alert"),
            section(
                "One input: y = x²",
                html.Div(
                    [
                        text_box(ID.X_INPUT, "x", f"{state['x']:g}", "any number from −100 to 100"),
                        html.Div(
                            [readout("y = x²", ID.READ_Y), readout("x.grad", ID.READ_XGRAD)],
                            className="readouts",
                            **{"aria-live": "polite"},
                        ),
                    ],
                    className="two-columns",
                ),
            ),
            section(
                "Two inputs: z = x² + 3y², and the graph behind it",
                html.Div(
                    [
                        html.Div(
                            [
                                text_box(ID.A_INPUT, "x", f"{state['a']:g}", "−5 to 5"),
                                text_box(ID.B_INPUT, "y", f"{state['b']:g}", "−4 to 4"),
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
            ),
            section(
                "The training loop, and the gradient-accumulation pitfall",
                html.Div(
                    [
                        html.Div(
                            [
                                text_box(ID.LR_INPUT, "Learning rate η", f"{state['lr']:g}", "0.0001 to 1"),
                                text_box(ID.STEPS_INPUT, "Steps", str(state["steps"]), "1 to 200"),
                                dcc.Checklist(
                                    id=ID.FORGET,
                                    options=[
                                        {"label": " forget to zero the gradients (no w.grad.zero_())", "value": FORGET}
                                    ],
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
                html.Div(id=ID.LOOP_TABLE, className="table-wrap"),
            ),
            code_panel("autograd"),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.STATE, data=state),
        ],
        className="page autograd",
    )


def valid_state(state) -> dict:
    """The state from the browser if every value is in range, else the chapter's defaults."""
    try:
        clean = {key: float(state[key]) for key in LIMITS}
        clean["steps"] = int(clean["steps"])
        clean["forget"] = bool(state.get("forget"))
    except (KeyError, TypeError, ValueError, AttributeError):
        return dict(DEFAULT_STATE)
    if all(math.isfinite(clean[k]) and LIMITS[k][0] <= clean[k] <= LIMITS[k][1] for k in LIMITS):
        return clean
    return dict(DEFAULT_STATE)


FIELDS = {
    ID.X_INPUT: ("x", "x"),
    ID.A_INPUT: ("a", "x"),
    ID.B_INPUT: ("b", "y"),
    ID.LR_INPUT: ("lr", "η"),
    ID.STEPS_INPUT: ("steps", "Steps"),
}


@callback(
    Output(ID.STATE, "data"),
    Output(ID.MESSAGE, "children"),
    Input(ID.X_INPUT, "value"),
    Input(ID.A_INPUT, "value"),
    Input(ID.B_INPUT, "value"),
    Input(ID.LR_INPUT, "value"),
    Input(ID.STEPS_INPUT, "value"),
    Input(ID.FORGET, "value"),
    State(ID.STATE, "data"),
    prevent_initial_call=True,
)
def sync(x, a, b, lr, steps, forget, state):
    """Validate whichever input moved; a refusal keeps the last good state and says why."""
    state = valid_state(state)
    trigger = ctx.triggered_id
    if trigger == ID.FORGET:
        state["forget"] = isinstance(forget, list) and FORGET in forget
        return state, ""
    if trigger not in FIELDS:
        return dash.no_update, ""
    key, name = FIELDS[trigger]
    text = {ID.X_INPUT: x, ID.A_INPUT: a, ID.B_INPUT: b, ID.LR_INPUT: lr, ID.STEPS_INPUT: steps}[trigger]
    parsed = parse_number(text, name, *LIMITS[key], positive=key == "lr")
    if not parsed.ok:
        return dash.no_update, parsed.message
    if key == "steps" and parsed.value != int(parsed.value):
        return dash.no_update, f"Steps must be a whole number; {parsed.value:g} is not."
    state[key] = int(parsed.value) if key == "steps" else parsed.value
    return state, ""


def _loop_table(run, truth) -> html.Table:
    """Each step's w, L, the gradient the loop used and the true one; a long run shows its first and
    last steps (up to 200 rows of components cost ~30 ms a request under a class, bench/load.py)."""
    header = html.Tr([html.Th("step"), html.Th("w"), html.Th("L"), html.Th("w.grad used"), html.Th("true ∇L at w")])
    count = len(run.used_gradients)
    rows = [
        descent_parts.skipped_row(count, 5)
        if k is None
        else html.Tr(
            [
                html.Td(str(k)),
                html.Td(f"[{fixed(run.positions[k, 0], 4)}, {fixed(run.positions[k, 1], 4)}]"),
                html.Td(fixed(float(run.losses[k]), 4)),
                html.Td(f"[{fixed(run.used_gradients[k, 0], 4)}, {fixed(run.used_gradients[k, 1], 4)}]"),
                html.Td(f"[{fixed(truth[k, 0], 4)}, {fixed(truth[k, 1], 4)}]"),
            ],
            className="wrong" if not np.allclose(run.used_gradients[k], truth[k]) else None,
        )
        for k in descent_parts.shown_steps(count)
    ]
    final = html.Tr(
        [
            html.Th("final", scope="row"),
            html.Td(f"[{fixed(run.positions[-1, 0], 4)}, {fixed(run.positions[-1, 1], 4)}]"),
            html.Td(fixed(float(run.losses[-1]), 4)),
            html.Td(""),
            html.Td(""),
        ],
        className="final-row",
    )
    return html.Table([html.Thead(header), html.Tbody([*rows, final])], className="numbers")


@callback(
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
    Input(ID.STATE, "data"),
)
def draw(state):
    """Everything on the page, computed by torch from the last good state."""
    state = valid_state(state)
    scalar = trace_graph(lambda x: x**2, x=state["x"])
    two = trace_graph(chapter_expression, x=state["a"], y=state["b"])
    correct = torch_descent(BOWL, START, state["lr"], state["steps"], zero_grad=True)
    damaged = torch_descent(BOWL, START, state["lr"], state["steps"], zero_grad=False)
    shown = damaged if state["forget"] else correct
    truth = BOWL.gradient(shown.positions[:-1, 0], shown.positions[:-1, 1]).T
    numpy_run = BOWL.descent(START, state["lr"], state["steps"])
    comparable = min(len(numpy_run.positions), len(correct.positions))
    gap = float(np.max(np.abs(numpy_run.positions[:comparable] - correct.positions[:comparable])))
    match = (
        f"The torch loop (zeroing .grad) ends at [{fixed(correct.positions[-1, 0], 4)}, "
        f"{fixed(correct.positions[-1, 1], 4)}], L = {fixed(float(correct.losses[-1]), 4)}; the numpy run on "
        f"/descent with the same settings differs from it by at most {sci(gap)} at any step."
    )
    first_gap = damaged.used_gradients[1] if len(damaged.used_gradients) > 1 else None
    pitfall = (
        "backward() adds to .grad. Without zeroing it, step 1 uses "
        f"[{fixed(first_gap[0], 1)}, {fixed(first_gap[1], 1)}]: the true gradient "
        f"[{fixed(correct.used_gradients[1, 0], 1)}, {fixed(correct.used_gradients[1, 1], 1)}] plus step 0's "
        f"[{fixed(correct.used_gradients[0, 0], 1)}, {fixed(correct.used_gradients[0, 1], 1)}]. The sums keep "
        f"growing, and the run ends at L = {fixed(float(damaged.losses[-1]), 4)} instead of "
        f"{fixed(float(correct.losses[-1]), 4)}."
        if first_gap is not None
        else "Run at least two steps to see the gradients pile up."
    )
    return (
        fixed(scalar.output, 4),
        fixed(scalar.gradients["x"], 4),
        fixed(two.output, 4),
        f"[{fixed(two.gradients['x'], 4)}, {fixed(two.gradients['y'], 4)}]",
        figures.graph_figure(two, "z = x² + 3y²"),
        _loop_table(shown, truth),
        match,
        figures.pitfall_figure(BOWL, surface_grid(BOWL), correct.positions, damaged.positions),
        pitfall,
        f"Computation graph of z = x² + 3y² at x = {state['a']:g}, y = {state['b']:g}: z = {fixed(two.output, 4)}; "
        f"backward() gives x.grad = {fixed(two.gradients['x'], 4)} and y.grad = {fixed(two.gradients['y'], 4)}.",
        f"Paths on x² + 3y² from ({START[0]:g}, {START[1]:g}), η = {state['lr']:g}, {state['steps']} steps: "
        f"zeroing .grad ends at L = {fixed(float(correct.losses[-1]), 4)}; without zeroing, at "
        f"L = {fixed(float(damaged.losses[-1]), 4)}.",
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
register_url_mirror(ID.LINK, URL_MIRRORS)
