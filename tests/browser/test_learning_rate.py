"""/learning-rate in a real browser: presets, adding, editing and removing runs, and bad η."""

from __future__ import annotations

import csv
import io
import time

import pytest

from app import ids
from app.compute.surfaces import SURFACES
from app.main import create_app
from tests.browser.helpers import (
    allow_downloads,
    css,
    downloaded_text,
    press_with_keyboard,
    severe_console_errors,
    type_into,
    wait_until,
)

LR = ids.LearningRate


def table_text(page) -> str:
    return page.find_element(f"#{LR.TABLE}").text


def shown_runs(page) -> list[str]:
    """The η values in the visible run slots, in order."""
    values = []
    for index in range(8):
        slot = page.find_element(css({"type": LR.RUN_SLOT, "index": index}))
        if slot.is_displayed():
            values.append(page.find_element(css({"type": LR.RUN_INPUT, "index": index})).get_attribute("value"))
    return values


def contour_runs(page) -> list[str]:
    """The runs on the 2-D map, by name, after checking the contours are still its first trace."""
    kinds, names = page.driver.execute_script(
        "const d = document.querySelector('#' + arguments[0] + ' .js-plotly-plot').data;"
        "return [d.map(t => t.type || 'scatter'), d.slice(1).map(t => t.name)];",
        LR.CONTOUR,
    )
    assert kinds[0] == "contour" and set(kinds[1:]) <= {"scatter"}
    return names


def run_traces(page) -> int:
    return page.driver.execute_script(
        "return document.querySelector('#' + arguments[0] + ' .js-plotly-plot').data"
        ".filter(t => (t.name || '').startsWith('η =')).length",
        LR.CURVE,
    )


@pytest.fixture
def lr_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/learning-rate")
    wait_until(lambda: "η = 1.1" in table_text(dash_duo), timeout=20)
    return dash_duo


def test_opens_with_the_five_presets_and_their_factors(lr_page):
    page = lr_page
    assert shown_runs(page) == ["0.01", "0.1", "0.9", "1", "1.1"]
    table = table_text(page)
    for eta in (0.01, 0.1, 0.9, 1.0, 1.1):
        assert f"{1 - 2 * eta:.4f} at every step" in table, eta  # observed ratio equals the factor
    assert "oscillating" in table and "growing" in table
    wait_until(lambda: run_traces(page) == 5)
    assert "constant amplitude" in page.find_element(f"#{LR.RULE}").text
    assert severe_console_errors(page) == []


def test_add_edit_and_remove_runs(lr_page):
    page = lr_page
    type_into(page, f"#{LR.NEW_LR}", "0.5")
    page.find_element(f"#{LR.ADD}").click()
    wait_until(lambda: shown_runs(page) == ["0.01", "0.1", "0.9", "1", "1.1", "0.5"])
    wait_until(lambda: "converged at step 1" in table_text(page))  # η = 1/L″ lands on w* = 3 at once
    wait_until(lambda: run_traces(page) == 6)
    wait_until(lambda: contour_runs(page) == ["η = 0.01", "η = 0.1", "η = 0.9", "η = 1", "η = 1.1", "η = 0.5"])

    type_into(page, css({"type": LR.RUN_INPUT, "index": 0}), "0.3")
    wait_until(lambda: f"{1 - 2 * 0.3:.4f} at every step" in table_text(page))
    assert shown_runs(page)[0] == "0.3"

    page.find_element(css({"type": LR.RUN_REMOVE, "index": 4})).click()  # η = 1.1
    wait_until(lambda: shown_runs(page) == ["0.3", "0.1", "0.9", "1", "0.5"])
    wait_until(lambda: "η = 1.1" not in table_text(page))
    wait_until(lambda: contour_runs(page) == ["η = 0.3", "η = 0.1", "η = 0.9", "η = 1", "η = 0.5"])
    assert severe_console_errors(page) == []


def test_presets_and_the_limit_of_eight(lr_page):
    page = lr_page
    (good,) = [b for b in page.find_elements(".preset") if b.text.startswith("good")]
    good.click()
    page.wait_for_contains_text(f"#{LR.RUNS_MESSAGE}", "already running")
    for eta in ("0.2", "0.3", "0.4"):
        type_into(page, f"#{LR.NEW_LR}", eta)  # Enter adds, too
        wait_until(lambda eta=eta: eta in shown_runs(page))
    type_into(page, f"#{LR.NEW_LR}", "0.6")
    page.wait_for_contains_text(f"#{LR.RUNS_MESSAGE}", "At most 8 runs")
    assert len(shown_runs(page)) == 8
    (all_five,) = [b for b in page.find_elements(".preset") if b.text == "all five"]
    all_five.click()
    wait_until(lambda: shown_runs(page) == ["0.01", "0.1", "0.9", "1", "1.1"])


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [("0", "greater than 0"), ("-1", "greater than 0"), ("fast", "not a number"), ("1e9", "between")],
)
def test_a_bad_eta_shows_a_message_and_changes_nothing(lr_page, typed, fragment):
    page = lr_page
    type_into(page, f"#{LR.NEW_LR}", typed)
    page.wait_for_contains_text(f"#{LR.RUNS_MESSAGE}", fragment)
    assert shown_runs(page) == ["0.01", "0.1", "0.9", "1", "1.1"]
    type_into(page, css({"type": LR.RUN_INPUT, "index": 2}), typed)
    page.wait_for_contains_text(f"#{LR.RUNS_MESSAGE}", fragment)
    assert "-0.8000 at every step" in table_text(page), "the run keeps its last good η"
    assert severe_console_errors(page) == []


def test_every_section_and_the_code_agree_on_steps_after_a_refused_value(lr_page):
    """One validated Steps value: a refused one leaves every section and the code at the last good one."""
    page = lr_page
    surface, rate = SURFACES["bowl"], 0.1

    def ends_on_the_bowl(steps: int) -> str:
        # x² + 3y²: each step multiplies x by (1 − 2η) and y by (1 − 6η), independent of the app.
        x0, y0 = surface.start
        return f"η = {rate:g} ends at ({x0 * (1 - 2 * rate) ** steps:.4f}, {y0 * (1 - 6 * rate) ** steps:.4f})"

    page.find_element(".code-panel summary").click()  # the code is built for a learner who opens it

    def all_say(steps: int) -> bool:
        return (
            f"{steps} steps:" in page.find_element(f"#{LR.CURVE_SUMMARY}").text
            and ends_on_the_bowl(steps) in page.find_element(f"#{LR.CONTOUR_SUMMARY}").text
            and f"after {steps} steps" in page.find_element(f"#{LR.SWEEP_SUMMARY}").text
            and f"over {steps} steps" in page.find_element(f"#{LR.SCHEDULE_SUMMARY}").text
            and f"range({steps})"
            in page.driver.execute_script(
                "return document.getElementById(arguments[0]).textContent", ids.CodePanel("learning-rate").source
            )
        )

    wait_until(lambda: all_say(20), timeout=15)
    type_into(page, f"#{LR.STEPS}", "30")
    wait_until(lambda: all_say(30), timeout=15)
    for refused, why in (("abc", "not a number"), ("2.5", "whole number"), ("1e400", "finite"), ("0", "between")):
        type_into(page, f"#{LR.STEPS}", refused)
        page.wait_for_contains_text(f"#{LR.STEPS_MESSAGE}", why)
        time.sleep(0.3)  # give any section that would wrongly redraw the time to do it
        assert all_say(30), f"a section or the code left 30 steps after {refused!r}"
    type_into(page, f"#{LR.STEPS}", "25")
    wait_until(lambda: all_say(25) and page.find_element(f"#{LR.STEPS_MESSAGE}").text == "", timeout=15)
    assert severe_console_errors(page) == []


def test_a_typed_quadratic_a_non_quadratic_and_a_bad_window_and_the_link(lr_page):
    page = lr_page
    type_into(page, f"#{LR.FORMULA}", "x^2 + 5*y^2")
    # Hessian diag(2, 10) by hand: the runs are stable while η < 2/10.
    wait_until(lambda: "2/λ_max = 2/10 = 0.2:" in page.find_element(f"#{LR.RULE_2D}").text, timeout=15)
    assert not any(box.is_selected() for box in page.find_elements(f"#{LR.SURFACE} input"))
    type_into(page, f"#{LR.FORMULA}", "x^4 + y^2")
    page.wait_for_contains_text(f"#{LR.FORMULA_MESSAGE}", "needs a quadratic")
    assert "2/10 = 0.2:" in page.find_element(f"#{LR.RULE_2D}").text, "the last good view stays"
    type_into(page, f"#{LR.FORMULA}", "x + z")
    page.wait_for_contains_text(f"#{LR.FORMULA_MESSAGE}", "Unknown name 'z'")
    type_into(page, f"#{LR.WINDOW_Y_TO}", "-9")
    page.wait_for_contains_text(f"#{LR.WINDOW_MESSAGE}", "greater than")
    url = wait_until(lambda: "f=" in page.driver.current_url and page.driver.current_url)
    page.driver.get(url)
    wait_until(lambda: "2/10 = 0.2:" in page.find_element(f"#{LR.RULE_2D}").text, timeout=20)
    assert page.find_element(f"#{LR.FORMULA}").get_attribute("value") == "x^2 + 5 * y^2"
    assert severe_console_errors(page) == []


def test_csv_downloads_hold_every_run_the_page_shows(lr_page):
    """A learner adds a run, then saves the runs (keyboard) and the runs on the surface (mouse)."""
    page = lr_page
    allow_downloads(page)
    type_into(page, f"#{LR.NEW_LR}", "0.5")
    page.find_element(f"#{LR.ADD}").click()
    wait_until(lambda: "η = 0.5" in table_text(page))
    assert press_with_keyboard(page, f"#{LR.CSV_BUTTON}"), "the button shows a focus ring"
    rows = list(csv.DictReader(io.StringIO(downloaded_text(page, "learning-rate-square-6runs-20steps.csv"))))
    # One row per step and run; η = 0.5 = 1/L″ lands on w* = 3 at step 1 and stops there, as the page says.
    assert len(rows) == 5 * 21 + 2
    assert sorted({float(row["eta"]) for row in rows}) == [0.01, 0.1, 0.5, 0.9, 1.0, 1.1]
    for row in rows:  # independently: on (w − 3)² from 0, w_k = 3 − 3(1 − 2η)^k
        eta, k = float(row["eta"]), int(row["step"])
        assert float(row["w"]) == pytest.approx(3 - 3 * (1 - 2 * eta) ** k, abs=1e-9)

    page.find_element(f"#{LR.CSV_BUTTON_2D}").click()
    rows = list(csv.DictReader(io.StringIO(downloaded_text(page, "learning-rate-bowl-6runs-20steps.csv"))))
    x0, y0 = SURFACES["bowl"].start
    assert len(rows) > 0 and {float(row["eta"]) for row in rows} == {0.01, 0.1, 0.5, 0.9, 1.0, 1.1}
    for row in rows:  # independently: x by 1 − 2η, y by 1 − 6η each step, until a run diverges
        eta, k = float(row["eta"]), int(row["step"])
        assert [float(row["x"]), float(row["y"])] == pytest.approx(
            [x0 * (1 - 2 * eta) ** k, y0 * (1 - 6 * eta) ** k], rel=1e-9, abs=1e-12
        )
    assert severe_console_errors(page) == []
