"""/gradient: partial derivatives and the gradient vector, on a contour map and a 3-D surface.

Layout first, then one callback: it validates the control that moved into the last good state, and draws it.
When only the point moves, the figures get a Patch: the surface meshes are not sent again.
"""

from __future__ import annotations

import dash
import numpy as np
from dash import Input, Output, State, callback, ctx, dcc, html

from app import codegen, ids
from app.components import gradient as parts
from app.components.code_panel import code_panel, register_code_panel
from app.components.controls import graph, point_boxes, radio_group, readout, slider_with_input, table_box
from app.components.formula import (
    CUSTOM,
    FORMULA_KEY,
    SURFACE_PRESETS,
    WINDOW_KEY,
    Chosen,
    FormulaIds,
    formula_controls,
    query_function,
    shown_edges,
    shown_formula,
    stored_choice,
    typed_change,
)
from app.components.layout_memo import memoised_layout
from app.components.parse import Choice, Number, clicked_point, read_fields, read_flag
from app.components.patching import overlay_patch, prefilled
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
    query_flag,
    query_number,
    query_point,
    register_url_mirror,
)
from app.components.shell import next_concept_link, page_header, section
from app.compute.surfaces import DEFAULT_SURFACE, SURFACES
from app.figures import gradient as figures

PATH = "/gradient"
dash.register_page(
    __name__,
    path=PATH,
    name="Gradient",
    title="Partial derivatives and the gradient",
    order=2,
    description="Two partial derivatives make one arrow: the gradient, pointing straight uphill on a contour map.",
    read_link=lambda query: read_link(query),  # defined below, once the page's mirrors are
)

ID = ids.Gradient

DEFAULT_STATE = {
    "surface": DEFAULT_SURFACE,
    "formula": "",  # a typed f(x, y)'s canonical text, and its window [x0, x1, y0, y1]; empty for a preset
    "window": [],
    "x": SURFACES[DEFAULT_SURFACE].example_point[0],
    "y": SURFACES[DEFAULT_SURFACE].example_point[1],
    "angle": 135.0,  # away from both partial-derivative arrows, so u is easy to tell apart
    "descent": False,
}
DESCENT_OPTION = "descent"
SURFACE = Choice("Surface", tuple(SURFACES))
FORMULA_IDS = FormulaIds(
    ID.FORMULA,
    ID.FORMULA_MESSAGE,
    (ID.WINDOW_X_FROM, ID.WINDOW_X_TO, ID.WINDOW_Y_FROM, ID.WINDOW_Y_TO),
    ID.WINDOW_MESSAGE,
)
ANGLE = Number("The angle", 0, 360)
COORDINATE = Number("A coordinate")  # each surface's map bounds are checked after this (in_view)


def state_from_query(query: dict) -> tuple[dict, list[str]]:
    """The first state from a shared link (see the mirror at the end), and notes on what was refused."""
    notes: list[str] = []
    key = query_choice(query, "surface", DEFAULT_STATE["surface"], (*SURFACE.choices, CUSTOM), notes)
    typed = query_function(query, SURFACE_PRESETS, "surface", notes)
    if typed is None and key == CUSTOM:
        key = DEFAULT_STATE["surface"]  # a typed surface lives in its formula; without one, the default
    chosen, surface = stored_choice(SURFACE_PRESETS, (typed or Chosen(key, "", [])).fields("surface"), "surface")
    page_default = (DEFAULT_STATE["x"], DEFAULT_STATE["y"])
    x, y = query_point(query, ("x", "y"), surface, page_default, surface.example_point, notes)
    state = chosen.fields("surface") | {
        "x": x,
        "y": y,
        "angle": query_number(query, "angle", DEFAULT_STATE["angle"], ANGLE.low, ANGLE.high, notes),
        "descent": query_flag(query, "descent", DEFAULT_STATE["descent"], notes),
    }
    return state, notes


def _controls(state: dict) -> html.Div:
    """The surface (a preset, or typed with its window), the point, the direction u and the −∇f switch."""
    _, surface = stored_choice(SURFACE_PRESETS, state, "surface")
    return html.Div(
        [
            radio_group(
                ID.SURFACE,
                "Surface f(x, y)",
                [{"label": s.label, "value": key} for key, s in SURFACES.items()],
                state["surface"] if state["surface"] in SURFACES else None,
            ),
            formula_controls(
                FORMULA_IDS,
                "f(x, y) =",
                shown_formula(SURFACE_PRESETS, state, "surface"),
                shown_edges(SURFACE_PRESETS, state, "surface"),
            ),
            html.P(surface.description, id=ID.DESCRIPTION, className="hint-text"),
            point_boxes(
                "The point (x, y)",
                "type, or click the map",
                [(ID.X_INPUT, "x", f"{state['x']:g}"), (ID.Y_INPUT, "y", f"{state['y']:g}")],
            ),
            html.Div(id=ID.POINT_MESSAGE, className="message", role="alert"),
            slider_with_input(
                label="Direction u",
                hint="angle from the +x axis, degrees",
                slider_id=ID.ANGLE_SLIDER,
                input_id=ID.ANGLE_INPUT,
                message_id=ID.ANGLE_MESSAGE,
                min=ANGLE.low,
                max=ANGLE.high,
                step=1,
                value=state["angle"],
                input_value=f"{state['angle']:g}",
                marks={a: f"{a}°" for a in range(0, 361, 90)},
            ),
            dcc.Checklist(
                id=ID.SHOW_DESCENT,
                options=[{"label": " show −∇f, the way downhill", "value": DESCENT_OPTION}],
                value=[DESCENT_OPTION] if state["descent"] else [],
                className="checkbox",
            ),
        ],
        className="panel controls",
    )


def _contour_block() -> html.Div:
    """The contour map and the readouts of what it shows."""
    return html.Div(
        [
            graph(ID.CONTOUR, summary_id=ID.CONTOUR_SUMMARY),
            html.Div(
                [
                    readout("f", ID.READ_F),
                    readout("∂f/∂x", ID.READ_DX),
                    readout("∂f/∂y", ID.READ_DY),
                    readout("∇f", ID.READ_GRADIENT),
                    readout("|∇f|", ID.READ_NORM),
                    readout("angle(∇f, contour)", ID.READ_ANGLE),
                    readout("D_u f", ID.READ_DIRECTIONAL),
                ],
                className="readouts",
                **{"aria-live": "polite"},
            ),
        ],
        className="figure-block",
    )


@memoised_layout
def layout(**query):
    """The page, drawn: the figures and readouts for the link's state are in it (no first request)."""
    state, notes = state_from_query(query)
    question = question_from_query(PATH, query, notes)
    valid, surface = read_state(state) or _default()
    with np.errstate(all="ignore"):
        return prefilled(_page(state, notes, question), DRAW_OUTPUTS, _drawn(valid, surface, None))


def _page(state: dict, notes: list[str], question: dict | None = None) -> html.Div:
    return html.Div(
        [
            page_header(
                "The gradient: every slope at once",
                "A surface has a slope in every direction. The two partial derivatives, stacked into one "
                "vector, give all of them: that vector, the gradient, points straight uphill.",
                notes,
            ),
            question_panel(PATH, question),
            html.Div([_controls(state), _contour_block()], className="workbench"),
            html.P(id=ID.EXPLANATION, className="explanation"),
            html.Div(
                [
                    graph(ID.SURFACE_3D, "secondary-figure", ID.SURFACE_SUMMARY),
                    graph(ID.DIRECTIONAL, "secondary-figure", ID.DIRECTIONAL_SUMMARY),
                ],
                className="two-columns",
            ),
            section(
                "Checked three ways",
                html.P(
                    "The closed-form partials, a central difference with h = 10⁻⁷, and torch autograd running the "
                    "same formula, side by side.",
                    className="section-idea",
                ),
                table_box(ID.VERIFY_TABLE, "The partial derivatives, checked three ways"),
            ),
            code_panel("gradient"),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.STATE, data=state),
            dcc.Store(id=ID.DRAWN_SURFACE),
        ],
        className="page gradient",
    )


def read_state(state) -> tuple[dict, object] | None:
    """A state from the browser and its surface, trusted only if sync_controls could have stored it."""
    clean = read_fields(state, {"x": COORDINATE, "y": COORDINATE, "angle": ANGLE})
    found = stored_choice(SURFACE_PRESETS, state, "surface")
    if clean is None or found is None or not found[1].in_view(clean["x"], clean["y"]):
        return None
    chosen, surface = found
    return chosen.fields("surface") | clean | {"descent": read_flag(state.get("descent"))}, surface


def _default():
    return read_state(DEFAULT_STATE)


def _read_point(surface, x_text, y_text):
    """(x, y) from the two boxes, or a message: a number, then inside the map."""
    x, y = COORDINATE.parse(x_text, "x"), COORDINATE.parse(y_text, "y")
    if not x.ok or not y.ok:
        return None, x.message or y.message
    if not surface.in_view(x.value, y.value):
        (x_lo, x_hi), (y_lo, y_hi) = surface.view_x, surface.view_y
        return None, (
            f"({x.value:g}, {y.value:g}) is outside the map: x must be in [{x_lo:g}, {x_hi:g}] "
            f"and y in [{y_lo:g}, {y_hi:g}]."
        )
    return (x.value, y.value), None


# sync_controls' outputs, in order; an answer names the ones it changes and leaves the rest alone.
SYNC_OUTPUTS = (
    ("state", ID.STATE, "data"),
    ("x", ID.X_INPUT, "value"),
    ("y", ID.Y_INPUT, "value"),
    ("point_message", ID.POINT_MESSAGE, "children"),
    ("angle_slider", ID.ANGLE_SLIDER, "value"),
    ("angle_input", ID.ANGLE_INPUT, "value"),
    ("angle_message", ID.ANGLE_MESSAGE, "children"),
    ("description", ID.DESCRIPTION, "children"),
    ("preset", ID.SURFACE, "value"),
    ("formula", ID.FORMULA, "value"),
    ("formula_message", ID.FORMULA_MESSAGE, "children"),
    *((f"edge{i}", edge, "value") for i, edge in enumerate(FORMULA_IDS.edges)),
    ("window_message", ID.WINDOW_MESSAGE, "children"),
)


def _answer(**changed) -> tuple:
    return tuple(changed.get(name, dash.no_update) for name, _, _ in SYNC_OUTPUTS)


def _everything(state: dict, surface) -> tuple:
    """Every control showing this state, and no messages."""
    edges = shown_edges(SURFACE_PRESETS, state, "surface")
    return _answer(
        state=state,
        x=f"{state['x']:g}",
        y=f"{state['y']:g}",
        point_message="",
        angle_slider=state["angle"],
        angle_input=f"{state['angle']:g}",
        angle_message="",
        description=surface.description,
        preset=state["surface"] if state["surface"] in SURFACES else None,
        formula=shown_formula(SURFACE_PRESETS, state, "surface"),
        formula_message="",
        window_message="",
        **{f"edge{i}": f"{edge:g}" for i, edge in enumerate(edges)},
    )


def _new_surface(state: dict, chosen: Chosen) -> tuple[dict, object]:
    """The state on another surface: the point stays where it is if the new map shows it."""
    _, surface = stored_choice(SURFACE_PRESETS, chosen.fields("surface"), "surface")
    state = state | chosen.fields("surface")
    if not surface.in_view(state["x"], state["y"]):
        state["x"], state["y"] = surface.example_point
    return state, surface


# The figures, readouts and words that draw a state, in the order _drawn returns them.
DRAW_OUTPUTS = (
    Output(ID.CONTOUR, "figure"),
    Output(ID.SURFACE_3D, "figure"),
    Output(ID.DIRECTIONAL, "figure"),
    Output(ID.DRAWN_SURFACE, "data"),
    Output(ID.READ_F, "children"),
    Output(ID.READ_DX, "children"),
    Output(ID.READ_DY, "children"),
    Output(ID.READ_GRADIENT, "children"),
    Output(ID.READ_NORM, "children"),
    Output(ID.READ_ANGLE, "children"),
    Output(ID.READ_DIRECTIONAL, "children"),
    Output(ID.VERIFY_TABLE, "children"),
    Output(ID.EXPLANATION, "children"),
    Output(ID.CONTOUR_SUMMARY, "children"),
    Output(ID.SURFACE_SUMMARY, "children"),
    Output(ID.DIRECTIONAL_SUMMARY, "children"),
)
STATE_AT = [name for name, _, _ in SYNC_OUTPUTS].index("state")


# One request per change: the controls are validated and the new state drawn in the same callback (a
# separate draw callback fed by the state store cost every change a second round trip). The page opens
# already drawn (layout), so this runs only when a control changes.
@callback(
    [Output(component, prop) for _, component, prop in SYNC_OUTPUTS],
    *DRAW_OUTPUTS,
    Input(ID.SURFACE, "value"),
    Input(ID.FORMULA, "value"),
    *(Input(edge, "value") for edge in FORMULA_IDS.edges),
    Input(ID.X_INPUT, "value"),
    Input(ID.Y_INPUT, "value"),
    Input(ID.CONTOUR, "clickData"),
    Input(ID.ANGLE_SLIDER, "value"),
    Input(ID.ANGLE_INPUT, "value"),
    Input(ID.SHOW_DESCENT, "value"),
    State(ID.STATE, "data"),
    State(ID.DRAWN_SURFACE, "data"),
    prevent_initial_call=True,
)
def sync_and_draw(*values):
    """The controls' answer; and when it holds a new state, that state drawn."""
    *controls, drawn_surface = values
    answer = sync_controls(*controls)
    if answer[STATE_AT] is dash.no_update:
        return answer + (dash.no_update,) * len(DRAW_OUTPUTS)
    return answer + draw(answer[STATE_AT], drawn_surface)


def sync_controls(
    surface_key, formula_text, x_from, x_to, y_from, y_to, x_text, y_text, click_data, angle_slider, angle_text,
    descent, state
):  # fmt: skip
    """Validate whichever control moved; a refusal keeps the last good state and says why."""
    state, surface = read_state(state) or _default()
    trigger = ctx.triggered_id
    if trigger == ID.SURFACE:
        if not SURFACE.read(surface_key):
            return _answer()
        state, surface = _new_surface(state, Chosen(surface_key, "", []))
        state["x"], state["y"] = surface.example_point
    elif trigger == ID.FORMULA or trigger in FORMULA_IDS.edges:
        chosen, message_id, message = typed_change(
            SURFACE_PRESETS, state, "surface", FORMULA_IDS, trigger, formula_text, (x_from, x_to, y_from, y_to)
        )
        if message:
            return _answer(**{"formula_message" if message_id == ID.FORMULA_MESSAGE else "window_message": message})
        state, surface = _new_surface(state, chosen)
    elif trigger in (ID.X_INPUT, ID.Y_INPUT, ID.CONTOUR):
        if trigger == ID.CONTOUR:
            clicked = clicked_point(click_data, 3)
            point, message = (clicked, None) if clicked and surface.in_view(*clicked) else (None, None)
            if point is None:
                return _answer()
        else:
            point, message = _read_point(surface, x_text, y_text)
        if message:
            return _answer(point_message=message)
        state["x"], state["y"] = point
    elif trigger in (ID.ANGLE_SLIDER, ID.ANGLE_INPUT):
        source = angle_slider if trigger == ID.ANGLE_SLIDER else angle_text
        parsed = ANGLE.parse(source)
        if not parsed.ok:
            return _answer(angle_message=parsed.message)
        state["angle"] = parsed.value
    elif trigger == ID.SHOW_DESCENT:
        state["descent"] = isinstance(descent, list) and DESCENT_OPTION in descent
    return _everything(state, surface)


def draw(state, drawn_surface):
    """The figures, readouts and words for the last good state."""
    state, surface = read_state(state) or _default()
    # A typed surface may have no value at the point (log of a negative, 1/0): that is a gap in the
    # figures and "undefined" in the readouts, not a warning in the server's log.
    with np.errstate(all="ignore"):
        return _drawn(state, surface, drawn_surface)


def _drawn(state: dict, surface, drawn_surface) -> tuple:
    x, y, angle, descent = state["x"], state["y"], state["angle"], state["descent"]
    grid = figures.surface_grid(surface)
    if drawn_surface == surface.key:
        # Same surface: send only what depends on the point, not the meshes again.
        contour = overlay_patch(figures.contour_overlay(surface, grid, x, y, angle, descent))
        surface_3d = overlay_patch(figures.surface_overlay(surface, x, y))
    else:
        contour = figures.contour_figure(surface, grid, x, y, angle, descent)
        surface_3d = figures.surface_figure(surface, grid, x, y)
    texts = parts.readout_texts(surface, x, y, angle)
    summaries = parts.figure_summaries(surface, x, y, angle)
    return (
        contour,
        surface_3d,
        figures.directional_figure(surface.gradient(x, y), angle),
        surface.key,
        texts["f"],
        texts["dx"],
        texts["dy"],
        texts["gradient"],
        texts["norm"],
        texts["angle"],
        texts["directional"],
        parts.verification_table(surface, x, y),
        parts.explanation(surface, x, y, angle),
        summaries["contour"],
        summaries["surface"],
        summaries["directional"],
    )


def _code(state):
    state, surface = read_state(state) or _default()
    return codegen.gradient_code(surface, state["x"], state["y"], state["angle"])


register_code_panel("gradient", [State(ID.STATE, "data")], _code)


# The address bar follows the state (assets/share.js); state_from_query reads it back.
# A typed surface's formula and window are written only for a typed one (a preset's are empty, the default).
URL_MIRRORS = [
    Mirror(key, ID.STATE, field=key, kind="flag" if key == "descent" else "value", default=DEFAULT_STATE[key])
    for key in ("surface", "x", "y", "angle", "descent")
] + [
    Mirror(FORMULA_KEY, ID.STATE, field="formula", default=DEFAULT_STATE["formula"]),
    Mirror(WINDOW_KEY, ID.STATE, field="window", default=DEFAULT_STATE["window"]),
]
register_url_mirror(ID.LINK, URL_MIRRORS + question_mirrors(PATH))
read_link = page_link_check(PATH, URL_MIRRORS, state_from_query)  # a lesson's step here is checked with it
register_question_callbacks(PATH)
