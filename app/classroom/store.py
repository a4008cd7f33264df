"""Where a live class is kept: one interface, two backends.

- ``SqliteClassStore`` (the default): the standard library's sqlite3 in WAL mode, in a file
  (CLASS_DB, by default under the system's temporary folder), so every gunicorn worker of one server
  sees the same class. A connection per call: nothing is shared across threads or a fork.
- ``RedisClassStore`` (when REDIS_URL is set): replicas share the class, as they share the trace cache.
  Every change that checks before it writes (an answer while the round is open, a join under the cap) is
  one Lua script, so it is atomic on the server.

``ClassStore`` holds the rules both keep (who may do what, and what is refused); a backend only reads
and writes. Every method that changes a class but an answer or a join needs the teacher's secret.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from app.classroom import model
from app.classroom.model import Answer, ClassError, ClassState, Joined, Round, Started
from app.tracing.cache import SQLITE_FORK_GATE

GONE = "This class has ended, or its code is wrong. Check the code on the projector."
NOT_TEACHER = "Only the class's teacher can do that."


class ClassStore:
    """The rules of a class, on top of a backend's reads and writes (``_``-methods)."""

    expiry_seconds: float

    # ---- the teacher -------------------------------------------------------------------------------

    def start(self, now: float | None = None) -> Started:
        now = time.time() if now is None else now
        self.expire(now)
        secret, resume = model.new_secret(), model.new_code(model.RESUME_LENGTH)
        for _ in range(20):  # 887 million codes: a clash is rare, and then another code is drawn
            code = model.new_code()
            if self._create(code, model.digest(secret), model.digest(resume), now):
                return Started(code, secret, resume)
        raise ClassError("Could not find a free class code; try again.")

    def resume(self, code, resume, now: float | None = None) -> str:
        """A new teacher's secret for the device that typed the resume code; the old one stops working."""
        code, resume = model.read_code(code), model.read_resume(resume)
        meta = self._meta(code, now)
        if meta is None or not hmac.compare_digest(meta["resume"], model.digest(resume)):
            raise ClassError("That resume code does not match this class.")
        secret = model.new_secret()
        self._write_meta(code, {"teacher": model.digest(secret)}, now)
        return secret

    def is_teacher(self, code, secret) -> bool:
        if not isinstance(code, str) or not isinstance(secret, str) or not secret:
            return False
        meta = self._meta(code, None)
        return meta is not None and hmac.compare_digest(meta["teacher"], model.digest(secret))

    def require_teacher(self, code, secret) -> str:
        """The code, if the class exists and the secret is its teacher's; else ClassError saying which."""
        if not isinstance(code, str) or self._meta(code, None) is None:
            raise ClassError(GONE)
        if not self.is_teacher(code, secret):
            raise ClassError(NOT_TEACHER)
        return code

    def open_item(self, code, secret, item, now: float | None = None) -> ClassState:
        """A new round: the item is shown to everyone, and answers are taken."""
        code, item = self.require_teacher(code, secret), model.check_item(item)
        self._new_round(code, item, now)
        return self.state(code)

    def set_phase(self, code, secret, phase, now: float | None = None) -> ClassState:
        code = self.require_teacher(code, secret)
        if phase not in model.PHASES:
            raise ClassError(f"A round is {', '.join(model.PHASES)}.")
        meta = self._meta(code, now)
        if int(meta["round"]) == 0:
            raise ClassError("Open a question first.")
        self._write_meta(code, {"phase": phase}, now, bump=True)
        return self.state(code)

    def set_flags(self, code, secret, *, paused=None, show_names=None, now: float | None = None) -> ClassState:
        code = self.require_teacher(code, secret)
        changes = {
            name: int(bool(value))
            for name, value in (("paused", paused), ("show_names", show_names))
            if value is not None
        }
        if changes:
            self._write_meta(code, changes, now, bump=True)
        return self.state(code)

    def answers(self, code, secret, round_number: int) -> list[Answer]:
        code = self.require_teacher(code, secret)
        return self._answers(code, round_number)

    def rounds(self, code, secret) -> list[Round]:
        """Every round so far with its answers: what the teacher downloads."""
        code = self.require_teacher(code, secret)
        return [Round(number, item, tuple(self._answers(code, number))) for number, item in self._rounds(code)]

    def end(self, code, secret) -> None:
        """End the class and delete everything about it, at once."""
        self._delete(self.require_teacher(code, secret))

    # ---- the learners ------------------------------------------------------------------------------

    def join(self, code, nickname=None, token=None, now: float | None = None) -> Joined:
        """Join (or rejoin with the token this browser already holds: the same number and nickname)."""
        code = model.read_code(code)
        if self._meta(code, now) is None:
            raise ClassError(GONE)
        if isinstance(token, str) and token:
            known = self._learner(code, model.digest(token))
            if known is not None:
                return Joined(code, token, *known)
        nickname = model.read_nickname(nickname)
        token = model.new_secret()
        number = self._add_learner(code, model.digest(token), nickname, model.MAX_LEARNERS, now)
        if number is None:
            raise ClassError(f"This class is full: it holds at most {model.MAX_LEARNERS} learners.")
        return Joined(code, token, number, nickname)

    def learner(self, code, token) -> tuple[int, str] | None:
        """(number, nickname) of the token's learner, or None for a token this class never gave."""
        if not isinstance(code, str) or not isinstance(token, str) or not token:
            return None
        return self._learner(code, model.digest(token))

    def answer(self, code, token, round_number, guess, now: float | None = None) -> None:
        """File the learner's answer for the round (replacing their earlier one), only while it is open."""
        if not isinstance(code, str) or self._meta(code, now) is None:
            raise ClassError(GONE)
        guess = model.check_guess(guess)
        if not isinstance(round_number, int) or isinstance(round_number, bool):
            raise ClassError("That answer is for no question of this class.")
        refused = self._file_answer(
            code, model.digest(token) if isinstance(token, str) else "", round_number, guess, now
        )
        if refused:
            raise ClassError(refused)

    def my_answer(self, code, token, round_number) -> object | None:
        known = self.learner(code, token)
        if known is None or not isinstance(round_number, int):
            return None
        return self._answer_of(code, round_number, known[0])

    # ---- anyone ------------------------------------------------------------------------------------

    def state(self, code, now: float | None = None) -> ClassState | None:
        meta = self._meta(code, now) if isinstance(code, str) else None
        if meta is None:
            return None
        return ClassState(
            code=code,
            version=int(meta["version"]),
            round=int(meta["round"]),
            item=json.loads(meta["item"]) if meta["item"] else None,
            phase=meta["phase"],
            paused=bool(int(meta["paused"])),
            show_names=bool(int(meta["show_names"])),
            learners=int(meta["learners"]),
            answered=self._count_answers(code, int(meta["round"])),
        )

    def expired(self, meta: dict, now: float | None) -> bool:
        return (time.time() if now is None else now) - float(meta["touched"]) > self.expiry_seconds

    # ---- what a backend provides -------------------------------------------------------------------

    def version(self, code: str) -> int | None: ...
    def expire(self, now: float | None = None) -> int: ...
    def _create(self, code: str, teacher: str, resume: str, now: float) -> bool: ...
    def _meta(self, code: str, now: float | None) -> dict | None: ...
    def _write_meta(self, code: str, changes: dict, now: float | None, bump: bool = False) -> None: ...
    def _new_round(self, code: str, item: dict, now: float | None) -> None: ...
    def _learner(self, code: str, token_digest: str) -> tuple[int, str] | None: ...
    def _add_learner(self, code: str, token_digest: str, nickname: str, cap: int, now: float | None) -> int | None: ...
    def _file_answer(self, code: str, token_digest: str, round_number: int, guess, now: float | None) -> str | None: ...
    def _answers(self, code: str, round_number: int) -> list[Answer]: ...
    def _answer_of(self, code: str, round_number: int, number: int) -> object | None: ...
    def _count_answers(self, code: str, round_number: int) -> int: ...
    def _rounds(self, code: str) -> list[tuple[int, dict]]: ...
    def _delete(self, code: str) -> None: ...


# Refusals an answer can meet, the same from both backends.
NOT_A_LEARNER = "You are not in this class (yet): join it with its code."
NOT_THIS_ROUND = "That question has moved on: answer the one on your screen."
NOT_OPEN = "Answers are locked for this question."

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, teacher TEXT NOT NULL, resume TEXT NOT NULL, version INTEGER NOT NULL,
    round INTEGER NOT NULL, item TEXT, phase TEXT NOT NULL, paused INTEGER NOT NULL,
    show_names INTEGER NOT NULL, learners INTEGER NOT NULL, touched REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS learners (
    code TEXT NOT NULL, token TEXT NOT NULL, number INTEGER NOT NULL, nickname TEXT NOT NULL,
    PRIMARY KEY (code, token)
);
CREATE TABLE IF NOT EXISTS rounds (
    code TEXT NOT NULL, round INTEGER NOT NULL, item TEXT NOT NULL, PRIMARY KEY (code, round)
);
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL, round INTEGER NOT NULL, number INTEGER NOT NULL, guess TEXT NOT NULL,
    PRIMARY KEY (code, round, number)
);
"""
META_FIELDS = ("teacher", "resume", "version", "round", "item", "phase", "paused", "show_names", "learners", "touched")


class SqliteClassStore(ClassStore):
    def __init__(self, path: str | os.PathLike, expiry_seconds: float = model.DEFAULT_EXPIRY_HOURS * 3600):
        self.path = str(path)
        self.expiry_seconds = expiry_seconds
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers (the polls) never wait for a writer
            db.executescript(SCHEMA)

    @contextlib.contextmanager
    def _connection(self, write: bool = False):
        # The fork gate: a Dash background job forks a worker thread while another may be inside SQLite.
        with SQLITE_FORK_GATE:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                db.execute("PRAGMA synchronous=NORMAL")
                if write:
                    db.execute("BEGIN IMMEDIATE")  # check and write as one: no answer slips past a lock
                yield db
                if write:
                    db.execute("COMMIT")
            except BaseException:
                if write and db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    def version(self, code: str) -> int | None:
        with self._connection() as db:
            row = db.execute("SELECT version, touched FROM classes WHERE code = ?", (code,)).fetchone()
        if row is None or self.expired({"touched": row[1]}, None):
            return None
        return int(row[0])

    def expire(self, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - self.expiry_seconds
        with self._connection(write=True) as db:
            codes = [row[0] for row in db.execute("SELECT code FROM classes WHERE touched < ?", (cutoff,))]
            for code in codes:
                self._delete_in(db, code)
        return len(codes)

    def _create(self, code: str, teacher: str, resume: str, now: float) -> bool:
        with self._connection(write=True) as db:
            if db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                return False
            db.execute(
                "INSERT INTO classes VALUES (?, ?, ?, 1, 0, NULL, ?, 0, 0, 0, ?)",
                (code, teacher, resume, model.OPEN, now),
            )
        return True

    def _meta(self, code: str, now: float | None) -> dict | None:
        with self._connection() as db:
            row = db.execute(f"SELECT {', '.join(META_FIELDS)} FROM classes WHERE code = ?", (code,)).fetchone()
        meta = dict(zip(META_FIELDS, row, strict=True)) if row else None
        return None if meta is None or self.expired(meta, now) else meta

    def _write_meta(self, code: str, changes: dict, now: float | None, bump: bool = False) -> None:
        sets = [f"{name} = ?" for name in changes] + ["touched = ?"] + (["version = version + 1"] if bump else [])
        with self._connection(write=True) as db:
            db.execute(
                f"UPDATE classes SET {', '.join(sets)} WHERE code = ?",
                (*changes.values(), time.time() if now is None else now, code),
            )

    def _new_round(self, code: str, item: dict, now: float | None) -> None:
        with self._connection(write=True) as db:
            (number,) = db.execute("SELECT round + 1 FROM classes WHERE code = ?", (code,)).fetchone()
            db.execute("INSERT INTO rounds VALUES (?, ?, ?)", (code, number, json.dumps(item)))
            db.execute(
                "UPDATE classes SET round = ?, item = ?, phase = ?, paused = 0, version = version + 1, touched = ?"
                " WHERE code = ?",
                (number, json.dumps(item), model.OPEN, time.time() if now is None else now, code),
            )

    def _learner(self, code: str, token_digest: str) -> tuple[int, str] | None:
        with self._connection() as db:
            row = db.execute(
                "SELECT number, nickname FROM learners WHERE code = ? AND token = ?", (code, token_digest)
            ).fetchone()
        return (int(row[0]), row[1]) if row else None

    def _add_learner(self, code: str, token_digest: str, nickname: str, cap: int, now: float | None) -> int | None:
        with self._connection(write=True) as db:
            row = db.execute("SELECT learners FROM classes WHERE code = ?", (code,)).fetchone()
            if row is None:
                raise ClassError(GONE)
            (count,) = row
            if count >= cap:
                return None
            db.execute("INSERT INTO learners VALUES (?, ?, ?, ?)", (code, token_digest, count + 1, nickname))
            db.execute(
                "UPDATE classes SET learners = ?, touched = ? WHERE code = ?",
                (count + 1, time.time() if now is None else now, code),
            )
        return count + 1

    def _file_answer(self, code: str, token_digest: str, round_number: int, guess, now: float | None) -> str | None:
        with self._connection(write=True) as db:
            learner = db.execute(
                "SELECT number FROM learners WHERE code = ? AND token = ?", (code, token_digest)
            ).fetchone()
            if learner is None:
                return NOT_A_LEARNER
            row = db.execute("SELECT round, phase FROM classes WHERE code = ?", (code,)).fetchone()
            if row is None:
                return GONE
            current, phase = row
            if round_number != current or current == 0:
                return NOT_THIS_ROUND
            if phase != model.OPEN:
                return NOT_OPEN
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                (code, round_number, learner[0], json.dumps(guess)),
            )
            db.execute("UPDATE classes SET touched = ? WHERE code = ?", (time.time() if now is None else now, code))
        return None

    def _answers(self, code: str, round_number: int) -> list[Answer]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT a.number, l.nickname, a.guess FROM answers a JOIN learners l"
                " ON l.code = a.code AND l.number = a.number WHERE a.code = ? AND a.round = ? ORDER BY a.number",
                (code, round_number),
            ).fetchall()
        return [Answer(int(number), nickname, json.loads(guess)) for number, nickname, guess in rows]

    def _answer_of(self, code: str, round_number: int, number: int) -> object | None:
        with self._connection() as db:
            row = db.execute(
                "SELECT guess FROM answers WHERE code = ? AND round = ? AND number = ?", (code, round_number, number)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def _count_answers(self, code: str, round_number: int) -> int:
        with self._connection() as db:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM answers WHERE code = ? AND round = ?", (code, round_number)
            ).fetchone()
        return int(count)

    def _rounds(self, code: str) -> list[tuple[int, dict]]:
        with self._connection() as db:
            rows = db.execute("SELECT round, item FROM rounds WHERE code = ? ORDER BY round", (code,)).fetchall()
        return [(int(number), json.loads(item)) for number, item in rows]

    def _delete(self, code: str) -> None:
        with self._connection(write=True) as db:
            self._delete_in(db, code)

    @staticmethod
    def _delete_in(db: sqlite3.Connection, code: str) -> None:
        for table in ("answers", "rounds", "learners", "classes"):
            db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))  # noqa: S608 - the names are constants


# Redis keys of one class, all under one prefix: meta (a hash), learners (token digest -> "number|nickname"),
# numbers (number -> nickname), rounds (round -> item), and one answers hash per round (number -> guess).
REDIS_PREFIX = "gradients:class:"

# Every write refreshes the time to live of every key of the class, so a class expires as a whole.
_TOUCH = """
local prefix, ttl, now = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local function touch()
    redis.call('HSET', prefix .. 'meta', 'touched', now)
    for _, key in ipairs({'meta', 'learners', 'numbers', 'rounds'}) do
        redis.call('EXPIRE', prefix .. key, ttl)
    end
    local rounds = tonumber(redis.call('HGET', prefix .. 'meta', 'round') or '0')
    for r = 1, rounds do redis.call('EXPIRE', prefix .. 'answers:' .. r, ttl) end
end
"""
_WRITE_META = (
    _TOUCH
    + """
if redis.call('EXISTS', prefix .. 'meta') == 0 then return 0 end
for i = 4, #ARGV, 2 do redis.call('HSET', prefix .. 'meta', ARGV[i], ARGV[i + 1]) end
if ARGV[3] == '1' then redis.call('HINCRBY', prefix .. 'meta', 'version', 1) end
touch()
return 1
"""
)
_NEW_ROUND = (
    _TOUCH
    + """
if redis.call('EXISTS', prefix .. 'meta') == 0 then return 0 end
local number = redis.call('HINCRBY', prefix .. 'meta', 'round', 1)
redis.call('HSET', prefix .. 'rounds', number, ARGV[3])
redis.call('HSET', prefix .. 'meta', 'item', ARGV[3], 'phase', ARGV[4], 'paused', 0)
redis.call('HINCRBY', prefix .. 'meta', 'version', 1)
touch()
return number
"""
)
_ADD_LEARNER = (
    _TOUCH
    + """
if redis.call('EXISTS', prefix .. 'meta') == 0 then return -1 end
local count = tonumber(redis.call('HGET', prefix .. 'meta', 'learners'))
if count >= tonumber(ARGV[5]) then return 0 end
count = redis.call('HINCRBY', prefix .. 'meta', 'learners', 1)
redis.call('HSET', prefix .. 'learners', ARGV[3], count .. '|' .. ARGV[4])
redis.call('HSET', prefix .. 'numbers', count, ARGV[4])
touch()
return count
"""
)
_FILE_ANSWER = (
    _TOUCH
    + """
local learner = redis.call('HGET', prefix .. 'learners', ARGV[3])
if not learner then return 'learner' end
local meta = redis.call('HMGET', prefix .. 'meta', 'round', 'phase')
if tonumber(meta[1]) ~= tonumber(ARGV[4]) or tonumber(meta[1]) == 0 then return 'round' end
if meta[2] ~= ARGV[6] then return 'phase' end
local number = string.match(learner, '^(%d+)|')
redis.call('HSET', prefix .. 'answers:' .. ARGV[4], number, ARGV[5])
touch()
return 'ok'
"""
)


class RedisClassStore(ClassStore):
    def __init__(self, url: str, expiry_seconds: float = model.DEFAULT_EXPIRY_HOURS * 3600):
        import redis  # noqa: PLC0415 - only this backend needs it

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, decode_responses=True)
        self.expiry_seconds = expiry_seconds
        self._scripts = {
            name: self.client.register_script(source)
            for name, source in (
                ("write_meta", _WRITE_META),
                ("new_round", _NEW_ROUND),
                ("add_learner", _ADD_LEARNER),
                ("file_answer", _FILE_ANSWER),
            )
        }

    def _key(self, code: str, part: str) -> str:
        return f"{REDIS_PREFIX}{code}:{part}"

    def _run(self, name: str, code: str, now: float | None, *args):
        now = time.time() if now is None else now
        return self._scripts[name](keys=[f"{REDIS_PREFIX}{code}:"], args=[int(self.expiry_seconds), now, *args])

    def version(self, code: str) -> int | None:
        value = self.client.hget(self._key(code, "meta"), "version")
        return int(value) if value is not None else None

    def expire(self, now: float | None = None) -> int:
        return 0  # Redis deletes each key when its time to live (refreshed by every write) runs out

    def _create(self, code: str, teacher: str, resume: str, now: float) -> bool:
        meta = {
            "teacher": teacher,
            "resume": resume,
            "version": 1,
            "round": 0,
            "item": "",
            "phase": model.OPEN,
            "paused": 0,
            "show_names": 0,
            "learners": 0,
            "touched": now,
        }
        key = self._key(code, "meta")
        if not self.client.hsetnx(key, "teacher", teacher):
            return False
        with self.client.pipeline() as pipe:
            pipe.hset(key, mapping=meta)
            pipe.expire(key, int(self.expiry_seconds))
            pipe.execute()
        return True

    def _meta(self, code: str, now: float | None) -> dict | None:
        meta = self.client.hgetall(self._key(code, "meta"))
        return meta if meta and "version" in meta else None

    def _write_meta(self, code: str, changes: dict, now: float | None, bump: bool = False) -> None:
        pairs = [str(part) for name, value in changes.items() for part in (name, value)]
        self._run("write_meta", code, now, "1" if bump else "0", *pairs)

    def _new_round(self, code: str, item: dict, now: float | None) -> None:
        self._run("new_round", code, now, json.dumps(item), model.OPEN)

    def _learner(self, code: str, token_digest: str) -> tuple[int, str] | None:
        value = self.client.hget(self._key(code, "learners"), token_digest)
        if value is None:
            return None
        number, nickname = value.split("|", 1)
        return int(number), nickname

    def _add_learner(self, code: str, token_digest: str, nickname: str, cap: int, now: float | None) -> int | None:
        number = int(self._run("add_learner", code, now, token_digest, nickname, cap))
        if number < 0:
            raise ClassError(GONE)
        return number or None

    def _file_answer(self, code: str, token_digest: str, round_number: int, guess, now: float | None) -> str | None:
        said = self._run("file_answer", code, now, token_digest, round_number, json.dumps(guess), model.OPEN)
        return {"ok": None, "learner": NOT_A_LEARNER, "round": NOT_THIS_ROUND, "phase": NOT_OPEN}.get(said, GONE)

    def _answers(self, code: str, round_number: int) -> list[Answer]:
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._key(code, f"answers:{round_number}"))
            pipe.hgetall(self._key(code, "numbers"))
            guesses, names = pipe.execute()
        return [
            Answer(int(number), names.get(number, ""), json.loads(guess))
            for number, guess in sorted(guesses.items(), key=lambda pair: int(pair[0]))
        ]

    def _answer_of(self, code: str, round_number: int, number: int) -> object | None:
        guess = self.client.hget(self._key(code, f"answers:{round_number}"), number)
        return json.loads(guess) if guess is not None else None

    def _count_answers(self, code: str, round_number: int) -> int:
        return int(self.client.hlen(self._key(code, f"answers:{round_number}")))

    def _rounds(self, code: str) -> list[tuple[int, dict]]:
        rounds = self.client.hgetall(self._key(code, "rounds"))
        return sorted((int(number), json.loads(item)) for number, item in rounds.items())

    def _delete(self, code: str) -> None:
        rounds = int(self.client.hget(self._key(code, "meta"), "round") or 0)
        parts = ["meta", "learners", "numbers", "rounds", *(f"answers:{n}" for n in range(1, rounds + 1))]
        self.client.delete(*(self._key(code, part) for part in parts))


def class_db_path() -> Path:
    return Path(os.environ.get("CLASS_DB") or Path(tempfile.gettempdir()) / "gradients-classes" / "classes.sqlite3")


def expiry_seconds_from_env() -> float:
    """CLASS_EXPIRY_HOURS (default 12): how long a class lives after its last activity."""
    try:
        hours = float(os.environ.get("CLASS_EXPIRY_HOURS", model.DEFAULT_EXPIRY_HOURS))
    except ValueError:
        hours = model.DEFAULT_EXPIRY_HOURS
    return (hours if 0 < hours <= 24 * 30 else model.DEFAULT_EXPIRY_HOURS) * 3600


def open_class_store() -> ClassStore:
    """Redis when REDIS_URL is set (replicas share classes), else SQLite at CLASS_DB."""
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisClassStore(url, expiry_seconds_from_env())
    return SqliteClassStore(class_db_path(), expiry_seconds_from_env())
