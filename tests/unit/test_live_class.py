"""The live class through the server's own callbacks, as the teacher's and the learners' browsers call them.

Covers the loop (start, join, open, answer, lock, reveal, CSV, end) with every number checked against an
independent computation, and each rule of who may do what: each test here fails if its rule is removed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from urllib.parse import unquote

import numpy as np
import pytest

from app import ids
from app.classroom import model
from app.compute.surfaces import SURFACES
from tests.dash_client import DashClient, text_of

T, L = ids.Teacher, ids.Learner
Q = ids.Questions("/join")


class Browser:
    """One browser's view of the app: the callbacks it calls, and the values of the components it holds."""

    def __init__(self, client: DashClient, address: str = "127.0.0.1", headers: dict | None = None):
        self.client, self.values, self.address, self.headers = client, {}, address, headers or {}
        self.responses: list[str] = []  # every body this browser was sent

    def call(self, trigger: str, prop: str, output: str, value=None, **changes) -> dict | None:
        """Set ``changes`` ({"id__prop": value}), then fire ``trigger.prop`` (set to ``value``) and keep what
        the server sends back; None for a request the callback declined (204)."""
        for key, new in changes.items():
            component, name = key.rsplit("__", 1)
            self.values[f"{component}.{name}"] = new
        if value is not None:
            self.values[f"{trigger}.{prop}"] = value
        answer = self.client.post(
            self.client.callback_with_input(trigger, prop, output),
            self.values,
            [f"{trigger}.{prop}"],
            environ_base={"REMOTE_ADDR": self.address},
            headers=self.headers,
        )
        assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:300]
        if answer.status_code == 204:
            return None
        self.responses.append(answer.get_data(as_text=True))
        changed = answer.get_json()["response"]
        for component, props in changed.items():
            for name, new in props.items():
                self.values[f"{component}.{name}"] = new
        return changed

    def get(self, component: str, prop: str = "children"):
        return self.values.get(f"{component}.{prop}")


@pytest.fixture
def client(app):
    return DashClient(app)


def start_class(teacher: Browser) -> dict:
    teacher.call(T.START, "n_clicks", T.SESSION, 1)
    return teacher.get(T.SESSION, "data")


def join(client: DashClient, code: str, nickname: str, address: str = "127.0.0.1") -> Browser:
    learner = Browser(client, address)
    learner.call(L.JOIN, "n_clicks", L.SESSION, 1, **{f"{L.CODE}__value": code, f"{L.NICKNAME}__value": nickname})
    return learner


def follow(learner: Browser) -> dict | None:
    """What the learner's browser does when its poll sees a new version."""
    version = (learner.get(L.VERSION, "data") or 0) + 1
    return learner.call(L.VERSION, "data", L.WHO, version)


def send(learner: Browser, **boxes) -> str:
    for name, value in boxes.items():
        learner.values[f"{getattr(Q, name)}.value"] = value
    learner.call(L.SEND, "n_clicks", L.SENT, (learner.get(L.SEND, "n_clicks") or 0) + 1)
    return text_of(learner.get(Q.message)) or text_of(learner.get(L.SENT))


def press(teacher: Browser, button: str, **changes) -> dict | None:
    return teacher.call(button, "n_clicks", T.SESSION, (teacher.get(button, "n_clicks") or 0) + 1, **changes)


def steepest_angle(setup: dict) -> float:
    """−∇f's direction in degrees, by central differences of the surface's value: independent of the
    gradient formulas the app uses."""
    surface, x, y, h = SURFACES[setup["surface"]], float(setup["x"]), float(setup["y"]), 1e-5
    gx = (surface.value(x + h, y) - surface.value(x - h, y)) / (2 * h)
    gy = (surface.value(x, y + h) - surface.value(x, y - h)) / (2 * h)
    return math.degrees(math.atan2(-gy, -gx)) % 360


def asked_direction(learner: Browser) -> tuple:
    """The steepest-descent question on a learner's phone, and its true direction (computed here)."""
    from app.components.questions import made

    asked = learner.get(Q.store, "data")
    question = made(asked["kind"], asked["seed"], asked["level"])
    return question, steepest_angle(question.setup)


def open_question(teacher: Browser, kind: str = "steepest-descent") -> None:
    press(teacher, T.OPEN, **{f"{T.KIND}__value": kind, f"{T.LEVEL}__value": "easy"})


def test_a_class_runs_from_start_to_reveal_and_the_projector_shows_every_answer(client):
    teacher = Browser(client)
    session = start_class(teacher)
    code = session["code"]
    assert re.fullmatch(f"[{model.CODE_ALPHABET}]{{6}}", code)
    assert teacher.get(T.JOIN_CODE) == f"{code[:3]} {code[3:]}"
    assert teacher.get(T.JOIN_LINK) == "localhost/join", "the link as a phone types it: no scheme, no code"
    assert teacher.get(T.RUNNING, "hidden") is False and teacher.get(T.SETUP, "hidden") is True
    qr = unquote(teacher.get(T.QR, "src"))
    assert qr.startswith("data:image/svg+xml") and "<svg" in qr, "the QR code is an inline SVG: no network"
    assert "Resume code:" in text_of(teacher.get(T.RESUME_NOTE))

    ada, bo, cy = (join(client, code.lower(), name) for name in ("Ada", "Bo", ""))
    assert [learner.get(L.SESSION, "data")["number"] for learner in (ada, bo, cy)] == [1, 2, 3]
    assert cy.get(L.SESSION, "data")["nickname"], "no nickname: a generated one"
    teacher.call(T.POLL, "n_intervals", T.SESSION, 1)
    assert teacher.get(T.COUNT) == "3 joined"

    for learner in (ada, bo, cy):
        follow(learner)
        assert "Wait for your teacher" in text_of(learner.get(L.SCREEN))
    open_question(teacher)
    for learner in (ada, bo, cy):
        follow(learner)
        assert learner.get(Q.panel, "hidden") is False
    assert ada.get(Q.store, "data")["kind"] == "steepest-descent" and ada.get(Q.prompt) == teacher_prompt(teacher)
    _, truth = asked_direction(ada)
    uphill = (truth + 180) % 360

    assert "Answer sent" in send(ada, number=f"{truth:.1f}")
    assert "Answer sent" in send(bo, number=f"{(truth + 5) % 360:.1f}")
    assert "Answer sent" in send(cy, number=f"{uphill:.1f}")
    teacher.call(T.POLL, "n_intervals", T.SESSION, 2)
    assert teacher.get(T.COUNT) == "3 of 3 answered"

    press(teacher, T.LOCK)
    assert "locked" in send(ada, number="0").lower(), "after the lock, no answer is taken"
    press(teacher, T.REVEAL)
    result = text_of(teacher.get(T.RESULT))
    assert result.startswith("2 of 3 right (67%).")
    assert "1 learner: That is uphill" in result
    figure = teacher.get(T.FIGURE, "figure")
    drawn = [trace for trace in figure["data"] if trace.get("name", "").startswith(("right", "not right"))]
    rays = sum(len([v for v in trace["x"] if v is None]) for trace in drawn)
    assert rays == 3, "every learner's direction is drawn"
    assert any(trace.get("name") == f"the answer: {truth:.0f}°" for trace in figure["data"])
    assert not any(trace.get("text") for trace in drawn), "names are hidden by default"

    for learner, right in ((ada, True), (bo, True), (cy, False)):
        follow(learner)
        verdict = text_of(learner.get(Q.verdict))
        assert verdict.startswith("Right") == right, verdict
        assert learner.get(Q.revealed, "data") is True
        assert "closed" in learner.get(Q.panel, "className"), "no more sending once revealed"
    assert "uphill" in text_of(cy.get(Q.verdict))

    press(teacher, T.NAMES)
    named = [t for t in teacher.get(T.FIGURE, "figure")["data"] if t.get("name", "").startswith(("right", "not"))]
    assert named and all(trace.get("mode") == "lines" for trace in named)  # rays carry no labels
    assert teacher.get(T.NAMES, "aria-pressed") == "true"


def teacher_prompt(teacher: Browser) -> str:
    return teacher.get(T.NOW).split(" Answers open.")[0]


def test_a_point_question_draws_the_cloud_of_clicks_and_the_names_only_when_asked(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    learners = [join(client, code, name) for name in ("Ada", "Bo")]
    open_question(teacher, "ball-landing")
    for learner, (x, y) in zip(learners, ((0.5, 0.5), (1.0, -1.0)), strict=True):
        follow(learner)
        assert "Answer sent" in send(learner, x=str(x), y=str(y))
    press(teacher, T.REVEAL)
    cloud = [t for t in teacher.get(T.FIGURE, "figure")["data"] if t.get("name", "").startswith(("right", "not"))]
    points = sorted((x, y) for trace in cloud for x, y in zip(trace["x"], trace["y"], strict=True))
    assert points == [(0.5, 0.5), (1.0, -1.0)]
    assert not any(trace.get("text") for trace in cloud)
    press(teacher, T.NAMES)
    cloud = [t for t in teacher.get(T.FIGURE, "figure")["data"] if t.get("name", "").startswith(("right", "not"))]
    assert sorted(name for trace in cloud for name in trace["text"]) == ["Ada", "Bo"]


def rectangles(trace: dict) -> list[tuple[float, float, float, float]]:
    """The (x0, x1, y0, y1) of each filled outline in a trace drawn as closed runs split by gaps."""
    found, xs, ys = [], [], []
    for x, y in zip([*trace["x"], None], [*trace["y"], None], strict=True):
        if x is None:
            if xs:
                found.append((min(xs), max(xs), min(ys), max(ys)))
            xs, ys = [], []
        else:
            xs.append(x), ys.append(y)
    return found


def test_a_typed_number_becomes_a_histogram_and_a_choice_becomes_bars(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada, bo, cy = (join(client, code, name) for name in ("Ada", "Bo", "Cy"))
    open_question(teacher, "stability")
    from app.components.questions import KINDS, made

    item = teacher_item(client, code)
    question = made(item["kind"], item["seed"], item["level"])
    truth = KINDS[question.kind].solve(question).truth
    wrong = next(choice for choice in question.choices if choice != truth)
    for learner, choice in ((ada, truth), (bo, wrong), (cy, wrong)):
        follow(learner)
        assert "Answer sent" in send(learner, choice=choice)
    press(teacher, T.REVEAL)
    figure = teacher.get(T.FIGURE, "figure")
    counts = next(t for t in figure["data"] if t.get("name") == "counts")
    labels = figure["layout"]["xaxis"]["ticktext"]
    by_label = dict(zip((label.removesuffix(" ✓") for label in labels), counts["y"], strict=True))
    assert by_label == {choice: (1 if choice == truth else 2 if choice == wrong else 0) for choice in question.choices}
    assert f"{truth} ✓" in labels, "the right choice is marked in words, not by colour alone"
    heights = {t["name"]: sum(y1 - y0 for *_, y0, y1 in rectangles(t)) for t in figure["data"] if "right" in t["name"]}
    assert heights == {"right (1)": 1, "not right (2)": 2}
    assert {t["type"] for t in figure["data"]} == {"scatter"}, "only trace types the app's plotly.js bundle has"

    open_question(teacher, "descent-step")
    typed = {ada: -2.0, bo: 1.5, cy: 1.5}
    for learner, value in typed.items():
        follow(learner)
        assert "Answer sent" in send(learner, number=str(value))
    press(teacher, T.REVEAL)
    figure = teacher.get(T.FIGURE, "figure")
    bars = [r for t in figure["data"] if "right" in t.get("name", "") for r in rectangles(t)]
    assert sum(y1 - y0 for *_, y0, y1 in bars) == 3, "one learner, one unit of height"
    for value in set(typed.values()):
        last = max(r[1] for r in bars)  # numpy's bins: [a, b), and the last one [a, b]
        holding = [r for r in bars if r[0] <= value < r[1] or value == r[1] == last]
        assert sum(y1 - y0 for *_, y0, y1 in holding) == list(typed.values()).count(value)
    assert figure["layout"]["shapes"], "the right value is marked"
    assert {t["type"] for t in figure["data"]} == {"scatter"}


def teacher_item(client: DashClient, code: str) -> dict:
    from app.components.classroom import STORE_KEY

    return client.client.application.extensions[STORE_KEY].state(code).item


def test_csv_has_every_answer_with_its_verdict(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada = join(client, code, 'Ada, "the" first')
    open_question(teacher)
    follow(ada)
    _, truth = asked_direction(ada)
    send(ada, number=f"{(truth + 180) % 360:.2f}")
    teacher.call(T.CSV_BUTTON, "n_clicks", T.CSV_DOWNLOAD, 1)
    download = teacher.get(T.CSV_DOWNLOAD, "data")
    rows = list(csv.DictReader(io.StringIO(download["content"])))
    assert len(rows) == 1
    row = rows[0]
    assert (row["kind"], row["nickname"], row["right"], row["mistake"], row["share right"]) == (
        "steepest-descent",
        'Ada, "the" first',
        "no",
        "uphill",
        "0/1",
    )
    assert float(row["answer"]) == pytest.approx((truth + 180) % 360, abs=0.01)
    assert code in download["filename"]


def test_the_truth_is_not_sent_to_a_phone_before_reveal(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada = join(client, code, "Ada")
    open_question(teacher)
    follow(ada)
    asked = ada.get(Q.store, "data")
    _, truth = asked_direction(ada)
    shown_truth = f"the answer: {truth:.0f}°"
    assert set(asked) == {"kind", "seed", "level", "answer", "anchor"}, "the phone holds the set-up, not the answer"
    send(ada, number="123")
    press(teacher, T.LOCK)
    follow(ada)
    before = " ".join(ada.responses)
    assert shown_truth not in before and f"{truth:.2f}" not in before and "worked" not in before
    press(teacher, T.REVEAL)
    follow(ada)
    assert shown_truth in ada.responses[-1], "after Reveal the phone shows it"


def test_a_learner_can_never_act_as_the_teacher(client):
    teacher = Browser(client)
    session = start_class(teacher)
    ada = join(client, session["code"], "Ada")
    learner = ada.get(L.SESSION, "data")
    open_question(teacher)
    version = client.client.get(f"/class-api/version/{session['code']}").get_json()["version"]
    # A learner's own browser, posting the teacher's callback with what it holds (its token as the secret).
    for forged in (
        {"code": session["code"], "secret": learner["token"]},
        {"code": session["code"], "secret": ""},
        {"code": session["code"]},
        {"code": session["code"], "secret": session["secret"][:-1] + "x"},
    ):
        intruder = Browser(client)
        for button in (T.LOCK, T.REVEAL, T.PAUSE, T.NEXT, T.NAMES, T.OPEN):
            press(intruder, button, **{f"{T.SESSION}__data": forged, f"{T.KIND}__value": "steepest-descent"})
            assert "Only the class's teacher" in text_of(intruder.get(T.MESSAGE)), button
        intruder.call(f"{T.END}-confirm", "submit_n_clicks", T.SESSION, 1, **{f"{T.SESSION}__data": forged})
        assert "Only the class's teacher" in text_of(intruder.get(T.MESSAGE)), "not told the class ended"
        intruder.call(T.CSV_BUTTON, "n_clicks", T.CSV_DOWNLOAD, 1, **{f"{T.SESSION}__data": forged})
        assert intruder.get(T.CSV_DOWNLOAD, "data") is None
        assert "Only the class's teacher" in text_of(intruder.get(T.MESSAGE))
    after = client.client.get(f"/class-api/version/{session['code']}").get_json()["version"]
    assert after == version, "nothing a learner sent changed the class"
    follow(ada)
    assert ada.get(Q.panel, "hidden") is False


def test_a_forged_token_overwrites_nobody_and_the_secret_reaches_no_learner(client):
    teacher = Browser(client)
    session = start_class(teacher)
    ada, bo = join(client, session["code"], "Ada"), join(client, session["code"], "Bo")
    open_question(teacher)
    follow(ada), follow(bo)
    send(ada, number="10")
    real = bo.get(L.SESSION, "data")
    bo.values[f"{L.SESSION}.data"] = {**real, "token": "forged", "number": 1}
    assert "not in this class" in send(bo, number="350")
    teacher.call(T.CSV_BUTTON, "n_clicks", T.CSV_DOWNLOAD, 1)
    rows = list(csv.DictReader(io.StringIO(teacher.get(T.CSV_DOWNLOAD, "data")["content"])))
    assert [(row["nickname"], float(row["answer"])) for row in rows] == [("Ada", 10.0)]
    # Nothing a learner is sent carries the teacher's secret or the resume code, and the join link has neither.
    secret = session["secret"]
    resume = text_of(teacher.get(T.RESUME_NOTE)).split("Resume code: ")[1].split(" ")[0].replace("-", "")
    for learner in (ada, bo):
        for body in learner.responses:
            assert secret not in body and resume not in body
    link = teacher.get(T.JOIN_LINK) + unquote(teacher.get(T.QR, "src"))
    assert secret not in link and resume not in link


def test_wrong_codes_are_limited_per_client_and_a_forged_forwarded_for_does_not_help(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    wrong = "".join(model.CODE_ALPHABET[(model.CODE_ALPHABET.index(c) + 1) % 31] for c in code)
    guesser = Browser(client, address="10.0.0.7")
    for attempt in range(12):
        guesser.values[f"{L.CODE}.value"] = wrong
        guesser.headers = {"X-Forwarded-For": f"10.9.9.{attempt}"}  # not trusted: TRUSTED_PROXIES is 0
        guesser.call(L.JOIN, "n_clicks", L.SESSION, attempt + 1)
    assert "Too many wrong codes" in text_of(guesser.get(L.MESSAGE))
    guesser.values[f"{L.CODE}.value"] = code
    guesser.call(L.JOIN, "n_clicks", L.SESSION, 20)
    assert guesser.get(L.SESSION, "data") is None, "even the right code waits out the limit"
    assert join(client, code, "Elsewhere", address="10.0.0.8").get(L.SESSION, "data"), "another device is not held up"


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    from app.main import create_app

    client = DashClient(create_app())
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    wrong = "".join(model.CODE_ALPHABET[(model.CODE_ALPHABET.index(c) + 1) % 31] for c in code)
    for attempt in range(11):
        guesser = Browser(client, address="10.0.0.1", headers={"X-Forwarded-For": "198.51.100.7"})
        guesser.call(L.JOIN, "n_clicks", L.SESSION, attempt + 1, **{f"{L.CODE}__value": wrong})
    assert "Too many wrong codes" in text_of(guesser.get(L.MESSAGE))
    # The proxy (10.0.0.1) is the same, but another learner behind it is another client.
    other = Browser(client, address="10.0.0.1", headers={"X-Forwarded-For": "198.51.100.8"})
    other.call(L.JOIN, "n_clicks", L.SESSION, 1, **{f"{L.CODE}__value": code})
    assert other.get(L.SESSION, "data")["code"] == code


def test_the_version_route_is_one_number_and_never_cached(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    answer = client.client.get(f"/class-api/version/{code}")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    first = answer.get_json()["version"]
    open_question(teacher)
    assert client.client.get(f"/class-api/version/{code}").get_json()["version"] == first + 1
    for missing in ("ZZZZZZ", "abc", "0O1IL2", "x" * 500, "%00"):
        assert client.client.get(f"/class-api/version/{missing}").status_code == 404


def test_a_reload_keeps_the_learner_s_place_and_typed_answers_survive_other_changes(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada = join(client, code, "Ada")
    open_question(teacher)
    follow(ada)
    send(ada, number="42")
    press(teacher, T.NAMES)  # a change that is not a new question
    ada.values[f"{Q.number}.value"] = "43"
    follow(ada)
    assert ada.get(Q.number, "value") == "43", "a typed answer is not cleared by the teacher's other changes"
    # A reload: a fresh page with the same stored session.
    again = Browser(client)
    again.values[f"{L.SESSION}.data"] = ada.get(L.SESSION, "data")
    follow(again)
    assert again.get(Q.number, "value") == "42", "the answer sent is back in its box"
    again.call(L.JOIN, "n_clicks", L.SESSION, 1, **{f"{L.CODE}__value": code, f"{L.NICKNAME}__value": "Other"})
    assert again.get(L.SESSION, "data")["number"] == 1, "joining again from this browser keeps the place"


def test_pause_hides_the_question_and_end_deletes_the_class(client):
    teacher = Browser(client)
    session = start_class(teacher)
    ada = join(client, session["code"], "Ada")
    open_question(teacher)
    follow(ada)
    press(teacher, T.PAUSE)
    assert teacher.get(T.PAUSE, "aria-pressed") == "true"
    follow(ada)
    assert ada.get(Q.panel, "hidden") is True and "Paused" in text_of(ada.get(L.SCREEN))
    press(teacher, T.PAUSE)
    follow(ada)
    assert ada.get(Q.panel, "hidden") is False
    teacher.call(f"{T.END}-confirm", "submit_n_clicks", T.SESSION, 1)
    assert teacher.get(T.SESSION, "data") is None and teacher.get(T.SETUP, "hidden") is False
    assert client.client.get(f"/class-api/version/{session['code']}").status_code == 404
    follow(ada)
    assert "ended" in text_of(ada.get(L.SCREEN))
    stale = Browser(client)
    press(stale, T.OPEN, **{f"{T.SESSION}__data": session, f"{T.KIND}__value": "steepest-descent"})
    assert "over" in text_of(stale.get(T.MESSAGE))


def test_a_lesson_runs_step_by_step_and_views_send_learners_to_the_projector(client):
    from app.lessons.library import builtin

    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada = join(client, code, "Ada")
    press(teacher, T.RUN_LESSON, **{f"{T.LESSON}__value": "why-the-learning-rate-matters"})
    steps = builtin("why-the-learning-rate-matters").steps
    for index, step in enumerate(steps):
        follow(ada)
        assert f"step {index + 1} of {len(steps)}" in teacher.get(T.NOW)
        if step.question is None:
            assert "Look at the projector" in text_of(ada.get(L.SCREEN))
            assert teacher.get(T.VIEW_LINK, "href") == step.view
        else:
            assert ada.get(Q.store, "data")["kind"] == step.question
        if index < len(steps) - 1:
            press(teacher, T.NEXT)
    assert teacher.get(T.NEXT, "disabled") is True
    press(teacher, T.BACK)
    assert f"step {len(steps) - 1} of" in teacher.get(T.NOW)


def test_the_pages_refuse_bad_values_with_a_message(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada = join(client, code, "Ada")
    for typed in ("", "O0O0O0", "ABC", "<script>"):
        learner = Browser(client, address="10.1.1.1")
        learner.call(L.JOIN, "n_clicks", L.SESSION, 1, **{f"{L.CODE}__value": typed})
        assert learner.get(L.SESSION, "data") is None and text_of(learner.get(L.MESSAGE))
    too_long = Browser(client)
    too_long.call(L.JOIN, "n_clicks", L.SESSION, 1, **{f"{L.CODE}__value": code, f"{L.NICKNAME}__value": "x" * 25})
    assert "at most 24" in text_of(too_long.get(L.MESSAGE))
    open_question(teacher)
    follow(ada)
    for bad in ("abc", "nan", "inf", "1e400", ""):
        assert "Answer sent" not in send(ada, number=bad)
    press(teacher, T.OPEN, **{f"{T.KIND}__value": "no-such-kind"})
    assert "Pick a question" in text_of(teacher.get(T.MESSAGE))
    press(teacher, T.RESUME, **{f"{T.RESUME_CODE}__value": code, f"{T.RESUME_SECRET}__value": "WRNGWRNGWRNG"})
    assert "does not match" in text_of(teacher.get(T.MESSAGE))
    assert np.isfinite(json.loads(json.dumps(ada.get(Q.store, "data")))["seed"])


def test_a_slope_question_draws_each_learner_s_tangent_beside_the_true_one(client):
    from app.components.questions import KINDS, made

    teacher = Browser(client)
    code = start_class(teacher)["code"]
    learners = [join(client, code, name) for name in ("Ada", "Bo", "Cy")]
    open_question(teacher, "tangent-slope")
    follow(learners[0])
    asked = learners[0].get(Q.store, "data")
    question = made(asked["kind"], asked["seed"], asked["level"])
    from app.compute.functions import FUNCTIONS

    function, x0 = FUNCTIONS[question.setup["function"]], float(question.setup["x0"])
    slope = float((function.value(x0 + 1e-6) - function.value(x0 - 1e-6)) / 2e-6)  # independent of the app's
    assert KINDS[question.kind].solve(question).truth == pytest.approx(slope, rel=1e-5, abs=1e-6)
    for learner, guess in zip(learners, (slope, slope + 1e-3, slope + 50), strict=True):
        follow(learner)
        assert "Answer sent" in send(learner, number=f"{guess:.6f}")
    press(teacher, T.REVEAL)
    figure = teacher.get(T.FIGURE, "figure")
    groups = {t["name"]: t for t in figure["data"] if t.get("name", "").startswith(("right", "not right"))}
    assert set(groups) == {"right (2)", "not right (1)"}
    assert sum(v is None for v in groups["right (2)"]["x"]) == 2, "one line per learner"
    assert text_of(teacher.get(T.RESULT)).startswith("2 of 3 right")


def test_a_view_pasted_from_copy_link_sends_phones_to_the_projector_and_a_bad_one_is_refused(client):
    teacher = Browser(client)
    code = start_class(teacher)["code"]
    ada = join(client, code, "Ada")
    press(teacher, T.SHOW_VIEW, **{f"{T.VIEW_INPUT}__value": "http://class.example:8050/descent?lr1=0.5&steps1=20"})
    assert teacher.get(T.VIEW_LINK, "href") == "/descent?lr1=0.5&steps1=20", "only the path and query are kept"
    assert teacher.get(T.VIEW_LINK, "hidden") is False
    follow(ada)
    assert "Look at the projector" in text_of(ada.get(L.SCREEN)) and ada.get(Q.panel, "hidden") is True
    version = client.client.get(f"/class-api/version/{code}").get_json()["version"]
    for bad, says in (
        ("javascript:alert(1)", "a page of this app"),
        ("//evil.example/descent", "a page of this app"),
        ("/admin", "not a page a class can be shown"),
        ("/descent?lr1=abc", "lr1"),
        ("/descent?nonsense=1", "nonsense"),
        ("", "a view is a link"),
        ("/descent#x", "no “#” part"),
    ):
        press(teacher, T.SHOW_VIEW, **{f"{T.VIEW_INPUT}__value": bad})
        assert says in text_of(teacher.get(T.MESSAGE)), (bad, teacher.get(T.MESSAGE))
    assert client.client.get(f"/class-api/version/{code}").get_json()["version"] == version, "nothing changed"
