"""One question on every concept page, answered as a learner would, in one served app and one browser:

- wrong, with the answer a known mistake leads to, typed or picked: the verdict names that mistake;
- right, from the keyboard alone (Tab to the boxes, type, Tab to Reveal, Enter): the verdict says so,
  and its worked numbers hold the true answer, computed here by the tests' own independent checks;
- at a phone's width (375 px), with no sideways scrolling and controls at least 44 px tall.
"""

from __future__ import annotations

import math
import time

import pytest
from dash.testing.application_runners import ThreadedRunner
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.figures.questions import view
from app.ids import Questions
from app.main import create_app
from app.questions import base
from app.questions.registry import KINDS, PAGES
from tests.browser.helpers import wait_until
from tests.browser.test_questions import RECORD_ANSWERS
from tests.conftest import chromium_options
from tests.unit.test_questions import INDEPENDENT

PATHS = [module.PAGE for module in PAGES if module.KINDS]
SEED = 7


@pytest.fixture(scope="module")
def browser():
    with ThreadedRunner() as server:
        server.start(create_app())
        driver = webdriver.Chrome(options=chromium_options())
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_ANSWERS})
        try:
            yield server.url, driver
        finally:
            driver.quit()


def open_question(browser, path: str, key: str, width: int = 1280):
    url, driver = browser
    driver.set_window_size(width, 900)
    driver.get(f"{url}{path}?q={key}&seed={SEED}")
    ids = Questions(path)
    wait_until(lambda: [e for e in driver.find_elements(By.ID, ids.prompt) if e.text], timeout=20)
    return driver, ids


def verdict(driver, ids) -> str:
    return driver.find_element(By.ID, ids.verdict).text


def fill(driver, ids, question: base.Question, answer) -> None:
    """Type or pick an answer in the question's own boxes."""
    if question.answer in (base.NUMBER, base.DIRECTION):
        box = driver.find_element(By.ID, ids.number)
        box.clear()
        box.send_keys(f"{answer:.6g}")
    elif question.answer == base.POINT:
        for box_id, value in ((ids.x, answer[0]), (ids.y, answer[1])):
            box = driver.find_element(By.ID, box_id)
            box.clear()
            box.send_keys(f"{value:.6g}")
    else:
        driver.find_element(By.CSS_SELECTOR, f"#{ids.choice} input[value='{answer}']").click()


@pytest.mark.parametrize("path", PATHS)
def test_a_known_mistake_is_named(browser, path):
    key = next(kind.key for kind in KINDS.values() if kind.page == path)
    kind = KINDS[key]
    question = kind.make(SEED, base.EASY)
    truth, mistakes = kind.answers(question)
    driver, ids = open_question(browser, path, key)
    assert driver.find_element(By.ID, ids.prompt).text == question.prompt
    # Before Reveal the truth is nowhere a learner can see, and in no answer the server sent. (The page's
    # own views are hidden while a question waits; the numbers of their default state are not this one's.)
    if question.answer != base.CHOICE:
        shown = [truth] if question.answer != base.POINT else list(truth)
        answers = " ".join(driver.execute_script("return window.__answers"))
        visible = driver.find_element(By.TAG_NAME, "body").text
        assert answers, "the server's answers were recorded"
        for value in shown:
            assert f"{value:.4f}" not in visible and f"{value:.4f}" not in answers, key
    if not mistakes:
        pytest.skip(f"{key} lists no mistake for seed {SEED}")
    fill(driver, ids, question, mistakes[0].answer)
    driver.find_element(By.ID, ids.reveal).click()
    wait_until(lambda: verdict(driver, ids) != "", timeout=20)
    assert verdict(driver, ids).startswith(mistakes[0].message)
    if view(question) == "map":  # the map stays under the truth as it moves in (plotly's animate() dropped it)
        time.sleep(1.5)
        assert driver.execute_script(f"return document.querySelectorAll('#{ids.figure} .contourlayer path').length")
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("path", PATHS)
def test_the_right_answer_from_the_keyboard_alone_at_a_phones_width(browser, path):
    key = next(kind.key for kind in KINDS.values() if kind.page == path)
    kind = KINDS[key]
    question = kind.make(SEED, base.EASY)
    truth = INDEPENDENT[key](question)
    driver, ids = open_question(browser, path, key, width=375)
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    driver.execute_script("arguments[0].focus()", driver.find_element(By.ID, ids.toggle))
    # Tab from "Predict first" to the first answer box; on the way only the question itself may stop
    # the focus (a block of code scrolls, so it is a Tab stop of its own).
    first_box = {base.POINT: ids.x, base.CHOICE: ids.choice}.get(question.answer, ids.number)
    for _ in range(4):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        active = driver.switch_to.active_element
        if driver.execute_script(
            "return document.getElementById(arguments[0]).contains(arguments[1])", first_box, active
        ):
            break
        assert active.get_attribute("id") == ids.code, active.get_attribute("outerHTML")[:80]
    keys = ActionChains(driver)
    if question.answer in (base.NUMBER, base.DIRECTION):
        keys.send_keys(f"{truth:.6g}")
    elif question.answer == base.POINT:
        keys.send_keys(f"{truth[0]:.6g}", Keys.TAB, f"{truth[1]:.6g}")
    else:  # in the radio group: arrows move the choice, as in any radio group
        keys.send_keys(*([Keys.ARROW_DOWN] * question.choices.index(truth)), Keys.SPACE)
    keys.send_keys(Keys.TAB).perform()
    focused = driver.switch_to.active_element
    assert focused.get_attribute("id") == ids.reveal, "Tab goes from the answer to Reveal"
    assert focused.size["height"] >= 44
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    wait_until(lambda: verdict(driver, ids) != "", timeout=20)
    assert verdict(driver, ids).startswith("Right"), verdict(driver, ids)
    if question.answer == base.NUMBER and math.isfinite(truth):
        assert f"{truth:.4f}" in verdict(driver, ids) or f"{truth:.4g}" in verdict(driver, ids)
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
