"""HTML elements for the many small pieces of a table or readout, built without Dash's per-argument work.

``html.Td("1.5")`` runs Dash's generic constructor: for every argument it formats an error message with
the package's version (in case the argument is wrong), then checks it. A result table is hundreds of
cells, and building cells, rows and formula pieces was about a fifth of a worker's CPU under a class's
load (bench/profile_requests.py). ``Td`` here makes the same component: the same class, the same
properties, the same JSON (tests/unit/test_elements.py compares them with Dash's for every element
kind), and it still refuses a property the element does not have. It skips only the message
formatting and the checks that matter for ids and nested components, which these pieces never take:
an element with an ``id`` or a component in a property other than ``children`` is built by Dash.

Use these where a callback builds many elements at once (tables, formula pieces); a page's one-off
layout reads better with ``html.*`` and costs nothing to speak of.
"""

from __future__ import annotations

import functools

from dash import html
from dash.development.base_component import Component


@functools.cache
def _blank(kind: type[Component]) -> tuple[dict, frozenset, tuple]:
    """What Dash's constructor sets on every instance of ``kind`` (its property lists), the property
    names it accepts and the prefixes of its free ones (data-*, aria-*)."""
    sample = kind()
    bookkeeping = {key: value for key, value in vars(sample).items() if key != "children"}
    return bookkeeping, frozenset(sample._prop_names), tuple(sample._valid_wildcard_attributes)


def lean(kind: type[Component]):
    """A constructor for ``kind`` taking (children, **props) like Dash's, without its per-call overhead."""

    def build(children=None, **props) -> Component:
        bookkeeping, names, prefixes = _blank(kind)
        for key, value in props.items():
            if key == "id" or (key not in names and not key.startswith(prefixes)) or isinstance(value, Component):
                return kind(children, **props)  # Dash's own checks (and its error message) for the odd case
        element = kind.__new__(kind)
        state = element.__dict__
        state.update(bookkeeping)
        state["children"] = children
        state.update(props)
        return element

    build.__name__ = build.__qualname__ = kind.__name__
    build.__doc__ = f"``html.{kind.__name__}``, built without Dash's per-argument checks."
    return build


__all__ = ["lean", "Table", "Thead", "Tbody", "Tr", "Th", "Td", "Span", "Var", "Sub", "Sup", "Strong", "Li"]

Table = lean(html.Table)
Thead = lean(html.Thead)
Tbody = lean(html.Tbody)
Tr = lean(html.Tr)
Th = lean(html.Th)
Td = lean(html.Td)
Span = lean(html.Span)
Var = lean(html.Var)
Sub = lean(html.Sub)
Sup = lean(html.Sup)
Strong = lean(html.Strong)
Li = lean(html.Li)
