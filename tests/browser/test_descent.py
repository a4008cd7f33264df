"""/descent in a real browser: play, pause, step, scrub, keys, clicking a start, diverging, mistakes."""

from __future__ import annotations

import csv
import io

import pytest
from flask import request
from selenium.webdriver.common.keys import Keys

from app import ids
from app.components.player import figure_id, player_id
from app.main import create_app
from tests.browser.helpers import (
    RECORD_REQUESTS,
    allow_downloads,
    click_plot,
    css,
    downloaded_text,
    press_with_keyboard,
    severe_console_errors,
    type_into,
    wait_until,
)

DS, P = ids.Descent, ids.Player
TWO, ONE = DS.TWO_D, DS.ONE_D


def readout(page, section=TWO) -> str:
    return page.find_element(css(player_id(P.READOUT, section))).text


def click(page, kind, section=TWO):
    page.find_element(css(player_id(kind, section))).click()


def ball(page, view="contour", section=TWO):
    """The ball's position as drawn in the browser's figure."""
    return page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "const t = gd.data.find(t => t.meta && t.meta.startsWith('ball')); return [t.x[0], t.y[0]];",
        css(figure_id(section, view)),
    )


def chapter_positions(steps=8):
    """Independently: x shrinks by 1 − 0.05·2 and y by 1 − 0.05·6 each step, from (4, 3)."""
    return [(4 * 0.9**k, 3 * 0.7**k) for k in range(steps + 1)]


@pytest.fixture
def descent_page(dash_duo):
    app = create_app()
    # The callbacks the server is asked for, by their outputs (what the page's own fetches name).
    dash_duo.asked = []
    app.server.before_request(
        lambda: (
            dash_duo.asked.append(request.get_json(silent=True)["output"])
            if request.path.endswith("_dash-update-component")
            else None
        )
    )
    dash_duo.start_server(app)
    dash_duo.wait_for_page(url=dash_duo.server_url + "/descent")
    wait_until(lambda: readout(dash_duo).startswith("step 8:"), timeout=20)
    wait_until(lambda: readout(dash_duo, ONE).startswith("step 10:"), timeout=20)
    return dash_duo


def test_opens_on_the_chapters_runs(descent_page):
    page = descent_page
    x, y = chapter_positions()[-1]
    assert f"(x, y) = ({x:.4f}, {y:.4f}), L = {x * x + 3 * y * y:.4f}" in readout(page)
    w = 3 - 3 * 0.8**10
    assert f"w = {w:.4f}, L = {(w - 3) ** 2 + 1:.4f}" in readout(page, ONE)
    table = page.find_element(f"#{DS.TABLE1}").text
    assert "0.0000 10.0000 -6.0000" in table and "final 2.6779 1.1038" in table
    table2 = page.find_element(f"#{DS.TABLE2}").text
    assert "43.0000" in table2 and "26.1900" in table2 and "16.9803" in table2 and "3.8434" in table2
    assert "[1.7219, 0.1729] 3.0546" in table2
    assert "Still descending" in page.find_element(f"#{DS.VERDICT2}").text
    # The runs came with the page's layout: opening it asked the server for nothing but that layout.
    assert [output for output in page.asked if "_pages_content" not in output] == []
    assert severe_console_errors(page) == []


def test_play_runs_to_the_last_step_without_asking_the_server(descent_page):
    page = descent_page
    page.driver.execute_script(RECORD_REQUESTS, "unused")
    click(page, P.RESET)
    wait_until(lambda: readout(page).startswith("step 0:"))
    assert ball(page) == pytest.approx(chapter_positions()[0])
    page.driver.execute_script(
        "window.__seen = new Set(); const line = document.querySelector(arguments[0]);"
        "new MutationObserver(() => window.__seen.add(line.textContent.split(':')[0]))"
        ".observe(line, {childList: true, subtree: true, characterData: true});",
        css(player_id(P.READOUT, TWO)),
    )
    click(page, P.PLAY)
    wait_until(lambda: readout(page).startswith("step 8:"), timeout=15)
    wait_until(lambda: page.find_element(css(player_id(P.PLAY, TWO))).text == "▶ Play")
    seen = page.driver.execute_script("return Array.from(window.__seen)")
    assert {f"step {k}" for k in range(1, 9)} <= set(seen), f"the ball visited every step: {seen}"
    assert ball(page) == pytest.approx(chapter_positions()[-1])
    assert page.driver.execute_script("return window.__callbackRequests.length") == 0
    assert severe_console_errors(page) == []


def test_step_back_and_scrub_move_the_ball(descent_page):
    page = descent_page
    click(page, P.RESET)
    wait_until(lambda: readout(page).startswith("step 0:"))
    click(page, P.FORWARD)
    wait_until(lambda: readout(page).startswith("step 1:"))
    assert ball(page) == pytest.approx(chapter_positions()[1])
    assert ball(page, "surface") == pytest.approx(chapter_positions()[1])
    click(page, P.FORWARD)
    click(page, P.BACK)
    wait_until(lambda: readout(page).startswith("step 1:"))
    assert "update = [-0.3600, -0.6300]" in readout(page)  # −η∇L at (3.6, 2.1) = −0.05·(7.2, 12.6)
    handle = page.find_element(f"{css(player_id(P.SCRUB, TWO))} [role=slider]")
    handle.click()
    handle.send_keys(Keys.END)
    wait_until(lambda: readout(page).startswith("step 8:"))
    handle.send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    wait_until(lambda: readout(page).startswith("step 5:"))
    assert ball(page) == pytest.approx(chapter_positions()[5])
    assert severe_console_errors(page) == []


def test_keyboard_space_and_arrows(descent_page):
    page = descent_page
    click(page, P.RESET)
    body = page.find_element("h1")
    body.click()  # focus is on the page, not on a control
    page.find_element("body").send_keys(Keys.ARROW_RIGHT)
    wait_until(lambda: readout(page).startswith("step 1:"))
    page.find_element("body").send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)
    wait_until(lambda: readout(page).startswith("step 2:"))
    page.find_element("body").send_keys(Keys.SPACE)
    wait_until(lambda: readout(page).startswith("step 8:"), timeout=15)


def test_clicking_the_contour_map_sets_the_start(descent_page):
    page = descent_page
    expected = click_plot(page, figure_id(TWO, "contour"), 0.25, 0.75)
    wait_until(lambda: page.find_element(f"#{DS.X0_INPUT}").get_attribute("value") != "4")
    x0 = float(page.find_element(f"#{DS.X0_INPUT}").get_attribute("value"))
    y0 = float(page.find_element(f"#{DS.Y0_INPUT}").get_attribute("value"))
    assert (x0, y0) == pytest.approx(tuple(expected), abs=0.12)
    click(page, P.RESET)
    wait_until(lambda: readout(page).startswith(f"step 0: (x, y) = ({x0:.4f}, {y0:.4f})"))
    assert severe_console_errors(page) == []


def test_a_diverging_run_says_so_and_keeps_its_axes(descent_page):
    page = descent_page
    (button,) = [b for b in page.find_elements(".preset") if "Too large" in b.text]
    button.click()
    page.wait_for_contains_text(f"#{DS.VERDICT2}", "Diverged at step", timeout=10)
    # y shrinks by |1 − 0.4·6| = 1.4 per step: the loss 3y² passes 1e8 when 3·(3·1.4^k)² > 1e8.
    first = next(k for k in range(100) if 3 * (3 * 1.4**k) ** 2 > 1e8)
    assert f"Diverged at step {first}" in page.find_element(f"#{DS.VERDICT2}").text
    x_range = page.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').layout.xaxis.range",
        css(figure_id(TWO, "contour")),
    )
    assert x_range == [-5, 5], "the view stays on the surface"
    assert severe_console_errors(page) == []


def loss_axis_labels(page, section=TWO):
    """The loss chart's y tick labels as drawn, and the dtick the player set."""
    return page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return [Array.from(gd.querySelectorAll('.ytick text'), t => t.textContent), gd.layout.yaxis.dtick];",
        css(figure_id(section, "loss")),
    )


def test_the_loss_axis_labels_a_narrow_log_range_by_1_2_5_and_a_wide_one_by_decades(descent_page):
    page = descent_page
    # The chapter's 8 steps: the loss falls from 43 to 3.05, about one decade.
    labels, dtick = loss_axis_labels(page)
    assert dtick == "D2"
    digits = {label.strip() for label in labels}
    assert digits & {"2", "5"} and not digits & {"3", "4", "6", "7", "8", "9"}, labels
    type_into(page, f"#{DS.STEPS2_INPUT}", "200")  # x shrinks by 0.9 a step: L falls below 1e-15, many decades
    wait_until(lambda: "(last step)" in readout(page) and not readout(page).startswith("step 8:"), timeout=15)
    wait_until(lambda: loss_axis_labels(page)[1] is None)
    labels, _ = loss_axis_labels(page)
    assert len(labels) >= 3 and not {label.strip() for label in labels} & {"2", "5"}, labels
    assert severe_console_errors(page) == []


def test_bad_input_shows_a_message_and_keeps_the_run(descent_page):
    page = descent_page
    type_into(page, f"#{DS.LR2_INPUT}", "0")
    page.wait_for_contains_text(f"#{DS.LR2_MESSAGE}", "greater than 0")
    type_into(page, f"#{DS.STEPS2_INPUT}", "2.5")
    page.wait_for_contains_text(f"#{DS.MESSAGE2}", "whole number")
    assert readout(page).startswith("step 8:")
    (button,) = [b for b in page.find_elements(".preset") if "Rosenbrock" in b.text]
    button.click()
    wait_until(lambda: page.find_element(f"#{DS.STEPS2_INPUT}").get_attribute("value") == "3000")
    type_into(page, f"#{DS.LR2_INPUT}", "0.001")
    wait_until(lambda: readout(page).startswith("step 3000:"), timeout=15)
    type_into(page, f"#{DS.STEPS2_INPUT}", "10000")
    wait_until(lambda: readout(page).startswith("step 10000:"), timeout=15)
    type_into(page, f"#{DS.LR1_INPUT}", "1")
    page.wait_for_contains_text(f"#{DS.VERDICT1}", "Oscillating")
    assert severe_console_errors(page) == []


def test_a_typed_loss_runs_a_refused_one_and_a_bad_window_say_why_and_the_link_restores_it(descent_page):
    page = descent_page
    # L = (x − 1)² + 2(y + 1)²: by hand, each step shrinks x − 1 by 1 − 2η and y + 1 by 1 − 4η.
    type_into(page, f"#{DS.FORMULA}", "(x - 1)^2 + 2*(y + 1)^2")
    x, y = 1 + 3 * 0.9**8, -1 + 4 * 0.8**8
    expected = f"(x, y) = ({x:.4f}, {y:.4f}), L = {(x - 1) ** 2 + 2 * (y + 1) ** 2:.4f}"
    wait_until(lambda: expected in readout(page), timeout=15)
    assert not any(box.is_selected() for box in page.find_elements(f"#{DS.SURFACE} input"))
    type_into(page, f"#{DS.FORMULA}", "x + z")
    page.wait_for_contains_text(f"#{DS.FORMULA_MESSAGE}", "Unknown name 'z'")
    assert expected in readout(page), "the last good run stays"
    type_into(page, f"#{DS.WINDOW_Y_FROM}", "9")
    page.wait_for_contains_text(f"#{DS.WINDOW_MESSAGE}", "greater than")
    assert expected in readout(page)
    url = wait_until(lambda: "f=" in page.driver.current_url and page.driver.current_url)
    page.driver.get(url)
    wait_until(lambda: expected in readout(page), timeout=20)
    assert page.find_element(f"#{DS.FORMULA}").get_attribute("value") == "(x - 1)^2 + 2 * (y + 1)^2"
    assert severe_console_errors(page) == []


def test_csv_downloads_hold_the_runs_the_page_shows(descent_page):
    """A learner changes η, saves the one-weight run with the keyboard and the two-weight run with a click."""
    page = descent_page
    allow_downloads(page)
    type_into(page, f"#{DS.LR1_INPUT}", "0.2")
    wait_until(lambda: "final 2.9819" in page.find_element(f"#{DS.TABLE1}").text)  # 3 − 3·0.6¹⁰
    assert press_with_keyboard(page, f"#{DS.CSV_BUTTON1}"), "the button shows a focus ring"
    rows = list(csv.DictReader(io.StringIO(downloaded_text(page, "descent-shifted-eta0.2-10steps.csv"))))
    assert [int(row["step"]) for row in rows] == list(range(11))
    for k, row in enumerate(rows):  # independently: the error w − 3 shrinks by 1 − 2·0.2 = 0.6 a step
        w = 3 - 3 * 0.6**k
        assert float(row["w"]) == pytest.approx(w, rel=1e-12)
        assert float(row["gradient"]) == pytest.approx(2 * (w - 3), rel=1e-12)
    assert f"final {float(rows[-1]['w']):.4f} {float(rows[-1]['loss']):.4f}" in page.find_element(f"#{DS.TABLE1}").text

    page.find_element(f"#{DS.CSV_BUTTON2}").click()
    rows = list(csv.DictReader(io.StringIO(downloaded_text(page, "descent-bowl-eta0.05-8steps.csv"))))
    for row, (x, y) in zip(rows, chapter_positions(), strict=True):
        assert [float(row["x"]), float(row["y"])] == pytest.approx([x, y], rel=1e-12)
    assert float(rows[0]["loss"]) == 43.0 and rows[-1]["update_x"] == ""
    assert severe_console_errors(page) == []
