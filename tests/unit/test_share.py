"""Shared links: reading a query into a page's first state, and agreeing with what the mirror writes."""

from __future__ import annotations

import json
import math
import re
import sys

import pytest

from app.components.share import (
    query_choice,
    query_flag,
    query_number,
    query_numbers,
    query_step,
)

PAGES = ("derivative", "gradient", "descent", "learning_rate", "autograd")


@pytest.fixture(scope="module")
def pages():
    """The page modules, importable once an app exists (register_page needs one)."""
    if not all(f"pages.{name}" in sys.modules for name in PAGES):
        from app.main import create_app

        create_app()  # only when no other test has built one: a second app re-registers the callbacks
    return {name: sys.modules[f"pages.{name}"] for name in PAGES}


# ---- the readers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "refused"),
    [
        (None, 7.0, False),  # absent: the default, silently
        ("2.5", 2.5, False),
        ("−3", -3.0, False),  # a typographic minus, as copied from the page
        (["4", "9"], 4.0, False),  # a repeated key: the first counts
        ("abc", 7.0, True),
        ("nan", 7.0, True),
        ("inf", 7.0, True),
        ("1e999", 7.0, True),
        ("11", 7.0, True),  # out of range
        ("", 7.0, True),
        ("1" * 100, 7.0, True),  # absurdly long
    ],
)
def test_query_number_keeps_the_default_and_says_why_when_refused(text, expected, refused):
    notes = []
    query = {} if text is None else {"x": text}
    assert query_number(query, "x", 7.0, -10, 10, notes) == expected
    assert bool(notes) == refused
    if refused:
        assert re.search(r"\bx\b", notes[0])  # the note names the key


def test_query_number_whole_and_positive():
    notes = []
    assert query_number({"n": "12"}, "n", 5, 1, 100, notes, whole=True) == 12
    assert isinstance(query_number({"n": "12"}, "n", 5, 1, 100, notes, whole=True), int)
    assert query_number({"n": "2.5"}, "n", 5, 1, 100, notes, whole=True) == 5
    assert query_number({"eta": "0"}, "eta", 0.1, 0, 1, notes, positive=True) == 0.1
    assert notes == ["n must be a whole number; 2.5 is not.", "eta must be greater than 0."]


def test_query_choice_and_flag():
    notes = []
    assert query_choice({"f": "sin"}, "f", "square", ("square", "sin"), notes) == "sin"
    assert query_choice({"f": "__import__('os')"}, "f", "square", ("square", "sin"), notes) == "square"
    assert query_flag({"d": "1"}, "d", False, notes) is True
    assert query_flag({"d": "0"}, "d", True, notes) is False
    assert query_flag({"d": "yes"}, "d", False, notes) is False
    assert len(notes) == 2 and "not one of square, sin" in notes[0] and "use 1 or 0" in notes[1]


def test_query_numbers_and_step():
    notes = []
    assert query_numbers({"r": "0.1,0.5, 1"}, "r", [9.0], 1e-4, 10, 8, notes) == [0.1, 0.5, 1.0]
    assert query_numbers({"r": ",".join(["0.1"] * 9)}, "r", [9.0], 1e-4, 10, 8, notes) == [9.0]
    assert query_numbers({"r": "0.1,abc"}, "r", [9.0], 1e-4, 10, 8, notes) == [9.0]
    assert query_numbers({"r": "0.1,20"}, "r", [9.0], 1e-4, 10, 8, notes) == [9.0]
    assert query_step({"s": "3"}, "s", notes) == 3
    assert query_step({"s": "-1"}, "s", notes) is None
    assert query_step({"s": "1.5"}, "s", notes) is None
    assert query_step({}, "s", notes) is None
    assert len(notes) == 5


# ---- every page ------------------------------------------------------------------------------------


def _first_state(module, query):
    """Whatever a page's state_from_query returns, without its notes (always the last item)."""
    result = module.state_from_query(query)
    return result[:-1], result[-1]


@pytest.mark.parametrize("name", PAGES)
def test_no_query_means_the_chapters_defaults_and_no_notes(pages, name):
    state, notes = _first_state(pages[name], {})
    assert notes == []
    assert json.dumps(state, sort_keys=True, default=str)  # plain data, ready for a dcc.Store


def _as_query_text(mirror, value) -> str:
    """What assets/share.js writes for a value: numbers in shortest round-trip form, flags as 1/0."""
    if mirror.item is not None:
        return ",".join(
            _as_query_text(type(mirror)(mirror.key, mirror.component), entry[mirror.item]) for entry in value
        )
    if isinstance(value, list):  # a list of numbers: String(array) in JavaScript joins them with commas
        return ",".join(_as_query_text(mirror, entry) for entry in value)
    if mirror.kind == "flag":
        return "1" if value else "0"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


@pytest.mark.parametrize("name", PAGES)
def test_writing_a_default_into_the_link_is_the_same_as_leaving_it_out(pages, name):
    """The mirror leaves out values equal to their defaults; reading must then give those defaults."""
    module = pages[name]
    written = {m.key: _as_query_text(m, m.default) for m in module.URL_MIRRORS if m.default is not None}
    assert _first_state(module, written) == _first_state(module, {})


@pytest.mark.parametrize("name", PAGES)
def test_every_key_the_page_reads_is_one_the_mirror_writes(pages, name):
    """A key that is read but never written would be lost from a teacher's link, and vice versa."""
    module = pages[name]
    written = {m.key for m in module.URL_MIRRORS}
    read = set()

    class Spy(dict):
        def get(self, key, default=None):
            read.add(key)
            return default

    module.state_from_query(Spy())
    assert read == written


def test_a_refused_value_falls_back_without_touching_the_others(pages):
    derivative = pages["derivative"]
    (state, precision), notes = _first_state(derivative, {"function": "sin", "x0": "abc", "h": "0.01"})
    assert state == {"function": "sin", "x0": 2.0, "h": 0.01} and precision == "float64"
    assert len(notes) == 1 and "abc" in notes[0]
    # ln x at x₀ = −1 is outside its domain: x₀ falls back to one where ln is defined
    (state, _), notes = _first_state(derivative, {"function": "log", "x0": "-1"})
    assert state["function"] == "log" and state["x0"] > 0 and math.isfinite(math.log(state["x0"]))
    assert notes


def test_the_descent_link_restores_both_players(pages):
    descent = pages["descent"]
    (one, two, players), notes = _first_state(
        descent, {"lr1": "0.3", "step1": "4", "speed2": "100", "surface": "saddle"}
    )
    assert notes == []
    assert one["lr"] == 0.3 and two["surface"] == "saddle"
    assert players["steps"] == {descent.ID.ONE_D: 4, descent.ID.TWO_D: None}
    assert players["speeds"][descent.ID.TWO_D] == 100
