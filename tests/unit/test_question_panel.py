"""The question panel's server callbacks, posted as a browser (or a forged request) would: Reveal with a
store that names an unknown kind or a seed of 10^400, and guesses of NaN, infinity, a list or text. Each
gets a clear message and changes nothing else; none answers 5xx. The right answer gets "Right", and
the draw callback never sends the truth."""

from __future__ import annotations

import json

import pytest

from app.ids import Questions
from app.main import create_app
from app.questions.registry import KINDS
from tests.dash_client import DashClient

PAGE = "/descent"
IDS = Questions(PAGE)


@pytest.fixture(scope="module")
def client():
    return DashClient(create_app())


def reveal(client, store, number=None, x=None, y=None, choice=None):
    dep = client.callback_with_input(IDS.reveal, "n_clicks")
    values = {
        f"{IDS.reveal}.n_clicks": 1,
        f"{IDS.store}.data": store,
        f"{IDS.number}.value": number,
        f"{IDS.x}.value": x,
        f"{IDS.y}.value": y,
        f"{IDS.choice}.value": choice,
    }
    answer = client.post(dep, values, [f"{IDS.reveal}.n_clicks"])
    assert answer.status_code in (200, 204), answer.status_code
    return answer.get_json()["response"] if answer.status_code == 200 else {}


def message_and_verdict(response) -> tuple[str, object]:
    return response.get(IDS.message, {}).get("children"), response.get(IDS.verdict, {}).get("children")


GOOD = {"kind": "descent-step", "seed": 41, "level": "easy"}


@pytest.mark.parametrize(
    ("store", "words"),
    [
        ({"kind": "no-such-kind", "seed": 1, "level": "easy"}, "Predict first"),
        ({"kind": "descent-step", "seed": 10**400, "level": "easy"}, "Predict first"),
        ({"kind": "descent-step", "seed": -1, "level": "easy"}, "Predict first"),
        ({"kind": "descent-step", "seed": 1, "level": "impossible"}, "Predict first"),
        ({"kind": ["descent-step"], "seed": 1, "level": "easy"}, "Predict first"),
        ("descent-step", "Predict first"),
        (None, "Predict first"),
    ],
)
def test_a_forged_store_is_refused_with_a_message(client, store, words):
    message, verdict = message_and_verdict(reveal(client, store, number="1"))
    assert words in message and verdict is None


@pytest.mark.parametrize(
    ("guess", "words"),
    [("nan", "NaN"), ("inf", "finite"), ("1e400", "finite"), ("abc", "not a number"), ("", "Type a number")],
)
def test_a_bad_guess_is_refused_with_a_message(client, guess, words):
    message, verdict = message_and_verdict(reveal(client, GOOD, number=guess))
    assert words in message and verdict is None


def test_a_list_or_a_dict_as_a_guess_is_refused(client):
    for guess in ([1, 2], {"a": 1}, 10**400, True):
        message, verdict = message_and_verdict(reveal(client, GOOD, number=guess))
        assert message and verdict is None, guess


def test_the_right_answer_is_right_and_the_draw_never_sends_it(client):
    """Predict first draws a question and sends it shown, with its kind and seed but never its answer."""
    dep = client.callback_with_input(IDS.toggle, "n_clicks")
    for _ in range(5):
        drawn = client.post(
            dep, {f"{IDS.toggle}.n_clicks": 1, f"{IDS.level}.value": "easy"}, [f"{IDS.toggle}.n_clicks"]
        )
        assert drawn.status_code == 200
        store = drawn.get_json()["response"][IDS.store]["data"]
        kind = KINDS[store["kind"]]
        question = kind.make(store["seed"], store["level"])
        truth, _ = kind.answers(question)
        assert drawn.get_json()["response"][IDS.prompt]["children"] == question.prompt
        if question.answer == "number":
            assert f"{truth:.4f}" not in drawn.get_data(as_text=True)
            message, verdict = message_and_verdict(reveal(client, store, number=repr(truth)))
        else:  # a point: ball-landing
            message, verdict = message_and_verdict(reveal(client, store, x=repr(truth[0]), y=repr(truth[1])))
        assert message == "" and "Right" in json.dumps(verdict)
