"""A lesson opened from its code: each step checked by its own page, and the draft editor's edits."""

from __future__ import annotations

import base64
import json
import sys

import dash
import pytest

from app.components.lessons import lesson_from_code, open_lesson
from app.lessons import library
from app.lessons.model import MAX_CODE, Lesson, Step, decode, encode, from_json, query_of


@pytest.fixture
def lesson_page(app):
    """The /lesson page's module, as Dash's page registry loaded it."""
    return sys.modules[next(page["module"] for page in dash.page_registry.values() if page["path"] == "/lesson")]


def _opened(*steps: Step) -> dict:
    return open_lesson(encode(Lesson("Checked", steps)))


@pytest.mark.parametrize("name", library.BUILTIN)
def test_every_step_of_every_built_in_lesson_is_one_its_page_accepts(app, name):
    opened = open_lesson(name)
    lesson = library.builtin(name)
    assert opened["notes"] == [] and "error" not in opened
    assert [step["link"] for step in opened["steps"]] == [step.link for step in lesson.steps]
    assert [step["caption"] for step in opened["steps"]] == [step.caption for step in lesson.steps]
    names = {page["path"]: page["name"] for page in dash.page_registry.values()}
    assert [step["page"] for step in opened["steps"]] == [names[query_of(step.link)[0]] for step in lesson.steps]


def test_a_step_its_page_would_not_use_is_left_out_with_a_note_naming_it(app):
    opened = _opened(
        Step(view="/derivative?h=0.1", caption="kept"),
        Step(view="/nowhere"),
        Step(view="/descent?colour=red"),
        Step(view="/descent?lr1=abc"),
        Step(view="/gradient?surface=moon"),
        Step(view="/autograd?q=halve-h"),
        Step(question="descent-step", seed=4),
    )
    assert [step["number"] for step in opened["steps"]] == [1, 7]
    notes = " ".join(opened["notes"])
    assert "Step 2 is left out: “/nowhere” is not a page a lesson can show." in notes
    assert "Step 3 (/descent) is left out: “colour” is not a setting of this page." in notes
    assert "Step 4 (/descent) is left out: lr1: “abc” is not a number." in notes
    assert "Step 5 (/gradient) is left out" in notes and "moon" in notes
    assert "Step 6 (/autograd) is left out: q: “halve-h” is not a question of this page" in notes


def test_a_lesson_none_of_whose_steps_can_be_shown_is_refused(app):
    opened = _opened(Step(view="/nowhere"), Step(view="/descent?lr1=-5"))
    assert opened["error"] == "None of this lesson's steps can be shown." and len(opened["notes"]) == 2


def test_the_browser_gets_only_the_checked_lesson_from_a_code(app):
    assert lesson_from_code(None) is None and lesson_from_code(["x"]) is None
    assert "another version" in lesson_from_code("v9.abc")["error"]
    assert "too long" in lesson_from_code("v1." + "A" * MAX_CODE)["error"]
    assert lesson_from_code("from-sgd-to-adam")["title"] == "From SGD to Adam"


def test_presenter_flags_are_a_view_s_own_keys(app):
    opened = _opened(Step(view="/descent?lr1=0.5&present=1&controls=0&code=1"))
    assert opened["notes"] == [] and len(opened["steps"]) == 1


# ---- the draft editor ------------------------------------------------------------------------------------


DRAFT = {
    "title": "Mine",
    "steps": [{"view": "/derivative?h=0.1"}, {"question": "halve-h", "seed": 2}, {"view": "/autograd"}],
}


def _edit(lesson_page, monkeypatch, trigger, value=None, *, title="Mine", captions=("", "", ""), upload=None):
    triggered = [{"prop_id": f"{json.dumps(trigger) if isinstance(trigger, dict) else trigger}.x", "value": value}]
    monkeypatch.setattr(lesson_page, "ctx", type("Ctx", (), {"triggered_id": trigger, "triggered": triggered}))
    return lesson_page.edit_draft(title, list(captions), [], [], [], 0, upload, json.loads(json.dumps(DRAFT)))


def test_draft_steps_move_up_and_down_and_are_removed(lesson_page, monkeypatch):
    up = {"type": lesson_page.ID.DRAFT_UP, "index": 2}
    draft, _ = _edit(lesson_page, monkeypatch, up, 1)
    assert [s.get("view", s.get("question")) for s in draft["steps"]] == ["/derivative?h=0.1", "/autograd", "halve-h"]
    down = {"type": lesson_page.ID.DRAFT_DOWN, "index": 0}
    draft, _ = _edit(lesson_page, monkeypatch, down, 1)
    assert [s.get("view", s.get("question")) for s in draft["steps"]] == ["halve-h", "/derivative?h=0.1", "/autograd"]
    remove = {"type": lesson_page.ID.DRAFT_REMOVE, "index": 1}
    draft, _ = _edit(lesson_page, monkeypatch, remove, 1)
    assert draft["steps"] == [DRAFT["steps"][0], DRAFT["steps"][2]]
    # A button drawn afresh (no clicks yet) changes nothing, and neither does an index out of range.
    assert _edit(lesson_page, monkeypatch, remove, 0) == (dash.no_update, dash.no_update)
    assert _edit(lesson_page, monkeypatch, {"type": lesson_page.ID.DRAFT_REMOVE, "index": 9}, 1)[0] is dash.no_update


def test_draft_captions_and_title_are_plain_one_line_text(lesson_page, monkeypatch):
    caption = {"type": lesson_page.ID.DRAFT_CAPTION, "index": 1}
    draft, message = _edit(lesson_page, monkeypatch, caption, "x", captions=("", " Predict it ", ""))
    assert draft["steps"][1]["caption"] == "Predict it" and "caption" not in draft["steps"][0] and message == ""
    refused, message = _edit(lesson_page, monkeypatch, caption, "x", captions=("", "a\u2028b", ""))
    assert refused is dash.no_update and "one line of plain text" in message
    refused, message = _edit(lesson_page, monkeypatch, caption, "x", captions=("c" * 201, "", ""))
    assert refused is dash.no_update and "longer than 200" in message
    draft, _ = _edit(lesson_page, monkeypatch, lesson_page.ID.DRAFT_TITLE, "x", title="Week 3")
    assert draft["title"] == "Week 3" and draft["steps"] == DRAFT["steps"]


def test_a_draft_is_cleared_and_a_lesson_file_uploaded(lesson_page, monkeypatch):
    draft, message = _edit(lesson_page, monkeypatch, lesson_page.ID.DRAFT_CLEAR, 1)
    assert draft["steps"] == [] and message == "The draft is empty."
    text = (library.FOLDER / "from-sgd-to-adam.json").read_bytes()
    upload = "data:application/json;base64," + base64.b64encode(text).decode()
    draft, message = _edit(lesson_page, monkeypatch, lesson_page.ID.UPLOAD, upload, upload=upload)
    assert draft == from_json(text).as_dict() and message == "Loaded “From SGD to Adam”: 11 steps."
    for bad, says in (
        ("data:application/json;base64," + base64.b64encode(b'{"format": "x"}').decode(), "not a lesson of this app"),
        ("data:application/json;base64,@@@", "could not be read"),
        ("data:application/json;base64," + "A" * 30_000, "larger than 16 KB"),
    ):
        refused, message = _edit(lesson_page, monkeypatch, lesson_page.ID.UPLOAD, bad, upload=bad)
        assert refused is dash.no_update and says in message


def test_the_draft_s_link_opens_the_same_lesson(lesson_page):
    draft = {
        "title": "Mine",
        "steps": [{"view": "/derivative?h=0.1", "caption": "Small h"}, {"question": "halve-h", "seed": 2}],
    }
    title, rows, href, note = lesson_page.show_draft(draft)
    assert title == "Mine" and len(rows) == 2 and note == "2 of at most 60 steps."
    assert href.startswith("/lesson#lesson=v1.")
    assert decode(href.split("#lesson=")[1]).as_dict() == draft
    _, _, _, note = lesson_page.show_draft({"title": "Mine", "steps": [{"view": "/descent?lr1=abc"}]})
    assert "None of this lesson's steps can be shown." in note and "lr1" in note
    assert lesson_page.show_draft("junk")[1:] == ([], "/lesson", "The draft has no steps yet.")


def test_download_is_the_file_form(lesson_page):
    answer = lesson_page.download(1, {"title": "Week 3: momentum", "steps": [{"view": "/optimizers"}]})
    assert answer["filename"] == "week-3-momentum.json"
    assert from_json(answer["content"]).title == "Week 3: momentum"
    assert lesson_page.download(1, {"title": "", "steps": []}) is dash.no_update
