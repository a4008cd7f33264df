"""Predict, then reveal, in a real browser: a question from a link hides the page's own views, takes its
answer through the figure or the keyboard, says nothing of the truth until Reveal (not in the page, its
stores or the server's answers), and then shows the verdict and the truth beside the guess."""

from __future__ import annotations

import json
import time

import pytest
from selenium.webdriver.common.by import By

from app.compute.functions import FUNCTIONS
from app.ids import Questions
from app.main import create_app
from app.questions.registry import KINDS
from tests.browser.helpers import click_plot, severe_console_errors, type_into, wait_until

DERIVATIVE = Questions("/derivative")
# Keeps the text of every callback answer the server sends, to look for the truth in them.
RECORD_ANSWERS = """
window.__answers = [];
const originalFetch = window.fetch;
window.fetch = function (resource, init) {
    const url = String((resource && resource.url) || resource);
    const answer = originalFetch.apply(this, arguments);
    if (url.indexOf('_dash-update-component') >= 0) {
        answer.then(response => response.clone().text()).then(text => window.__answers.push(text), () => null);
    }
    return answer;
};
"""


@pytest.fixture
def derivative_question(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_ANSWERS})
    dash_duo.wait_for_page(url=dash_duo.server_url + "/derivative?q=tangent-slope&seed=41&level=harder")
    wait_until(lambda: "slope of the tangent" in dash_duo.find_element(f"#{DERIVATIVE.prompt}").text, timeout=20)
    return dash_duo


def visible(page, selector: str) -> bool:
    found = page.driver.find_elements(By.CSS_SELECTOR, selector)
    return bool(found) and found[0].is_displayed()


def test_a_linked_question_hides_the_page_and_keeps_the_truth_on_the_server(derivative_question):
    page = derivative_question
    kind = KINDS["tangent-slope"]
    question = kind.make(41, "harder")
    truth, _ = kind.answers(question)
    assert page.find_element(f"#{DERIVATIVE.prompt}").text == question.prompt
    assert not visible(page, ".workbench"), "the page's own figure would give the answer away"
    # Before Reveal the truth is nowhere: not in the page, not in the stores, not in any answer.
    wait_until(lambda: page.driver.execute_script("return window.__answers.length") > 0)
    for text in (f"{truth:.4f}", f"{truth:.6f}", repr(truth)):
        assert text not in page.driver.page_source
        assert text not in json.dumps(page.driver.execute_script("return window.__answers || []"))
    # A click on the figure draws a tangent through the point and fills in its slope.
    click_plot(page, DERIVATIVE.figure, 0.9, 0.9)
    wait_until(lambda: page.find_element(f"#{DERIVATIVE.number}").get_attribute("value") != "")
    # A typed answer takes over; a wrong one that matches no known mistake is "not quite".
    type_into(page, f"#{DERIVATIVE.number}", f"{truth + 50:g}")
    page.find_element(f"#{DERIVATIVE.reveal}").click()
    wait_until(lambda: "Not quite" in page.find_element(f"#{DERIVATIVE.verdict}").text)
    verdict = page.find_element(f"#{DERIVATIVE.verdict}").text
    assert f"{truth:.4f}" in verdict  # the worked numbers, now
    assert visible(page, ".workbench"), "after Reveal the page is back"
    names = page.driver.execute_script(
        f"return document.querySelector('#{DERIVATIVE.figure} .js-plotly-plot').data.map(t => t.name)"
    )
    assert any(name.startswith("the tangent") for name in names) and any(name.startswith("yours") for name in names)
    assert severe_console_errors(page) == []


def test_the_right_answer_from_the_keyboard_and_a_bad_one_refused(derivative_question):
    page = derivative_question
    kind = KINDS["tangent-slope"]
    truth, _ = kind.answers(kind.make(41, "harder"))
    type_into(page, f"#{DERIVATIVE.number}", "abc")
    page.find_element(f"#{DERIVATIVE.reveal}").click()
    wait_until(lambda: "is not a number" in page.find_element(f"#{DERIVATIVE.message}").text)
    assert page.find_element(f"#{DERIVATIVE.verdict}").text == ""
    assert not visible(page, ".workbench")
    type_into(page, f"#{DERIVATIVE.number}", f"{truth:.4f}")
    page.find_element(f"#{DERIVATIVE.reveal}").send_keys("\n")
    wait_until(lambda: page.find_element(f"#{DERIVATIVE.verdict}").text.startswith("Right"))
    assert page.find_element(f"#{DERIVATIVE.message}").text == ""
    # Another one: a new question, the verdict cleared, the link follows.
    page.find_element(f"#{DERIVATIVE.another}").click()
    wait_until(lambda: page.find_element(f"#{DERIVATIVE.verdict}").text == "")
    wait_until(lambda: "seed=41" not in page.driver.current_url and "q=" in page.driver.current_url)
    # Closing the question brings the page back and takes the question out of the link.
    page.find_element(f"#{DERIVATIVE.toggle}").click()
    wait_until(lambda: visible(page, ".workbench"))
    wait_until(lambda: "q=" not in page.driver.current_url)
    assert severe_console_errors(page) == []


def test_reveal_turns_the_secant_into_the_tangent(derivative_question):
    """The tangent arrives as the secant with h = 1 and turns into the tangent, drawn in the browser."""
    page = derivative_question
    kind = KINDS["tangent-slope"]
    question = kind.make(41, "harder")
    truth, mistakes = kind.answers(question)
    secant = next(m.answer for m in mistakes if m.key == "wide-secant")
    function = FUNCTIONS[question.setup["function"]]
    x0 = question.setup["x0"]
    y0 = float(function.value(x0))
    type_into(page, f"#{DERIVATIVE.number}", f"{truth + 50:g}")
    # In the browser, at every frame: the drawn line's end heights in pixels, and where a line of a given
    # slope through (x0, y0) would put them.
    record = (
        "window.__frames = []; const x0 = arguments[0], y0 = arguments[1], s = arguments[2], t = arguments[3];"
        "const t0 = performance.now();"
        "const tick = () => {"
        "  const gd = document.querySelector('#" + DERIVATIVE.figure + " .js-plotly-plot');"
        "  const meta = gd && gd.layout && gd.layout.meta;"
        "  if (meta && meta.reveal) {"
        "    const i = meta.reveal[0].trace, xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;"
        "    const path = gd.querySelectorAll('.scatterlayer .trace')[i].querySelector('path.js-line');"
        "    const d = path.getAttribute('d').match(/-?[0-9.]+/g).map(Number);"
        "    const line = (slope) => xa.range.map(x => ya.l2p(y0 + slope * (x - x0)));"
        "    window.__frames.push({drawn: [d[1], d[3]], secant: line(s), tangent: line(t)});"
        "  }"
        "  if (performance.now() - t0 < 4000) requestAnimationFrame(tick);"
        "};"
        "requestAnimationFrame(tick);"
    )
    page.driver.execute_script(record, x0, y0, secant, truth)
    page.find_element(f"#{DERIVATIVE.reveal}").click()
    time.sleep(4.5)
    seen = page.driver.execute_script("return window.__frames")
    assert seen, "the reveal was drawn"

    def near(a, b) -> bool:
        return abs(a[0] - b[0]) < 2 and abs(a[1] - b[1]) < 2

    assert any(near(s["drawn"], s["secant"]) for s in seen), "it starts as the secant with h = 1"
    assert any(not near(s["drawn"], s["secant"]) and not near(s["drawn"], s["tangent"]) for s in seen), "turns"
    assert near(seen[-1]["drawn"], seen[-1]["tangent"]), "and ends as the tangent"
    assert severe_console_errors(page) == []
