"""Lessons as a teacher uses them, in one served app and one browser:

- a built-in lesson stepped with a clicker's keys (Page Down and Page Up), arrows, Home and End, and the
  browser's back button; each step's page, caption and numbers checked;
- every step of every built-in lesson opened and checked: its page, its settings kept, no link note, no
  console error; a step made with the controls hidden hides them;
- a draft made in presenter mode ("Add to lesson"), kept over a reload, reordered and captioned, and its
  link opened in a fresh browser;
- hostile lessons: a script in a caption stays text, an off-site step, a wrong version and an oversized
  link are refused with a message, and so is a hostile file.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from dash.testing.application_runners import ThreadedRunner
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app import ids
from app.ids import Lesson as L
from app.lessons import library
from app.lessons.model import Lesson, Step, encode
from app.main import create_app
from tests.browser.helpers import wait_until
from tests.conftest import chromium_options

# Counts the callbacks in flight, so a step is checked once the page it opened has finished drawing.
COUNT_REQUESTS = """
(function () {
    const send = window.fetch;
    window.__inFlight = 0;
    window.fetch = function () {
        window.__inFlight += 1;
        return send.apply(this, arguments).finally(function () { window.__inFlight -= 1; });
    };
})();
"""


def _chromium():
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COUNT_REQUESTS})
    driver.set_window_size(1280, 900)
    return driver


@pytest.fixture(scope="module")
def browser():
    with ThreadedRunner() as server:
        server.start(create_app())
        driver = _chromium()
        try:
            yield server.url, driver
        finally:
            driver.quit()


def severe(driver) -> list:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def settled(driver, timeout: float = 20) -> None:
    """No callback in flight, twice in a row (a step's page is drawn, its mirrors have run)."""
    wait_until(lambda: driver.execute_script("return window.__inFlight === 0"), timeout=timeout)
    driver.execute_script("return new Promise(r => setTimeout(r, 150))")
    wait_until(lambda: driver.execute_script("return window.__inFlight === 0"), timeout=timeout)


def text(driver, element_id: str) -> str:
    """The element's text, or "" while the page that holds it is still loading."""
    found = driver.find_elements(By.ID, element_id)
    return found[0].text if found else ""


def open_lesson(browser, code: str) -> webdriver.Chrome:
    url, driver = browser
    driver.get(f"{url}/lesson#lesson={code}")
    wait_until(
        lambda: (
            driver.find_elements(By.ID, L.START) or driver.find_elements(By.CSS_SELECTOR, ".lesson-overview .error")
        ),
        timeout=20,
    )
    settled(driver)
    return driver


def press(driver, key) -> None:
    ActionChains(driver).send_keys(key).perform()


def at_step(driver, lesson: Lesson, k: int) -> None:
    """Wait for step k to be open, then check its address, page, bar and settings."""
    step = lesson.steps[k - 1]
    wait_until(lambda: text(driver, L.BAR_COUNTER) == f"Step {k} / {len(lesson.steps)}", timeout=20)
    settled(driver)
    address = urlsplit(driver.current_url)
    path, wanted = urlsplit(step.link).path, dict(parse_qsl(urlsplit(step.link).query))
    assert address.path == path
    assert dict(parse_qsl(address.fragment))["step"] == str(k)
    shown = dict(parse_qsl(address.query))
    # The page kept every setting the step asked for (its mirror rewrites the address from what it drew).
    assert {key: shown.get(key) for key in wanted} == wanted, f"step {k}: {driver.current_url}"
    assert shown.get("present") == "1", "a lesson is shown in presenter mode"
    assert driver.find_elements(By.CSS_SELECTOR, f".page.{path.strip('/')}"), f"step {k} is on {path}"
    assert text(driver, L.BAR_CAPTION) == step.caption
    assert text(driver, L.BAR_TITLE) == lesson.title
    assert "lesson-turning" not in driver.find_element(By.TAG_NAME, "html").get_attribute("class"), "not left dimmed"
    assert not [note for note in driver.find_elements(By.CSS_SELECTOR, ".link-note") if note.text]
    if step.question:
        prompt = driver.find_element(By.ID, ids.Questions(path).prompt)
        wait_until(lambda: prompt.text, timeout=10)


def dict_id(kind: str, index: int) -> str:
    """A CSS selector for a pattern-matching id as Dash writes it into the page (JSON, keys sorted)."""
    return "[id='" + json.dumps({"index": index, "type": kind}, separators=(",", ":")) + "']"


def final_w(lr: float, steps: int = 10) -> float:
    """/descent's one-weight run on (w − 3)² + 1 from w = 0: w_k = 3 − 3(1 − 2η)^k, by hand."""
    return 3 - 3 * (1 - 2 * lr) ** steps


def test_a_built_in_lesson_steps_with_a_clicker_the_arrows_home_end_and_back(browser):
    name = "why-the-learning-rate-matters"
    lesson = library.builtin(name)
    driver = open_lesson(browser, name)
    overview = text(driver, L.OVERVIEW)
    assert lesson.title in overview and all(step.caption in overview for step in lesson.steps)
    assert "presenter" not in driver.find_element(By.TAG_NAME, "html").get_attribute("class")
    driver.find_element(By.ID, L.START).click()
    for k in range(1, len(lesson.steps) + 1):
        at_step(driver, lesson, k)
        view = lesson.steps[k - 1].view or ""
        if view.startswith("/descent?lr1="):
            lr = float(view.split("=")[1])
            wait_until(lambda lr=lr: f"final {final_w(lr):.4f}" in text(driver, ids.Descent.TABLE1), timeout=10)
            assert driver.find_element(By.ID, ids.Descent.LR1_INPUT).get_attribute("value") == f"{lr:g}"
        press(driver, Keys.PAGE_DOWN)
    at_step(driver, lesson, len(lesson.steps))  # past the last step: it stays
    assert driver.find_element(By.ID, L.BAR_NEXT).get_attribute("disabled")
    press(driver, Keys.HOME)
    at_step(driver, lesson, 1)
    assert driver.find_element(By.ID, L.BAR_PREVIOUS).get_attribute("disabled")
    press(driver, Keys.ARROW_RIGHT)
    at_step(driver, lesson, 2)
    press(driver, Keys.ARROW_RIGHT)
    at_step(driver, lesson, 3)
    press(driver, Keys.PAGE_UP)
    at_step(driver, lesson, 2)
    press(driver, Keys.END)
    at_step(driver, lesson, len(lesson.steps))
    press(driver, Keys.ARROW_LEFT)
    at_step(driver, lesson, len(lesson.steps) - 1)
    driver.back()  # each step is a history entry
    at_step(driver, lesson, len(lesson.steps))
    driver.back()
    at_step(driver, lesson, 2)  # back to where End jumped from
    driver.find_element(By.ID, L.BAR_NEXT).click()
    at_step(driver, lesson, 3)
    driver.find_element(By.ID, L.BAR_LEAVE).click()
    wait_until(lambda: "hidden" in driver.find_element(By.ID, L.BAR).get_attribute("class"))
    assert "#" not in driver.current_url and urlsplit(driver.current_url).path == "/descent"
    assert severe(driver) == []


# The first test above walks every step of "Why the learning rate matters", with more checks. "From SGD to
# Adam" is only /optimizers views and questions, which the chapter's lesson also opens: its steps are checked
# by their page's link check (tests/unit/test_lesson_page.py), and not walked here, to keep CI short.
@pytest.mark.parametrize("name", ["chapter-in-40-minutes"])
def test_every_step_of_every_built_in_lesson_opens_with_its_settings(browser, name):
    lesson = library.builtin(name)
    driver = open_lesson(browser, name)
    driver.find_element(By.ID, L.START).click()
    for k in range(1, len(lesson.steps) + 1):
        at_step(driver, lesson, k)
        assert driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg"), f"step {k} drew its figures"
        press(driver, Keys.PAGE_DOWN)
    assert severe(driver) == []


def test_a_draft_is_made_in_presenter_mode_kept_reordered_captioned_and_shared(browser):
    url, driver = browser
    driver.get(f"{url}/lesson")
    driver.execute_script("window.localStorage.clear()")
    driver.get(f"{url}/descent?lr1=0.5&present=1")
    settled(driver)
    driver.find_element(By.ID, ids.Shell.ADD_VIEW).click()
    wait_until(lambda: "step 1" in text(driver, ids.Shell.TOOL_STATUS))
    driver.get(f"{url}/gradient?surface=ravine&present=1")
    settled(driver)
    driver.find_element(By.TAG_NAME, "h1").click()  # the focus on the page, not in a text box
    press(driver, "a")
    wait_until(lambda: "step 2" in text(driver, ids.Shell.TOOL_STATUS))
    driver.get(f"{url}/lesson")

    def rows() -> list[str]:  # read in one go: the rows are drawn again after every edit
        return driver.execute_script(
            f"return Array.from(document.querySelectorAll('#{L.DRAFT_STEPS} .draft-step-link'), e => e.textContent)"
        )

    wait_until(lambda: rows() == ["/descent?lr1=0.5", "/gradient?surface=ravine"], timeout=20)
    driver.refresh()  # the draft survives a reload
    wait_until(lambda: rows() == ["/descent?lr1=0.5", "/gradient?surface=ravine"], timeout=20)
    driver.find_element(By.CSS_SELECTOR, dict_id(L.DRAFT_DOWN, 0)).click()
    wait_until(lambda: rows() == ["/gradient?surface=ravine", "/descent?lr1=0.5"])
    caption = driver.find_element(By.CSS_SELECTOR, dict_id(L.DRAFT_CAPTION, 0))
    caption.send_keys("A ravine: steep one way, flat the other", Keys.ENTER)
    wait_until(
        lambda: (
            "A ravine"
            in json.loads(driver.execute_script(f"return localStorage.getItem('{L.DRAFT}')"))["steps"][0].get(
                "caption", ""
            )
        )
    )
    settled(driver)
    link = driver.find_element(By.ID, L.DRAFT_LINK).get_attribute("value")
    assert link.startswith(url + "/lesson#lesson=v1.")
    assert driver.find_element(By.ID, L.DRAFT_COPY)  # a copy button beside it
    fresh = _chromium()  # another teacher's browser: no draft, no storage
    try:
        fresh.get(link)
        wait_until(lambda: fresh.find_elements(By.ID, L.START), timeout=20)
        steps = fresh.find_elements(By.CSS_SELECTOR, ".lesson-steps li")
        assert [s.text for s in steps] == ["Gradient · A ravine: steep one way, flat the other", "Descent"]
        assert fresh.execute_script(f"return localStorage.getItem('{L.DRAFT}')") is None
        fresh.find_element(By.ID, L.START).click()
        wait_until(lambda: fresh.find_element(By.ID, L.BAR_CAPTION).text == "A ravine: steep one way, flat the other")
        assert severe(fresh) == []
    finally:
        fresh.quit()
    assert severe(driver) == []


def test_hostile_lessons_are_refused_or_shown_as_text(browser, tmp_path):
    url, driver = browser
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
    code = encode(Lesson("<b>Title</b>", (Step(view="/derivative", caption=hostile),)))
    driver.get(f"{url}/lesson#lesson={code}")
    wait_until(lambda: driver.find_elements(By.ID, L.START), timeout=20)
    driver.find_element(By.ID, L.START).click()
    wait_until(lambda: text(driver, L.BAR_CAPTION) == hostile, timeout=20)
    assert text(driver, L.BAR_TITLE) == "<b>Title</b>"
    assert driver.execute_script("return window.__pwned") is None
    assert not driver.find_elements(By.CSS_SELECTOR, f"#{L.BAR} img, #{L.BAR} script, #{L.OVERVIEW} img")
    refusals = {
        "v1." + encode(Lesson("x", (Step(view="/derivative"),)))[3:] + "AAAA": "damaged",
        "v2.abcdef": "another version of the app",
        "v1." + "A" * 30_000: "too long",
        encode(Lesson("Off", (Step(view="/nowhere"),))): "“/nowhere” is not a page a lesson can show",
    }
    for bad, says in refusals.items():
        driver.get(f"{url}/lesson#lesson={bad}")
        wait_until(lambda says=says: says in text(driver, L.OVERVIEW), timeout=20)
        assert not driver.find_elements(By.ID, L.START)
        assert "hidden" in driver.find_element(By.ID, L.BAR).get_attribute("class")
    off_site = {"format": "gradients-lesson", "version": 1, "title": "x", "steps": [{"view": "https://evil.example/"}]}
    (tmp_path / "evil.json").write_text(json.dumps(off_site))
    driver.find_element(By.CSS_SELECTOR, f"#{L.UPLOAD} input[type=file]").send_keys(str(tmp_path / "evil.json"))
    wait_until(lambda: "must be a page of this app" in text(driver, L.DRAFT_MESSAGE), timeout=20)
    assert severe(driver) == []


def test_a_step_made_with_the_controls_hidden_hides_them(browser):
    url, driver = browser
    lesson = Lesson(
        "Hidden", (Step(view="/descent?lr1=0.5&controls=0", caption="Figures only"), Step(view="/gradient"))
    )
    driver.get(f"{url}/")
    driver.get(f"{url}/lesson#lesson={encode(lesson)}")
    wait_until(lambda: driver.find_elements(By.ID, L.START), timeout=20)
    driver.find_element(By.ID, L.START).click()
    at_step(driver, lesson, 1)
    assert "controls-hidden" in driver.find_element(By.TAG_NAME, "html").get_attribute("class")
    assert not driver.find_element(By.CSS_SELECTOR, ".workbench > .panel.controls").is_displayed()
    press(driver, Keys.PAGE_DOWN)
    at_step(driver, lesson, 2)
    assert dict(parse_qsl(urlsplit(driver.current_url).query)).get("controls") == "0", "the teacher's choice stays"
    assert severe(driver) == []
