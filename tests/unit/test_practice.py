"""/practice without a browser: its layout, its place in the nav, a linked question from any page, and
the rule that keeps the learner's progress off the server: no server callback reads or writes it, and
Reveal answers with the outcome the browser counts."""

from __future__ import annotations

import json

import dash
import pytest
from dash import dcc, html

from app import ids
from app.questions import base
from app.questions.registry import KINDS
from tests.dash_client import DashClient
from tests.unit.test_questions import INDEPENDENT

Q = ids.Questions("/practice")
P = ids.Practice


@pytest.fixture(scope="module")
def app():
    from app.main import create_app

    return create_app()


@pytest.fixture(scope="module")
def page(app):
    DashClient(app)
    return dash.page_registry["pages.practice"]


def _all(component) -> list:
    return [component, *component._traverse()]


def _by_id(layout, component_id):
    (found,) = [c for c in _all(layout) if getattr(c, "id", None) == component_id]
    return found


def _text(component) -> str:
    children = getattr(component, "children", None)
    if isinstance(children, str):
        return children
    if isinstance(children, list | tuple):
        return " ".join(c if isinstance(c, str) else _text(c) for c in children)
    return _text(children) if children is not None else ""


def test_practice_is_the_last_page_in_the_nav(page):
    from app.components.shell import concept_pages, next_concept_link

    assert page["path"] == "/practice" and page["name"] == "Practice"
    assert concept_pages()[-1]["path"] == "/practice"
    assert "Next: Practice" in _text(next_concept_link("/autograd"))


def test_the_layout_says_where_the_progress_lives_and_has_a_row_per_concept(page):
    layout = page["layout"]()
    assert layout.children[0].children[0].children == "Practice: every idea, mixed"  # the page header's h1
    assert "Your progress stays in this browser: nothing about you is sent to the server." in _text(layout)
    progress = _by_id(layout, P.PROGRESS)
    assert isinstance(progress, dcc.Store) and progress.storage_type == "local"
    assert getattr(progress, "data", None) is None
    # The panel is open, with no "Predict first" toggle, and an empty question until the browser picks one.
    assert not _by_id(layout, Q.panel).hidden
    assert not [c for c in _all(layout) if getattr(c, "id", None) == Q.toggle]
    assert _by_id(layout, Q.store).data is None
    rows = [c for c in _all(_by_id(layout, P.TABLE)) if isinstance(c, html.Tr)][1:]
    assert [_text(r.children[0]) for r in rows] == [
        "Derivative",
        "Gradient",
        "Descent",
        "Learning rate",
        "Optimizers",
        "Autograd",
    ]
    assert all([c.children for c in r.children[1:]] == ["0", "0", "0"] for r in rows)
    assert isinstance(_by_id(layout, P.FORGET), html.Button)
    assert _by_id(layout, P.FORGOTTEN).role == "status"
    catalogue = _by_id(layout, P.CATALOGUE).data
    assert catalogue["kinds"] == {key: kind.page for key, kind in KINDS.items()}


def test_a_link_asks_a_question_of_any_page_and_refuses_an_unknown_one(page):
    layout = page["layout"](q="descent-step", seed="41", level="harder")
    assert _by_id(layout, Q.store).data["kind"] == "descent-step"
    assert _by_id(layout, Q.store).data["seed"] == 41
    refused = page["layout"](q="no-such-kind", seed="41")
    assert _by_id(refused, Q.store).data is None
    assert "no-such-kind" in _text(refused)


def test_no_server_callback_reads_or_writes_the_progress(app):
    client = DashClient(app)
    for dep in client.server_callbacks():
        named = json.dumps([dep["output"], dep["inputs"], dep["state"]])
        assert P.PROGRESS not in named, dep["output"]
    clientside = [d for d in client.dependencies if d.get("clientside_function")]
    assert any(P.PROGRESS in json.dumps(d["inputs"]) for d in clientside), "the table reads it in the browser"


def test_the_server_draws_the_kind_the_browser_asks_for(app):
    client = DashClient(app)
    dep = client.callback_with_input(Q.request, "data")
    asked = {"kind": "grad-two-backward", "seed": 5, "level": base.EASY}
    answer = client.post(dep, {f"{Q.request}.data": asked}, [f"{Q.request}.data"]).get_json()
    drawn = answer["response"][Q.store]["data"]
    assert {key: drawn[key] for key in asked} == asked
    assert "truth" not in json.dumps(drawn)
    # Something that is not a question draws nothing.
    for bad in ({"kind": "nope", "seed": 1, "level": "easy"}, {"kind": "grad-two-backward", "seed": -1}, [1]):
        response = client.post(dep, {f"{Q.request}.data": bad}, [f"{Q.request}.data"])
        assert response.status_code in (200, 204)
        assert Q.store not in ((response.get_json(silent=True) or {}).get("response") or {})


def _a_number_question() -> base.Question:
    return next(KINDS[k].make(3, base.EASY) for k in KINDS if KINDS[k].make(3, base.EASY).answer == base.NUMBER)


@pytest.mark.parametrize("right", [True, False])
def test_reveal_says_right_or_not_to_the_browser(app, right):
    client = DashClient(app)
    dep = client.callback_with_input(Q.reveal, "n_clicks")
    question = _a_number_question()
    key = question.kind
    truth = INDEPENDENT[key](question)
    guess = truth if right else truth + 10 * (1 + abs(truth))
    store = {"kind": key, "seed": 3, "level": base.EASY}
    answer = client.post(
        dep,
        {f"{Q.reveal}.n_clicks": 1, f"{Q.store}.data": store, f"{Q.number}.value": f"{guess:.9g}"},
        [f"{Q.reveal}.n_clicks"],
    ).get_json()
    assert answer["response"][Q.outcome]["data"] == {"kind": key, "seed": 3, "level": base.EASY, "right": right}


def test_a_guess_that_cannot_be_read_counts_nothing(app):
    client = DashClient(app)
    dep = client.callback_with_input(Q.reveal, "n_clicks")
    question = _a_number_question()
    store = {"kind": question.kind, "seed": 3, "level": base.EASY}
    answer = client.post(
        dep, {f"{Q.reveal}.n_clicks": 1, f"{Q.store}.data": store, f"{Q.number}.value": "abc"}, [f"{Q.reveal}.n_clicks"]
    ).get_json()
    assert Q.outcome not in answer["response"]
    assert "not a number" in json.dumps(answer["response"][Q.message])
