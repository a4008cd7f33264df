"""The lean elements of app/components/elements.py are Dash's own components, property for property."""

from __future__ import annotations

import json

import pytest
from dash import html

from app.components import elements
from app.serialisation import PLOTLY_TO_JSON, component_json, to_json

LEAN = [name for name in elements.__all__ if name != "lean"]
EXAMPLES = [
    ((), {}),
    (("1.5",), {}),
    ((["x = ", "2"],), {"className": "number", "style": {"color": "red"}}),
    ((None,), {"title": "a tooltip", "role": "note", "aria-label": "a label", "data-step": "3"}),
    (("nested",), {"className": None}),
]


def test_every_html_element_is_covered():
    assert len(LEAN) >= 10
    for name in LEAN:
        assert getattr(elements, name).__name__ == name
        assert isinstance(getattr(html, name), type)


@pytest.mark.parametrize("name", LEAN)
@pytest.mark.parametrize(("args", "props"), EXAMPLES)
def test_lean_element_equals_dash_element(name, args, props):
    dash_made = getattr(html, name)(*args, **props)
    lean_made = getattr(elements, name)(*args, **props)
    assert type(lean_made) is type(dash_made)
    assert vars(lean_made) == vars(dash_made)
    assert lean_made.to_plotly_json() == dash_made.to_plotly_json()
    assert component_json(lean_made) == component_json(dash_made)


def test_nested_elements_serialise_as_dash_ones():
    lean = elements.Tr([elements.Td(elements.Var("x")), elements.Th("y", className="h")])
    dash_made = html.Tr([html.Td(html.Var("x")), html.Th("y", className="h")])
    assert json.loads(to_json(lean)) == json.loads(PLOTLY_TO_JSON(dash_made))
    assert [type(c) for c in lean.children] == [html.Td, html.Th]


@pytest.mark.parametrize("name", LEAN)
def test_unknown_property_is_refused_as_dash_refuses_it(name):
    with pytest.raises(TypeError, match="unexpected keyword argument: `colour`"):
        getattr(elements, name)("x", colour="red")


def test_an_id_or_a_component_property_goes_through_dashs_checks():
    assert elements.Td("x", id="cell").id == "cell"
    with pytest.raises(TypeError, match="`id` prop must be a string or dict"):
        elements.Td("x", id=3)
    with pytest.raises(TypeError, match="detected a Component for a prop other than `children`"):
        elements.Td("x", title=html.B("no"))
