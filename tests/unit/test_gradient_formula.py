"""/gradient with a typed f(x, y): the sync callback, the link, and the code panel's source."""

from __future__ import annotations

import contextlib
import io
import math
import re
import sys

import pytest

from app import codegen, ids
from app.components import formula
from app.compute.custom import SURFACE_TEXTS
from app.compute.surfaces import SURFACES
from tests.dash_client import DashClient

G = ids.Gradient
BOWL_STATE = {"surface": "bowl", "formula": "", "window": [], "x": 2.0, "y": 1.0, "angle": 135.0, "descent": False}


@pytest.fixture(scope="module")
def client():
    from app.main import create_app

    return DashClient(create_app())


@pytest.fixture(scope="module")
def page(client):
    return sys.modules["pages.gradient"]


def _sync(client, changed_id, value, state=None, **boxes):
    dep = client.callback_with_input(G.FORMULA, "value")
    values = {f"{G.STATE}.data": state or BOWL_STATE, f"{changed_id}.value": value}
    values.update({f"{key}.value": text for key, text in boxes.items()})
    response = client.post(dep, values, [f"{changed_id}.value"])
    assert response.status_code == 200
    return response.get_json()["response"]


def test_a_typed_formula_becomes_a_custom_state_on_the_presets_window(client):
    body = _sync(client, G.FORMULA, "sin(x) *y + x ^ 2")
    state = body[G.STATE]["data"]
    assert state["surface"] == formula.CUSTOM and state["formula"] == "sin(x) * y + x^2"
    assert state["window"] == [-5.0, 5.0, -4.0, 4.0]  # the bowl's view, which the boxes showed
    assert (state["x"], state["y"]) == (2.0, 1.0), "the point is still on the map, so it stays"
    assert body[G.SURFACE]["value"] is None and body[G.FORMULA_MESSAGE]["children"] == ""
    assert body[G.FORMULA]["value"] == "sin(x) * y + x^2"


def test_a_typed_presets_text_on_its_window_selects_the_preset(client):
    body = _sync(client, G.FORMULA, "x**2 + y ^ 2")  # the round bowl has the bowl's view
    assert body[G.STATE]["data"]["surface"] == "round" and body[G.SURFACE]["value"] == "round"
    assert body[G.STATE]["data"]["formula"] == "" and body[G.STATE]["data"]["window"] == []


@pytest.mark.parametrize(
    ("text", "message"),
    [("x + z", "Unknown name 'z'"), ("x +", "column"), ("__import__('os')", "column"), ("", "Type a formula")],
)
def test_a_refused_formula_says_why_and_changes_nothing_else(client, text, message):
    body = _sync(client, G.FORMULA, text)
    assert message.lower() in body[G.FORMULA_MESSAGE]["children"].lower()
    assert set(body) == {G.FORMULA_MESSAGE}, "the last good view stays"
    if text == "x + z":
        assert re.search(r"column \d+", body[G.FORMULA_MESSAGE]["children"])


WINDOW = {G.WINDOW_X_FROM: "-5", G.WINDOW_X_TO: "5", G.WINDOW_Y_FROM: "-4", G.WINDOW_Y_TO: "4"}


def test_a_new_window_makes_the_preset_a_typed_surface_and_back(client):
    body = _sync(client, G.WINDOW_X_TO, "1", **(WINDOW | {G.WINDOW_X_TO: "1"}))
    state = body[G.STATE]["data"]
    assert state["surface"] == formula.CUSTOM and state["window"] == [-5.0, 1.0, -4.0, 4.0]
    assert state["formula"] == "x^2 + 3 * y^2" and body[G.FORMULA]["value"] == "x^2 + 3 * y^2"
    assert state["x"] <= 1.0, "the old point (2, 1) is off the new map: the surface's own point"
    body = _sync(client, G.WINDOW_X_TO, "5", state=state, **WINDOW)
    assert body[G.STATE]["data"]["surface"] == "bowl"


@pytest.mark.parametrize(
    ("edge", "text", "message"),
    [(G.WINDOW_X_TO, "-6", "greater than"), (G.WINDOW_Y_FROM, "abc", "y from"), (G.WINDOW_X_FROM, "1e9", "x from")],
)
def test_a_refused_window_says_why_and_changes_nothing_else(client, edge, text, message):
    body = _sync(client, edge, text, **(WINDOW | {edge: text}))
    assert set(body) == {G.WINDOW_MESSAGE} and message in body[G.WINDOW_MESSAGE]["children"]


def test_a_preset_fills_the_box_with_its_text_and_its_window(client):
    custom = BOWL_STATE | {"surface": "custom", "formula": "x * y", "window": [-1.0, 1.0, -1.0, 1.0], "x": 0.5}
    body = _sync(client, G.SURFACE, "rosenbrock", state=custom)
    assert body[G.FORMULA]["value"] == SURFACE_TEXTS["rosenbrock"]
    view = SURFACES["rosenbrock"].view_x + SURFACES["rosenbrock"].view_y
    assert [body[edge]["value"] for edge in WINDOW] == [f"{v:g}" for v in view]


def test_the_readouts_of_a_typed_surface_come_from_its_formula(client):
    state = BOWL_STATE | {"surface": "custom", "formula": "x * y^2", "window": [-3.0, 3.0, -3.0, 3.0], "x": 1.5}
    response = client.draw(G.STATE, G.CONTOUR, state)
    body = response.get_json()["response"]
    x, y = 1.5, 1.0
    assert body[G.READ_F]["children"] == f"{x * y * y:.4f}"
    assert body[G.READ_DX]["children"] == f"{y * y:.4f}" and body[G.READ_DY]["children"] == f"{2 * x * y:.4f}"


def test_a_domain_error_is_a_gap_not_an_exception(client):
    state = BOWL_STATE | {"surface": "custom", "formula": "log(x) + 1/y", "window": [-2.0, 2.0, -2.0, 2.0]}
    state |= {"x": -1.0, "y": 0.0}
    response = client.draw(G.STATE, G.CONTOUR, state)
    assert response.status_code == 200
    assert response.get_json()["response"][G.READ_F]["children"] == "undefined"


def test_the_link_round_trips_a_typed_surface(page):
    query = {"surface": "custom", "f": "exp(-x^2) * y", "window": "-2,2,-1,3", "x": "0.5", "y": "1"}
    state, notes = page.state_from_query(query)
    assert notes == []
    assert state["surface"] == "custom" and state["formula"] == "exp(-x^2) * y"
    assert state["window"] == [-2.0, 2.0, -1.0, 3.0] and (state["x"], state["y"]) == (0.5, 1.0)


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"f": "x + z"}, "Unknown name 'z'"),
        ({"f": "x*y", "window": "1,0,0,1"}, "greater than"),
        ({"f": "x*y", "window": "a,b"}, "x from"),
        ({"surface": "custom"}, None),
    ],
)
def test_a_refused_link_formula_is_a_note_and_the_default_surface(page, query, note):
    state, notes = page.state_from_query(query)
    assert state == page.DEFAULT_STATE
    assert (note is None and notes == []) or (len(notes) == 1 and note in notes[0])


def _run(source: str) -> str:
    """Runs the generated program (the app's own output, never typed text) and returns what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "gradient.py", "exec"), {"__name__": "__main__"})  # noqa: S102
    return out.getvalue()


def test_the_code_panel_of_a_typed_surface_runs_and_agrees_with_a_hand_computation():
    from app.compute.custom import Window, custom_surface

    surface = custom_surface("sin(x) * y^2 + log(x)", Window((0.1, 3.0), (-2.0, 2.0)))
    x, y, angle = 1.2, -0.7, 30.0
    code = codegen.gradient_code(surface, x, y, angle)
    assert "def f_torch(x, y):" in code.source and "np.sin(x)" in code.source and "torch.sin(x)" in code.source
    assert "sin(x) * y^2" not in code.source, "the function is Python written from the tree"
    printed = _run(code.source)
    dx = math.cos(x) * y * y + 1 / x  # by hand
    dy = 2 * math.sin(x) * y
    lines = printed.splitlines()
    assert lines[0] == f"f = {math.sin(x) * y * y + math.log(x):.4f}"
    assert lines[1].startswith(f"df/dx = {dx:.4f}, df/dy = {dy:.4f}, |grad f| = {math.hypot(dx, dy):.4f}")
    assert lines[2] == f"central differences: {dx:.6f}, {dy:.6f}"
    assert lines[3] == f"torch autograd: {dx:.6f}, {dy:.6f}"
    directional = dx * math.cos(math.radians(angle)) + dy * math.sin(math.radians(angle))
    assert lines[4] == f"D_u f = {directional:.4f}"


def test_the_page_opens_drawn_for_its_link(page):
    """The layout holds the first drawing (no first request): readouts from the link's point."""
    layout = page.layout(surface="bowl", x="1.5", y="-1")
    assert layout[G.READ_F].children == f"{1.5**2 + 3 * (-1.0) ** 2:.4f}"  # x² + 3y², by hand
    assert layout[G.READ_GRADIENT].children == f"[{2 * 1.5:.4f}, {6 * -1.0:.4f}]"
    assert layout[G.DRAWN_SURFACE].data == "bowl", "the next change sends only the moving parts"
    assert len(layout[G.CONTOUR].figure["data"]) > 1 and layout[G.SURFACE_3D].figure["data"]
