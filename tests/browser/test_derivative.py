"""/derivative in a real browser: a learner picks functions, types, drags, animates and makes mistakes."""

from __future__ import annotations

import math
import time

import pytest
from selenium.webdriver.common.keys import Keys

from app import ids
from app.main import create_app
from tests.browser.helpers import RECORD_REQUESTS, click_plot, severe_console_errors, text_of, type_into, wait_until

D = ids.Derivative


def secant_slope(f, x0: float, h: float) -> str:
    """The readout a correct page shows, computed here independently with the math module."""
    return f"{(f(x0 + h) - f(x0)) / h:.6f}"


@pytest.fixture
def derivative_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/derivative")
    dash_duo.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: x * x, 2.0, 1.0), timeout=10)
    return dash_duo


def click_preset(dash_duo, word: str) -> None:
    (button,) = [b for b in dash_duo.find_elements(".preset") if word in b.text]
    button.click()


def secant_trace_slope(dash_duo) -> float:
    """Slope of the dashed secant as drawn in the figure the browser holds."""
    xs, ys = dash_duo.driver.execute_script(
        "const d = document.querySelector(arguments[0] + ' .js-plotly-plot').data"
        ".find(t => t.uid === 'secant'); return [d.x, d.y];",
        f"#{D.FIGURE}",
    )
    return (ys[1] - ys[0]) / (xs[1] - xs[0])


def test_opens_on_the_chapters_example(derivative_page):
    page = derivative_page
    assert text_of(page, f"#{D.READ_TRUE}") == f"{2 * 2.0:.6f}"
    assert text_of(page, f"#{D.READ_H}") == "1"
    table = text_of(page, f"#{D.TABLE}")
    for h in (1.0, 0.1, 0.01, 0.001, 0.0001):
        assert secant_slope(lambda x: x * x, 2.0, h) in table
    assert secant_trace_slope(page) == pytest.approx(5.0)
    assert severe_console_errors(page) == []


def test_changing_function_x0_and_h_updates_figure_and_readouts(derivative_page):
    page = derivative_page
    page.find_element(f"#{D.FUNCTION} input[value=sin]").click()
    page.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{math.cos(2.0):.6f}")
    assert text_of(page, f"#{D.READ_SLOPE}") == secant_slope(math.sin, 2.0, 1.0)

    type_into(page, f"#{D.X0_INPUT}", "0.5")
    page.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{math.cos(0.5):.6f}")
    assert page.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').layout.title.text", f"#{D.FIGURE}"
    ).endswith("x₀ = 0.5")
    # Only the moving parts were sent: the curve left in place is still sin, and the point moved.
    # _fullData holds the arrays plotly.js decoded (data keeps the typed-array specs as sent).
    drawn = page.driver.execute_script(
        "const d = document.querySelector(arguments[0] + ' .js-plotly-plot')._fullData, k = 200;"
        "return {cx: d[0].x[k], cy: d[0].y[k], px: d[d.length - 1].x[0], py: d[d.length - 1].y[0]};",
        f"#{D.FIGURE}",
    )
    assert drawn["cy"] == pytest.approx(math.sin(drawn["cx"]))
    assert (drawn["px"], drawn["py"]) == pytest.approx((0.5, math.sin(0.5)))

    type_into(page, f"#{D.H_INPUT}", "1e-3")
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(math.sin, 0.5, 1e-3))
    assert secant_trace_slope(page) == pytest.approx(float(secant_slope(math.sin, 0.5, 1e-3)), abs=1e-6)
    error = abs(float(secant_slope(math.sin, 0.5, 1e-3)) - math.cos(0.5))
    assert float(text_of(page, f"#{D.READ_ERROR}")) == pytest.approx(error, rel=0.01)
    # The slider followed the typed h.
    assert page.find_element(f"#{D.H_SLIDER} [role=slider]").get_attribute("aria-valuenow") == "-3"
    assert severe_console_errors(page) == []


def test_h_slider_works_from_the_keyboard(derivative_page):
    page = derivative_page
    page.find_element(f"#{D.H_SLIDER} [role=slider]").click()
    page.find_element(f"#{D.H_SLIDER} [role=slider]").send_keys(Keys.HOME)
    page.wait_for_text_to_equal(f"#{D.READ_H}", f"{1e-15:.6g}")
    page.find_element(f"#{D.H_SLIDER} [role=slider]").send_keys(Keys.END, Keys.ARROW_LEFT)
    expected_h = 10 ** (-0.01)
    page.wait_for_text_to_equal(f"#{D.READ_H}", f"{expected_h:.6g}")
    assert text_of(page, f"#{D.READ_SLOPE}") == secant_slope(lambda x: x * x, 2.0, expected_h)
    assert page.find_element(f"#{D.H_INPUT}").get_attribute("value") == f"{expected_h:.6g}"


def test_animate_plays_in_the_browser_pauses_resumes_and_ends_on_its_final_h(derivative_page):
    page = derivative_page
    driver = page.driver
    driver.execute_script(RECORD_REQUESTS, D.READ_H)
    driver.execute_script(
        "window.__seenH = new Set();"
        "new MutationObserver(() => window.__seenH.add(document.getElementById(arguments[0]).textContent))"
        ".observe(document.getElementById(arguments[0]), {childList: true, subtree: true, characterData: true});",
        D.READ_H,
    )
    start_slope = secant_trace_slope(page)
    page.find_element(f"#{D.ANIMATE}").click()
    wait_until(lambda: driver.execute_script("return window.__seenH.size") >= 10)
    page.find_element(f"#{D.ANIMATE}").click()  # pause
    page.wait_for_text_to_equal(f"#{D.ANIMATE}", "▶ Resume")
    paused_at = text_of(page, f"#{D.READ_H}")
    paused_slope = secant_trace_slope(page)
    assert paused_slope != pytest.approx(start_slope), "the secant rotated"
    time.sleep(0.5)
    assert text_of(page, f"#{D.READ_H}") == paused_at, "paused means paused"
    page.find_element(f"#{D.ANIMATE}").click()  # resume
    page.wait_for_text_to_equal(f"#{D.READ_H}", "0.0001", timeout=15)
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: x * x, 2.0, 1e-4))
    # It ends showing its final h everywhere: readout, exact input and the table-independent slope.
    wait_until(lambda: page.find_element(f"#{D.H_INPUT}").get_attribute("value") == "0.0001")
    assert secant_trace_slope(page) == pytest.approx(4.0001, abs=1e-9)
    seen = driver.execute_script("return Array.from(window.__seenH)")
    assert len(seen) > 50, "h moved smoothly through many values"
    requests = driver.execute_script("return window.__callbackRequests")
    assert requests, "at the end the page asks the server once for the final state"
    assert all(r["h"] == "0.0001" for r in requests), f"no server request during the animation: {requests}"
    assert severe_console_errors(page) == []


def test_bad_input_shows_a_message_and_the_page_keeps_working(derivative_page):
    page = derivative_page
    for typed, fragment in (("abc", "not a number"), ("nan", "NaN"), ("1e308", "between"), ("inf", "finite")):
        type_into(page, f"#{D.X0_INPUT}", typed)
        page.wait_for_contains_text(f"#{D.X0_MESSAGE}", fragment)
        assert text_of(page, f"#{D.READ_TRUE}") == f"{4.0:.6f}", "the last good view stays"
    type_into(page, f"#{D.H_INPUT}", "0")
    page.wait_for_contains_text(f"#{D.H_MESSAGE}", "greater than 0")
    type_into(page, f"#{D.X0_INPUT}", "1")
    page.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{2 * 1.0:.6f}")
    assert text_of(page, f"#{D.X0_MESSAGE}") == ""
    type_into(page, f"#{D.H_INPUT}", "0.5")
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: x * x, 1.0, 0.5))
    assert text_of(page, f"#{D.H_MESSAGE}") == ""
    assert severe_console_errors(page) == []


def test_ln_at_a_negative_point_and_1_over_x_across_its_pole(derivative_page):
    page = derivative_page
    page.find_element(f"#{D.FUNCTION} input[value=log]").click()
    page.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{1 / 2.0:.6f}")
    type_into(page, f"#{D.X0_INPUT}", "-1")
    page.wait_for_contains_text(f"#{D.X0_MESSAGE}", "only defined for x > 0")
    assert text_of(page, f"#{D.READ_TRUE}") == f"{1 / 2.0:.6f}"

    click_preset(page, "pole")
    page.wait_for_contains_text(f"#{D.VIEW_MESSAGE}", "No secant")
    assert text_of(page, f"#{D.READ_SLOPE}") == "undefined"
    assert text_of(page, f"#{D.READ_TRUE}") == f"{-1 / 0.5**2:.6f}"
    type_into(page, f"#{D.H_INPUT}", "0.25")
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: 1 / x, -0.5, 0.25))
    assert text_of(page, f"#{D.VIEW_MESSAGE}") == ""
    assert severe_console_errors(page) == []


def test_float32_toggle_moves_the_best_step(derivative_page):
    page = derivative_page
    page.wait_for_contains_text(f"#{D.ERROR_EXPLANATION}", "float64")
    page.find_element(f"#{D.PRECISION} input[value=float32]").click()
    page.wait_for_contains_text(f"#{D.ERROR_EXPLANATION}", "float32")
    title = page.driver.execute_script(
        "return document.querySelector(arguments[0] + ' .js-plotly-plot').layout.title.text", f"#{D.ERROR_FIGURE}"
    )
    assert "float32" in title
    assert severe_console_errors(page) == []


def test_presets_set_every_control(derivative_page):
    page = derivative_page
    click_preset(page, "peak")
    page.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{math.cos(1.57):.6f}")
    assert page.find_element(f"#{D.X0_INPUT}").get_attribute("value") == "1.57"
    assert text_of(page, f"#{D.READ_SLOPE}") == secant_slope(math.sin, 1.57, 0.5)
    click_preset(page, "chapter")
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: x * x, 2.0, 1.0))
    assert page.find_element(f"#{D.FUNCTION} input[value=square]").is_selected()
    assert severe_console_errors(page) == []


def test_clicking_the_curve_moves_x0(derivative_page):
    page = derivative_page
    expected_x, _ = click_plot(page, D.FIGURE, 0.25, 0.5)
    wait_until(lambda: page.find_element(f"#{D.X0_INPUT}").get_attribute("value") != "2")
    x0 = float(page.find_element(f"#{D.X0_INPUT}").get_attribute("value"))
    assert x0 == pytest.approx(expected_x, abs=0.03)
    page.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{2 * x0:.6f}")
    assert severe_console_errors(page) == []


def test_a_typed_function_a_refused_one_a_bad_window_and_the_link(derivative_page):
    page = derivative_page
    type_into(page, f"#{D.FORMULA}", "x^3 - 2*x")
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: x**3 - 2 * x, 2.0, 1.0), timeout=10)
    assert text_of(page, f"#{D.READ_TRUE}") == f"{3 * 2.0**2 - 2:.6f}"
    assert not any(box.is_selected() for box in page.find_elements(f"#{D.FUNCTION} input"))
    type_into(page, f"#{D.FORMULA}", "x + z")
    page.wait_for_contains_text(f"#{D.FORMULA_MESSAGE}", "Unknown name 'z'")
    assert text_of(page, f"#{D.READ_TRUE}") == f"{3 * 2.0**2 - 2:.6f}", "the last good view stays"
    type_into(page, f"#{D.WINDOW_X_FROM}", "5")
    page.wait_for_contains_text(f"#{D.WINDOW_MESSAGE}", "greater than")
    url = wait_until(lambda: "f=" in page.driver.current_url and page.driver.current_url)
    page.driver.get(url)
    page.wait_for_text_to_equal(f"#{D.READ_SLOPE}", secant_slope(lambda x: x**3 - 2 * x, 2.0, 1.0), timeout=15)
    assert page.find_element(f"#{D.FORMULA}").get_attribute("value") == "x^3 - 2 * x"
    page.find_element(f"#{D.FUNCTION} input[value=sin]").click()
    wait_until(lambda: page.find_element(f"#{D.FORMULA}").get_attribute("value") == "sin(x)")
    wait_until(lambda: "f=" not in page.driver.current_url)  # a preset's link carries no formula
    assert severe_console_errors(page) == []
