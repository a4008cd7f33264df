"""/descent's 2-D section with a typed L(x, y): the sync callback, the run, the link, and the code panel."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import sys

import pytest

from app import codegen, ids
from app.components import formula
from app.compute.custom import SURFACE_TEXTS
from tests.dash_client import DashClient

DS = ids.Descent
CHAPTER = {"surface": "bowl", "formula": "", "window": [], "x0": 4.0, "y0": 3.0, "lr": 0.05, "steps": 8}
WINDOW = {DS.WINDOW_X_FROM: "-5", DS.WINDOW_X_TO: "5", DS.WINDOW_Y_FROM: "-4", DS.WINDOW_Y_TO: "4"}


@pytest.fixture(scope="module")
def client():
    from app.main import create_app

    return DashClient(create_app())


@pytest.fixture(scope="module")
def page(client):
    return sys.modules["pages.descent"]


def _sync(client, changed_id, value, state=None, **boxes):
    dep = client.callback_with_input(DS.FORMULA, "value")
    values = {f"{DS.STATE2}.data": state or CHAPTER, f"{changed_id}.value": value}
    values.update({f"{key}.value": text for key, text in (WINDOW | boxes).items()})
    response = client.post(dep, values, [f"{changed_id}.value"], pattern_ids={})
    assert response.status_code == 200
    return response.get_json()["response"]


def _hand_descent(gradient, start, lr, steps):
    x, y = start
    for _ in range(steps):
        gx, gy = gradient(x, y)
        x, y = x - lr * gx, y - lr * gy
    return x, y


def test_a_typed_loss_becomes_the_run(client):
    body = _sync(client, DS.FORMULA, "(x - 1)^2 + 2*(y + 1)^2 + sin(x)")
    state = body[DS.STATE2]["data"]
    assert state["surface"] == formula.CUSTOM and state["formula"] == "(x - 1)^2 + 2 * (y + 1)^2 + sin(x)"
    assert state["window"] == [-5.0, 5.0, -4.0, 4.0] and (state["x0"], state["y0"]) == (4.0, 3.0)
    assert body[DS.SURFACE]["value"] is None and body[DS.FORMULA_MESSAGE]["children"] == ""
    run_body = client.draw(DS.STATE2, "player-run", state).get_json()["response"]
    run = next(v for k, v in run_body.items() if k.startswith("{") and "player-run" in k)["data"]
    x, y = _hand_descent(lambda x, y: (2 * (x - 1) + math.cos(x), 4 * (y + 1)), (4.0, 3.0), 0.05, 8)
    assert run["x"][-1] == pytest.approx(x, abs=1e-12) and run["y"][-1] == pytest.approx(y, abs=1e-12)
    assert any("player-figure" in k for k in run_body), "a new surface: its meshes are sent"


def test_a_presets_text_selects_the_preset(client):
    body = _sync(client, DS.FORMULA, "x^2+y^2")  # the round bowl shares the bowl's view
    assert body[DS.STATE2]["data"]["surface"] == "round" and body[DS.SURFACE]["value"] == "round"


def test_refused_formula_and_window_say_why_and_change_nothing(client):
    body = _sync(client, DS.FORMULA, "x + z")
    assert set(body) == {DS.FORMULA_MESSAGE} and "Unknown name 'z'" in body[DS.FORMULA_MESSAGE]["children"]
    assert re.search(r"column \d+", body[DS.FORMULA_MESSAGE]["children"])
    body = _sync(client, DS.WINDOW_Y_TO, "-7", **{DS.WINDOW_Y_TO: "-7"})
    assert set(body) == {DS.WINDOW_MESSAGE} and "greater than" in body[DS.WINDOW_MESSAGE]["children"]


def test_a_window_that_leaves_the_start_off_the_map_moves_the_start(client):
    body = _sync(client, DS.WINDOW_X_TO, "2", **{DS.WINDOW_X_TO: "2"})
    state = body[DS.STATE2]["data"]
    assert state["surface"] == formula.CUSTOM and state["window"] == [-5.0, 2.0, -4.0, 4.0]
    assert -5 <= state["x0"] <= 2 and -4 <= state["y0"] <= 4


def test_a_preset_button_fills_the_box(client):
    custom = CHAPTER | {"surface": "custom", "formula": "x * y", "window": [-1.0, 1.0, -1.0, 1.0], "x0": 0.5}
    dep = client.callback_with_input(DS.FORMULA, "value")
    preset = {"type": DS.PRESET, "index": "rosenbrock"}
    values = {f"{DS.STATE2}.data": custom, f"{json.dumps(preset, sort_keys=True, separators=(',', ':'))}.n_clicks": 1}
    response = client.post(
        dep, values, [f"{json.dumps(preset, sort_keys=True, separators=(',', ':'))}.n_clicks"], pattern_ids={}
    )
    body = response.get_json()["response"]
    assert (
        body[DS.STATE2]["data"]["surface"] == "rosenbrock" and body[DS.FORMULA]["value"] == SURFACE_TEXTS["rosenbrock"]
    )


def test_the_link_round_trips_a_typed_loss(page):
    query = {"surface": "custom", "f": "x^2 + y^4", "window": "-2,2,-2,2", "x0": "1.5", "y0": "-1"}
    _, two, _, notes = page.state_from_query(query)
    assert notes == []
    assert two["surface"] == "custom" and two["formula"] == "x^2 + y^4" and two["window"] == [-2.0, 2.0, -2.0, 2.0]
    assert (two["x0"], two["y0"]) == (1.5, -1.0)
    _, two, _, notes = page.state_from_query({"f": "x +* y"})
    assert two == page.DEFAULT_2D and len(notes) == 1 and "column" in notes[0]


def test_the_code_panel_of_a_typed_loss_runs_and_agrees_with_a_hand_computation():
    from app.compute.custom import Window, custom_surface
    from app.compute.losses import LOSSES

    surface = custom_surface("(x - 1)^2 + 2*(y + 1)^2 + sin(x)", Window((-5.0, 5.0), (-4.0, 4.0)))
    loss = next(iter(LOSSES.values()))
    code = codegen.descent_code(loss, loss.default_start, 0.1, 3, surface, (4.0, 3.0), 0.05, 8)
    assert "np.sin(x)" in code.source and "np.cos(x)" in code.source
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.source, "descent.py", "exec"), {"__name__": "__main__"})  # noqa: S102  the app's own code
    final = out.getvalue().strip().splitlines()[-1]
    x, y = _hand_descent(lambda x, y: (2 * (x - 1) + math.cos(x), 4 * (y + 1)), (4.0, 3.0), 0.05, 8)
    loss_value = (x - 1) ** 2 + 2 * (y + 1) ** 2 + math.sin(x)
    assert final == f"Final: w = [{x:.4f}, {y:.4f}], L = {loss_value:.4f}"
