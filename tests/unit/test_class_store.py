"""The live class's store: one suite, run against SQLite and against a throwaway redis-server."""

from __future__ import annotations

import re
import threading
import time

import pytest

from app.classroom import model
from app.classroom.model import ClassError
from app.classroom.store import (
    GONE,
    NOT_A_LEARNER,
    NOT_OPEN,
    NOT_TEACHER,
    NOT_THIS_ROUND,
    RedisClassStore,
    SqliteClassStore,
)

QUESTION = {"type": "question", "kind": "steepest-descent", "seed": 41, "level": "easy"}
VIEW = {"type": "view", "link": "/descent?lr=0.1", "caption": "Look at the path"}


@pytest.fixture(params=["sqlite", "redis"])
def store_factory(request, tmp_path):
    """Makes a store of either backend, with a given expiry; every store of one test shares its data."""
    if request.param == "sqlite":
        return lambda expiry=3600.0: SqliteClassStore(tmp_path / "classes.sqlite3", expiry)
    url = request.getfixturevalue("redis_url")
    return lambda expiry=3600.0: RedisClassStore(url, expiry)


@pytest.fixture
def store(store_factory):
    return store_factory()


def test_a_class_starts_with_a_readable_code_and_secrets_stored_only_hashed(store):
    started = store.start()
    assert len(started.code) == model.CODE_LENGTH and set(started.code) <= set(model.CODE_ALPHABET)
    assert not set(started.code) & set("01OIL")
    state = store.state(started.code)
    assert (state.version, state.round, state.item, state.learners, state.answered) == (1, 0, None, 0, 0)
    assert store.is_teacher(started.code, started.secret)
    assert not store.is_teacher(started.code, started.resume), "the resume code is not the teacher's secret"
    assert not store.is_teacher(started.code, "x" + started.secret)
    meta = store._meta(started.code, None)
    assert started.secret not in str(meta) and started.resume not in str(meta), "only digests are kept"
    assert meta["teacher"] == model.digest(started.secret)


def test_join_rejoin_answer_reanswer_lock_reveal(store):
    started = store.start()
    code = started.code
    ada = store.join(code.lower(), "Ada")  # a typed code is tidied: case does not matter
    bob = store.join(f"{code[:3]}-{code[3:]}", "")
    assert (ada.number, ada.nickname) == (1, "Ada")
    assert bob.number == 2 and bob.nickname, "no nickname: a generated one"
    again = store.join(code, "Someone else", token=ada.token)
    assert (again.number, again.nickname, again.token) == (1, "Ada", ada.token), "a reload keeps the place"
    assert store.state(code).learners == 2

    with pytest.raises(ClassError, match="Open a question first"):
        store.set_phase(code, started.secret, model.LOCKED)
    version = store.version(code)
    state = store.open_item(code, started.secret, QUESTION)
    assert state.round == 1 and state.phase == model.OPEN and state.item == QUESTION
    assert store.version(code) == version + 1, "opening moves the version the learners poll"

    store.answer(code, ada.token, 1, 30.0)
    store.answer(code, bob.token, 1, 210.0)
    store.answer(code, ada.token, 1, 45.0)  # a changed mind replaces the answer
    assert store.state(code).answered == 2
    assert store.my_answer(code, ada.token, 1) == 45.0
    assert [(a.number, a.nickname, a.guess) for a in store.answers(code, started.secret, 1)] == [
        (1, "Ada", 45.0),
        (2, bob.nickname, 210.0),
    ]
    version = store.version(code)
    store.set_phase(code, started.secret, model.LOCKED)
    assert store.version(code) == version + 1
    with pytest.raises(ClassError, match=re.escape(NOT_OPEN)):
        store.answer(code, bob.token, 1, 0.0)
    assert store.my_answer(code, bob.token, 1) == 210.0, "a refused answer changes nothing"
    assert store.set_phase(code, started.secret, model.REVEALED).phase == model.REVEALED

    store.open_item(code, started.secret, VIEW)
    with pytest.raises(ClassError, match=re.escape(NOT_THIS_ROUND)):
        store.answer(code, ada.token, 1, 1.0)
    store.answer(code, ada.token, 2, [1.5, -2.0])
    rounds = store.rounds(code, started.secret)
    assert [(r.round, r.item, len(r.answers)) for r in rounds] == [(1, QUESTION, 2), (2, VIEW, 1)]
    assert rounds[1].answers[0].guess == [1.5, -2.0]


def test_pause_and_names_flags(store):
    started = store.start()
    state = store.set_flags(started.code, started.secret, paused=True)
    assert state.paused and not state.show_names
    state = store.set_flags(started.code, started.secret, show_names=True, paused=False)
    assert state.show_names and not state.paused
    store.set_flags(started.code, started.secret, paused=True)
    assert not store.open_item(started.code, started.secret, QUESTION).paused, "a new item resumes everyone"


def test_only_the_teacher_runs_the_class_and_a_learner_touches_only_their_own_answer(store):
    started, other = store.start(), store.start()
    code = started.code
    ada = store.join(code, "Ada")
    store.open_item(code, started.secret, QUESTION)
    for secret in (None, "", ada.token, other.secret, started.resume, 41, ["x"]):
        with pytest.raises(ClassError, match=re.escape(NOT_TEACHER)):
            store.open_item(code, secret, VIEW)
        with pytest.raises(ClassError, match=re.escape(NOT_TEACHER)):
            store.set_phase(code, secret, model.REVEALED)
        with pytest.raises(ClassError, match=re.escape(NOT_TEACHER)):
            store.set_flags(code, secret, paused=True)
        with pytest.raises(ClassError, match=re.escape(NOT_TEACHER)):
            store.answers(code, secret, 1)
        with pytest.raises(ClassError, match=re.escape(NOT_TEACHER)):
            store.rounds(code, secret)
        with pytest.raises(ClassError, match=re.escape(NOT_TEACHER)):
            store.end(code, secret)
    state = store.state(code)
    assert (state.round, state.phase, state.paused) == (1, model.OPEN, False), "nothing a refusal touched changed"

    store.answer(code, ada.token, 1, 10.0)
    for forged in ("", "forged", model.digest(ada.token), started.secret, None, 5):
        with pytest.raises(ClassError, match=re.escape(NOT_A_LEARNER)):
            store.answer(code, forged, 1, 99.0)
    with pytest.raises(ClassError, match=re.escape(NOT_A_LEARNER)):
        store.answer(other.code, ada.token, 1, 99.0)  # a token belongs to one class
    assert [a.guess for a in store.answers(code, started.secret, 1)] == [10.0], "a forged token overwrote nobody"


def test_bad_values_are_refused_with_a_message(store):
    started = store.start()
    ada = store.join(started.code, "Ada")
    store.open_item(started.code, started.secret, QUESTION)
    for guess in (float("nan"), float("inf"), 10**400, None, True, {"a": 1}, [1, 2, 3], "x" * 500, [1, "nan"]):
        with pytest.raises(ClassError):
            store.answer(started.code, ada.token, 1, guess)
    for round_number in ("1", 1.0, None, True, 2, 0):
        with pytest.raises(ClassError):
            store.answer(started.code, ada.token, round_number, 1.0)
    for nickname in ("x" * 25, 42, ["Ada"]):
        with pytest.raises(ClassError):
            store.join(started.code, nickname)
    assert store.join(started.code, "  <b>Bo</b>\u200b\n b  ").nickname == "<b>Bo</b> b", "plain text, squeezed"
    for code in ("", None, "ABC", "O0O0O0", "ABCDEFG", 123456):
        with pytest.raises(ClassError):
            store.join(code, "x")
    for item in (None, {"type": "other"}, {"type": "view", "link": "https://evil.example"}, {"type": "question"}):
        with pytest.raises(ClassError):
            store.open_item(started.code, started.secret, item)
    with pytest.raises(ClassError):
        store.set_phase(started.code, started.secret, "sideways")
    assert store.state(started.code).answered == 0


def test_a_wrong_code_is_refused_and_a_resume_code_moves_the_teacher(store):
    started = store.start()
    missing = "".join(reversed(started.code)) if started.code[::-1] != started.code else "ZZZZZZ"
    with pytest.raises(ClassError, match=re.escape(GONE)):
        store.join(missing, "Ada")
    with pytest.raises(ClassError, match="does not match"):
        store.resume(started.code, model.new_code(model.RESUME_LENGTH))
    secret = store.resume(started.code.lower(), started.resume.lower())
    assert store.is_teacher(started.code, secret)
    assert not store.is_teacher(started.code, started.secret), "the old device no longer runs the class"


def test_the_cap_of_learners(store, monkeypatch):
    monkeypatch.setattr(model, "MAX_LEARNERS", 5)
    started = store.start()
    joined = [store.join(started.code) for _ in range(5)]
    assert [j.number for j in joined] == [1, 2, 3, 4, 5]
    with pytest.raises(ClassError, match="full"):
        store.join(started.code, "Late")
    assert store.join(started.code, token=joined[0].token).number == 1, "someone already in can come back"
    assert store.state(started.code).learners == 5


def test_concurrent_answers_and_joins_from_many_threads_lose_nothing(store_factory):
    store = store_factory()
    started = store.start()
    store.open_item(started.code, started.secret, QUESTION)
    tokens, errors = [None] * 60, []

    def learner(index: int) -> None:
        own = store_factory()  # as on another worker
        try:
            joined = own.join(started.code, f"L{index}")
            tokens[index] = joined.token
            for attempt in range(3):
                own.answer(started.code, joined.token, 1, float(index * 10 + attempt))
        except Exception as error:  # noqa: BLE001 - collected and reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=learner, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    answers = store.answers(started.code, started.secret, 1)
    assert len(answers) == 60 == store.state(started.code).answered == store.state(started.code).learners
    assert sorted(a.number for a in answers) == list(range(1, 61)), "every learner has their own number"
    by_name = {a.nickname: a.guess for a in answers}
    assert by_name == {f"L{n}": float(n * 10 + 2) for n in range(60)}, "each learner's last answer, nobody else's"


def test_a_class_expires_after_its_last_activity_and_end_deletes_it_at_once(store_factory, store):
    started = store.start()
    ada = store.join(started.code, "Ada")
    store.open_item(started.code, started.secret, QUESTION)
    store.answer(started.code, ada.token, 1, 1.0)
    store.end(started.code, started.secret)
    assert store.state(started.code) is None and store.version(started.code) is None
    with pytest.raises(ClassError, match=re.escape(GONE)):
        store.join(started.code, token=ada.token)
    with pytest.raises(ClassError, match=re.escape(GONE)):
        store.answer(started.code, ada.token, 1, 2.0)

    short = store_factory(expiry=1.0)
    kept, idle = short.start(), short.start()
    time.sleep(0.6)
    short.join(kept.code, "Active")  # activity keeps a class alive
    time.sleep(0.7)
    assert short.state(kept.code) is not None
    time.sleep(0.2)
    assert short.state(idle.code) is None and short.version(idle.code) is None, "idle past its expiry: gone"
    short.expire()
    time.sleep(1.3)
    assert short.state(kept.code) is None
