"""The classroom features in a real browser: links that restore a view, presenter mode, full screen,
copy link, the shortcut list, and each figure's state in words.

Every expected number is computed here, independently, with the math module.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import ids
from app.components.player import player_id
from app.main import create_app
from tests.browser.helpers import css, severe_console_errors, type_into, wait_until

D, G, DS, LR, A, S, P = (
    ids.Derivative,
    ids.Gradient,
    ids.Descent,
    ids.LearningRate,
    ids.Autograd,
    ids.Shell,
    ids.Player,
)


@pytest.fixture
def classroom(dash_duo):
    dash_duo.start_server(create_app())
    return dash_duo


def open_page(page, path_and_query: str, ready_selector: str, timeout: float = 20):
    page.driver.get(page.server_url + path_and_query)
    wait_until(lambda: page.driver.find_elements(By.CSS_SELECTOR, ready_selector), timeout=timeout)


def text(page, selector: str) -> str:
    """The text of an element, visible or not (a figure's summary is for screen readers only)."""
    return page.driver.find_element(By.CSS_SELECTOR, selector).get_attribute("textContent")


def query(page) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(page.driver.current_url).query).items()}


def wait_for_text(page, selector: str, expected: str, timeout: float = 20):
    wait_until(lambda: text(page, selector) == expected, timeout=timeout)


def is_checked(page, selector: str) -> bool:
    return page.driver.execute_script("return document.querySelector(arguments[0]).checked", selector)


# ---- links restore the view ------------------------------------------------------------------------


def check_derivative(page):
    slope = (math.sin(1.501) - math.sin(1.5)) / 0.001
    wait_for_text(page, f"#{D.READ_SLOPE}", f"{slope:.6f}")
    assert text(page, f"#{D.READ_TRUE}") == f"{math.cos(1.5):.6f}"
    assert page.find_element(f"#{D.X0_INPUT}").get_attribute("value") == "1.5"
    assert is_checked(page, f"#{D.PRECISION} input[value=float32]")
    summary = text(page, f"#{D.FIGURE_SUMMARY}")
    assert f"slope {slope:.6f}" in summary and f"tangent's slope is {math.cos(1.5):.6f}" in summary
    assert "float32" in text(page, f"#{D.ERROR_SUMMARY}")


def check_gradient(page):
    # f = x² − y² at (1, 2): f = −3, ∇f = (2x, −2y) = (2, −4)
    wait_for_text(page, f"#{G.READ_GRADIENT}", "[2.0000, -4.0000]")
    assert text(page, f"#{G.READ_F}") == "-3.0000"
    directional = 2 * math.cos(math.radians(45)) - 4 * math.sin(math.radians(45))
    assert text(page, f"#{G.READ_DIRECTIONAL}") == f"{directional:.4f}"
    assert is_checked(page, f"#{G.SHOW_DESCENT} input")
    uphill = math.degrees(math.atan2(-4, 2)) % 360
    assert f"pointing uphill at {uphill:.1f}°" in text(page, f"#{G.CONTOUR_SUMMARY}")
    assert f"|∇f| = {math.hypot(2, 4):.4f}" in text(page, f"#{G.DIRECTIONAL_SUMMARY}")


def check_descent(page):
    # (w − 3)² from w₀ = 0.5 with η = 0.2: w ← w − 0.2·2(w − 3); paused at step 3
    w = 0.5
    for _ in range(3):
        w -= 0.2 * 2 * (w - 3)
    wait_until(lambda: page.find_element(css(player_id(P.READOUT, DS.ONE_D))).text.startswith("step 3:"), timeout=20)
    assert f"w = {w:.4f}, L = {(w - 3) ** 2:.4f}" in page.find_element(css(player_id(P.READOUT, DS.ONE_D))).text
    assert page.find_element(f"#{DS.LR1_INPUT}").get_attribute("value") == "0.2"
    assert page.find_element(f"#{DS.STEPS1_INPUT}").get_attribute("value") == "12"
    assert is_checked(page, f"#{DS.LOSS} input[value=square]")
    assert is_checked(page, f"#{DS.SURFACE} input[value=round]")


def check_learning_rate(page):
    def slot(i):
        return page.find_element(css({"type": LR.RUN_INPUT, "index": i}))

    wait_until(lambda: slot(0).get_attribute("value") == "0.1" and slot(1).get_attribute("value") == "0.9")
    assert not slot(2).is_displayed()
    assert page.find_element(f"#{LR.STEPS}").get_attribute("value") == "30"
    assert page.find_element(f"#{LR.SCHEDULE_LR}").get_attribute("value") == "0.5"
    assert is_checked(page, f"#{LR.SCHEDULE} input[value=step]")
    # On (w − 3)² from 0 the error shrinks by (1 − 2η) each step: w_30 = 3 − 3(1 − 2η)^30
    ends = [3 - 3 * (1 - 2 * lr) ** 30 for lr in (0.1, 0.9)]
    wait_until(lambda: "30 steps" in text(page, f"#{LR.CURVE_SUMMARY}"))
    summary = text(page, f"#{LR.CURVE_SUMMARY}")
    assert f"η = 0.1 ends at w = {ends[0]:.4f}" in summary and f"η = 0.9 ends at w = {ends[1]:.4f}" in summary


def check_autograd(page):
    wait_for_text(page, f"#{A.READ_Y}", "9.0000")
    assert text(page, f"#{A.READ_XGRAD}") == "6.0000"
    assert text(page, f"#{A.READ_Z}") == "13.0000"  # 1² + 3·(−2)²
    assert text(page, f"#{A.READ_GRADIENT}") == "[2.0000, -12.0000]"
    assert is_checked(page, f"#{A.FORGET} input")
    assert "x.grad = 2.0000 and y.grad = -12.0000" in text(page, f"#{A.GRAPH_SUMMARY}")


LINKS = {
    "derivative": ("/derivative?function=sin&x0=1.5&h=0.001&precision=float32", f"#{D.READ_SLOPE}", check_derivative),
    "gradient": ("/gradient?surface=saddle&x=1&y=2&angle=45&descent=1", f"#{G.READ_F}", check_gradient),
    "descent": (
        "/descent?loss=square&w0=0.5&lr1=0.2&steps1=12&step1=3&surface=round",
        css(player_id(P.READOUT, DS.ONE_D)),
        check_descent,
    ),
    "learning-rate": (
        "/learning-rate?runs=0.1,0.9&steps=30&schedule=step&eta0=0.5",
        f"#{LR.STEPS}",
        check_learning_rate,
    ),
    "autograd": ("/autograd?x=3&zx=1&zy=-2&forget=1", f"#{A.READ_Y}", check_autograd),
}


@pytest.mark.parametrize("page_name", list(LINKS))
def test_a_link_opens_exactly_that_view_and_the_address_bar_keeps_it(classroom, page_name):
    link, ready, check = LINKS[page_name]
    open_page(classroom, link, ready)
    check(classroom)
    # The address bar now holds the mirrored state; opening it again gives the same view.
    mirrored = classroom.driver.current_url
    assert urlsplit(mirrored).path == urlsplit(link).path
    open_page(classroom, mirrored.replace(classroom.server_url, ""), ready)
    check(classroom)
    assert severe_console_errors(classroom) == []


def test_moving_the_controls_rewrites_the_link_without_a_request(classroom):
    page = classroom
    open_page(page, "/derivative", f"#{D.READ_SLOPE}")
    wait_for_text(page, f"#{D.READ_SLOPE}", "5.000000")
    assert query(page) == {}  # the chapter's defaults need no query
    page.find_element(f"#{D.FUNCTION} input[value=cube]").click()
    type_into(page, f"#{D.H_INPUT}", "0.01")
    slope = ((2.01) ** 3 - 8) / 0.01
    wait_for_text(page, f"#{D.READ_SLOPE}", f"{slope:.6f}")
    wait_until(lambda: query(page) == {"function": "cube", "h": "0.01"})
    open_page(page, urlsplit(page.driver.current_url).path + "?" + urlsplit(page.driver.current_url).query, "body")
    wait_for_text(page, f"#{D.READ_SLOPE}", f"{slope:.6f}")
    assert is_checked(page, f"#{D.FUNCTION} input[value=cube]")


def test_the_players_paused_step_is_part_of_the_link(classroom):
    page = classroom
    open_page(page, "/descent", css(player_id(P.READOUT, DS.TWO_D)))
    readout = css(player_id(P.READOUT, DS.TWO_D))
    wait_until(lambda: page.find_element(readout).text.startswith("step 8:"), timeout=20)
    assert "step2" not in query(page)  # a run shown whole has no step
    page.find_element(css(player_id(P.RESET, DS.TWO_D))).click()
    page.find_element(css(player_id(P.FORWARD, DS.TWO_D))).click()
    page.find_element(css(player_id(P.FORWARD, DS.TWO_D))).click()
    wait_until(lambda: query(page).get("step2") == "2")
    open_page(page, "/descent?" + urlsplit(page.driver.current_url).query, readout)
    # x and y shrink by 0.9 and 0.7 per step from (4, 3)
    expected = f"step 2: (x, y) = ({4 * 0.81:.4f}, {3 * 0.49:.4f})"
    wait_until(lambda: page.find_element(readout).text.startswith(expected), timeout=20)


def test_a_broken_link_says_what_was_not_used_and_shows_the_defaults(classroom):
    page = classroom
    open_page(page, "/gradient?surface=volcano&x=1e999&angle=abc&descent=maybe", ".link-note li")
    notes = [li.text for li in page.find_elements(".link-note li")]
    assert len(notes) == 4
    assert "volcano" in notes[0] and "finite" in notes[1] and "abc" in notes[2] and "maybe" in notes[3]
    # The defaults: the bowl x² + 3y² at its example point, f and ∇f computed here
    wait_until(lambda: text(page, f"#{G.READ_F}") != "")
    x = float(page.find_element(f"#{G.X_INPUT}").get_attribute("value"))
    y = float(page.find_element(f"#{G.Y_INPUT}").get_attribute("value"))
    assert text(page, f"#{G.READ_F}") == f"{x * x + 3 * y * y:.4f}"
    wait_until(lambda: query(page) == {})  # the refused values leave the address bar
    assert severe_console_errors(page) == []


# ---- presenter mode and the tools ------------------------------------------------------------------


def presenter_on(page) -> bool:
    return page.driver.execute_script("return document.documentElement.classList.contains('presenter')")


def drawn_font_sizes(page, graph_id: str) -> tuple[float, float] | None:
    """The font size Plotly drew a figure with, and the one in the figure Dash holds."""
    sizes = page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "if (!gd || !gd._fullLayout || !gd.__presenterSource) { return null; }"
        "return [gd._fullLayout.font.size, gd.__presenterSource.layout.font.size];",
        f"#{graph_id}",
    )
    return tuple(sizes) if sizes else None


def press(page, key: str) -> None:
    page.find_element("h1").click()  # focus on the page, not in a text box
    page.driver.switch_to.active_element.send_keys(key)


def test_presenter_mode_from_a_link_a_button_and_a_key(classroom):
    page = classroom
    open_page(page, "/gradient?present=1", f"#{G.READ_F}")
    wait_until(lambda: text(page, f"#{G.READ_F}") != "")
    assert presenter_on(page)
    wait_until(lambda: page.find_element(f"#{S.PRESENTER}").get_attribute("aria-pressed") == "true")
    drawn, held = wait_until(lambda: drawn_font_sizes(page, G.CONTOUR))
    assert drawn == pytest.approx(1.5 * held)  # large type on screen; Dash's own figure unchanged
    widths = page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "const i = gd.__presenterSource.data.findIndex(t => t.line && typeof t.line.width === 'number'"
        " && (t.type || 'scatter') === 'scatter');"
        "return [gd._fullData[i].line.width, gd.__presenterSource.data[i].line.width];",
        f"#{G.CONTOUR}",
    )
    assert widths[0] == pytest.approx(2 * widths[1])  # and lines twice as thick
    base_font = page.driver.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert base_font >= 22

    press(page, "p")
    wait_until(lambda: not presenter_on(page))
    assert "present" not in query(page)
    wait_until(lambda: (sizes := drawn_font_sizes(page, G.CONTOUR)) and sizes[0] == sizes[1])
    assert page.find_element(f"#{S.PRESENTER}").get_attribute("aria-pressed") == "false"

    page.find_element(f"#{S.PRESENTER}").click()
    wait_until(lambda: presenter_on(page) and query(page).get("present") == "1")
    panel = page.find_element(".workbench > .panel.controls")
    assert panel.is_displayed()
    press(page, "c")
    wait_until(lambda: not panel.is_displayed())
    assert query(page) == {"present": "1", "controls": "0"}
    assert page.find_element(f"#{S.HIDE_CONTROLS}").text == "Show controls"

    # Moving to the next page keeps presenter mode, in the page and in its link.
    page.find_element(css({"type": S.NAV_LINK, "index": "/descent"})).click()
    wait_until(lambda: urlsplit(page.driver.current_url).path == "/descent")
    wait_until(lambda: query(page).get("present") == "1" and query(page).get("controls") == "0")
    assert presenter_on(page)
    assert not page.find_element(".workbench > .panel.controls").is_displayed()
    assert severe_console_errors(page) == []


def test_the_shortcut_list_opens_with_the_question_mark_and_closes_with_escape(classroom):
    page = classroom
    open_page(page, "/derivative", f"#{D.READ_SLOPE}")
    dialog = page.find_element(f"#{S.SHORTCUTS}")
    assert not dialog.is_displayed()
    press(page, "?")
    wait_until(dialog.is_displayed)
    listed = dialog.text
    for key, what in (
        ("p", "presenter mode"),
        ("f", "full screen"),
        ("l", "copy a link"),
        ("Space", "play"),
        ("Page Down", "in a lesson: the next step"),
        ("Home / End", "the first step, the last step"),
        ("a", "add this view to your draft lesson"),
    ):
        assert key in listed and what in listed
    page.driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_until(lambda: not dialog.is_displayed())
    page.find_element(f"#{S.HELP}").click()
    wait_until(dialog.is_displayed)
    page.find_element(f"#{S.SHORTCUTS_CLOSE}").click()
    wait_until(lambda: not dialog.is_displayed())


def test_full_screen_button_and_key(classroom):
    page = classroom
    open_page(page, "/derivative", f"#{D.READ_SLOPE}")
    button = page.find_element(f"#{S.FULLSCREEN}")
    button.click()
    wait_until(lambda: page.driver.execute_script("return Boolean(document.fullscreenElement)"))
    wait_until(lambda: button.get_attribute("aria-pressed") == "true")
    press(page, "f")
    wait_until(lambda: page.driver.execute_script("return !document.fullscreenElement"))
    wait_until(lambda: button.get_attribute("aria-pressed") == "false")


def test_copy_link_puts_this_views_address_on_the_clipboard(classroom):
    page = classroom
    page.driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"], "origin": page.server_url},
    )
    open_page(page, "/autograd?x=5", f"#{A.READ_Y}")
    wait_for_text(page, f"#{A.READ_Y}", "25.0000")
    page.find_element(f"#{S.COPY_LINK}").click()
    wait_until(lambda: page.find_element(f"#{S.TOOL_STATUS}").text == "Link copied")
    copied = page.driver.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, () => done(''));"
    )
    assert copied == page.driver.current_url and urlsplit(copied).query == "x=5"


# ---- every page: fits the screen, and every control has a name ------------------------------------

PAGE_PATHS = ("/", "/derivative", "/gradient", "/descent", "/learning-rate", "/autograd")

# Elements that reach past the right edge of the window, unless a box that scrolls or clips sits
# between them and the page (a wide table scrolls in its own box; the page body must not).
SPILLING_ELEMENTS = """
const width = document.documentElement.clientWidth;
const spilling = [];
document.querySelectorAll('body *').forEach(function (element) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) { return; }
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        const overflow = getComputedStyle(parent).overflowX;
        if (overflow !== 'visible' && parent.getBoundingClientRect().right <= width + 1) { return; }
    }
    spilling.push(element.tagName + '#' + element.id + ' ' + String(element.className).slice(0, 40));
});
return spilling;
"""

# Every control a learner can reach, and the name a screen reader would give it (empty: none).
UNNAMED_CONTROLS = """
function nameOf(el) {
    if (el.getAttribute('aria-label')) { return el.getAttribute('aria-label'); }
    const by = el.getAttribute('aria-labelledby');
    if (by) {
        return by.split(/\\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    }
    const label = el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (label && label.textContent.trim()) { return label.textContent.trim(); }
    const wrapping = el.closest('label');
    if (wrapping && wrapping.textContent.trim()) { return wrapping.textContent.trim(); }
    if (el.title) { return el.title; }
    return ['BUTTON', 'A'].includes(el.tagName) ? el.textContent.trim() : '';
}
const controls = 'input:not([type=hidden]), button, select, textarea, [role=slider], [role=combobox], a[href]';
return Array.from(document.querySelectorAll(controls))
    .filter(el => !el.closest('.modebar') && !nameOf(el))
    .map(el => el.tagName + '[' + (el.getAttribute('role') || el.type || '') + '] in ' + (el.closest('[id]') || {}).id);
"""


@pytest.mark.parametrize("width", [375, 1920])
def test_every_page_fits_a_phone_and_a_projector_without_sideways_scrolling(classroom, width):
    page = classroom
    page.driver.set_window_size(width, 1000)
    for path in PAGE_PATHS:
        open_page(page, path, "h1")
        if path != "/":
            wait_until(lambda: page.driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg"))
        # Let the figures draw at their final size before measuring.
        wait_until(
            lambda: page.driver.execute_script("return document.querySelectorAll('.dash-graph--pending').length === 0")
        )
        assert page.driver.execute_script(SPILLING_ELEMENTS) == [], path


def test_every_control_on_every_page_has_a_name(classroom):
    page = classroom
    for path in PAGE_PATHS:
        open_page(page, path, "h1")
        try:
            wait_until(lambda: page.driver.execute_script(UNNAMED_CONTROLS) == [], timeout=10)
        except AssertionError:
            assert page.driver.execute_script(UNNAMED_CONTROLS) == [], path


def test_a_slider_moves_from_the_keyboard_and_the_link_follows(classroom):
    page = classroom
    open_page(page, "/gradient", f"#{G.READ_F}")
    wait_until(lambda: text(page, f"#{G.READ_DIRECTIONAL}") != "")
    handle = page.find_element(f"#{G.ANGLE_SLIDER} [role=slider]")
    assert handle.get_attribute("aria-label") == "Direction u"
    handle.send_keys(Keys.ARROW_RIGHT)
    # The angle went from 135° to 136°: D_u f = ∇f · (cos 136°, sin 136°), with ∇f read off the page
    wait_until(lambda: query(page).get("angle") == "136")
    gx, gy = (float(v) for v in text(page, f"#{G.READ_GRADIENT}").strip("[]").split(","))
    expected = gx * math.cos(math.radians(136)) + gy * math.sin(math.radians(136))
    wait_for_text(page, f"#{G.READ_DIRECTIONAL}", f"{expected:.4f}")


def test_the_code_panels_open_state_is_part_of_the_link(classroom):
    page = classroom
    open_page(page, "/gradient?code=1", f"#{G.READ_F}")
    panel = page.find_element("details.code-panel")
    wait_until(lambda: panel.get_attribute("open") is not None)
    page.find_element("details.code-panel summary").click()
    wait_until(lambda: panel.get_attribute("open") is None and "code" not in query(page))
    page.find_element("details.code-panel summary").click()
    wait_until(lambda: query(page).get("code") == "1")


def test_a_refused_typed_value_leaves_the_link_at_the_last_good_one(classroom):
    page = classroom
    open_page(page, "/learning-rate", f"#{LR.STEPS}")
    wait_until(lambda: "20 steps" in text(page, f"#{LR.CURVE_SUMMARY}"))
    type_into(page, f"#{LR.STEPS}", "30")
    wait_until(lambda: query(page).get("steps") == "30")
    for refused, why in (("600", "between 1 and 500"), ("2.5", "whole number"), ("abc", "not a number")):
        type_into(page, f"#{LR.STEPS}", refused)
        wait_until(lambda: why in text(page, f"#{LR.STEPS_MESSAGE}"))  # noqa: B023 - waited on at once
        assert query(page).get("steps") == "30"
        assert "30 steps" in text(page, f"#{LR.CURVE_SUMMARY}")  # the figure kept the last good view too
