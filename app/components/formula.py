"""A learner's own f beside the catalog's presets: the formula box, its view window, and reading a
page state's function (a catalog key, or a typed formula with its window) by the same rules everywhere.

A state names its function in three fields: ``surface`` (or ``function``) is a catalog key or
``CUSTOM``; ``formula`` and ``window`` are the canonical text and the window [x0, x1(, y0, y1)] of a
typed one, and empty for a preset (so a link to a preset carries no formula). Typed text is only ever
read by ``parse`` (app/compute/expressions.py); what a state stores is its canonical text, which goes
through ``parse`` again whenever the browser sends it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dash import html

from app.components.controls import exact_input
from app.components.parse import Number
from app.components.share import first_value
from app.compute.custom import (
    DEFAULT_WINDOW_1D,
    DEFAULT_WINDOW_2D,
    FUNCTION_TEXTS,
    MAX_WINDOW,
    SURFACE_TEXTS,
    Window,
    custom_function,
    custom_surface,
)
from app.compute.expressions import ExpressionError, parse
from app.compute.functions import FUNCTIONS
from app.compute.surfaces import SURFACES

CUSTOM = "custom"  # the state's key when the learner typed a formula no preset matches
EDGE_NAMES = ("x from", "x to", "y from", "y to")
FORMULA_KEY, WINDOW_KEY = "f", "window"  # their keys in a shared link


@dataclass(frozen=True)
class Presets:
    """One catalog seen as presets of the typed input: its texts, its objects, and how to build a typed one."""

    variables: tuple[str, ...]
    texts: Mapping[str, str]
    objects: Mapping[str, object]  # SURFACES or FUNCTIONS: each has view_x (and view_y for surfaces)
    default_window: tuple[float, ...]
    build: Callable  # (canonical text, Window) -> the catalog's kind of object

    @property
    def edges(self) -> int:
        return 2 * len(self.variables)

    def window_of(self, key: str) -> tuple[float, ...]:
        """A preset's own view: the window its formula is drawn on."""
        found = self.objects[key]
        return tuple(found.view_x) + (tuple(found.view_y) if self.edges == 4 else ())

    def make_window(self, edges) -> Window:
        edges = tuple(float(edge) for edge in edges)
        return Window(edges[:2], edges[2:4] if self.edges == 4 else None)


SURFACE_PRESETS = Presets(
    ("x", "y"), SURFACE_TEXTS, SURFACES, DEFAULT_WINDOW_2D, lambda text, window: custom_surface(text, window)
)
FUNCTION_PRESETS = Presets(
    ("x",), FUNCTION_TEXTS, FUNCTIONS, DEFAULT_WINDOW_1D, lambda text, window: custom_function(text, window)
)
WINDOW_EDGE = Number("A window edge", -MAX_WINDOW, MAX_WINDOW)


@dataclass(frozen=True)
class Chosen:
    """What a typed formula and window come to: a preset's key, or CUSTOM with its canonical text."""

    key: str
    formula: str  # canonical text; "" for a preset
    window: list[float]  # [] for a preset

    def fields(self, key_field: str) -> dict:
        return {key_field: self.key, "formula": self.formula, "window": self.window}

    def compact_fields(self, key_field: str) -> dict:
        """As fields, but a preset's state carries its key alone (its link mirrors are ``optional``)."""
        return self.fields(key_field) if self.key == CUSTOM else {key_field: self.key}


# ---- reading -----------------------------------------------------------------------------------------


def choose(presets: Presets, text, edges) -> tuple[Chosen | None, str | None]:
    """The preset this formula and window are (same canonical text, same window), else a typed one;
    or None and the message for why the text or the window is refused."""
    try:
        canonical = parse(text, presets.variables).text
    except ExpressionError as error:
        return None, str(error)
    window = presets.make_window(edges)
    problem = window.problem()
    if problem:
        return None, problem
    for key, preset_text in presets.texts.items():
        if parse(preset_text, presets.variables).text == canonical and presets.window_of(key) == tuple(edges):
            return Chosen(key, "", []), None
    return Chosen(CUSTOM, canonical, [float(edge) for edge in edges]), None


def read_edges(presets: Presets, texts) -> tuple[tuple[float, ...] | None, str | None]:
    """The window's edges from its boxes, or a message naming the box that is refused."""
    edges = []
    for value, name in zip(texts, EDGE_NAMES, strict=False):
        parsed = WINDOW_EDGE.parse(value, name)
        if not parsed.ok:
            return None, parsed.message
        edges.append(parsed.value)
    if len(edges) != presets.edges:
        return None, "Give every edge of the window."
    problem = presets.make_window(edges).problem()
    return (None, problem) if problem else (tuple(edges), None)


def stored_choice(presets: Presets, state, key_field: str) -> tuple[Chosen, object] | None:
    """The function a stored state names (catalog key or typed formula) with its fields made canonical,
    or None if the page could not have stored it (a forged formula or window is refused like a typed one)."""
    if not isinstance(state, dict):
        return None
    key = state.get(key_field)
    if isinstance(key, str) and key in presets.objects:
        return Chosen(key, "", []), presets.objects[key]
    window = state.get("window")
    if key != CUSTOM or not isinstance(window, list) or len(window) != presets.edges:
        return None
    edges, message = read_edges(presets, window)
    if message:
        return None
    try:
        canonical = parse(state.get("formula"), presets.variables).text
    except ExpressionError:
        return None
    return Chosen(CUSTOM, canonical, list(edges)), presets.build(canonical, presets.make_window(edges))


def shown_formula(presets: Presets, state: dict, key_field: str) -> str:
    """What the formula box shows for a state: the preset's text, or the typed formula."""
    key = state[key_field]
    return presets.texts[key] if key in presets.texts else state["formula"]


def shown_edges(presets: Presets, state: dict, key_field: str) -> tuple[float, ...]:
    key = state[key_field]
    return presets.window_of(key) if key in presets.objects else tuple(state["window"])


def query_function(query: dict, presets: Presets, key: str, notes: list[str]) -> Chosen | None:
    """A typed formula and window from a link (f=…&window=…), or None where the link has no formula.

    A refused formula or window becomes a note, and the page keeps its preset."""
    text = first_value(query, FORMULA_KEY)
    window_text = first_value(query, WINDOW_KEY)
    if text is None or text == "":
        if window_text:
            notes.append(f"{WINDOW_KEY}: a window needs a formula (f) to go with it.")
        return None
    edges = presets.default_window
    if window_text:
        edges, message = read_edges(presets, str(window_text).split(","))
        if message:
            notes.append(f"{WINDOW_KEY}: {message}")
            return None
    chosen, message = choose(presets, text, edges)
    if message:
        notes.append(f"{FORMULA_KEY}: {message}")
    return chosen


def typed_change(presets: Presets, state: dict, key_field: str, ids, trigger, formula_text, edge_texts):
    """A formula box or window box that moved, read against the state's other half (its window, or its
    formula): (what they now choose, None, None), or (None, the message line's id, why it is refused)."""
    if trigger == ids.formula:
        chosen, message = choose(presets, formula_text, shown_edges(presets, state, key_field))
        return chosen, (ids.formula_message if message else None), message
    edges, message = read_edges(presets, edge_texts)
    chosen = None
    if message is None:
        chosen, message = choose(presets, shown_formula(presets, state, key_field), edges)
    return chosen, (ids.window_message if message else None), message


def shown_controls(presets: Presets, state: dict, key_field: str) -> tuple[str, ...]:
    """What the formula box and each window box show for a state, in the order of FormulaIds."""
    return (shown_formula(presets, state, key_field), *(f"{edge:g}" for edge in shown_edges(presets, state, key_field)))


# ---- the controls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormulaIds:
    """A page's ids for its formula box, its window boxes and their message lines."""

    formula: str
    formula_message: str
    edges: tuple[str, ...]  # x from, x to (, y from, y to)
    window_message: str


def formula_controls(ids: FormulaIds, label: str, text: str, edges: tuple[float, ...]) -> html.Div:
    """The labelled formula box (commits on Enter or Tab), the view window's boxes, and a message line
    under each, where a refusal says why."""
    rows = []
    for axis, start in zip(("x", "y"), range(0, len(ids.edges), 2), strict=False):
        rows.append(
            html.Div(
                [
                    html.Label(f"{axis} from", htmlFor=ids.edges[start], className="axis-label"),
                    exact_input(ids.edges[start], f"{edges[start]:g}"),
                    html.Label("to", htmlFor=ids.edges[start + 1], className="axis-label"),
                    exact_input(ids.edges[start + 1], f"{edges[start + 1]:g}"),
                ],
                className="point-row window-row",
            )
        )
    return html.Div(
        [
            html.Label(
                [label, html.Span("type your own, then Enter", className="hint")],
                htmlFor=ids.formula,
                className="control-label",
            ),
            exact_input(ids.formula, text, input_mode="text", class_name="exact-input formula-input"),
            html.Div(id=ids.formula_message, className="message", role="alert", **{"aria-live": "polite"}),
            html.Span(
                ["View window", html.Span("the part of the plane drawn", className="hint")], className="control-label"
            ),
            *rows,
            html.Div(id=ids.window_message, className="message", role="alert", **{"aria-live": "polite"}),
        ],
        className="control formula-control",
    )
