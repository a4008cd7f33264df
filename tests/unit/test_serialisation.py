"""app/serialisation.py writes the same JSON as plotly's own serialiser, in one orjson pass."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest
from dash import Patch, dcc, html
from dash.development.base_component import Component
from plotly.io import _json as plotly_json_internals

from app import serialisation
from app.compute.surfaces import SURFACES
from app.figures.gradient import contour_figure, surface_grid


def plotly_own(value) -> str:
    return serialisation.PLOTLY_TO_JSON(value)


def _figure_with_arrays():
    column = np.arange(12.0).reshape(3, 4)[:, 1]  # a strided view: not C-contiguous
    return {
        "data": [{"x": np.linspace(0, 1, 5), "y": [1.0, math.nan, math.inf], "z": column, "n": np.int64(3)}],
        "layout": {"title": {"text": "a </script> & \u2028 line"}},
    }


CASES = {
    "components around a figure": html.Div(
        [html.Table(html.Tr([html.Td("1.0000"), html.Td(html.Code("w -= lr * w.grad"))])), dcc.Graph(figure={})]
    ),
    "numpy arrays, a strided view, NaN, inf and a numpy integer": _figure_with_arrays(),
    "a Patch": Patch(),
    "a page's layout": None,  # filled below: the real /gradient contour figure inside components
    "plain values": {"a": [1, 2.5, None, True, "x"], 3: "a non-string key"},
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_json_is_plotlys(name):
    value = CASES[name]
    if name == "a page's layout":
        surface = SURFACES["rosenbrock"]
        value = html.Div([dcc.Graph(figure=contour_figure(surface, surface_grid(surface), 1, 1, 45, True))])
    if isinstance(value, Patch):
        value["data"][0]["x"] = np.array([1.0, 2.0])
        value = value.to_plotly_json()
    fast = serialisation.to_json(value)
    assert orjson.loads(fast) == orjson.loads(plotly_own(value))
    for unsafe, _ in plotly_json_internals._swap_orjson:
        assert unsafe not in fast, "the same escapes for <script> as plotly's"


def test_dash_uses_it_once_the_app_exists():
    import plotly.io.json as plotly_json

    from app.main import create_app

    create_app()
    assert plotly_json.to_json_plotly is serialisation.to_json


def test_what_it_cannot_write_goes_to_plotly():
    class Opaque:
        pass

    with pytest.raises(Exception) as raised:
        serialisation.to_json({"x": Opaque()})
    with pytest.raises(type(raised.value)):
        plotly_own({"x": Opaque()})


def _every_component(layout):
    yield layout
    yield from (node for node in layout._traverse() if isinstance(node, Component))


def test_each_component_is_written_as_dash_writes_it():
    """component_json against Dash's own to_plotly_json, for every component of every page as it opens."""
    import dash

    from app.main import create_app

    create_app()
    seen = 0
    for page in dash.page_registry.values():
        layout = page["layout"]() if callable(page["layout"]) else page["layout"]
        for component in _every_component(layout):
            assert serialisation.component_json(component) == component.to_plotly_json(), type(component)
            seen += 1
    assert seen > 500


def test_json_routes_skip_the_script_escapes_and_html_keeps_them():
    """A JSON route's answer is read by JSON.parse only: the same values, without plotly's escapes.
    Anything else (the index page embeds Dash's config in <script>) keeps them."""
    import flask

    value = _figure_with_arrays()
    expected = orjson.loads(plotly_own(value))
    server = flask.Flask(__name__)
    for path in serialisation.JSON_ROUTES:
        with server.test_request_context(path, method="POST"):
            raw = serialisation.to_json(value)
        assert orjson.loads(raw) == expected
        assert "</script>" in raw and "\u2028" in raw
    for path in ("/derivative", "/_dash-update-component/extra", "/assets/x.json"):
        with server.test_request_context(path):
            escaped = serialisation.to_json(value)
        assert orjson.loads(escaped) == expected
        assert not any(unsafe in escaped for unsafe, _ in plotly_json_internals._swap_orjson), path


def test_every_answer_forbids_sniffing_and_the_index_config_stays_escaped():
    from app.main import create_app

    client = create_app().server.test_client()
    page = client.get("/derivative")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    config = page.get_data(as_text=True).split('<script id="_dash-config" type="application/json">')[1]
    config = config.split("</script>")[0]
    assert "/" not in config, "the config's URLs keep plotly's escapes inside <script>"
    layout = client.get("/_dash-layout")
    assert layout.headers["X-Content-Type-Options"] == "nosniff"
    assert layout.mimetype == "application/json"


IDS = [
    "derivative-x0",
    {"type": "opt-hyper", "index": "adam", "field": "lr"},
    {"type": "lr-preset", "index": 3},
    {"type": "lr-remove", "index": -12, "on": True},
    {"b": "z", "a": "y", "c": 0},  # keys out of order
    {"type": 'a "quoted" \\ name'},
    {"type": "flèche", "index": "η"},  # not ASCII: json.dumps escapes it
    {"type": "x", "index": 0.1},
    {"type": "x", "index": 1e16},  # json.dumps writes 1e+16
    {"type": "x", "index": 2**70},  # beyond orjson's integers
    {"type": "x", "index": None},
    {"type": "x", "index": [1, "two"]},
    {},
]


@pytest.mark.parametrize("component_id", IDS, ids=range(len(IDS)))
def test_ids_are_named_as_dash_names_them(component_id):
    assert serialisation.stringify_id(component_id) == serialisation.DASH_STRINGIFY_ID(component_id)


def test_wildcard_ids_are_named_as_dash_names_them():
    from dash import ALL, ALLSMALLER, MATCH

    for wildcard in (ALL, MATCH, ALLSMALLER):
        component_id = {"type": "opt-hyper", "index": wildcard}
        assert serialisation.stringify_id(component_id) == serialisation.DASH_STRINGIFY_ID(component_id)


def test_every_dash_module_names_ids_with_it_once_the_app_exists():
    """Dash's modules import stringify_id by name: each of them must hold the fast one, or a callback
    with pattern-matching ids would still pay for the slow one there."""
    import sys

    from app.main import create_app

    create_app()
    holders = {
        name: module.stringify_id
        for name, module in sys.modules.items()
        if (name == "dash" or name.startswith("dash.")) and hasattr(module, "stringify_id")
    }
    assert {"dash._utils", "dash._grouping", "dash._callback", "dash._validate"} <= holders.keys()
    assert all(function is serialisation.stringify_id for function in holders.values()), holders
