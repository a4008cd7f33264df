"""The CSV downloads of /descent and /learning-rate, through the app's own callbacks.

Each file is read back with the csv module and checked two ways: against an independent computation
(the closed forms of the chapter's examples) and, bit for bit, against the compute functions the page
draws from. A state the page could not have stored saves nothing.
"""

from __future__ import annotations

import csv
import io
from functools import cache

import pytest

from app import ids
from app.components.downloads import csv_filename
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from tests.dash_client import DashClient

DS, LR = ids.Descent, ids.LearningRate
CHAPTER_1D = {"loss": "shifted", "w0": 0.0, "lr": 0.1, "steps": 10}  # L(w) = (w − 3)² + 1
CHAPTER_2D = {"surface": "bowl", "formula": "", "window": [], "x0": 4.0, "y0": 3.0, "lr": 0.05, "steps": 8}
CHAPTER_RATES = [0.01, 0.1, 0.9, 1.0, 1.1]


@cache
def _client() -> DashClient:
    from app.main import create_app

    return DashClient(create_app())


def download(button: str, states: dict):
    """Press ``button`` with the stores in ``states``: (status, the dcc.Download's data or None)."""
    client = _client()
    dep = client.callback_with_input(button, "n_clicks")
    values = {f"{button}.n_clicks": 1} | {f"{store}.data": value for store, value in states.items()}
    response = client.post(dep, values, [f"{button}.n_clicks"])
    if response.status_code == 204:  # PreventUpdate: Dash answers "nothing to change"
        return 204, None
    changed = response.get_json()["response"]  # a no_update leaves its output out
    return response.status_code, next(iter(changed.values()))["data"] if changed else None


def saves_nothing(button: str, states: dict) -> bool:
    """The press answered (no error) and sent no file."""
    status, data = download(button, states)
    return status in (200, 204) and data is None


def read_back(data: dict) -> list[dict]:
    assert data["type"] == "text/csv" and not data["base64"]
    return list(csv.DictReader(io.StringIO(data["content"])))


def numbers(row: dict, *columns: str) -> list[float]:
    return [float(row[column]) for column in columns]


def test_one_weight_csv_is_the_chapters_run():
    status, data = download(DS.CSV_BUTTON1, {DS.STATE1: CHAPTER_1D})
    assert status == 200 and data["filename"] == "descent-shifted-eta0.1-10steps.csv"
    rows = read_back(data)
    assert list(rows[0]) == ["step", "w", "loss", "gradient", "update"]
    assert [int(row["step"]) for row in rows] == list(range(11)), "one row per step, the start included"
    for k, row in enumerate(rows):  # independently: the error w − 3 shrinks by 1 − 2η = 0.8 a step
        w = 3 - 3 * 0.8**k
        assert numbers(row, "w", "loss", "gradient") == pytest.approx([w, (w - 3) ** 2 + 1, 2 * (w - 3)], rel=1e-12)
        if k < 10:
            assert float(row["update"]) == pytest.approx(-0.1 * 2 * (w - 3), rel=1e-12)
    assert rows[-1]["update"] == "", "the last position takes no step"
    # The chapter's numbers, as the page's table shows them.
    assert (f"{float(rows[0]['loss']):.4f}", f"{float(rows[0]['gradient']):.4f}") == ("10.0000", "-6.0000")
    assert (f"{float(rows[-1]['w']):.4f}", f"{float(rows[-1]['loss']):.4f}") == ("2.6779", "1.1038")
    # Bit for bit what the page draws from.
    run = LOSSES["shifted"].descent(0.0, 0.1, 10)
    assert [float(row["w"]) for row in rows] == run.positions[:, 0].tolist()
    assert [float(row["loss"]) for row in rows] == run.losses.tolist()
    assert [float(row["gradient"]) for row in rows] == run.gradients[:, 0].tolist()
    assert [float(row["update"]) for row in rows[:-1]] == run.updates[:, 0].tolist()


def test_two_weight_csv_is_the_chapters_run():
    status, data = download(DS.CSV_BUTTON2, {DS.STATE2: CHAPTER_2D})
    assert status == 200 and data["filename"] == "descent-bowl-eta0.05-8steps.csv"
    rows = read_back(data)
    assert list(rows[0]) == ["step", "x", "y", "loss", "grad_x", "grad_y", "update_x", "update_y"]
    assert len(rows) == 9
    for k, row in enumerate(rows):  # independently: x shrinks by 1 − 0.05·2, y by 1 − 0.05·6
        x, y = 4 * 0.9**k, 3 * 0.7**k
        expected = [x, y, x * x + 3 * y * y, 2 * x, 6 * y]
        assert numbers(row, "x", "y", "loss", "grad_x", "grad_y") == pytest.approx(expected, rel=1e-12)
    assert float(rows[0]["loss"]) == 43.0 and f"{float(rows[1]['loss']):.4f}" == "26.1900"
    run = SURFACES["bowl"].descent((4.0, 3.0), 0.05, 8)
    assert [numbers(row, "x", "y") for row in rows] == run.positions.tolist()
    assert [numbers(row, "grad_x", "grad_y") for row in rows] == run.gradients.tolist()
    assert [numbers(row, "update_x", "update_y") for row in rows[:-1]] == run.updates.tolist()


def test_a_typed_surface_gets_a_safe_filename():
    state = CHAPTER_2D | {"surface": "custom", "formula": "x**2 + y**2", "window": [-5.0, 5.0, -5.0, 5.0]}
    status, data = download(DS.CSV_BUTTON2, {DS.STATE2: state})
    assert status == 200
    name = data["filename"]
    assert name.endswith("-eta0.05-8steps.csv") and "/" not in name and "*" not in name and " " not in name
    rows = read_back(data)
    assert numbers(rows[1], "x", "y") == pytest.approx([4 * 0.9, 3 * 0.9], rel=1e-12)  # 1 − 0.05·2 on both


def test_a_diverging_run_stops_where_the_page_stops():
    status, data = download(DS.CSV_BUTTON1, {DS.STATE1: CHAPTER_1D | {"lr": 10.0, "steps": 10_000}})
    rows = read_back(data)
    run = LOSSES["shifted"].descent(0.0, 10.0, 10_000)
    assert status == 200 and len(rows) == len(run.positions) < 10_001
    assert all(abs(float(row["w"])) < 1e8 for row in rows)


def test_learning_rate_csv_holds_every_run_step_by_step():
    runs = [{"key": i, "lr": lr} for i, lr in enumerate(CHAPTER_RATES)]
    status, data = download(LR.CSV_BUTTON, {LR.RUNS: runs, LR.STEPS_STATE: 20})
    assert status == 200 and data["filename"] == "learning-rate-square-5runs-20steps.csv"
    rows = read_back(data)
    assert list(rows[0]) == ["eta", "step", "w", "loss", "gradient", "update"]
    assert len(rows) == 5 * 21, "one row per step and run"
    assert sorted({float(row["eta"]) for row in rows}) == CHAPTER_RATES
    for row in rows:  # independently: on (w − 3)² from 0, w_k = 3 − 3(1 − 2η)^k
        eta, k = float(row["eta"]), int(row["step"])
        w = 3 - 3 * (1 - 2 * eta) ** k
        assert numbers(row, "w", "loss", "gradient") == pytest.approx([w, (w - 3) ** 2, 2 * (w - 3)], abs=1e-9)
    boundary = [float(row["w"]) for row in rows if float(row["eta"]) == 1.0]
    assert boundary[:4] == [0.0, 6.0, 0.0, 6.0], "η = 1 oscillates between 0 and 6"
    for eta in CHAPTER_RATES:  # bit for bit what the page draws
        run = LOSSES["square"].descent(0.0, eta, 20)
        assert [float(row["w"]) for row in rows if float(row["eta"]) == eta] == run.positions[:, 0].tolist()


def test_learning_rate_2d_csv_holds_every_run_on_the_surface():
    runs = [{"key": 0, "lr": 0.1}, {"key": 1, "lr": 0.3}]
    surface_state = {"surface": "bowl", "formula": "", "window": []}
    status, data = download(LR.CSV_BUTTON_2D, {LR.RUNS: runs, LR.SURFACE_STATE: surface_state, LR.STEPS_STATE: 5})
    assert status == 200 and data["filename"] == "learning-rate-bowl-2runs-5steps.csv"
    rows = read_back(data)
    assert list(rows[0]) == ["eta", "step", "x", "y", "loss", "grad_x", "grad_y", "update_x", "update_y"]
    assert len(rows) == 2 * 6
    x0, y0 = SURFACES["bowl"].start
    for row in rows:  # independently: x by 1 − 2η, y by 1 − 6η each step
        eta, k = float(row["eta"]), int(row["step"])
        assert numbers(row, "x", "y") == pytest.approx([x0 * (1 - 2 * eta) ** k, y0 * (1 - 6 * eta) ** k], abs=1e-12)


BAD_DESCENT_1D = [None, {}, [], "abc", CHAPTER_1D | {"lr": "nan"}, CHAPTER_1D | {"w0": 1e9}, CHAPTER_1D | {"loss": []}]
BAD_DESCENT_2D = [None, {}, CHAPTER_2D | {"surface": "nope"}, CHAPTER_2D | {"x0": 1e6}, CHAPTER_2D | {"steps": 10**9}]


@pytest.mark.parametrize("state", BAD_DESCENT_1D)
def test_a_bad_one_weight_state_saves_nothing(state):
    assert saves_nothing(DS.CSV_BUTTON1, {DS.STATE1: state})


@pytest.mark.parametrize("state", BAD_DESCENT_2D)
def test_a_bad_two_weight_state_saves_nothing(state):
    assert saves_nothing(DS.CSV_BUTTON2, {DS.STATE2: state})


@pytest.mark.parametrize(
    "runs, steps",
    [(None, 20), ([], 20), ([{"lr": "abc"}], 20), ([{"lr": 0.1}], None), ([{"lr": 0.1}], 10**6), ([{"lr": 0.1}], "x")],
)
def test_bad_runs_or_steps_save_nothing(runs, steps):
    assert saves_nothing(LR.CSV_BUTTON, {LR.RUNS: runs, LR.STEPS_STATE: steps})
    states = {LR.RUNS: runs, LR.SURFACE_STATE: {"surface": "bowl"}, LR.STEPS_STATE: steps}
    assert saves_nothing(LR.CSV_BUTTON_2D, states)


def test_a_surface_the_page_refuses_saves_nothing():
    states = {LR.RUNS: [{"lr": 0.1}], LR.SURFACE_STATE: {"surface": "rosenbrock"}, LR.STEPS_STATE: 20}
    assert saves_nothing(LR.CSV_BUTTON_2D, states), "not a quadratic: the page never shows it"


@pytest.mark.parametrize(
    "parts, expected",
    [
        (("descent", "bowl", "eta0.1"), "descent-bowl-eta0.1.csv"),
        (("descent", "custom:x**2 + y/2", "eta1e-05"), "descent-custom_x_2_y_2-eta1e-05.csv"),
        (("..", "../../etc/passwd"), "_-etc_passwd.csv"),
        (("a" * 100,), "a" * 40 + ".csv"),
    ],
)
def test_filenames_are_safe(parts, expected):
    assert csv_filename(*parts) == expected
