"""/derivative with a typed f(x): the sync callback, the link, and the code panel."""

from __future__ import annotations

import contextlib
import io
import math
import re
import sys

import pytest

from app import codegen, ids
from app.components import formula
from app.compute.custom import FUNCTION_TEXTS
from app.compute.functions import FUNCTIONS
from tests.dash_client import DashClient

D = ids.Derivative
SQUARE = {"function": "square", "x0": 2.0, "h": 1.0}
WINDOW = {D.WINDOW_X_FROM: "-3", D.WINDOW_X_TO: "3.7"}  # the square's own view


@pytest.fixture(scope="module")
def client():
    from app.main import create_app

    return DashClient(create_app())


@pytest.fixture(scope="module")
def page(client):
    return sys.modules["pages.derivative"]


def _sync(client, changed_id, value, state=None, **boxes):
    dep = client.callback_with_input(D.FORMULA, "value")
    values = {f"{D.STATE}.data": state or SQUARE, f"{changed_id}.value": value}
    values.update({f"{key}.value": text for key, text in (WINDOW | boxes).items()})
    response = client.post(dep, values, [f"{changed_id}.value"], pattern_ids={})
    assert response.status_code == 200
    return response.get_json()["response"]


def test_a_typed_function_becomes_the_state_and_the_readouts_follow(client):
    body = _sync(client, D.FORMULA, "x^3 - 2*x")
    state = body[D.STATE]["data"]
    assert state == {"function": "custom", "formula": "x^3 - 2 * x", "window": [-3.0, 3.7], "x0": 2.0, "h": 1.0}
    assert body[D.FUNCTION]["value"] is None and body[D.FORMULA_MESSAGE]["children"] == ""
    drawn = client.draw(D.STATE, D.FIGURE, state).get_json()["response"]
    x0, h = 2.0, 1.0
    slope = ((x0 + h) ** 3 - 2 * (x0 + h) - (x0**3 - 2 * x0)) / h  # by hand
    assert drawn[D.READ_SLOPE]["children"].startswith(f"{slope:.4f}")
    assert f"{3 * x0 * x0 - 2:.4f}" in drawn[D.READ_TRUE]["children"]


def test_a_presets_text_on_its_window_selects_it_and_a_preset_fills_the_box(client):
    body = _sync(client, D.FORMULA, "x**2")
    assert body[D.STATE]["data"] == SQUARE and body[D.FUNCTION]["value"] == "square"
    custom = {"function": "custom", "formula": "x * sin(x)", "window": [-1.0, 1.0], "x0": 0.5, "h": 0.1}
    body = _sync(client, D.FUNCTION, "log", state=custom)
    assert body[D.FORMULA]["value"] == FUNCTION_TEXTS["log"]
    assert body[D.WINDOW_X_FROM]["value"] == f"{FUNCTIONS['log'].view_x[0]:g}"
    assert body[D.STATE]["data"]["function"] == "log" and "formula" not in body[D.STATE]["data"]


def test_refusals_say_why_and_change_nothing(client):
    body = _sync(client, D.FORMULA, "x + y")
    assert set(body) == {D.FORMULA_MESSAGE, D.WINDOW_MESSAGE, D.X0_MESSAGE, D.H_MESSAGE}, "no state, no control"
    assert "Unknown name 'y'" in body[D.FORMULA_MESSAGE]["children"]
    assert re.search(r"column \d+", body[D.FORMULA_MESSAGE]["children"])
    body = _sync(client, D.WINDOW_X_TO, "-4", **{D.WINDOW_X_TO: "-4"})
    assert D.STATE not in body and "greater than" in body[D.WINDOW_MESSAGE]["children"]


def test_a_gap_in_a_typed_function_is_refused_at_x0(client):
    custom = {"function": "custom", "formula": "log(x)", "window": [-2.0, 3.0], "x0": 1.0, "h": 0.1}
    body = _sync(client, D.X0_INPUT, "-1", state=custom)
    assert D.STATE not in body and "no finite value" in body[D.X0_MESSAGE]["children"]


def test_the_link_round_trips_a_typed_function(page):
    state, _, notes = page.state_from_query({"function": "custom", "f": "exp(-x^2)", "window": "-2,2", "x0": "0.5"})
    assert notes == [] and state["formula"] == "exp(-x^2)" and state["window"] == [-2.0, 2.0] and state["x0"] == 0.5
    state, _, notes = page.state_from_query({"f": "sin(", "function": "sin"})
    assert state["function"] == "sin" and len(notes) == 1 and "parenthesis" in notes[0]


def test_the_code_panel_of_a_typed_function_runs_and_agrees_with_a_hand_computation():
    from app.compute.custom import Window, custom_function

    function = custom_function("x^3 - 2*x + exp(x)", Window((-3.0, 3.0)))
    x0, h = 0.75, 0.01
    code = codegen.derivative_code(function, x0, h)
    assert "np.exp(x)" in code.source and "x^3" not in code.source
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.source, "derivative.py", "exec"), {"__name__": "__main__"})  # noqa: S102  the app's own code
    first = out.getvalue().splitlines()[0]

    def f(x):
        return x**3 - 2 * x + math.exp(x)

    assert first == f"f(x0) = {f(x0):.6f}, exact f'(x0) = {3 * x0 * x0 - 2 + math.exp(x0):.6f}"
    assert f"secant slope = {(f(x0 + h) - f(x0)) / h:.6f}" in out.getvalue()
    assert formula.CUSTOM == "custom"
