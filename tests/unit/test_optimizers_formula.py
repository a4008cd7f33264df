"""/optimizers with a typed L(x, y): the sync callback, the race, the link, and the code panel.

The typed function's gradient and Newton's Hessian come from its expression tree; the refusals and the
view window are /descent's (app/components/formula.py)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from app import codegen, ids
from app.components import formula
from app.compute import optimizers as opt
from app.compute.custom import SURFACE_TEXTS, Window, custom_surface
from app.compute.surfaces import SURFACES
from tests.dash_client import DashClient

OP = ids.Optimizers
BOWL_WINDOW = {OP.WINDOW_X_FROM: "-5", OP.WINDOW_X_TO: "5", OP.WINDOW_Y_FROM: "-4", OP.WINDOW_Y_TO: "4"}
SHIFTED = "(x - 1)^2 + 2*(y + 1)^2"


@pytest.fixture(scope="module")
def client():
    from app.main import create_app

    return DashClient(create_app())


@pytest.fixture(scope="module")
def page(client):
    return sys.modules["pages.optimizers"]


def _key(component_id: dict) -> str:
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def _sync(client, page, changed, value, state=None, **boxes):
    """Post one change to the page's one callback, with the concrete hyperparameter boxes and presets."""
    dep = client.callback_with_input(OP.FORMULA, "value")
    hyper_ids = [{"type": OP.HYPER, "index": name} for name in page.HYPER_FIELDS]
    preset_ids = [{"type": OP.PRESET, "index": key} for key in (*page.PRESETS, page.BEST_MOMENTUM)]
    state = state or page.DEFAULT_STATE
    values = {f"{OP.STATE}.data": state, f"{changed}.value": value}
    values |= {f"{key}.value": text for key, text in (BOWL_WINDOW | boxes).items()}
    values |= {f"{json.dumps(i)}.value": f"{state[i['index']]:g}" for i in hyper_ids}
    response = client.post(dep, values, [f"{changed}.value"], pattern_ids={OP.HYPER: hyper_ids, OP.PRESET: preset_ids})
    assert response.status_code == 200
    body = response.get_json()["response"]
    # The hyperparameter boxes are one wildcard output, which this client does not expand: left out here.
    body.pop(_key({"index": ["ALL"], "type": OP.HYPER}), None)
    return body


def _custom_state(page, text: str, window: list[float], start=None) -> dict:
    surface = custom_surface(text, Window(tuple(window[:2]), tuple(window[2:])))
    x0, y0 = start or surface.start
    fields = {"surface": formula.CUSTOM, "formula": text, "window": window, "x0": x0, "y0": y0}
    return page.DEFAULT_STATE | fields | page._hyper_fields(formula.CUSTOM)


def test_a_typed_loss_races_from_its_own_start_with_the_default_settings(client, page):
    body = _sync(client, page, OP.FORMULA, SHIFTED, page.PRESETS["rosenbrock"][1])
    state = body[OP.STATE]["data"]
    surface = custom_surface("(x - 1)^2 + 2 * (y + 1)^2", Window((-2.0, 2.0), (-1.0, 3.0)))  # Rosenbrock's view
    assert state["surface"] == formula.CUSTOM and state["formula"] == "(x - 1)^2 + 2 * (y + 1)^2"
    assert state["window"] == [-2.0, 2.0, -1.0, 3.0] and (state["x0"], state["y0"]) == surface.start
    assert state["steps"] == 2000, "the race's other settings stay"
    for key in opt.CONTESTANTS:  # Rosenbrock's small steps give way to the defaults a typed surface gets
        for field in opt.USES[key]:
            assert state[f"{key}_{field}"] == getattr(opt.DEFAULT_HYPER[key], field)
    assert body[OP.SURFACE]["value"] is None and body[OP.FORMULA]["value"] == state["formula"]
    assert body[OP.FORMULA_MESSAGE]["children"] == "" and body[OP.WINDOW_MESSAGE]["children"] == ""
    # Independently: SGD shrinks x − 1 by 1 − 2η and y + 1 by 1 − 4η each step; it arrives when |∇L| < 1e-6.
    x0, y0 = surface.start
    race = opt.race(page.race_settings(page.read_state(state)[0]))
    sgd = race.run(opt.SGD)
    k = np.arange(len(sgd.positions))
    np.testing.assert_allclose(sgd.positions[:, 0], 1 + (x0 - 1) * 0.9**k, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sgd.positions[:, 1], -1 + (y0 + 1) * 0.8**k, rtol=1e-12, atol=1e-12)
    arrival = next(n for n in range(1000) if math.hypot(2 * (x0 - 1) * 0.9**n, 4 * (y0 + 1) * 0.8**n) < opt.TOLERANCE)
    assert sgd.arrived_at == arrival
    newton = race.run(opt.NEWTON)  # a quadratic: Newton's step from the tree's Hessian lands on (1, −1)
    assert newton.positions[1] == pytest.approx([1.0, -1.0], abs=1e-12) and newton.arrived_at == 1
    # The race the page sends is that race: its results table and verdict name it.
    results = json.dumps(body[OP.RESULTS]["children"])
    assert f"Arrived at step {arrival} " in results
    assert "wins" in body[OP.SUMMARY]["children"]
    assert "x − 1" in body[OP.MAP_SUMMARY]["children"] or "(x − 1)²" in body[OP.MAP_SUMMARY]["children"]


def test_a_typed_formula_races_exactly_as_the_catalogue_surface_with_the_same_text(page):
    """x^2 + 3*y^2 typed on a wider window than the bowl's is a custom surface; its race from the same
    start equals the bowl's step for step (the tree's gradient and Hessian are the catalogue's)."""
    state = _custom_state(page, "x^2 + 3 * y^2", [-6.0, 6.0, -6.0, 6.0], start=(4.0, 3.0))
    clean, surface = page.read_state(state)
    assert clean["surface"] == formula.CUSTOM and surface.key.startswith("custom:")
    typed = opt.race(page.race_settings(clean))
    bowl = opt.race(page.race_settings(page.read_state(page.DEFAULT_STATE)[0]))
    assert [run.key for run in typed.runs] == [run.key for run in bowl.runs]
    for mine, theirs in zip(typed.runs, bowl.runs, strict=True):
        np.testing.assert_allclose(mine.positions, theirs.positions, rtol=1e-12, atol=1e-300)
        assert (mine.verdict, mine.stopped_at) == (theirs.verdict, theirs.stopped_at)
    assert page.race_settings(clean) == page.race_settings(page.read_state(dict(state))[0]), "memoised, hashable"


def test_a_presets_text_on_its_own_window_selects_the_preset(client, page):
    body = _sync(client, page, OP.FORMULA, "x^2+10*y^2", **{OP.WINDOW_Y_FROM: "-2", OP.WINDOW_Y_TO: "2"})
    # The box's text is read against the state's window (the bowl's), so the ravine's text is typed there.
    assert body[OP.STATE]["data"]["surface"] == formula.CUSTOM
    body = _sync(client, page, OP.FORMULA, "x^2 + y^2")  # the round bowl shares the bowl's window
    assert body[OP.STATE]["data"]["surface"] == "round" and body[OP.SURFACE]["value"] == "round"
    assert body[OP.STATE]["data"]["formula"] == "" and body[OP.STATE]["data"]["window"] == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x + z", "Unknown name 'z' (use x, y, pi or e) at column 5"),
        ("x +* y", "check the operators at column 4"),
        ("x^2 + (y", "a '(' is never closed"),
        ("", "Type a formula"),
    ],
)
def test_a_refused_formula_says_where_and_the_last_race_stays(client, page, text, words):
    body = _sync(client, page, OP.FORMULA, text)
    assert set(body) == {OP.FORMULA_MESSAGE}, "nothing else changes: the last good race stays"
    assert words in body[OP.FORMULA_MESSAGE]["children"]


@pytest.mark.parametrize(
    ("box", "text", "words"),
    [
        (OP.WINDOW_Y_TO, "-7", "greater than"),
        (OP.WINDOW_X_FROM, "nan", "x from cannot be NaN"),
        (OP.WINDOW_X_TO, "inf", "x to must be finite"),
        (OP.WINDOW_Y_FROM, "-1e400", "y from must be finite"),
        (OP.WINDOW_Y_TO, "1e308", "y to must be between -10000 and 10000"),
        (OP.WINDOW_X_TO, "abc", "x to"),
    ],
)
def test_a_refused_window_says_which_edge_and_the_last_race_stays(client, page, box, text, words):
    body = _sync(client, page, box, text, **{box: text})
    assert set(body) == {OP.WINDOW_MESSAGE}
    assert words in body[OP.WINDOW_MESSAGE]["children"]


def test_a_new_window_keeps_the_start_when_it_stays_on_the_map_and_the_settings(client, page):
    state = _custom_state(page, SHIFTED, [-5.0, 5.0, -4.0, 4.0], start=(2.0, 1.0)) | {"adam_lr": 0.03}
    body = _sync(client, page, OP.WINDOW_X_TO, "8", state, **{OP.WINDOW_X_TO: "8"})
    new = body[OP.STATE]["data"]
    assert new["window"] == [-5.0, 8.0, -4.0, 4.0] and (new["x0"], new["y0"]) == (2.0, 1.0) and new["adam_lr"] == 0.03
    body = _sync(client, page, OP.WINDOW_X_TO, "1", state, **{OP.WINDOW_X_TO: "1"})
    new = body[OP.STATE]["data"]
    assert new["window"] == [-5.0, 1.0, -4.0, 4.0]
    assert (new["x0"], new["y0"]) == custom_surface("(x - 1)^2 + 2 * (y + 1)^2", Window((-5.0, 1.0), (-4.0, 4.0))).start


def test_a_preset_button_puts_its_text_back_in_the_box(client, page):
    state = _custom_state(page, "x * y", [-1.0, 1.0, -1.0, 1.0])
    preset = {"type": OP.PRESET, "index": "rosenbrock"}
    dep = client.callback_with_input(OP.FORMULA, "value")
    values = {f"{OP.STATE}.data": state, f"{json.dumps(preset)}.n_clicks": 1}
    response = client.post(dep, values, [f"{_key(preset)}.n_clicks"], pattern_ids={OP.PRESET: [preset]})
    body = response.get_json()["response"]
    assert body[OP.STATE]["data"]["surface"] == "rosenbrock"
    assert body[OP.FORMULA]["value"] == SURFACE_TEXTS["rosenbrock"]
    assert [body[edge]["value"] for edge in page.FORMULA_IDS.edges] == ["-2", "2", "-1", "3"]


def test_momentum_at_its_best_works_on_a_typed_quadratic(client, page):
    """x² + 10y² typed on its own window: a constant Hessian diag(2, 20), so the ravine's (η*, β*)."""
    state = _custom_state(page, "x^2 + 10 * y^2", [-3.0, 3.0, -3.0, 3.0])
    preset = {"type": OP.PRESET, "index": page.BEST_MOMENTUM}
    dep = client.callback_with_input(OP.FORMULA, "value")
    values = {f"{OP.STATE}.data": state, f"{json.dumps(preset)}.n_clicks": 1}
    response = client.post(dep, values, [f"{_key(preset)}.n_clicks"], pattern_ids={OP.PRESET: [preset]})
    new = response.get_json()["response"][OP.STATE]["data"]
    assert new["surface"] == formula.CUSTOM
    assert new["momentum_lr"] == float(f"{4 / (math.sqrt(20) + math.sqrt(2)) ** 2:.4g}")
    assert new["momentum_beta1"] == float(f"{((math.sqrt(10) - 1) / (math.sqrt(10) + 1)) ** 2:.4g}")
    state = _custom_state(page, "x^4 + y^2", [-3.0, 3.0, -3.0, 3.0])  # no constant Hessian: refused, and why
    values[f"{OP.STATE}.data"] = state
    body = client.post(dep, values, [f"{_key(preset)}.n_clicks"], pattern_ids={OP.PRESET: [preset]}).get_json()
    assert "type a quadratic" in body["response"][OP.HYPER_MESSAGE]["children"]


def test_the_link_round_trips_a_typed_race(page):
    state = _custom_state(page, "x^2 + y^4", [-2.0, 2.0, -2.0, 2.0], start=(1.5, -1.0)) | {"steps": 120}
    query = {"surface": "custom", "f": "x^2 + y^4", "window": "-2,2,-2,2", "x0": "1.5", "y0": "-1", "steps": "120"}
    read, _, _, notes = page.state_from_query(query)
    assert notes == [] and read == page.read_state(state)[0]
    read, _, _, notes = page.state_from_query({"f": "x^2 + y^4"})  # no window: the default one, its own start
    surface = custom_surface("x^2 + y^4")
    assert notes == [] and read["window"] == [-3.0, 3.0, -3.0, 3.0] and (read["x0"], read["y0"]) == surface.start
    assert page.state_from_query({"f": SURFACE_TEXTS["ravine"], "window": "-5,5,-2,2"})[0]["surface"] == "ravine"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"f": "x +* y"}, "column"),
        ({"surface": "custom", "f": "x + z"}, "Unknown name 'z'"),
        ({"f": "x^2", "window": "nan,1,2,3"}, "NaN"),
        ({"f": "x^2", "window": "-1,1,-1,inf"}, "finite"),
        ({"f": "x^2", "window": "0,1e308,0,1"}, "between -10000 and 10000"),
        ({"f": "x^2", "window": "1,0,0,1"}, "greater than"),
        ({"f": "x^2", "window": "1,2"}, "every edge"),
        ({"window": "-1,1,-1,1"}, "needs a formula"),
    ],
)
def test_a_bad_typed_link_opens_the_default_race_with_a_note(page, query, words):
    read, _, _, notes = page.state_from_query(query)
    assert read == page.DEFAULT_STATE
    assert len(notes) == 1 and words in notes[0]


@pytest.mark.parametrize(
    "forged",
    [
        {"surface": "custom", "formula": "x + z", "window": [-1.0, 1.0, -1.0, 1.0]},
        {"surface": "custom", "formula": "x * y", "window": [-1.0, 1e300, -1.0, 1.0]},
        {"surface": "custom", "formula": "x * y", "window": [1.0, -1.0, -1.0, 1.0]},
        {"surface": "custom", "formula": "x * y", "window": [-1.0, 1.0]},
        {"surface": "custom", "formula": "x * y", "window": [-1.0, 1.0, -1.0, 1.0], "x0": 4.0},  # off its map
        {"surface": "custom", "formula": ["x"], "window": "abc"},
    ],
)
def test_a_forged_typed_state_is_not_trusted(page, forged):
    assert page.read_state(page.DEFAULT_STATE | forged) is None
    good = {"surface": "custom", "formula": "x * y", "window": [-1.0, 1.0, -1.0, 1.0], "x0": 0.5, "y0": 0.5}
    assert page.read_state(page.DEFAULT_STATE | good)[0]["formula"] == "x * y", "what the page stores is trusted"


def _final_points_printed(settings, code) -> None:
    printed = subprocess.run(
        [sys.executable, "-I", "-c", code.source], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    race = opt.race(settings)
    for run in race.runs:
        line = next(line for line in printed.splitlines() if line.startswith(f"{run.key}:"))
        x, y = run.final_position
        if run.arrived_at is not None:
            assert f"arrived at step {run.arrived_at} at ({x:.4f}, {y:.4f})" in line
        elif run.verdict == "diverged":
            assert f"diverged at step {run.stopped_at}" in line
        else:
            assert f"after {settings.steps} steps at ({x:.4f}, {y:.4f}), L = {run.final_loss:.3e}" in line


@pytest.mark.parametrize(
    ("text", "window", "noise", "lines"),
    [
        (
            "(x - 1)^2 + 2*(y + 1)^2 + sin(x)",
            [-5.0, 5.0, -4.0, 4.0],
            0.0,
            ["return (x - 1)**2 + 2 * (y + 1)**2 + np.sin(x)", "return (2 * x + np.cos(x) - 2, 4 + 4 * y)"]
            + ["return np.array(((2 - np.sin(x), 0), (0, 4)), dtype=float)"],
        ),
        ("exp(x/2) - x + (y - 0.5)^2", [-3.0, 3.0, -3.0, 3.0], 0.5, ["return np.exp(x / 2) - x + (y - 0.5)**2"]),
    ],
)
def test_the_code_panel_writes_the_typed_function_from_its_tree_and_prints_the_pages_final_points(
    page, text, window, noise, lines
):
    state = _custom_state(page, text, window) | {"noise": noise, "steps": 400}
    clean, surface = page.read_state(state)
    code = page._code(state)
    assert code == codegen.optimizers_code(surface, page.race_settings(clean))
    written = [line.strip() for line in code.source.splitlines()]
    assert all(line in written for line in lines), "the function, ∇L and H as Python written from the tree"
    assert any("your L(x, y)" in note for note in code.notes.values())
    _final_points_printed(page.race_settings(clean), code)


def test_the_code_panel_of_a_typed_bowl_is_the_catalogue_bowls_race(page):
    state = _custom_state(page, "x^2 + 3 * y^2", [-6.0, 6.0, -6.0, 6.0], start=(4.0, 3.0))
    clean, _ = page.read_state(state)
    _final_points_printed(page.race_settings(clean), page._code(state))
    bowl = opt.race(opt.suggested_settings("bowl", 300))
    typed = opt.race(page.race_settings(clean))
    assert [run.final_position.tolist() for run in typed.runs] == [run.final_position.tolist() for run in bowl.runs]
    assert SURFACES["bowl"].quadratic and page.read_state(state)[1].quadratic
