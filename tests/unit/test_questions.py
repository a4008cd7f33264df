"""Every kind of question, for 200 seeds at each level: the revealed answer equals an independent
computation written here (closed form, torch autograd, or a plain loop), the instance is well-posed,
every known mistake's answer gets that mistake's verdict, and the right answer gets "Right".

A kind added to the registry without an independent computation here fails
test_every_kind_has_an_independent_check."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest

from app.figures.questions import code_of
from app.questions import base
from app.questions.registry import KINDS
from tests.unit.question_checks import autograd, derivative, descent, gradient, learning_rate, optimizers

PAGES = (derivative, gradient, descent, learning_rate, optimizers, autograd)

SEEDS = range(200)


# kind → (question → its true answer), computed without the kind's own code: one module per page.
INDEPENDENT = {key: check for module in PAGES for key, check in module.INDEPENDENT.items()}


def test_every_kind_has_an_independent_check():
    assert set(INDEPENDENT) == set(KINDS)


def _instances():
    for key in KINDS:
        for level in base.LEVELS:
            yield pytest.param(key, level, id=f"{key}-{level}")


def _close(question, a, b, tolerance=1e-9) -> bool:
    if question.answer == base.CHOICE:
        return a == b
    if question.answer == base.DIRECTION:
        return base.angle_apart(a, b) <= 1e-6
    if question.answer == base.POINT:
        return math.dist(a, b) <= tolerance * max(1.0, math.hypot(*b))
    return abs(a - b) <= tolerance * max(1.0, abs(b))


@pytest.mark.parametrize(("key", "level"), _instances())
def test_every_instance_is_well_posed_and_revealed_truly(key, level):
    kind = KINDS[key]
    prompts = set()
    for seed in SEEDS:
        question = kind.make(seed, level)
        assert (question.kind, question.seed, question.level, question.page) == (key, seed, level, kind.page)
        assert question == kind.make(seed, level), "the same seed must give the same question"
        prompts.add((question.prompt, tuple(sorted(question.setup.items()))))
        truth, mistakes = kind.answers(question)
        assert _close(question, truth, INDEPENDENT[key](question)), (seed, truth)
        assert base.well_apart(question, kind.tolerance, truth, mistakes), (seed, truth, mistakes)
        right = kind.reveal(question, truth)
        assert right.right and right.headline.startswith("Right") and right.mistake is None
        assert right.worked and right.idea
        for mistake in mistakes:
            verdict = kind.reveal(question, mistake.answer)
            assert not verdict.right and verdict.mistake == mistake.key and verdict.headline == mistake.message
    assert len(prompts) >= (8 if level == base.EASY else 20), "instances should differ from seed to seed"


def test_the_truth_is_not_in_the_question():
    """A question is what the browser holds: its set-up never carries the answer."""
    for key, kind in KINDS.items():
        for seed in range(20):
            question = kind.make(seed, base.EASY)
            truth, _ = kind.answers(question)
            texts = [question.prompt, *map(str, question.setup.values())]
            if question.answer == base.NUMBER:
                assert not any(f"{truth:.4f}" in text or f"{truth:.4g}" == text for text in texts), (key, seed)


@pytest.mark.parametrize(
    ("guess", "words"),
    [
        ("abc", "is not a number"),
        (float("nan"), "cannot be NaN"),
        (float("inf"), "finite"),
        (10**400, "far too large"),
        ("1e400", "finite"),
        ([1, 2], "must be a number"),
        ({"a": 1}, "must be a number"),
        (None, "must be a number"),
        (True, "must be a number"),
        ("", "Type a number"),
        ("9" * 100, "too long"),
    ],
)
def test_a_bad_guess_gets_a_message_not_an_exception(guess, words):
    kind = KINDS["tangent-slope"]
    question = kind.make(0, base.EASY)
    with pytest.raises(base.GuessError, match=words):
        kind.reveal(question, guess)


@pytest.mark.parametrize("seed", [-1, 2**31, 1.5, 10**400, "x", None, [3], float("nan")])
def test_a_bad_seed_is_refused(seed):
    with pytest.raises(base.GuessError):
        base.read_seed(seed)
    assert base.read_seed("41") == 41


@pytest.mark.parametrize("key", [key for key in KINDS if KINDS[key].page == "/autograd"])
def test_the_code_an_autograd_question_shows_prints_its_answer(key, tmp_path):
    """The code on screen is the question: run as it stands, it prints the answer Reveal gives."""
    kind = KINDS[key]
    for seed in range(3):
        question = kind.make(seed, base.HARDER)
        script = tmp_path / f"{key}-{seed}.py"
        script.write_text(code_of(question))
        printed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True)
        value = float(re.search(r"tensor\(([-0-9.e+]+)", printed.stdout).group(1))
        truth, _ = kind.answers(question)
        assert value == pytest.approx(truth, rel=1e-6, abs=1e-6), (question.setup, printed.stdout)
