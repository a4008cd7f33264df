"""A live class: what it is made of, and the rules every store keeps.

A teacher starts a class with no account and gets three things once: the join code (public: it is in the
join link and on the projector), the teacher's secret (kept in the teacher's browser, sent only in the
bodies of callback requests, stored here only as its SHA-256), and a resume code (shown once, so the
teacher can take the class to another device; stored hashed too).

A learner joins with the code and an optional nickname, and gets a learner token (kept in the learner's
browser; stored hashed) and a public learner number that their answers are filed under. The token is
what makes an answer theirs: a forged token matches nobody, so it overwrites nobody.

The class runs in rounds. Each time the teacher opens an item (a question, or a view to look at on the
projector) a new round starts, with its own answers. A round is open (answers taken), locked (answers
kept, none taken) or revealed. ``version`` counts the teacher's changes: a learner's browser polls it,
and fetches its screen again only when it moved.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass, field

# No look-alikes: no 0/O, no 1/I/L. Six of these give 31^6, about 887 million codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
RESUME_LENGTH = 12  # about 59 bits: shown once, typed rarely, never guessable at any allowed rate
MAX_LEARNERS = 300
MAX_NICKNAME = 24
MAX_ANSWER_BYTES = 200  # a guess is a number, two numbers or a short choice
DEFAULT_EXPIRY_HOURS = 12.0

OPEN, LOCKED, REVEALED = "open", "locked", "revealed"
PHASES = (OPEN, LOCKED, REVEALED)

# Harmless generated nicknames: an adjective and a mathematical animal.
_ADJECTIVES = ("Brave", "Calm", "Clever", "Curious", "Eager", "Gentle", "Happy", "Keen", "Lucky", "Quiet", "Swift")
_NOUNS = ("Otter", "Heron", "Lynx", "Panda", "Koala", "Falcon", "Badger", "Gecko", "Tapir", "Robin", "Newt")


class ClassError(ValueError):
    """A refusal, with the message the page shows as it is."""


@dataclass(frozen=True)
class Started:
    code: str
    secret: str  # the teacher's: in the teacher's browser only
    resume: str  # shown once


@dataclass(frozen=True)
class Joined:
    code: str
    token: str  # the learner's: in the learner's browser only
    number: int  # public: answers are filed under it
    nickname: str


@dataclass(frozen=True)
class ClassState:
    """What anyone in the class may know: never a secret, never an answer."""

    code: str
    version: int
    round: int
    item: dict | None  # {"type": "question", "kind", "seed", "level"} or {"type": "view", "link", "caption"}
    phase: str
    paused: bool
    show_names: bool
    learners: int
    answered: int


@dataclass(frozen=True)
class Answer:
    number: int
    nickname: str
    guess: object


@dataclass(frozen=True)
class Round:
    round: int
    item: dict
    answers: tuple[Answer, ...] = field(default_factory=tuple)


def digest(secret: str) -> str:
    """How a secret is stored: its SHA-256. The secrets are random and long, so no salt or stretching."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def read_code(text) -> str:
    """A typed join code, tidied (case, spaces, dashes), or ClassError saying what is wrong."""
    return _typed_code(text, CODE_LENGTH, "Type the class code from the projector.", "A class code")


def read_resume(text) -> str:
    return _typed_code(
        text, RESUME_LENGTH, "Type the resume code you were shown when the class started.", "A resume code"
    )


def _typed_code(text, length: int, missing: str, name: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ClassError(missing)
    code = re.sub(r"[\s-]", "", text).upper()[:40]
    if len(code) != length or any(char not in CODE_ALPHABET for char in code):
        raise ClassError(f"{name} is {length} letters and digits (no 0, O, 1, I or L).")
    return code


def read_nickname(text) -> str:
    """A nickname as plain text: control and formatting characters dropped, spaces squeezed, at most
    MAX_NICKNAME characters; an empty one becomes a generated harmless one. It is only ever shown as
    text (Dash escapes it), never as HTML."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ClassError("A nickname is text.")
    kept = "".join(char for char in text if unicodedata.category(char)[0] not in "CZ" or char == " ")
    kept = " ".join(kept.split())
    if len(kept) > MAX_NICKNAME:
        raise ClassError(f"A nickname is at most {MAX_NICKNAME} characters.")
    return kept or f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_NOUNS)}"


def check_guess(guess) -> object:
    """A guess as a store keeps it: a finite number, a pair of them, or a short text; else ClassError.
    Whether it answers the question is judged by the question's kind, on Reveal."""
    if isinstance(guess, bool) or guess is None:
        raise ClassError("Give an answer first.")
    if isinstance(guess, int | float):
        if isinstance(guess, int) and abs(guess) > 10**12 or not math.isfinite(guess) or abs(guess) > 1e12:
            raise ClassError("An answer must be a finite number.")
        return float(guess)
    if isinstance(guess, str):
        if not guess or len(guess) > MAX_ANSWER_BYTES // 4:
            raise ClassError("That answer is too long.")
        return guess
    if isinstance(guess, list | tuple) and len(guess) == 2 and not any(isinstance(part, str) for part in guess):
        return [check_guess(guess[0]), check_guess(guess[1])]
    raise ClassError("That is not an answer this class can take.")


def check_item(item) -> dict:
    """An item the teacher opens: a question (kind, seed, level) or a view (a link and a caption)."""
    if not isinstance(item, dict) or item.get("type") not in ("question", "view"):
        raise ClassError("Open a question or a view.")
    if item["type"] == "question":
        kept = {key: item.get(key) for key in ("type", "kind", "seed", "level")}
        if not isinstance(kept["kind"], str) or not isinstance(kept["seed"], int) or not isinstance(kept["level"], str):
            raise ClassError("A question needs a kind, a seed and a level.")
        return kept
    link, caption = item.get("link"), item.get("caption", "")
    if not isinstance(link, str) or not link.startswith("/") or len(link) > 1000:
        raise ClassError("A view is a link within this app.")
    return {"type": "view", "link": link, "caption": str(caption)[:200]}
