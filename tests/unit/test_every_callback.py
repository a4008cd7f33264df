"""Every server-side callback of the whole app, fed bad input through /_dash-update-component.

The callbacks are read from the app's own /_dash-dependencies, so a new callback is covered without
editing this file. For each callback and each of its inputs and states, one slot gets a bad value
while the others get None; then every slot gets it at once; then the request itself is malformed
(lists missing or of the wrong type, entries without "value", unknown or forged ids, NaN tokens).
No post may answer 500, and the test client must never raise: a callback that raises is a worker
that answers 500 for a single forged request. Bodies of the wrong shape, and a page-router request
with a pathname that is not a path, are refused with 400 by app.main before Dash sees them.
"""

from __future__ import annotations

import json
import sys
from functools import cache

import dash
import pytest

from tests.dash_client import DashClient

# What a forged or broken browser could send. Strings are what a text box holds; the rest are the
# wrong types a hand-made request can put in any slot.
BAD_VALUES = {
    "None": None,
    "empty": "",
    "abc": "abc",
    "'nan'": "nan",
    "'NaN'": "NaN",
    "'inf'": "inf",
    "'-inf'": "-inf",
    "'1e400'": "1e400",
    "1e308": 1e308,
    "-1e308": -1e308,
    "10**30": 10**30,
    "-10**30": -(10**30),
    "10**400": 10**400,  # a JSON integer float() cannot hold
    "-10**400": -(10**400),
    "0": 0,
    "-1": -1,
    "True": True,
    "[]": [],
    "[1, 2]": [1, 2],
    "{}": {},
    "{a: 1}": {"a": 1},
    "['bowl']": ["bowl"],  # a list or dict where a name is expected: unhashable, so no dict lookup
    "{bowl: 1}": {"bowl": 1},
    "10k chars": "9" * 10_000,
    "junk store": {"function": [1], "x0": {"a": 1}, "h": "x", "surface": [], "lr": {}, "steps": "1e9"},
    "10k-item list": [{"lr": 0.1, "x": 1}] * 10_000,
}
# Strict JSON cannot carry these; Python's json.dumps writes them as NaN / Infinity tokens, and
# Flask's parser reads those tokens back as floats. These bodies are posted as raw text.
NON_FINITE = {"NaN token": float("nan"), "Infinity token": float("inf"), "-Infinity token": float("-inf")}
# Written into the JSON text as it stands: 1e400 is valid JSON that Python reads as inf, but
# json.dumps cannot write it, so it travels as a marker replaced after encoding.
RAW_TOKENS = {"1e400": "1e400", "-1e400": "-1e400"}


def _marker(token: str) -> str:
    return f"@@raw:{token}@@"


def _encode(body) -> str:
    text = json.dumps(body)
    for token in RAW_TOKENS.values():
        text = text.replace(json.dumps(_marker(token)), token)
    return text


# A field of a store: each bad value, plus the raw tokens.
STORE_FIELD_VALUES = {**BAD_VALUES, **{label: _marker(token) for label, token in RAW_TOKENS.items()}}
STORE_FIELD_VALUES.pop("10k-item list")  # one huge field per post is covered by the slot itself
# Every slot bad at once: one value of each kind, so the figure-heavy callbacks stay within the time
# budget (each of their posts redraws the page's figures, 0.1-0.2 s).
AT_ONCE = ["None", "abc", "'nan'", "'-inf'", "'1e400'", "-1e308", "10**30", "True", "[1, 2]", "{a: 1}", "10k chars"]
AT_ONCE += ["junk store"]
# Trigger ids no layout has: a wildcard input's concrete id with a forged index.
FORGED_INDEXES = {"99": 99, "'x'": "x", "[1]": [1], "{a: 1}": {"a": 1}, "None": None}

# dash.page_container's router is Dash's own callback, not the app's: it calls str methods on the
# pathname and search it is sent, so a non-path pathname or a non-string search raises inside Dash
# (dash/_get_paths.py, dash/_pages.py). Nothing under app/ runs; see test_pages_router_* below.
PAGES_ROUTER = "_pages_content.children<-_pages_location.pathname"


def _stringify(component_id) -> str:
    """A component id as the renderer writes it in changedPropIds."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


@cache
def _app():
    """One app, built while collecting, to list the callbacks and the ids in every layout."""
    from app.main import create_app

    app = create_app()
    DashClient(app)  # the first request finishes the app's setup
    return app


@cache
def _store_defaults() -> dict:
    """The data each store starts with in its page's layout: the shape a forged field is put into."""
    app = _app()
    roots = [app.layout()] + [page["layout"]() for page in dash.page_registry.values()]
    # The draft lesson's rows (their captions and buttons) are drawn by a callback, from the browser's draft.
    lesson_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/lesson")]
    roots.append(dash.html.Div(lesson_page.show_draft({"title": "A draft", "steps": [{"view": "/derivative"}]})[1]))
    found = {}
    for root in roots:
        for component in [root, *root._traverse()]:
            if type(component).__name__ == "Store" and isinstance(getattr(component, "id", None), str):
                found[component.id] = getattr(component, "data", None)
    return found


def _with_bad_field(data, field: str, value):
    """A copy of a store's data with one field set to ``value`` (in every item of a list of dicts)."""
    if isinstance(data, dict):
        return {**data, field: value}
    return [{**item, field: value} for item in data]


def _store_fields(data) -> list[str]:
    if isinstance(data, dict):
        return list(data)
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        return list(data[0])
    return []


@cache
def _layout_ids() -> tuple[str, ...]:
    """Every dict id in the shell and in every page's layout, as JSON."""
    app = _app()
    roots = [app.layout()] + [page["layout"]() for page in dash.page_registry.values()]
    # The draft lesson's rows (their captions and buttons) are drawn by a callback, from the browser's draft.
    lesson_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/lesson")]
    roots.append(dash.html.Div(lesson_page.show_draft({"title": "A draft", "steps": [{"view": "/derivative"}]})[1]))
    found = set()
    for root in roots:
        for component in [root, *root._traverse()]:
            component_id = getattr(component, "id", None)
            if isinstance(component_id, dict):
                found.add(json.dumps(component_id, sort_keys=True))
    return tuple(sorted(found))


def _is_wildcard(component) -> bool:
    return isinstance(component, dict) and any(isinstance(v, list) for v in component.values())


def _concrete(pattern: dict) -> list[dict]:
    """The layout's ids that a wildcard id (its ALL values are lists in the dependencies) matches."""
    return [
        found
        for found in map(json.loads, _layout_ids())
        if found.keys() == pattern.keys()
        and all(isinstance(want, list) or want == found[key] for key, want in pattern.items())
    ]


def _parse_id(component: str):
    return json.loads(component) if component.startswith("{") else component


class Slot:
    """One input or state of a callback: a plain id, a concrete dict id, or an ALL wildcard."""

    def __init__(self, spec: dict, kind: str):
        self.kind = kind
        self.property = spec["property"]
        self.id = _parse_id(spec["id"])
        self.wildcard = _is_wildcard(self.id)
        self.concrete = _concrete(self.id) if self.wildcard else []
        assert self.concrete or not self.wildcard, f"no component in any layout matches {spec['id']}"
        self.name = f"{kind} {spec['id']}.{self.property}"

    def entry(self, value, *, empty: bool = False):
        if self.wildcard:
            return [] if empty else [{"id": i, "property": self.property, "value": value} for i in self.concrete]
        return {"id": self.id, "property": self.property, "value": value}

    def changed(self) -> str:
        return f"{_stringify(self.concrete[0] if self.wildcard else self.id)}.{self.property}"


def _outputs(output: str) -> list | dict:
    """The outputs the renderer sends, with ALL wildcards expanded to the layout's ids."""
    multi = output.startswith("..")
    specs = []
    for part in output[2:-2].split("...") if multi else [output]:
        component, prop = part.rsplit(".", 1)
        component, prop = _parse_id(component), prop.split("@")[0]
        if _is_wildcard(component):
            specs.append([{"id": i, "property": prop} for i in _concrete(component)])
        else:
            specs.append({"id": component, "property": prop})
    return specs if multi else specs[0]


class Callback:
    def __init__(self, dep: dict):
        self.dep = dep
        self.inputs = [Slot(s, "input") for s in dep["inputs"]]
        self.state = [Slot(s, "state") for s in dep["state"]]
        self.slots = self.inputs + self.state
        first_output = dep["output"].strip(".").split("...")[0].split("@")[0]
        first_input = dep["inputs"][0]
        self.name = f"{first_output}<-{first_input['id']}.{first_input['property']}"

    def payload(self, values: dict | None = None, changed: list[str] | None = None, empty=()) -> dict:
        """values: {slot name: value}, None for the others; empty: names of wildcard slots sent as []."""
        values = values or {}
        return {
            "output": self.dep["output"],
            "outputs": _outputs(self.dep["output"]),
            "inputs": [s.entry(values.get(s.name), empty=s.name in empty) for s in self.inputs],
            "state": [s.entry(values.get(s.name), empty=s.name in empty) for s in self.state],
            "changedPropIds": [self.inputs[0].changed()] if changed is None else changed,
        }


@cache
def _callbacks() -> tuple[Callback, ...]:
    callbacks = tuple(Callback(dep) for dep in DashClient(_app()).server_callbacks())
    names = [c.name for c in callbacks]
    assert len(set(names)) == len(names), "two callbacks share a name: make Callback.name more precise"
    return callbacks


def _by_name(name: str) -> Callback:
    return next(c for c in _callbacks() if c.name == name)


# --- the cases ------------------------------------------------------------------------------------


def _bad_input_cases(callback: Callback):
    """(label, body, raw) for one callback: bad values per slot and in every slot, wildcards, triggers."""
    every_input = [s.changed() for s in callback.inputs]
    for slot in callback.slots:
        # The slot is the trigger if it is an input; a state is read when the first input fires.
        changed = [slot.changed()] if slot.kind == "input" else every_input[:1]
        for label, value in BAD_VALUES.items():
            yield f"{slot.name} = {label}", callback.payload({slot.name: value}, changed), False
        for label in ("NaN token", "Infinity token"):
            body = json.dumps(callback.payload({slot.name: NON_FINITE[label]}, changed))
            yield f"{slot.name} = {label}", body, True
        if slot.property == "data" and not slot.wildcard:
            # Every field of the store the page itself sent, set to each bad value, the rest left good.
            data = _store_defaults().get(slot.id)
            for field in _store_fields(data):
                for label, value in STORE_FIELD_VALUES.items():
                    body = _encode(callback.payload({slot.name: _with_bad_field(data, field, value)}, changed))
                    yield f"{slot.name}[{field!r}] = {label}", body, True
        if slot.wildcard:
            yield f"{slot.name} = [] (no such components)", callback.payload(changed=changed, empty={slot.name}), False
            for label, value in {"abc": "abc", "{a: 1}": {"a": 1}, "10**30": 10**30}.items():
                body = callback.payload(changed=changed)
                section = body["inputs"] if slot.kind == "input" else body["state"]
                section[(callback.inputs if slot.kind == "input" else callback.state).index(slot)][-1]["value"] = value
                yield f"{slot.name}, last entry only = {label}", body, False
            if slot.kind == "input" and "index" in slot.concrete[0]:
                for label, index in FORGED_INDEXES.items():
                    forged = [f"{_stringify({**slot.concrete[0], 'index': index})}.{slot.property}"]
                    yield f"{slot.name}, trigger index = {label}", callback.payload(changed=forged), False
                forged = [f"{_stringify({**slot.concrete[0], 'type': 'no-such-type'})}.{slot.property}"]
                yield f"{slot.name}, trigger of an unknown type", callback.payload(changed=forged), False
    if len(callback.slots) > 1:  # with one slot this is the same body as above
        for label in AT_ONCE:
            body = callback.payload({s.name: BAD_VALUES[label] for s in callback.slots}, every_input)
            yield f"every slot = {label}", body, False
        for label, value in NON_FINITE.items():
            body = callback.payload({s.name: value for s in callback.slots}, every_input)
            yield f"every slot = {label}", json.dumps(body), True
    if any(s.wildcard for s in callback.slots):
        empty = {s.name for s in callback.slots if s.wildcard}
        yield "every wildcard = []", callback.payload(changed=every_input, empty=empty), False
    # Well-formed lists that still are not what the renderer sends.
    good = callback.payload()

    def without_value(entries):
        return [without_value(e) if isinstance(e, list) else {k: e[k] for k in e if k != "value"} for e in entries]

    unknown = {"id": "no-such-component", "property": "value", "value": None}
    yield "inputs without a value key", {**good, "inputs": without_value(good["inputs"])}, False
    yield "state without a value key", {**good, "state": without_value(good["state"])}, False
    yield "inputs with an unknown id", {**good, "inputs": [unknown] * len(good["inputs"])}, False
    yield "changedPropIds missing", {k: v for k, v in good.items() if k != "changedPropIds"}, False
    yield "changedPropIds a string", {**good, "changedPropIds": "abc"}, False
    yield "changedPropIds empty", {**good, "changedPropIds": []}, False
    yield "changedPropIds an unknown id", {**good, "changedPropIds": ["no-such-component.value"]}, False
    yield "changedPropIds without a property", {**good, "changedPropIds": [every_input[0].rsplit(".", 1)[0]]}, False


_DROP = object()


def _envelope(**changes):
    """A change to the request's own structure, for test_malformed_envelope."""

    def make(callback: Callback):
        body = callback.payload()
        for key, value in changes.items():
            if value is _DROP:
                body.pop(key)
            else:
                body[key] = value(body) if callable(value) else value
        return body

    return make


def _unknown(body):
    return [{"id": "no-such-component", "property": "value", "value": None}]


# Dash's dispatcher would raise on these (a 500); app.main answers them with 400 first.
ENVELOPES = [
    pytest.param("inputs missing", _envelope(inputs=_DROP)),
    pytest.param("state missing", _envelope(state=_DROP)),
    pytest.param("inputs a string", _envelope(inputs="abc")),
    pytest.param("state a string", _envelope(state="abc")),
    pytest.param("inputs null", _envelope(inputs=None)),
    pytest.param("inputs an object", _envelope(inputs={"a": 1})),
    pytest.param("inputs empty", _envelope(inputs=[])),
    pytest.param("inputs too long", _envelope(inputs=lambda b: b["inputs"] + _unknown(b))),
    pytest.param("state too long", _envelope(state=lambda b: b["state"] + _unknown(b))),
    pytest.param("inputs entries strings", _envelope(inputs=lambda b: ["abc"] * len(b["inputs"]))),
    pytest.param("outputs missing", _envelope(outputs=_DROP)),
    pytest.param("outputs a string", _envelope(outputs="abc")),
    pytest.param("output missing", _envelope(output=_DROP)),
    pytest.param("output unknown", _envelope(output="no-such-component.children")),
    pytest.param("body an empty object", lambda callback: {}),
    pytest.param("body a list", lambda callback: [callback.payload()]),
    pytest.param("body a NaN token", lambda callback: "NaN"),
    pytest.param("body not JSON", lambda callback: "{not json"),
    pytest.param("body empty", lambda callback: ""),
]


# --- posting --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served():
    """The app these tests post to: one for the module (create_app() costs 0.15 s, and a callback keeps
    nothing between requests), the same one the parameters were read from."""
    return _app()


def _post_all(app, cases) -> list[str]:
    """Post each (label, body, raw); the labels that answered 500, another error status, or raised."""
    client = app.server.test_client()
    failures, seen = [], set()
    for label, body, raw in cases:
        text = body if raw else json.dumps(body)
        if text in seen:
            continue  # the same request under another label
        seen.add(text)
        try:
            # Raw bodies keep the NaN / Infinity tokens json.dumps writes; Flask's test client would
            # re-encode a Python object.
            response = client.post("/_dash-update-component", data=text, content_type="application/json")
        except Exception as problem:  # noqa: BLE001 - a raise is exactly what this test reports
            failures.append(f"{label}: the test client raised {type(problem).__name__}: {problem}"[:300])
            continue
        if response.status_code not in (200, 204, 400):
            failures.append(f"{label}: {response.status_code}")
    # The worker still answers after all of that.
    assert client.get("/healthz").status_code == 200
    return failures


# --- the tests ------------------------------------------------------------------------------------


def test_every_server_callback_is_listed(app):
    """The parameters came from the live app's callbacks, and every page has some."""
    live = DashClient(app).server_callbacks()
    assert sorted(d["output"] for d in live) == sorted(c.dep["output"] for c in _callbacks())
    outputs = " ".join(d["output"] for d in live)
    for prefix in ("derivative-", "gradient-", "descent-", "lr-", "autograd-", "_pages_content"):
        assert prefix in outputs, f"no server callback writes a {prefix}… component"
    for callback in _callbacks():
        for slot in callback.slots:
            assert not slot.wildcard or slot.concrete, f"{callback.name}: {slot.name} matches no component"


@pytest.mark.parametrize(
    "callback_name",
    [
        pytest.param(
            c.name,
            id=c.name,
        )
        for c in _callbacks()
    ],
)
def test_callback_survives_bad_input(served, callback_name):
    failures = _post_all(served, _bad_input_cases(_by_name(callback_name)))
    assert not failures, f"{callback_name}:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "pathname", ["/", "/derivative", "/no-such-page", None, "/" + "x" * 10_000, "/derivative?x=1", "//", "/%00"]
)
def test_pages_router_survives_odd_paths(served, pathname):
    """The part of the router's input space Dash does handle: None and strings that start with /."""
    callback = _by_name(PAGES_ROUTER)
    path_slot, search_slot = (s.name for s in callback.slots)
    cases = [
        (f"search = {search!r}", callback.payload({path_slot: pathname, search_slot: search}), False)
        for search in (None, "", "?a=1", "?" + "x" * 10_000)
    ]
    assert not _post_all(served, cases)


@pytest.mark.parametrize("bad", ["", "abc", 0, [1], {"a": 1}, True], ids=repr)
def test_pages_router_non_path_values(served, bad):
    """Dash's router would raise on these (dash/_get_paths.py, dash/_pages.py); app.main refuses them."""
    callback = _by_name(PAGES_ROUTER)
    path_slot, search_slot = (s.name for s in callback.slots)
    cases = [("pathname", callback.payload({path_slot: bad}), False)]
    cases.append(("search", callback.payload({path_slot: "/", search_slot: bad}), False))
    assert not _post_all(served, cases)


@pytest.mark.parametrize(("envelope_name", "make"), ENVELOPES, ids=[p.values[0] for p in ENVELOPES])
def test_malformed_envelope(served, envelope_name, make):
    """The request's own structure is wrong; tried against every callback."""
    cases = []
    for callback in _callbacks():
        body = make(callback)
        cases.append((f"{callback.name}: {envelope_name}", body, isinstance(body, str)))
    failures = _post_all(served, cases)
    assert not failures, "\n".join(failures)


# Values no control accepts, sent for every key a page reads from its link.
HOSTILE_VALUES = ("abc", "%00", "%FF%FE", "<script>alert(1)</script>", "nan", "-1e999", "1" * 100, "{}", "1,abc,2")


@pytest.mark.parametrize(
    "page", ["derivative", "gradient", "descent", "learning_rate", "autograd", "optimizers", "practice"]
)
def test_a_hostile_link_opens_the_page_with_a_note_and_never_errors(served, page):
    """A shared link is typed input too: every page reads its query without raising, and says what it refused."""
    module = sys.modules[f"pages.{page}"]
    path = dash.page_registry[f"pages.{page}"]["path"]
    keys = [mirror.key for mirror in module.URL_MIRRORS]
    callback = _by_name(PAGES_ROUTER)
    path_slot, search_slot = (s.name for s in callback.slots)
    client = served.server.test_client()

    def opened(search):
        response = client.post("/_dash-update-component", json=callback.payload({path_slot: path, search_slot: search}))
        assert response.status_code == 200, (search[:60], response.status_code)
        return response.get_data(as_text=True)

    for bad in HOSTILE_VALUES:
        search = "?" + "&".join(f"{key}={bad}" for key in keys)
        assert "could not be used" in opened(search), search[:60]
    opened("?" + "&".join(f"{key}=1&{key}=abc" for key in keys))  # repeated keys: the first counts
    assert client.get("/healthz").status_code == 200


def test_every_id_a_callback_names_is_in_some_layout(served):
    """Dash's own check of this (suppress_callback_exceptions=False) costs every page load; here it is once."""
    from tests.dash_client import _split_outputs

    app = _app()
    roots = [app.layout()] + [page["layout"]() for page in dash.page_registry.values()]
    # The draft lesson's rows (their captions and buttons) are drawn by a callback, from the browser's draft.
    lesson_page = sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == "/lesson")]
    roots.append(dash.html.Div(lesson_page.show_draft({"title": "A draft", "steps": [{"view": "/derivative"}]})[1]))
    plain = {c.id for root in roots for c in [root, *root._traverse()] if isinstance(getattr(c, "id", None), str)}
    dependencies = DashClient(app).dependencies
    missing = []
    for dependency in dependencies:
        specs = _split_outputs(dependency["output"]) if dependency["output"] else []
        specs += dependency["inputs"] + dependency["state"]
        for spec in specs:
            component = _parse_id(spec["id"]) if isinstance(spec["id"], str) else spec["id"]
            found = _concrete(component) if isinstance(component, dict) else component in plain
            if not found:
                missing.append(f"{spec['id']}.{spec['property']}")
    assert missing == []
