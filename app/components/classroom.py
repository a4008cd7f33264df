"""A live class, as the pages show it: the store and the join limiter of this server, what a learner's
phone shows for the class's state, what the projector shows on Reveal, and the teacher's CSV.

The truth is computed only here, on the server, when the round is revealed: a learner's phone holds the
kind, the seed and the level of the question, as on every page, and never the answer before Reveal.
"""

from __future__ import annotations

import collections
import functools
import os

import segno
from dash import html
from flask import Flask, current_app, jsonify, request
from limits import parse, storage, strategies
from werkzeug.middleware.proxy_fix import ProxyFix

from app.classroom import model
from app.classroom.model import ClassError
from app.classroom.store import ClassStore, open_class_store
from app.components.downloads import csv_filename, csv_text
from app.components.questions import made, read_stored
from app.figures import questions as figures
from app.questions import base
from app.questions.registry import KINDS

STORE_KEY = "gradients.classes"
LIMITER_KEY = "gradients.join-limiter"
VERSION_PATH = "/class-api/version/<code>"
WRONG_CODES = parse("10/minute")  # wrong join or resume codes per client: a person mistyping never meets it
TOO_MANY = "Too many wrong codes from this device: wait a minute, then check the code on the projector."
POLL_MS = 1000  # a learner's screen follows the teacher within about this, plus one request


def install(server: Flask) -> None:
    """This server's class store and join limiter, the version route the learners poll, and the client
    address taken from X-Forwarded-For through TRUSTED_PROXIES proxies (0: the address as it arrives;
    1 behind the bundled nginx). A learner cannot pose as another address past a proxy that is not counted."""
    server.extensions[STORE_KEY] = open_class_store()
    url = os.environ.get("REDIS_URL")
    server.extensions[LIMITER_KEY] = strategies.MovingWindowRateLimiter(
        storage.storage_from_string(url if url else "memory://")
    )
    proxies = os.environ.get("TRUSTED_PROXIES", "0")
    count = int(proxies) if proxies.isdigit() else 0
    if count:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)

    @server.route(VERSION_PATH.replace("<code>", "<string:code>"))
    def class_version(code: str):
        """What a learner's browser polls: one number, read from the store; no page is built."""
        known = len(code) == model.CODE_LENGTH and all(char in model.CODE_ALPHABET for char in code)
        version = class_store().version(code) if known else None
        response = jsonify({"version": version})
        response.status_code = 200 if version is not None else 404
        response.headers["Cache-Control"] = "no-store"
        return response


def class_store() -> ClassStore:
    return current_app.extensions[STORE_KEY]


def check_attempts() -> None:
    """Refuse this client while it has used up its wrong codes (ClassError with TOO_MANY)."""
    if not current_app.extensions[LIMITER_KEY].test(WRONG_CODES, "class-code", client()):
        raise ClassError(TOO_MANY)


def count_wrong_attempt() -> None:
    current_app.extensions[LIMITER_KEY].hit(WRONG_CODES, "class-code", client())


def client() -> str:
    return request.remote_addr or "unknown"


def join_link(code: str) -> str:
    return f"{request.host_url.rstrip('/')}/join?code={code}"


def qr_data_uri(link: str) -> str:
    """The join link as a QR code: SVG, made here by segno (no network), dark on white."""
    return segno.make(link, error="m").svg_data_uri(scale=8, border=2, dark="#1f2933", light="#ffffff")


def spaced(code: str) -> str:
    """K7M2QX as "K7M 2QX": easier to read off a projector."""
    return f"{code[:3]} {code[3:]}"


# ---- questions in class ---------------------------------------------------------------------------


def question_of(item: dict | None) -> base.Question | None:
    if not item or item.get("type") != "question":
        return None
    return read_stored({"kind": item.get("kind"), "seed": item.get("seed"), "level": item.get("level")})


@functools.lru_cache(maxsize=128)
def solution(kind: str, seed: int, level: str) -> base.Solution:
    """A question's truth and its mistakes' answers, solved once per worker: when a class of 200 reveals,
    every phone asks for its verdict at once, and some kinds run descents to know the truth. A memo of a
    pure function of its arguments, not state."""
    question = made(kind, seed, level)
    return KINDS[kind].solve(question)


def verdict_on(question: base.Question, guess) -> base.Verdict | None:
    """The verdict on a stored guess, or None for a guess the question cannot read."""
    try:
        return KINDS[question.kind].reveal(question, guess, solution(question.kind, question.seed, question.level))
    except base.GuessError:
        return None


def item_of_question(question: base.Question) -> dict:
    return {"type": "question", "kind": question.kind, "seed": question.seed, "level": question.level}


def class_results(question: base.Question, answers: list[model.Answer], names: bool) -> tuple[dict, str]:
    """The projector's Reveal: every guess on the question's figure with the truth, and one line of what
    the class thinks (the share right and the most common named mistake)."""
    judged = [(answer, verdict_on(question, answer.guess)) for answer in answers]
    judged = [(answer, verdict) for answer, verdict in judged if verdict is not None]
    solved = solution(question.kind, question.seed, question.level)
    rights = [verdict.right for _, verdict in judged]
    figure = figures.class_figure(
        question,
        solved.truth,
        [verdict.guess for _, verdict in judged],
        rights,
        [answer.nickname for answer, _ in judged] if names else None,
    )
    return figure, summary_line(judged, solved)


def summary_line(judged: list, solved: base.Solution) -> str:
    if not judged:
        return "Nobody answered this one."
    right = sum(1 for _, verdict in judged if verdict.right)
    line = f"{right} of {len(judged)} right ({round(100 * right / len(judged))}%)."
    mistakes = collections.Counter(verdict.mistake for _, verdict in judged if verdict.mistake)
    if mistakes:
        key, count = mistakes.most_common(1)[0]
        message = next(mistake.message for mistake in solved.mistakes if mistake.key == key)
        line += f" Most common mistake, {count} learner{'s' if count != 1 else ''}: {message}"
    return line


def results_csv(code: str, rounds: list[model.Round]) -> dict:
    """The teacher's download: one row per answer of every question, then each question's share right
    and its mistakes (by name and count)."""
    rows = []
    for entry in rounds:
        question = question_of(entry.item)
        if question is None:
            continue
        judged = [(answer, verdict_on(question, answer.guess)) for answer in entry.answers]
        right = sum(1 for _, verdict in judged if verdict is not None and verdict.right)
        mistakes = collections.Counter(verdict.mistake for _, verdict in judged if verdict and verdict.mistake)
        share = f"{right}/{len(judged)}" if judged else "0/0"
        summary = "; ".join(f"{key} x{count}" for key, count in mistakes.most_common())
        for answer, verdict in judged:
            rows.append(
                (
                    entry.round,
                    question.kind,
                    question.seed,
                    question.level,
                    answer.number,
                    answer.nickname,
                    answer_text(answer.guess),
                    "" if verdict is None else ("yes" if verdict.right else "no"),
                    "" if verdict is None or verdict.mistake is None else verdict.mistake,
                    share,
                    summary,
                )
            )
        if not judged:
            rows.append((entry.round, question.kind, question.seed, question.level, "", "", "", "", "", share, ""))
    header = (
        "question",
        "kind",
        "seed",
        "level",
        "learner",
        "nickname",
        "answer",
        "right",
        "mistake",
        "share right",
        "mistakes in class",
    )
    return {"content": csv_text(header, rows), "filename": csv_filename("class", code, "results"), "type": "text/csv"}


def answer_text(guess) -> str:
    if isinstance(guess, list):
        return f"({guess[0]:g}, {guess[1]:g})"
    return f"{guess:g}" if isinstance(guess, float) else str(guess)


def status_block(title: str, text: str, kind: str) -> html.Div:
    """A learner's screen when there is nothing to answer: big, short, and read out (role=status parent)."""
    return html.Div([html.H2(title), html.P(text)], className=f"class-screen class-screen-{kind}")
