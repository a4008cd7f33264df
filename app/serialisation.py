"""Every JSON answer Dash sends (callback responses, layouts) is written by orjson in one native pass.

Dash serialises with ``plotly.io.json.to_json_plotly``, which it looks up on each call. With orjson
installed, that function tries orjson on the object as it is; but any Dash component in it (a table,
a readout, a page's layout) makes orjson refuse, and plotly then rebuilds the whole object in Python
(``clean_to_json_compatible`` visits every item of every list) before a second orjson pass. Most of
this app's answers hold a component, and that walk was about a tenth of the server's CPU in a class's
requests (bench/profile_requests.py). orjson's ``default`` hook instead converts each component where
it stands, and gives the same JSON (tests/unit/test_serialisation.py). Anything the hook does not know
still goes to plotly's own function, so nothing that plotly could write is refused here.
"""

from __future__ import annotations

import sys

import dash._utils as dash_utils
import flask
import numpy as np
import orjson
import plotly.io.json as plotly_json
from dash.development.base_component import Component
from plotly.io import _json as plotly_json_internals

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # plotly's own options
PLOTLY_TO_JSON = plotly_json.to_json_plotly  # read when this module is first imported, before install()
DASH_STRINGIFY_ID = dash_utils.stringify_id  # likewise


# What Dash's generated constructors store on every instance besides its properties: the lists of the
# class's property names. Everything else in a component's __dict__ is a property that was set (the
# constructor refuses any other name), which is exactly what ``to_plotly_json`` writes.
_BOOKKEEPING = frozenset(
    {"_prop_names", "_valid_wildcard_attributes", "available_properties", "available_wildcard_properties"}
)


def component_json(component: Component) -> dict:
    """What ``component.to_plotly_json()`` returns, in one pass over the properties it holds.

    Dash's own method asks hasattr() of every property the class could have, then tests every attribute
    against every wildcard prefix: a third of the CPU of a response full of table cells. A property
    that was set lives in the component's __dict__, so reading that once gives the same dict
    (tests/unit/test_serialisation.py compares the two for every component of every page)."""
    props = {key: value for key, value in vars(component).items() if key not in _BOOKKEEPING}
    return {"props": props, "type": component._type, "namespace": component._namespace}


def _convert(value):
    """What orjson cannot write itself: Dash components (and plotly objects), odd numpy values."""
    if isinstance(value, Component):
        return component_json(value)
    to_plotly_json = getattr(value, "to_plotly_json", None)
    if to_plotly_json is not None:
        return to_plotly_json()
    if isinstance(value, np.ndarray):  # not C-contiguous, or of a dtype orjson does not take
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable here")


# Dash's routes whose answer is application/json (sent with X-Content-Type-Options: nosniff, see
# app/main.py). The browser hands that text to JSON.parse, never to an HTML parser, and JSON.parse reads
# "\u003c" and "<" as the same character: plotly's <script> escapes change nothing it receives, and cost
# five passes over every answer (about 4% of a class's server CPU, bench/profile_requests.py).
JSON_ROUTES = ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies")


def _bound_for_html() -> bool:
    """Whether this JSON may end up inside an HTML page: anything but a JSON route's answer (the index
    page writes Dash's config inside <script>), and anything written outside a request."""
    return not (flask.has_request_context() and flask.request.path.endswith(JSON_ROUTES))


def to_json(value, pretty: bool = False, engine: str | None = None) -> str:
    """plotly's to_json_plotly, with components converted in orjson's own pass."""
    if pretty or engine is not None:
        return PLOTLY_TO_JSON(value, pretty=pretty, engine=engine)
    try:
        text = orjson.dumps(value, default=_convert, option=OPTIONS).decode("utf8")
    except TypeError:
        return PLOTLY_TO_JSON(value)
    if not _bound_for_html():
        return text
    # The same escapes as plotly's (<, >, / and the line separators), so the JSON is safe inside <script>.
    return plotly_json_internals._safe(text, plotly_json_internals._swap_orjson)


# Id values that orjson writes exactly as json.dumps does (floats differ: 1e+16 against 1e16).
_PLAIN_ID_VALUES = (str, int)


def stringify_id(id_):
    """Dash's ``stringify_id``, the same text in one native pass for the ids this app uses.

    Dash names every pattern-matching id by its JSON with sorted keys, written key by key with
    json.dumps, twice or more per id per callback: /optimizers' race and /learning-rate's runs take a
    few dozen such ids each, and this naming was about a twentieth of a class's server CPU
    (bench/profile_requests.py). orjson writes the same text 17 times faster. Anything else (a
    wildcard, a float, a non-ASCII name, a huge integer) still goes to Dash's own function, and
    tests/unit/test_serialisation.py compares the two."""
    if not isinstance(id_, dict) or not all(
        type(key) is str and type(value) in _PLAIN_ID_VALUES for key, value in id_.items()
    ):
        return DASH_STRINGIFY_ID(id_)
    try:
        text = orjson.dumps(id_, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits
        return DASH_STRINGIFY_ID(id_)
    return text if text.isascii() else DASH_STRINGIFY_ID(id_)  # json.dumps escapes what is not ASCII


def _dash_modules_naming_ids():
    """Every loaded Dash module that holds Dash's stringify_id under its own name (from ... import)."""
    return [
        module
        for name, module in list(sys.modules.items())
        if (name == "dash" or name.startswith("dash.")) and getattr(module, "stringify_id", None) is DASH_STRINGIFY_ID
    ]


def install() -> None:
    """Make Dash's serialiser and id naming these (idempotent: create_app may run many times in one process)."""
    plotly_json.to_json_plotly = to_json
    for module in _dash_modules_naming_ids():
        module.stringify_id = stringify_id
