"""Predict, then reveal: what every kind of question is made of.

A kind makes a question from a seed (``make(seed, level) -> Question``: the set-up only, plain data the
page may draw) and reveals it (``reveal(question, guess) -> Verdict``: the truth, right or not, the
tolerance it used, the known mistake the guess matches, and the worked numbers). The truth is computed
only in ``reveal``, on the server, from the seed, by the same compute layer the pages use: the browser
holds the kind, the seed, the level and the guess, never the answer.

A guess is one of four shapes, each read by one reader here (``read_guess``): a number, a direction
(an angle in degrees, counter-clockwise from +x), a point (x, y), or one of the question's choices.
Everything a forged request can carry (text, NaN, infinities, 400-digit integers, lists, dicts) is
refused with a message, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

NUMBER, DIRECTION, POINT, CHOICE = "number", "direction", "point", "choice"
EASY, HARDER = "easy", "harder"
LEVELS = (EASY, HARDER)
MAX_SEED = 2**31 - 1
MAX_GUESS = 1e12  # a typed number beyond this is no prediction of anything on these pages


@dataclass(frozen=True)
class Question:
    """A question's set-up: what the page draws and asks. Never the answer."""

    kind: str
    seed: int
    level: str
    page: str  # the path of the page it belongs to, e.g. "/descent"
    prompt: str  # the question in one or two sentences
    answer: str  # NUMBER, DIRECTION, POINT or CHOICE
    setup: Mapping = field(default_factory=dict)  # plain JSON data for the figure (function key, x₀, η, …)
    choices: tuple[str, ...] = ()  # for CHOICE
    unit: str = ""  # shown beside a typed number ("°" for a direction)


@dataclass(frozen=True)
class Mistake:
    """A known wrong way to think, and the answer it leads to on this question."""

    key: str
    answer: object
    message: str  # the one-line verdict that names it, e.g. "That is uphill: …"


@dataclass(frozen=True)
class Verdict:
    right: bool
    headline: str  # one line: "Right, within 10°" or the named mistake, never a bare "wrong"
    tolerance: str  # "within 10°", "within 2%", "exactly"
    truth: object
    guess: object
    mistake: str | None  # the Mistake.key the guess matched, if any
    worked: tuple[str, ...]  # the rule applied to this instance, one line each
    idea: str  # one sentence on the idea


@dataclass(frozen=True)
class Tolerance:
    """How close counts as the same answer, and how the page says so."""

    relative: float = 0.0  # a share of the answer's size
    absolute: float = 0.0  # a floor, in the answer's own units
    degrees: float = 0.0  # for directions
    text: str = "exactly"

    def close(self, answer: str, guess, target) -> bool:
        if answer == CHOICE:
            return guess == target
        if answer == DIRECTION:
            return angle_apart(guess, target) <= self.degrees
        if answer == POINT:
            size = math.hypot(*target)
            return math.dist(guess, target) <= max(self.absolute, self.relative * size)
        return abs(guess - target) <= max(self.absolute, self.relative * abs(target))


@dataclass(frozen=True)
class Kind:
    """One kind of question: its key and page, how an instance is made from a seed, its true answer and
    the known mistakes' answers, how close counts, and the worked numbers that explain it."""

    key: str
    page: str
    title: str  # a few words for lists ("the slope of the tangent at x₀")
    make: Callable[[int, str], Question]
    answers: Callable[[Question], tuple[object, list[Mistake]]]  # (truth, mistakes), computed on the server
    tolerance: Tolerance
    explain: Callable[[Question, object], tuple[tuple[str, ...], str]]  # (worked lines, idea) for the truth

    def solve(self, question: Question) -> Solution:
        """The truth, the known mistakes' answers and the worked numbers: everything a verdict needs."""
        truth, mistakes = self.answers(question)
        worked, idea = self.explain(question, truth)
        return Solution(truth, tuple(mistakes), worked, idea)

    def reveal(self, question: Question, guess, solved: Solution | None = None) -> Verdict:
        """The verdict on a guess (GuessError if it cannot be read). A class judges many guesses on one
        question: it solves the question once and passes ``solved``."""
        guess = read_guess(question, guess)
        solved = self.solve(question) if solved is None else solved
        return judge(question, guess, solved.truth, self.tolerance, list(solved.mistakes), solved.worked, solved.idea)


@dataclass(frozen=True)
class Solution:
    truth: object
    mistakes: tuple[Mistake, ...]
    worked: tuple[str, ...]
    idea: str


class GuessError(ValueError):
    """A guess that cannot be read; its message is shown on the page as it is."""


# ---- reading what the learner sends ----------------------------------------------------------------


def _finite(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise GuessError(f"{name} must be a number.")
    if isinstance(value, str):
        text = value.strip().replace("−", "-")
        if not text:
            raise GuessError(f"Type a number for {name}.")
        if len(text) > 64:
            raise GuessError(f"{name}: that is too long to be a number.")
        try:
            value = float(text)
        except ValueError:
            raise GuessError(f"{name}: “{text[:20]}” is not a number. Type something like 1.5 or -0.25.") from None
    try:
        number = float(value)
    except OverflowError:
        raise GuessError(f"{name} is far too large.") from None
    if math.isnan(number):
        raise GuessError(f"{name} cannot be NaN (not a number).")
    if not abs(number) <= MAX_GUESS:
        raise GuessError(f"{name} must be a finite number between −{MAX_GUESS:g} and {MAX_GUESS:g}.")
    return number


def read_guess(question: Question, guess) -> object:
    """The guess in the question's own shape, or GuessError with what is wrong."""
    if question.answer == NUMBER:
        return _finite(guess, "Your answer")
    if question.answer == DIRECTION:
        return _finite(guess, "The angle") % 360.0
    if question.answer == POINT:
        if not isinstance(guess, list | tuple) or len(guess) != 2:
            raise GuessError("Give a point as two numbers, x and y (or click the figure).")
        return (_finite(guess[0], "x"), _finite(guess[1], "y"))
    if question.answer == CHOICE:
        if not isinstance(guess, str) or guess not in question.choices:
            raise GuessError(f"Pick one of: {', '.join(question.choices)}.")
        return guess
    raise GuessError("This question cannot take an answer.")


def read_seed(seed) -> int:
    """A seed from a link or a store: a whole number from 0 to MAX_SEED."""
    number = _finite(seed, "The question's seed")
    if number != int(number) or not 0 <= number <= MAX_SEED:
        raise GuessError(f"The question's seed must be a whole number from 0 to {MAX_SEED}.")
    return int(number)


def rng_for(kind: str, seed: int, level: str) -> np.random.Generator:
    """The one random source of an instance: the same kind, seed and level give the same question."""
    return np.random.default_rng([sum(kind.encode()) * 7919 + len(kind), seed, LEVELS.index(level)])


# ---- comparing a guess with an answer ----------------------------------------------------------------


def angle_apart(a: float, b: float) -> float:
    """The angle between two directions, in degrees, 0 to 180."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


def judge(
    question: Question,
    guess,
    truth,
    tolerance: Tolerance,
    mistakes: list[Mistake],
    worked: tuple[str, ...],
    idea: str,
) -> Verdict:
    """The verdict for a guess already read by ``read_guess``: right within the tolerance, else the first
    known mistake it matches, else not quite (with how far off it was)."""
    if tolerance.close(question.answer, guess, truth):
        return Verdict(True, f"Right, {tolerance.text}.", tolerance.text, truth, guess, None, worked, idea)
    for mistake in mistakes:
        if tolerance.close(question.answer, guess, mistake.answer):
            return Verdict(False, mistake.message, tolerance.text, truth, guess, mistake.key, worked, idea)
    return Verdict(
        False,
        f"Not quite: the answer is {describe(question, truth)}, and yours was {describe(question, guess)}.",
        tolerance.text,
        truth,
        guess,
        None,
        worked,
        idea,
    )


def describe(question: Question, value) -> str:
    """An answer as the page writes it."""
    if question.answer == DIRECTION:
        return f"{value:.0f}°"
    if question.answer == POINT:
        return f"({value[0]:.4g}, {value[1]:.4g})"
    if question.answer == NUMBER:
        return f"{value:.4g}{question.unit}"
    return str(value)


def well_apart(question: Question, tolerance: Tolerance, truth, mistakes: list[Mistake]) -> bool:
    """True when no two of the truth and the mistakes' answers could be confused within the tolerance
    (twice over), so a verdict can never be ambiguous: the test of every kind checks it for 200 seeds."""
    answers = [truth, *[m.answer for m in mistakes]]
    doubled = Tolerance(tolerance.relative * 2, tolerance.absolute * 2, tolerance.degrees * 2)
    for i, a in enumerate(answers):
        for b in answers[i + 1 :]:
            if doubled.close(question.answer, a, b) or doubled.close(question.answer, b, a):
                return False
    return True
