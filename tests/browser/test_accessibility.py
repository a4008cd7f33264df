"""WCAG 2.1 AA, checked by axe-core on every page, at a phone's and a laptop's width, in presenter mode and
with a run in progress; and /descent driven from the keyboard alone.

axe-core is the npm package's browser build, vendored (tests/browser/vendor/README.md says why, and
scripts/fetch-axe downloads it again): injected with execute_script, it needs no network. One server and
one browser serve every check of this module, since starting them is most of a browser test's time.
"""

from __future__ import annotations

import json
import re
import time
import warnings
from pathlib import Path

import pytest
from dash.testing.application_runners import ThreadedRunner
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import ids
from app.components.player import player_id
from app.main import create_app
from app.questions.registry import KINDS
from app.questions.registry import PAGES as QUESTION_MODULES
from tests.browser.helpers import css, wait_until
from tests.conftest import chromium_options

AXE_VERSION = json.loads((Path(__file__).parent / "vendor" / "package.json").read_text())["dependencies"]["axe-core"]
AXE_SOURCE = (Path(__file__).parent / "vendor" / f"axe-core-{AXE_VERSION}.min.js").read_text()

# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices: the audit behind issue 16 found
# aria-allowed-role and content outside landmarks there. Only serious and critical results fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
    .then(results => done(results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 8).map(n => n.target.join(" ")),
        summary: (v.nodes[0] || {}).failureSummary || "",
    }))), error => done({error: String(error)}));
"""

PAGES = ("/", "/derivative", "/gradient", "/descent", "/learning-rate", "/optimizers", "/autograd", "/practice")
PHONE, LAPTOP, PROJECTOR = 375, 1280, 1920
DS, P, S = ids.Descent, ids.Player, ids.Shell


@pytest.fixture(scope="module")
def browser():
    """(the server's URL, one Chromium) for the whole module."""
    with ThreadedRunner() as server:
        server.start(create_app())
        driver = webdriver.Chrome(options=chromium_options())
        driver.set_script_timeout(60)
        try:
            yield server.url, driver
        finally:
            driver.quit()


def open_page(browser, path: str, width: int, height: int = 900):
    url, driver = browser
    driver.set_window_size(width, height)
    driver.get(url + path)
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, "h1"), timeout=20)
    if not path.startswith("/?") and path != "/":
        wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg"), timeout=20)
    # Every figure drawn, and no callback in flight: axe then sees the page a learner sees.
    wait_until(
        lambda: driver.execute_script(
            "return document.querySelectorAll('.dash-graph--pending, [data-dash-is-loading]').length === 0"
        ),
        timeout=20,
    )
    return driver


def axe_violations(driver) -> list[dict]:
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_SOURCE)
    violations = driver.execute_async_script(RUN_AXE, AXE_TAGS)
    assert not isinstance(violations, dict), violations
    return violations


def report(violations: list[dict]) -> str:
    return "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']}\n    at {', '.join(v['targets'])}\n    {v['summary']}"
        for v in violations
    )


def check(driver, where: str) -> None:
    """Fail on serious and critical violations; list the rest as warnings."""
    violations = axe_violations(driver)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    others = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if others:
        warnings.warn(f"axe, {where}: {len(others)} moderate or minor\n{report(others)}", stacklevel=2)
    assert not failing, f"axe, {where}: {len(failing)} serious or critical\n{report(failing)}"


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_axe_violation_on_any_page(browser, path, width):
    check(open_page(browser, path, width), f"{path} at {width} px")


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_axe_violation_in_presenter_mode(browser, path):
    driver = open_page(browser, f"{path}?present=1", PROJECTOR, 1080)
    assert driver.execute_script("return document.documentElement.classList.contains('presenter')")
    check(driver, f"{path} in presenter mode")


def test_no_serious_axe_violation_while_the_descent_player_plays(browser):
    # A long, slow run, so its player is still playing (5 steps a second) when axe has finished.
    driver = open_page(browser, "/descent?lr1=0.001&steps1=400", LAPTOP)
    readout = css(player_id(P.READOUT, DS.ONE_D))
    wait_until(lambda: driver.find_element(By.CSS_SELECTOR, readout).text.startswith("step 400:"), timeout=20)
    driver.find_element(By.CSS_SELECTOR, css(player_id(P.RESET, DS.ONE_D))).click()
    wait_until(lambda: driver.find_element(By.CSS_SELECTOR, readout).text.startswith("step 0:"))
    play = css(player_id(P.PLAY, DS.ONE_D))
    driver.find_element(By.CSS_SELECTOR, play).click()
    wait_until(lambda: driver.find_element(By.CSS_SELECTOR, play).get_attribute("aria-pressed") == "true")
    check(driver, "/descent while its player plays")
    assert driver.find_element(By.CSS_SELECTOR, play).get_attribute("aria-pressed") == "true", "still playing"


def test_no_serious_axe_violation_while_the_derivative_animates(browser):
    driver = open_page(browser, "/derivative", LAPTOP)
    animate = f"#{ids.Derivative.ANIMATE}"
    driver.find_element(By.CSS_SELECTOR, animate).click()
    wait_until(lambda: "Pause" in driver.find_element(By.CSS_SELECTOR, animate).text)
    check(driver, "/derivative while Animate runs")


# ---- the keyboard on /descent ----------------------------------------------------------------------

# The colour a focused element's indicator is drawn in, and the opaque colour around it. The indicator is
# an outline (2 px or more) or a box-shadow, on the element or, for a control drawn by its wrapper (a
# text box's border box, a radio's pill), on one of its three nearest ancestors.
FOCUS_INDICATOR = """
const el = document.activeElement;
function opaque(colour) { return colour && !/^rgba\\(.*,\\s*0?\\.?\\d*\\)$/.test(colour) && colour !== "transparent"; }
let ring = null, owner = el;
for (let node = el, depth = 0; node && depth < 4 && !ring; node = node.parentElement, depth++) {
    const style = getComputedStyle(node);
    owner = node;
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
        ring = style.outlineColor;
    } else if (style.boxShadow && style.boxShadow !== "none") {
        ring = (style.boxShadow.match(/rgba?\\([^)]*\\)/) || [null])[0];
    }
}
// The ring is drawn outside its owner (outline-offset), on whatever is behind the owner.
let background = "rgb(255, 255, 255)";
for (let node = owner.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (opaque(colour)) { background = colour; break; }
}
const name = el.getAttribute("aria-label") || el.id || el.className || el.textContent.trim().slice(0, 30);
return {ring: ring, background: background, name: el.tagName + " " + name};
"""


def rgb(text: str) -> tuple[float, float, float]:
    """An opaque CSS rgb()/rgba() colour as three 0-255 numbers (a transparent one fails)."""
    parts = [float(p) for p in re.findall(r"[\d.]+", text)]
    assert len(parts) == 3 or parts[3] == 1, f"a see-through colour: {text}"
    return parts[0], parts[1], parts[2]


def relative_luminance(colour: tuple[float, float, float]) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_keyboard_alone_reaches_and_drives_the_descent_page(browser):
    driver = open_page(browser, "/descent", LAPTOP)
    readout = css(player_id(P.READOUT, DS.ONE_D))
    wait_until(lambda: driver.find_element(By.CSS_SELECTOR, readout).text.startswith("step 10:"), timeout=20)
    assert driver.execute_script("return document.activeElement === document.body"), "a fresh page: no focus"
    skip_hidden = driver.find_element(By.CSS_SELECTOR, ".skip-link").rect
    assert skip_hidden["y"] + skip_hidden["height"] <= 0, "the skip link is out of sight until it has the focus"

    # Tab from the top: the skip link first, and through it the first control within 3 stops.
    ActionChains(driver).send_keys(Keys.TAB).perform()
    skip = driver.switch_to.active_element
    assert skip.get_attribute("class") == "skip-link" and skip.text == "Skip to the controls"
    assert skip.rect["y"] >= 0, "the skip link shows itself when it has the focus"
    first_control = driver.find_element(By.CSS_SELECTOR, f"#{DS.LOSS} input:checked")
    stops = 1
    skip.send_keys(Keys.ENTER)
    while driver.switch_to.active_element != first_control and stops < 3:
        ActionChains(driver).send_keys(Keys.TAB).perform()
        stops += 1
    assert driver.switch_to.active_element == first_control, "the first control within 3 Tab stops"

    # Every Tab stop of the page, to its end, shows a focus indicator of at least 3:1 against its background.
    seen = []
    while len(seen) < 200:
        if driver.execute_script("return document.activeElement === document.body"):
            break  # past the last stop: the focus left the page
        found = driver.execute_script(FOCUS_INDICATOR)
        assert found["ring"], f"{found['name']} shows no focus indicator (after {seen[-3:]})"
        ratio = contrast(rgb(found["ring"]), rgb(found["background"]))
        assert ratio >= 3, f"{found['name']}: focus indicator {found['ring']} on {found['background']} is {ratio:.2f}:1"
        seen.append(found["name"])
        ActionChains(driver).send_keys(Keys.TAB).perform()
    assert len(seen) > 30, seen
    reached = " ".join(seen)
    for control in (P.SPEED, "Step of the run", "Play or pause", DS.W0_INPUT, "Learning rate η", "step by step"):
        assert control in reached, f"Tab never reached {control}: {seen}"
    print(f"{len(seen)} Tab stops on /descent, each with a focus indicator of 3:1 or more")

    # Space, ← and → drive the player nearest the focus: the one-weight run's, from its step table.
    driver.execute_script("arguments[0].focus()", driver.find_element(By.CSS_SELECTOR, f"#{DS.TABLE1}"))

    def step() -> int:
        return int(driver.find_element(By.CSS_SELECTOR, readout).text.split(":")[0].split()[1])

    focused = driver.switch_to.active_element
    focused.send_keys(Keys.ARROW_LEFT)
    wait_until(lambda: step() == 9)
    focused.send_keys(Keys.ARROW_LEFT)
    wait_until(lambda: step() == 8)
    focused.send_keys(Keys.ARROW_RIGHT)
    wait_until(lambda: step() == 9)
    play = driver.find_element(By.CSS_SELECTOR, css(player_id(P.PLAY, DS.ONE_D)))
    # The player's clock runs in the browser: on a busy machine (CI shares it) a step can take a while.
    focused.send_keys(Keys.SPACE)  # from step 9 of 10 it plays on to the last step and stops
    wait_until(lambda: step() == 10, timeout=20)
    wait_until(lambda: play.get_attribute("aria-pressed") == "false", timeout=20)
    # Back to step 1, so that the run has 9 steps (about 2 s) left to play, then Space twice: play, and pause.
    # On a busy machine (CI shares it) the run can reach its end before the second Space arrives, and a Space
    # after the end plays it again; so up to three tries. If Space never paused, every try would end at step 10.
    paused_at = 10
    for _ in range(3):
        for _ in range(9):
            focused.send_keys(Keys.ARROW_LEFT)
        wait_until(lambda: step() == 1, timeout=20)
        focused.send_keys(Keys.SPACE)
        wait_until(lambda: play.get_attribute("aria-pressed") == "true", timeout=20)
        focused.send_keys(Keys.SPACE)
        wait_until(lambda: play.get_attribute("aria-pressed") == "false", timeout=20)
        paused_at = step()
        if paused_at < 10:
            break
    assert 1 <= paused_at < 10, "paused part-way, where it was"
    time.sleep(0.6)  # three steps' time at 5 steps/s
    assert step() == paused_at, "a paused run stays where it was"


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_no_serious_axe_violation_with_the_basin_maps_open(browser, width):
    driver = open_page(browser, "/optimizers?surface=himmelblau&sgd_lr=0.01&momentum_lr=0.01&basins=momentum", width)
    wait_until(
        lambda: driver.execute_script(
            f"const gd = document.querySelector('#{ids.Optimizers.BASIN_OTHER} .js-plotly-plot');"
            "return !!(gd && gd._fullData && gd._fullData.length);"
        ),
        timeout=30,
    )
    check(driver, f"/optimizers with the basin maps open at {width} px")


QUESTION_PAGES = [(module.PAGE, module.KINDS[0].key) for module in QUESTION_MODULES if module.KINDS]


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
@pytest.mark.parametrize(("path", "kind"), QUESTION_PAGES)
def test_no_serious_axe_violation_in_question_mode_and_after_reveal(browser, path, kind, width):
    driver = open_page(browser, f"{path}?q={kind}&seed=3", width)
    questions = ids.Questions(path)
    wait_until(lambda: driver.find_element(By.ID, questions.prompt).text != "", timeout=20)
    check(driver, f"{path}'s question at {width} px")
    answer = KINDS[kind].make(3, "easy").answer
    if answer == "choice":
        driver.find_element(By.CSS_SELECTOR, f"#{questions.choice} input").click()
    for box in {"number": [questions.number], "direction": [questions.number], "point": [questions.x, questions.y]}.get(
        answer, []
    ):
        driver.find_element(By.ID, box).send_keys("1")
    driver.find_element(By.ID, questions.reveal).click()
    wait_until(lambda: driver.find_element(By.ID, questions.verdict).text != "", timeout=20)
    check(driver, f"{path}'s question after Reveal at {width} px")


@pytest.mark.parametrize("width", [PHONE, LAPTOP])
def test_no_serious_axe_violation_on_practice_after_reveal_with_progress(browser, width):
    driver = open_page(browser, "/practice?q=tangent-slope&seed=3", width)
    questions = ids.Questions("/practice")
    wait_until(lambda: driver.find_element(By.ID, questions.prompt).text != "", timeout=20)
    driver.find_element(By.ID, questions.number).send_keys("2")
    driver.find_element(By.ID, questions.reveal).click()
    wait_until(lambda: driver.find_element(By.ID, questions.verdict).text != "", timeout=20)
    wait_until(lambda: driver.find_element(By.ID, ids.Practice.TOTAL).text.startswith("1 try"), timeout=10)
    check(driver, f"/practice after Reveal, its table filled, at {width} px")
    driver.find_element(By.ID, ids.Practice.FORGET).click()
    wait_until(lambda: driver.find_element(By.ID, ids.Practice.FORGOTTEN).text != "", timeout=10)
    check(driver, f"/practice with its progress forgotten at {width} px")


@pytest.mark.parametrize("width", [PHONE, LAPTOP, PROJECTOR])
def test_no_serious_axe_violation_on_a_lesson_its_overview_and_a_draft(browser, width):
    url, driver = browser
    driver.set_window_size(width, 900)
    driver.get(url + "/")  # another page: /lesson then loads, and reads the draft
    draft = {
        "title": "Mine",
        "steps": [{"view": "/descent?lr1=0.5", "caption": "Half"}, {"question": "halve-h", "seed": 2}],
    }
    driver.execute_script(
        "localStorage.setItem(arguments[0], JSON.stringify(arguments[1]));"
        "localStorage.setItem(arguments[0] + '-timestamp', String(Date.now()));",
        ids.Lesson.DRAFT,
        draft,
    )
    driver.get(url + "/lesson#lesson=from-sgd-to-adam")
    wait_until(lambda: driver.find_elements(By.ID, ids.Lesson.START), timeout=20)
    wait_until(lambda: len(driver.find_elements(By.CSS_SELECTOR, ".draft-step")) == 2, timeout=20)
    check(driver, f"/lesson with a lesson open and a draft at {width} px")
    driver.find_element(By.ID, ids.Lesson.START).click()
    wait_until(lambda: driver.find_element(By.ID, ids.Lesson.BAR_COUNTER).text == "Step 1 / 11", timeout=20)
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg"), timeout=20)
    check(driver, f"a lesson's first step, in presenter mode, at {width} px")
    driver.execute_script("localStorage.clear()")
