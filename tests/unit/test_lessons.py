"""Lessons as data: their two forms round-trip byte for byte, and every refusal says what is wrong."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from app.lessons import library
from app.lessons.model import (
    MAX_BYTES,
    MAX_CAPTION,
    MAX_STEPS,
    Lesson,
    LessonError,
    Step,
    decode,
    encode,
    from_dict,
    from_json,
    to_json,
)


def _code_of(data) -> str:
    """A lesson link's code for any JSON value, packed as the app packs one (independently of encode)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(json.dumps(data).encode()) + packer.flush()
    return "v1." + base64.urlsafe_b64encode(packed).decode().rstrip("=")


@pytest.mark.parametrize("name", library.BUILTIN)
def test_every_built_in_lesson_round_trips_byte_for_byte(name):
    text = (library.FOLDER / f"{name}.json").read_text(encoding="utf-8")
    lesson = from_json(text)
    assert to_json(lesson) == text, "the file is in the canonical form Download writes"
    code = encode(lesson)
    assert decode(code) == lesson
    assert encode(decode(code)) == code
    assert from_json(to_json(decode(code))) == lesson
    assert 8 <= len(lesson.steps) <= MAX_STEPS
    assert len(code) < 2000, "a built-in lesson's link stays short enough to paste into a chat"


def test_a_question_step_opens_on_its_page_with_its_seed_and_level():
    assert Step(question="descent-step", seed=5).link == "/descent?q=descent-step&seed=5"
    assert Step(question="stability", seed=0, level="harder").link == "/learning-rate?q=stability&seed=0&level=harder"


def test_a_caption_is_plain_text_and_round_trips_as_text():
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    lesson = Lesson("T", (Step(view="/derivative", caption=hostile),))
    assert decode(encode(lesson)).steps[0].caption == hostile
    assert json.loads(to_json(lesson))["steps"][0]["caption"] == hostile


def _lesson(**changes) -> dict:
    data = {"title": "A lesson", "steps": [{"view": "/derivative?h=0.1"}, {"question": "tangent-slope", "seed": 3}]}
    return data | changes


REFUSED = {
    "not an object": ([1, 2], "A lesson is a title and a list of steps."),
    "unknown key": (_lesson(author="me"), "not “author”"),
    "no title": (_lesson(title=""), "needs a title"),
    "title not text": (_lesson(title=3), "title must be text"),
    "title too long": (_lesson(title="t" * 121), "longer than 120 characters"),
    "no steps": (_lesson(steps=[]), "has no steps"),
    "steps not a list": (_lesson(steps={"view": "/derivative"}), "has no steps"),
    "too many steps": (_lesson(steps=[{"view": "/derivative"}] * (MAX_STEPS + 1)), "at most 60 steps; this one has 61"),
    "step not an object": (_lesson(steps=["/derivative"]), "Step 1 is not a view or a question"),
    "neither": (_lesson(steps=[{"caption": "hi"}]), "Step 1 must be either a view or a question"),
    "both": (_lesson(steps=[{"view": "/derivative", "question": "halve-h"}]), "either a view or a question"),
    "unknown step key": (_lesson(steps=[{"view": "/derivative", "onclick": "x"}]), "Step 1: a step has no “onclick”"),
    "caption too long": (
        _lesson(steps=[{"view": "/derivative", "caption": "c" * (MAX_CAPTION + 1)}]),
        "longer than 200",
    ),
    "caption of two lines": (_lesson(steps=[{"view": "/derivative", "caption": "a\nb"}]), "one line of plain text"),
    "caption not text": (_lesson(steps=[{"view": "/derivative", "caption": ["x"]}]), "caption must be text"),
    "off-site": (_lesson(steps=[{"view": "https://evil.example/descent"}]), "must be a page of this app"),
    "protocol-relative": (_lesson(steps=[{"view": "//evil.example/descent"}]), "must be a page of this app"),
    "javascript": (_lesson(steps=[{"view": "javascript:alert(1)"}]), "must be a page of this app"),
    "backslash": (_lesson(steps=[{"view": "/\\evil.example"}]), "must be a page of this app"),
    "space in link": (_lesson(steps=[{"view": "/descent?lr1=0.1 onload"}]), "must be a page of this app"),
    "fragment": (_lesson(steps=[{"view": "/descent#lesson=v1.x"}]), "no “#” part"),
    "view with seed": (_lesson(steps=[{"view": "/descent", "seed": 1}]), "a view has no seed or level"),
    "link too long": (_lesson(steps=[{"view": "/descent?f=" + "x" * 1000}]), "longer than 1000 characters"),
    "unknown question": (_lesson(steps=[{"question": "rm -rf"}]), "no question called “rm -rf”"),
    "bad seed": (_lesson(steps=[{"question": "halve-h", "seed": -1}]), "Step 1: The question's seed"),
    "seed not a number": (_lesson(steps=[{"question": "halve-h", "seed": "nan"}]), "Step 1: The question's seed"),
    "bad level": (_lesson(steps=[{"question": "halve-h", "level": "expert"}]), "easy or harder, not “expert”"),
    "second step named": (_lesson(steps=[{"view": "/derivative"}, {"view": "ftp://x"}]), "Step 2:"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_every_refusal_has_its_message(case):
    data, message = REFUSED[case]
    with pytest.raises(LessonError) as refused:
        from_dict(data)
    assert message in str(refused.value)
    with pytest.raises(LessonError) as by_link:  # the same refusal through a link
        decode(_code_of(data))
    assert str(by_link.value) == str(refused.value)


def test_a_lesson_over_16_kb_is_refused_in_every_form():
    steps = [{"view": "/derivative", "caption": "c" * MAX_CAPTION} for _ in range(MAX_STEPS)]  # ~14 KB
    big = {"title": "Big", "steps": [{"view": "/descent?f=" + "x" * 250, "caption": "c" * 199}] * MAX_STEPS}
    assert len(json.dumps(big)) > MAX_BYTES
    with pytest.raises(LessonError, match="larger than 16 KB"):
        from_dict(big)
    with pytest.raises(LessonError, match="larger than 16 KB"):
        decode(_code_of(big))
    with pytest.raises(LessonError, match="larger than 16 KB"):
        from_json(json.dumps({"format": "gradients-lesson", "version": 1} | big))
    from_dict({"title": "Fits", "steps": steps})  # 60 full captions fit


def test_a_compressed_bomb_is_refused_without_inflating_it():
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = packer.compress(b" " * 50_000_000) + packer.flush()  # 50 MB of spaces in ~50 KB
    code = "v1." + base64.urlsafe_b64encode(bomb[:12_000]).decode()
    with pytest.raises(LessonError, match="larger than 16 KB"):
        decode(code)


LINKS_REFUSED = {
    "": "empty",
    "hello": "should start with “v1.”",
    "v2.abc": "another version of the app (version 2); this one reads version 1",
    "v1.!!!!": "damaged",
    "v1." + _code_of({"title": "x", "steps": [{"view": "/"}]})[3:20]: "damaged",
    "v1." + base64.urlsafe_b64encode(zlib.compress(b"[]")).decode(): "damaged",  # zlib header, not raw deflate
    "v1." + "A" * 30_000: "too long",
    encode(Lesson("x", (Step(view="/derivative"),))) + "AAAA": "more was added",
}


@pytest.mark.parametrize("code", LINKS_REFUSED)
def test_a_bad_lesson_link_is_refused_with_a_message(code):
    with pytest.raises(LessonError) as refused:
        decode(code)
    assert LINKS_REFUSED[code] in str(refused.value)


FILES_REFUSED = {
    b"not json": "not JSON",
    b'{"title": "x", "steps": []}': "not a lesson of this app",
    b'{"format": "gradients-lesson", "version": 2, "title": "x", "steps": []}': "version 2",
    b'{"format": "gradients-lesson", "title": "x", "steps": []}': "version None",
    b"\xff\xfe\x00": "not JSON",
    b" " * (MAX_BYTES + 1): "larger than 16 KB",
}


@pytest.mark.parametrize("text", FILES_REFUSED)
def test_a_bad_lesson_file_is_refused_with_a_message(text):
    with pytest.raises(LessonError) as refused:
        from_json(text)
    assert FILES_REFUSED[text] in str(refused.value)
