"""A live class in real browsers: one teacher at projector size and three learners on phones (375 px),
each a separate headless Chromium, against one served app.

The teacher starts a class and the learners join by typing its code. The teacher opens a question about
the direction of steepest descent; one learner answers right by clicking the figure, one by typing,
and one answers uphill. The teacher locks and reveals: the projector shows the three answers on the
figure, "2 of 3 right" and the uphill mistake, and each phone shows its own verdict. No console errors,
and no phone scrolls sideways.
"""

from __future__ import annotations

import math

import pytest
from dash.testing.application_runners import ThreadedRunner
from selenium import webdriver
from selenium.webdriver.common.by import By

from app import ids
from app.classroom.store import open_class_store
from app.components.questions import made
from app.compute.surfaces import SURFACES
from app.main import create_app
from tests.browser.helpers import click_plot, wait_until
from tests.browser.test_accessibility import check as check_axe
from tests.conftest import chromium_options

T, L = ids.Teacher, ids.Learner
Q = ids.Questions("/join")
PHONE = (375, 812)


def _chromium(width: int, height: int):
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.set_window_size(width, height)
    return driver


@pytest.fixture(scope="module")
def classroom():
    """(the server's URL, the teacher's browser, three learners' browsers)."""
    with ThreadedRunner() as server:
        server.start(create_app())
        drivers = [_chromium(1280, 900)] + [_chromium(*PHONE) for _ in range(3)]
        try:
            yield server.url, drivers[0], drivers[1:]
        finally:
            for driver in drivers:
                driver.quit()


def text(driver, element_id: str) -> str:
    found = driver.find_elements(By.ID, element_id)
    return found[0].text if found else ""


def severe(driver) -> list:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def steepest_angle(setup: dict) -> float:
    """−∇f's direction in degrees, by central differences of the surface's value."""
    surface, x, y, h = SURFACES[setup["surface"]], float(setup["x"]), float(setup["y"]), 1e-5
    gx = (surface.value(x + h, y) - surface.value(x - h, y)) / (2 * h)
    gy = (surface.value(x, y + h) - surface.value(x, y - h)) / (2 * h)
    return math.degrees(math.atan2(-gy, -gx)) % 360


class OnePage:
    """What tests.browser.helpers.click_plot needs of dash_duo, for a plain Chromium."""

    def __init__(self, driver):
        self.driver = driver

    def find_element(self, selector: str):
        return self.driver.find_element(By.CSS_SELECTOR, selector)


def click_at(driver, figure_id: str, x: float, y: float) -> None:
    """Click a Plotly figure at data coordinates (x, y), as a finger on a phone would."""
    plot = driver.find_element(By.CSS_SELECTOR, f"#{figure_id} .nsewdrag")
    px, py = driver.execute_script(
        "const gd = document.querySelector(arguments[0]);"
        "return [gd._fullLayout.xaxis.l2p(arguments[1]), gd._fullLayout.yaxis.l2p(arguments[2])];",
        f"#{figure_id} .js-plotly-plot",
        x,
        y,
    )
    click_plot(OnePage(driver), figure_id, px / plot.size["width"], py / plot.size["height"])


def test_a_teacher_and_three_phones_run_one_question(classroom):
    url, teacher, learners = classroom
    # From presenter mode on any page, as a teacher at the projector starts: its "Live class" tool.
    teacher.get(f"{url}/derivative?present=1")
    tool = wait_until(lambda: [t for t in teacher.find_elements(By.ID, ids.Shell.LIVE_CLASS) if t.is_displayed()], 20)[
        0
    ]
    tool.click()
    wait_until(lambda: any(b.is_displayed() for b in teacher.find_elements(By.ID, T.START)), timeout=20)
    assert teacher.current_url.endswith("/class?present=1") or teacher.current_url.endswith("/class")
    check_axe(teacher, "/class before a class starts")
    teacher.find_element(By.ID, T.START).click()
    code = wait_until(lambda: text(teacher, T.JOIN_CODE).replace(" ", ""), timeout=20)
    assert len(code) == 6
    assert teacher.find_element(By.ID, T.QR).get_attribute("src").startswith("data:image/svg+xml")

    for learner, nickname in zip(learners, ("Ada", "Bo", "Cy"), strict=True):
        learner.get(f"{url}/join")
        box = wait_until(lambda learner=learner: learner.find_elements(By.CSS_SELECTOR, f"#{L.CODE}"), timeout=20)[0]
        if nickname == "Ada":
            check_axe(learner, "/join's form at 375 px")
        box.send_keys(code.lower())
        learner.find_element(By.CSS_SELECTOR, f"#{L.NICKNAME}").send_keys(nickname)
        learner.find_element(By.ID, L.JOIN).click()
        wait_until(lambda learner=learner, n=nickname: f"You are {n}" in text(learner, L.WHO), timeout=20)
        assert "Wait for your teacher" in text(learner, L.SCREEN)
        assert not learner.find_element(By.ID, L.FORM).is_displayed(), "once in, the join form steps aside"
    wait_until(lambda: text(teacher, T.COUNT) == "3 joined", timeout=10)

    teacher.find_element(By.ID, T.OPEN).click()  # the default question: the direction of steepest descent
    for learner in learners:  # each phone follows within its poll
        wait_until(lambda learner=learner: "decrease fastest" in text(learner, Q.prompt), timeout=10)
    check_axe(teacher, "/class with a question open")
    check_axe(learners[0], "/join at 375 px with a question open")
    item = open_class_store().state(code).item
    question = made(item["kind"], item["seed"], item["level"])
    truth = steepest_angle(question.setup)

    # Ada clicks the figure in the right direction; Bo types it; Cy types uphill.
    ada, bo, cy = learners
    x0, y0 = float(question.setup["x"]), float(question.setup["y"])
    surface = SURFACES[question.setup["surface"]]
    reach = 0.4 * min(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])
    ada.execute_script(f"document.getElementById('{Q.figure}').scrollIntoView({{block: 'center'}})")
    ada.execute_script(
        f"document.querySelector('#{Q.figure} .js-plotly-plot')"
        ".on('plotly_click', e => { window.__clicked = [e.points[0].x, e.points[0].y]; });"
    )
    aim = [x0 + reach * math.cos(math.radians(truth)), y0 + reach * math.sin(math.radians(truth))]
    while not (surface.view_x[0] < aim[0] < surface.view_x[1] and surface.view_y[0] < aim[1] < surface.view_y[1]):
        reach *= 0.8  # stay inside the view
        aim = [x0 + reach * math.cos(math.radians(truth)), y0 + reach * math.sin(math.radians(truth))]
    target = list(aim)
    for _ in range(3):  # as a learner would, click again a little off to correct a click that missed
        click_at(ada, Q.figure, *target)
        clicked = wait_until(lambda: ada.execute_script("return window.__clicked"))
        angle = math.degrees(math.atan2(clicked[1] - y0, clicked[0] - x0)) % 360
        typed = wait_until(lambda: ada.find_element(By.CSS_SELECTOR, f"#{Q.number}").get_attribute("value"))
        assert float(typed) == round(angle), "the box holds the direction from the point to the click"
        if abs((angle - truth + 180) % 360 - 180) < 6:
            break
        target = [target[0] + aim[0] - clicked[0], target[1] + aim[1] - clicked[1]]
    assert abs((float(typed) - truth + 180) % 360 - 180) < 9.5, f"the click gave {typed}°, the truth is {truth:.1f}°"
    for learner, angle in ((bo, truth), (cy, (truth + 180) % 360)):
        learner.find_element(By.CSS_SELECTOR, f"#{Q.number}").send_keys(f"{angle:.0f}")
    for learner in learners:
        learner.find_element(By.ID, L.SEND).click()
        wait_until(lambda learner=learner: "Answer sent" in text(learner, L.SENT), timeout=10)
    wait_until(lambda: text(teacher, T.COUNT) == "3 of 3 answered", timeout=10)

    teacher.find_element(By.ID, T.LOCK).click()
    wait_until(lambda: "locked" in text(cy, L.SENT), timeout=10)
    assert not cy.find_element(By.ID, L.SEND).is_displayed(), "a locked question takes no answer"
    teacher.find_element(By.ID, T.REVEAL).click()
    result = wait_until(lambda: text(teacher, T.RESULT), timeout=10)
    assert result.startswith("2 of 3 right")
    assert "1 learner: That is uphill" in result
    drawn = teacher.execute_script(
        f"const gd = document.querySelector('#{T.FIGURE} .js-plotly-plot');"
        "return gd.data.filter(t => /^(right|not right)/.test(t.name)).map(t => t.x.filter(v => v === null).length);"
    )
    assert sum(drawn) == 3, "three answers on the projector's figure"

    for learner, right in ((ada, True), (bo, True), (cy, False)):
        verdict = wait_until(lambda learner=learner: text(learner, Q.verdict), timeout=10)
        assert verdict.startswith("Right") == right, verdict
    assert "uphill" in text(cy, Q.verdict)
    check_axe(teacher, "/class after Reveal")
    check_axe(cy, "/join at 375 px after Reveal")

    for driver in (teacher, *learners):
        assert severe(driver) == [], "no console errors"
    for learner in learners:
        width = learner.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"the phone scrolls sideways: {width} px"


def test_the_projector_draws_bars_and_a_histogram_with_the_app_s_own_plotly(classroom):
    """The class figures for choices and typed numbers, drawn by the partial plotly.js bundle. The class is
    set up through the store (the answers are the phones' own, filed with their tokens), then the projector
    and a phone show it by their usual polls."""
    url, teacher, learners = classroom
    session = teacher.execute_script(f"return JSON.parse(localStorage.getItem('{T.SESSION}'))")
    if not session:  # run alone: start a class and join
        teacher.get(f"{url}/class")
        wait_until(lambda: any(b.is_displayed() for b in teacher.find_elements(By.ID, T.START)), timeout=20)
        teacher.find_element(By.ID, T.START).click()
        wait_until(lambda: text(teacher, T.JOIN_CODE), timeout=20)
        session = teacher.execute_script(f"return JSON.parse(localStorage.getItem('{T.SESSION}'))")
        for learner in learners:
            learner.get(f"{url}/join?code={session['code']}")
            wait_until(lambda learner=learner: learner.find_elements(By.ID, L.JOIN), timeout=20)[0].click()
            wait_until(lambda learner=learner: "You are" in text(learner, L.WHO), timeout=20)
    tokens = [
        learner.execute_script(f"return JSON.parse(localStorage.getItem('{L.SESSION}'))")["token"]
        for learner in learners
    ]
    store = open_class_store()
    for kind, guesses, check in (
        ("stability", ("converges", "diverges", "diverges"), "choice"),
        ("descent-step", (1.5, -2.0, 1.5), "number"),
    ):
        state = store.open_item(
            session["code"], session["secret"], {"type": "question", "kind": kind, "seed": 7, "level": "easy"}
        )
        for token, guess in zip(tokens, guesses, strict=True):
            store.answer(session["code"], token, state.round, guess)
        store.set_phase(session["code"], session["secret"], "revealed")
        # Something only this figure has: the choices' counts, or the typed numbers' axis.
        signature = "d.some(t => t.name === 'counts')" if check == "choice" else "l.xaxis.title.text === 'typed answer'"
        wait_until(
            lambda signature=signature: teacher.execute_script(
                f"const gd = document.querySelector('#{T.FIGURE} .js-plotly-plot');"
                "if (!gd || !gd._fullData) return false;"
                f"const d = gd._fullData, l = gd._fullLayout; return {signature};"
            ),
            timeout=10,
        )
        filled = teacher.execute_script(
            f"return document.querySelectorAll('#{T.FIGURE} .scatterlayer .fills path').length"
        )
        assert filled >= 1, f"{check}: the bars are drawn as filled shapes"
        teacher.save_screenshot(f"/tmp/class-{check}.png")  # looked at by hand
        for learner in learners:
            wait_until(lambda learner=learner: text(learner, Q.verdict), timeout=10)
    for driver in (teacher, *learners):
        assert severe(driver) == [], "no console errors"
