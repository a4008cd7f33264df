"""/practice in a real browser: two questions answered (one wrong, one right from the keyboard), the
table's tries, correct and streak, the progress kept across a reload and forgotten on request, and not
one request to the server carrying any of it. Then the picker itself: a kind missed lately is drawn
more often, and never the same kind twice in a row.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app.ids import Practice, Questions
from app.main import create_app
from app.questions import base
from app.questions.registry import KINDS
from tests.browser.helpers import severe_console_errors, wait_until
from tests.unit.test_questions import INDEPENDENT

Q = Questions("/practice")
# Keeps the body of every callback request the page sends, to look for the progress in them.
RECORD_BODIES = """
window.__bodies = [];
const originalFetch = window.fetch;
window.fetch = function (resource, init) {
    const url = String((resource && resource.url) || resource);
    if (url.indexOf('_dash-update-component') >= 0) {
        window.__bodies.push(String((init && init.body) || ''));
    }
    return originalFetch.apply(this, arguments);
};
"""
# Words that only the progress holds.
PROGRESS_WORDS = (Practice.PROGRESS, '"recent"', '"streak"', '"tries"', '"last"')


@pytest.fixture
def practice(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_BODIES})
    dash_duo.wait_for_page(url=dash_duo.server_url + "/practice")
    return dash_duo


def shown(page) -> base.Question:
    """The question on screen, rebuilt from the link the page mirrors (its kind, seed and level)."""
    wait_until(lambda: page.find_element(f"#{Q.prompt}").text != "" and "seed=" in page.driver.current_url, 20)
    query = parse_qs(urlparse(page.driver.current_url).query)
    question = KINDS[query["q"][0]].make(int(query["seed"][0]), query.get("level", [base.EASY])[0])
    wait_until(lambda: page.find_element(f"#{Q.prompt}").text == question.prompt, 20)
    return question


def wrong_answer(question: base.Question, truth):
    if question.answer == base.NUMBER:
        return truth + 10 * (1 + abs(truth))
    if question.answer == base.DIRECTION:
        return (truth + 120) % 360
    if question.answer == base.POINT:
        return truth[0] + 10 * (1 + abs(truth[0])), truth[1] - 10 * (1 + abs(truth[1]))
    return next(choice for choice in question.choices if choice != truth)


def answer_by_keyboard(page, question: base.Question, answer) -> None:
    """Focus the first answer box, type or pick the answer, Tab to Reveal and press Enter."""
    driver = page.driver
    if question.answer in (base.NUMBER, base.DIRECTION):
        driver.execute_script("arguments[0].focus()", page.find_element(f"#{Q.number}"))
        keys = ActionChains(driver).send_keys(f"{answer:.6g}")
    elif question.answer == base.POINT:
        driver.execute_script("arguments[0].focus()", page.find_element(f"#{Q.x}"))
        keys = ActionChains(driver).send_keys(f"{answer[0]:.6g}", Keys.TAB, f"{answer[1]:.6g}")
    else:
        driver.execute_script("arguments[0].focus()", page.find_element(f"#{Q.choice} input"))
        keys = ActionChains(driver).send_keys(*([Keys.ARROW_DOWN] * question.choices.index(answer)), Keys.SPACE)
    keys.send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("id") == Q.reveal, "Tab goes from the answer to Reveal"
    ActionChains(driver).send_keys(Keys.ENTER).perform()


def row(page, path: str) -> tuple[str, str, str]:
    return tuple(page.find_element(f"#{Practice.cell(path, column)}").text for column in ("tries", "correct", "streak"))


def bodies(page) -> list[str]:
    return page.driver.execute_script("return window.__bodies || []")


def test_two_questions_counted_kept_across_a_reload_never_sent_and_forgotten(practice):
    page = practice
    assert "nothing about you is sent to the server" in page.find_element(".privacy-note").text
    assert row(page, "/derivative") == ("0", "0", "0")

    # One wrong: the verdict says so (it is no "Right"), and the table counts a try.
    first = shown(page)
    truth = INDEPENDENT[first.kind](first)
    answer_by_keyboard(page, first, wrong_answer(first, truth))
    wait_until(lambda: page.find_element(f"#{Q.verdict}").text != "", 20)
    assert not page.find_element(f"#{Q.verdict}").text.startswith("Right")
    assert page.find_element(f"#{Q.verdict}").get_attribute("role") == "status"  # announced
    first_page = KINDS[first.kind].page
    wait_until(lambda: row(page, first_page) == ("1", "0", "0"))
    # Revealing the same question again does not count it again.
    page.find_element(f"#{Q.reveal}").send_keys(Keys.ENTER)
    wait_until(lambda: len(bodies(page)) > 0)

    # Another one (from the keyboard): another kind, answered right.
    before = page.driver.current_url
    page.find_element(f"#{Q.another}").send_keys(Keys.ENTER)
    wait_until(lambda: page.driver.current_url != before, 20)
    second = shown(page)
    assert second.kind != first.kind, "never the same kind twice in a row"
    answer_by_keyboard(page, second, INDEPENDENT[second.kind](second))
    wait_until(lambda: page.find_element(f"#{Q.verdict}").text.startswith("Right"), 20)
    second_page = KINDS[second.kind].page
    expected = {first_page: ["1", "0", "0"]}
    expected.setdefault(second_page, ["0", "0", "0"])
    expected[second_page] = [str(int(expected[second_page][0]) + 1), str(int(expected[second_page][1]) + 1), "1"]
    for path, cells in expected.items():
        wait_until(lambda path=path, cells=cells: row(page, path) == tuple(cells))
    assert page.find_element(f"#{Practice.TOTAL}").text == "2 tries, 1 correct, in this browser."
    stored = json.loads(page.driver.execute_script(f"return localStorage.getItem('{Practice.PROGRESS}')"))
    assert stored["kinds"][first.kind]["recent"] == [False]

    # Nothing the page sent to the server carries the progress.
    sent = bodies(page)
    assert any(Q.reveal in body for body in sent), "the recorder saw the Reveal requests"
    for body in sent:
        for word in PROGRESS_WORDS:
            assert word not in body, (word, body[:300])

    # After a reload the progress is still there, and still not sent.
    page.driver.refresh()
    for path, cells in expected.items():
        wait_until(lambda path=path, cells=cells: row(page, path) == tuple(cells), 20)
    shown(page)
    wait_until(lambda: len(bodies(page)) > 0)
    for body in bodies(page):
        for word in PROGRESS_WORDS:
            assert word not in body, (word, body[:300])

    # "Forget my progress", from the keyboard: the table is empty, localStorage holds nothing, and it says so.
    page.find_element(f"#{Practice.FORGET}").send_keys(Keys.ENTER)
    wait_until(lambda: "forgotten" in page.find_element(f"#{Practice.FORGOTTEN}").text)
    assert page.find_element(f"#{Practice.FORGOTTEN}").get_attribute("role") == "status"
    for path in expected:
        wait_until(lambda path=path: row(page, path) == ("0", "0", "0"))
    assert page.find_element(f"#{Practice.TOTAL}").text == "No tries yet in this browser."
    assert page.driver.execute_script(f"return localStorage.getItem('{Practice.PROGRESS}')") is None
    page.driver.refresh()
    wait_until(lambda: page.find_element(f"#{Q.prompt}").text != "", 20)
    assert all(row(page, path) == ("0", "0", "0") for path in expected)
    assert severe_console_errors(page) == []


# The picker, called in the page: a seeded generator stands in for Math.random.
PICKS = """
const practice = window.dash_clientside.practice;
const keys = arguments[0], missed = arguments[1], draws = arguments[2];
const progress = {version: 1, kinds: {}, pages: {}, last: null};
progress.kinds[missed] = {recent: [false, true, false]};
keys.filter(k => k !== missed).forEach(k => { progress.kinds[k] = {recent: [true, true, true]}; });
let state = 12345;
const random = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
const counts = {};
let previous = null, repeats = 0;
for (let i = 0; i < draws; i++) {
    const kind = practice.choose(practice.weights(progress, keys, previous), random());
    counts[kind] = (counts[kind] || 0) + 1;
    repeats += kind === previous ? 1 : 0;
    previous = kind;
}
// A kind answered right three times since its misses weighs 1 again.
const after = practice.clean(JSON.parse(JSON.stringify(progress)));
let recovered = after;
for (let i = 0; i < 3; i++) {
    recovered = practice.record_one(recovered, {kind: missed, seed: i, level: 'easy', right: true}, '/descent');
}
return {
    counts: counts, repeats: repeats,
    weights: practice.weights(progress, keys, null),
    recovered: practice.weights(recovered, keys, null).find(w => w.key === missed).weight,
    alone: practice.weights(progress, [missed], missed).map(w => w.key),
};
"""


def test_a_kind_missed_lately_comes_back_sooner_and_never_twice_in_a_row(practice):
    page = practice
    wait_until(lambda: page.find_element(f"#{Q.prompt}").text != "", 20)
    keys = list(KINDS)
    missed = keys[3]
    result = page.driver.execute_script(PICKS, keys, missed, 6000)
    weights = {entry["key"]: entry["weight"] for entry in result["weights"]}
    assert weights[missed] == 1 + 2 * 2 and all(weights[k] == 1 for k in keys if k != missed)
    assert result["repeats"] == 0
    others = [result["counts"].get(k, 0) for k in keys if k != missed]
    assert min(others) > 0, "every kind still comes up"
    # Drawn about 5 times as often as any other (less, since it never follows itself).
    assert result["counts"][missed] > 3 * (sum(others) / len(others)), result["counts"]
    assert result["recovered"] == 1
    assert result["alone"] == [missed], "with one kind only, it may come again"
