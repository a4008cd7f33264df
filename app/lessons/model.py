"""A lesson as data: what it holds, its bounds, and its two portable forms.

A lesson is a title and 1 to MAX_STEPS steps. A step is a view (any link the app opens: a path and its
query) or a question (a kind and a seed, at a level), and may carry a one-line caption.

- The file form is canonical JSON (``to_json``), what "Download" saves and the built-in lessons are.
- The link form is ``v1.`` and the compact JSON, raw-deflated and base64url-encoded (``encode``). It goes
  after ``#lesson=`` in an address, so it never reaches a server's logs or its request-line limit.

Someone else's lesson is data: ``from_dict`` accepts only this shape, within these bounds, and says
which step is wrong and why. Nothing here renders or runs anything; whether each view's settings are
ones its page can use is the page's own check (app/pages/lesson.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from app.questions.base import EASY, LEVELS, GuessError, read_seed
from app.questions.registry import KINDS

FORMAT = "gradients-lesson"
VERSION = 1
PREFIX = f"v{VERSION}."
MAX_STEPS = 60
MAX_BYTES = 16 * 1024  # of the lesson's JSON, in either form
MAX_CAPTION = 200
MAX_TITLE = 120
MAX_LINK = 1000
# base64 of deflated JSON is at most 4/3 of it plus deflate's few bytes of overhead per block
MAX_CODE = len(PREFIX) + (MAX_BYTES + MAX_BYTES // 1000 * 5 + 64) * 4 // 3 + 4


class LessonError(ValueError):
    """Why a lesson (or one of its steps) cannot be used, in words for the teacher."""


@dataclass(frozen=True)
class Step:
    view: str | None = None  # a path and query, e.g. "/descent?lr1=0.5&step1=3"
    question: str | None = None  # a question's kind, e.g. "descent-step"
    seed: int = 0
    level: str = EASY
    caption: str = ""

    @property
    def link(self) -> str:
        """The address this step opens (a question opens on its page, asked by its link)."""
        if self.view is not None:
            return self.view
        kind = KINDS[self.question]
        level = "" if self.level == EASY else f"&level={self.level}"
        return f"{kind.page}?q={kind.key}&seed={self.seed}{level}"

    def as_dict(self) -> dict:
        entry = {"view": self.view} if self.view is not None else {"question": self.question, "seed": self.seed}
        if self.view is None and self.level != EASY:
            entry["level"] = self.level
        if self.caption:
            entry["caption"] = self.caption
        return entry


@dataclass(frozen=True)
class Lesson:
    title: str
    steps: tuple[Step, ...]

    def as_dict(self) -> dict:
        return {"title": self.title, "steps": [step.as_dict() for step in self.steps]}


# ---- the two forms -------------------------------------------------------------------------------------


def to_json(lesson: Lesson) -> str:
    """The file form: canonical, readable JSON (one step per line), as the built-in lessons are stored."""
    head = {"format": FORMAT, "version": VERSION, "title": lesson.title}
    lines = [f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in head.items()]
    steps = ",\n".join(f"    {json.dumps(step.as_dict(), ensure_ascii=False)}" for step in lesson.steps)
    return "{\n" + "\n".join(lines) + '\n  "steps": [\n' + steps + "\n  ]\n}\n"


def from_json(text: str | bytes) -> Lesson:
    """A lesson file read and checked; LessonError says what is wrong with it."""
    if len(text) > MAX_BYTES:
        raise LessonError(f"This lesson file is larger than {MAX_BYTES // 1024} KB.")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise LessonError("This file is not a lesson: it is not JSON.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LessonError("This file is not a lesson of this app (its “format” is not “gradients-lesson”).")
    if data.get("version") != VERSION:
        raise LessonError(_version_message(data.get("version")))
    return from_dict({key: value for key, value in data.items() if key not in ("format", "version")})


def _compact(lesson: Lesson) -> bytes:
    return json.dumps(lesson.as_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def encode(lesson: Lesson) -> str:
    """The link form: what follows ``#lesson=``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(_compact(lesson)) + packer.flush()
    return PREFIX + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(code: str) -> Lesson:
    """A lesson link's code read and checked; LessonError says what is wrong with it."""
    if not isinstance(code, str) or not code:
        raise LessonError("This lesson link is empty.")
    if len(code) > MAX_CODE:
        raise LessonError(f"This lesson link is too long: a lesson holds at most {MAX_BYTES // 1024} KB.")
    version, dot, body = code.partition(".")
    if not dot or not version.startswith("v"):
        raise LessonError("This is not a lesson link: it should start with “v1.”.")
    if version + "." != PREFIX:
        raise LessonError(_version_message(version[1:]))
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        unpacker = zlib.decompressobj(-15)
        text = unpacker.decompress(packed, MAX_BYTES + 1)  # never more than that, whatever it claims
    except (binascii.Error, ValueError, zlib.error):
        raise LessonError("This lesson link is damaged: part of it may be missing.") from None
    if len(text) > MAX_BYTES or unpacker.unconsumed_tail:
        raise LessonError(f"This lesson is larger than {MAX_BYTES // 1024} KB.")
    if not unpacker.eof or unpacker.unused_data:
        raise LessonError("This lesson link is damaged: part of it may be missing, or more was added.")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise LessonError("This lesson link is damaged: it does not hold a lesson.") from None
    return from_dict(data)


def _version_message(version) -> str:
    shown = str(version)[:10]
    return f"This lesson was saved by another version of the app (version {shown}); this one reads version {VERSION}."


# ---- checking someone else's lesson ---------------------------------------------------------------------


def from_dict(data) -> Lesson:
    """A lesson from plain data, checked shape by shape; the first problem is the LessonError."""
    if not isinstance(data, dict):
        raise LessonError("A lesson is a title and a list of steps.")
    unknown = sorted(set(data) - {"title", "steps"})
    if unknown:
        raise LessonError(f"A lesson has a title and steps, not “{str(unknown[0])[:40]}”.")
    title = plain_text(data.get("title"), "The lesson's title", MAX_TITLE)
    if not title:
        raise LessonError("The lesson needs a title.")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise LessonError("The lesson has no steps.")
    if len(steps) > MAX_STEPS:
        raise LessonError(f"A lesson holds at most {MAX_STEPS} steps; this one has {len(steps)}.")
    lesson = Lesson(title, tuple(_step(number, entry) for number, entry in enumerate(steps, start=1)))
    if len(_compact(lesson)) > MAX_BYTES:
        raise LessonError(f"This lesson is larger than {MAX_BYTES // 1024} KB.")
    return lesson


def _step(number: int, entry) -> Step:
    where = f"Step {number}"
    if not isinstance(entry, dict):
        raise LessonError(f"{where} is not a view or a question.")
    unknown = sorted(set(entry) - {"view", "question", "seed", "level", "caption"})
    if unknown:
        raise LessonError(f"{where}: a step has no “{str(unknown[0])[:40]}”.")
    caption = plain_text(entry.get("caption", ""), f"{where}'s caption", MAX_CAPTION)
    if ("view" in entry) == ("question" in entry):
        raise LessonError(f"{where} must be either a view or a question.")
    if "view" in entry:
        if "seed" in entry or "level" in entry:
            raise LessonError(f"{where}: a view has no seed or level (a question does).")
        return Step(view=view_link(entry["view"], where), caption=caption)
    kind = entry["question"]
    if not isinstance(kind, str) or kind not in KINDS:
        raise LessonError(f"{where}: there is no question called “{str(kind)[:40]}”.")
    try:
        seed = read_seed(entry.get("seed", 0))
    except GuessError as refused:
        raise LessonError(f"{where}: {refused}") from None
    level = entry.get("level", EASY)
    if level not in LEVELS:
        raise LessonError(f"{where}: the level is {' or '.join(LEVELS)}, not “{str(level)[:40]}”.")
    return Step(question=kind, seed=seed, level=level, caption=caption)


def view_link(link, where: str) -> str:
    """A link inside this app: a path and a query, nothing that leaves the site or runs."""
    if not isinstance(link, str) or not link:
        raise LessonError(f"{where}: a view is a link such as “/descent?lr1=0.5”.")
    if len(link) > MAX_LINK:
        raise LessonError(f"{where}: the link is longer than {MAX_LINK} characters.")
    parts = urlsplit(link)
    if (
        parts.scheme
        or parts.netloc
        or not link.startswith("/")
        or link.startswith("//")
        or "\\" in link
        or any(unicodedata.category(c)[0] in "CZ" for c in link)
    ):
        raise LessonError(f"{where}: a view must be a page of this app, such as “/descent?lr1=0.5”, not “{link[:60]}”.")
    if parts.fragment or "#" in link:
        raise LessonError(f"{where}: a view's link has no “#” part.")
    return link


def query_of(link: str) -> tuple[str, dict]:
    """A view's path and its query as Dash's router hands it to the page's layout (a repeated key: a list)."""
    parts = urlsplit(link)
    return parts.path, {key: values[0] if len(values) == 1 else values for key, values in parse_qs(parts.query).items()}


def plain_text(value, what: str, most: int) -> str:
    """One line of plain text: shown as text, never as HTML, and without control characters."""
    if not isinstance(value, str):
        raise LessonError(f"{what} must be text.")
    if len(value) > most:
        raise LessonError(f"{what} is longer than {most} characters.")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise LessonError(f"{what} must be one line of plain text.")
    return value.strip()
