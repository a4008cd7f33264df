"""Every control on a page mirrored in the address bar, so that a link opens exactly the same view.

Reading: a page's ``layout(**query)`` turns the query string into its first state with the readers
below. A value that cannot be used (not a number, out of range, an unknown name) is left at its
default, and ``link_note`` says so at the top of the page.

Writing: ``register_url_mirror`` adds one clientside callback per page (assets/share.js). When a
mirrored value changes it rewrites the query with ``history.replaceState``. Dash's own Location is not
touched, so the page is not rendered again, and no request is made.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

from dash import Input, Output, clientside_callback, dcc, html

from app.components.parse import Choice, parse_number

# Keys the browser alone reads, kept in the link by assets/presenter.js and assets/share.js:
# present=1 (presenter mode), controls=0 (controls hidden), code=1 (the code panel open).
BROWSER_KEYS = frozenset({"present", "controls", "code"})


@dataclass(frozen=True)
class Mirror:
    """One value in the URL: the query key, where its value lives, and how it is written."""

    key: str
    component: str | dict
    prop: str = "data"
    field: str | None = None  # the entry of a dict value (a state store); None: the value itself
    item: str | None = None  # a list of dicts: this entry of each item, joined by commas
    # "value"; "flag" (true is 1); "number" (typed text: only an accepted number is written); "frame"
    # (a step player's state: its step while paused mid-run, else nothing); "cleared" (a value whose
    # absence, None or a missing field, removes the key: a question that was closed)
    kind: str = "value"
    default: object = None  # a value equal to this is left out, so a page at its defaults has a clean link
    # A default that depends on another entry of the same store: ``defaults[store[default_by]]`` when
    # that value is listed, else ``default``. /optimizers' settings default to the chosen surface's own
    # suggestions, so ``?surface=rosenbrock`` opens the race the Surface choice would show.
    default_by: str | None = None
    defaults: dict | None = None
    # For "number": the range (and wholeness) the page accepts; typed text outside it is not written,
    # so the link keeps the last value the page used.
    low: float | None = None
    high: float | None = None
    whole: bool = False
    optional: bool = False  # a field the state may leave out: it is then at its default (left out of the link)


def link_store(link_id: str) -> dcc.Store:
    """Holds the page's query string as the mirror last wrote it; put it in the page's layout."""
    return dcc.Store(id=link_id)


def register_url_mirror(link_id: str, mirrors: list[Mirror]) -> None:
    """Rewrite the address bar whenever one of these values changes (in the browser, no request).

    The query string also goes into the ``link_store``: a callback with an output runs when the page
    opens, so a link's refused values leave the address bar at once.
    """
    # Several mirrors can read one store; Dash wants each input once, so each mirror names its input.
    sources = list(dict.fromkeys((json.dumps(m.component, sort_keys=True), m.prop) for m in mirrors))
    spec = [asdict(m) | {"input": sources.index((json.dumps(m.component, sort_keys=True), m.prop))} for m in mirrors]
    clientside_callback(
        "function () { return window.dash_clientside.share.mirror(SPEC, Array.from(arguments)); }".replace(
            "SPEC", json.dumps(spec, ensure_ascii=False)
        ),
        Output(link_id, "data"),
        [Input(json.loads(component), prop) for component, prop in sources],
    )


# ---- reading a query ----------------------------------------------------------------------------


def link_check(mirrors: list[Mirror], *readers: Callable[[dict, list[str]], object]) -> Callable[[dict], list[str]]:
    """What a page cannot use in a link, as notes: keys it writes no mirror for, then each reader's notes.

    A page's layout forgives these (it opens at its defaults and says so); a lesson's step is refused
    for them instead (app/pages/lesson.py), so a teacher finds out before the class does.
    """
    known = frozenset(mirror.key for mirror in mirrors) | BROWSER_KEYS

    def check(query: dict) -> list[str]:
        notes = [f"“{str(key)[:40]}” is not a setting of this page." for key in sorted(set(query) - known)]
        for read in readers:
            read(query, notes)
        return notes

    return check


def first_value(query: dict, key: str):
    """Dash hands a repeated key over as a list; the first value counts."""
    value = query.get(key)
    return value[0] if isinstance(value, list) and value else value


def query_number(
    query: dict, key: str, default: float, low: float, high: float, notes: list[str], *, whole=False, positive=False
) -> float:
    """The number under ``key`` if it is in [low, high] (and whole, if asked); else the default and a note."""
    text = first_value(query, key)
    if text is None:
        return default
    parsed = parse_number(text, key, low, high, positive=positive, whole=whole)
    if not parsed.ok:
        notes.append(parsed.message)
        return default
    return parsed.value


def query_choice(query: dict, key: str, default: str, choices, notes: list[str]) -> str:
    """The name under ``key`` if it is one of ``choices``; else the default and a note."""
    value = first_value(query, key)
    if value is None:
        return default
    parsed = Choice(key, tuple(choices)).parse(value)
    if not parsed.ok:
        notes.append(parsed.message)
        return default
    return parsed.value


def query_flag(query: dict, key: str, default: bool, notes: list[str]) -> bool:
    """1 or 0 under ``key``; anything else keeps the default, with a note."""
    value = first_value(query, key)
    if value is None:
        return default
    if value in ("1", "0"):
        return value == "1"
    notes.append(f"{key}: use 1 or 0, not “{str(value)[:40]}”.")
    return default


def query_point(
    query: dict, keys: tuple[str, str], surface, page_default: tuple, surface_default: tuple, notes: list[str]
) -> tuple[float, float]:
    """A point on ``surface``'s map from two keys.

    A coordinate left out of the link takes the page's default point if that point is on this map
    (the mirror leaves out values equal to it), and otherwise the surface's own default point.
    """
    fallback = page_default if surface.in_view(*page_default) else surface_default
    (x_lo, x_hi), (y_lo, y_hi) = surface.view_x, surface.view_y
    x = query_number(query, keys[0], fallback[0], x_lo, x_hi, notes)
    y = query_number(query, keys[1], fallback[1], y_lo, y_hi, notes)
    return x, y


def query_numbers(
    query: dict, key: str, default: list[float], low: float, high: float, most: int, notes: list[str]
) -> list[float]:
    """A comma-separated list of numbers in [low, high], at most ``most``; else the default and a note."""
    text = first_value(query, key)
    if text is None:
        return default
    pieces = [piece for piece in str(text).split(",") if piece.strip()]
    if not pieces or len(pieces) > most:
        notes.append(f"{key}: give 1 to {most} numbers separated by commas.")
        return default
    values = []
    for piece in pieces:
        parsed = parse_number(piece, key, low, high, positive=low > 0)
        if not parsed.ok:
            notes.append(parsed.message)
            return default
        values.append(parsed.value)
    return values


def query_step(query: dict, key: str, notes: list[str]) -> int | None:
    """A paused player's step (0 or more), or None: the run is then shown whole."""
    text = first_value(query, key)
    if text is None:
        return None
    parsed = parse_number(text, key, 0, math.inf, whole=True)
    if not parsed.ok:
        notes.append(parsed.message)
        return None
    return parsed.value


def link_note(notes: list[str]) -> html.Div:
    """Above the page: which parts of the link could not be used (empty when all could)."""
    if not notes:
        return html.Div(className="message link-note")
    return html.Div(
        [
            html.Strong("Part of this link could not be used, so those settings start at their defaults: "),
            html.Ul([html.Li(note) for note in notes]),
        ],
        className="message link-note",
        role="alert",
    )
