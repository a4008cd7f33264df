"""Live-class benchmark (issue 27): classes answering on their phones while others browse the pages.

    python bench/live_class.py                       # 1 class of 200 + 3 classes of 30 + 100 browsing, ~2 min
    python bench/live_class.py --big 40 --small 0 --browsing 10 --rounds 2   # a smoke run

Not a timed test: it prints a table (put in README.md) and whether the targets were met.

1. Starts gunicorn exactly as the Dockerfile does (gunicorn.conf.py: 4 workers x 2 threads) on a free
   loopback port, with a fresh SQLite class store (CLASS_DB in a temporary folder).
2. --browsing learners use the concept pages as bench/load.py's learners do (think time 1-4 s, 2.5 s on
   average) for the whole run.
3. Each class has a teacher and its learners, each with its own HTTP connections, driving the same
   callbacks their browsers would:
   - the teacher starts the class (the /class page's callback), and its dashboard polls once a second;
   - each learner joins with the code, then polls GET /class-api/version/<code> once a second, as
     assets/live_class.js does, and asks for its screen (the /join page's callback) only when the
     version moved;
   - the teacher opens a question (steepest descent); each learner answers after 2-8 s of thinking
     (some change their mind and answer twice); the teacher locks once everyone answered or after 12 s,
     and reveals; then the next round.
4. Measured: every answer's latency; for each learner and each open and reveal, the time from the
   teacher pressing the button to the learner's screen showing it (its poll, then its screen's
   request); the projector's count against the answers the learners had accepted (0 lost); and the
   browsing learners' latencies while the classes run.

Targets: answers p95 < 150 ms; screens follow open and reveal p95 < 2 s; 0 answers lost; browsing p95
< 150 ms; no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import load  # noqa: E402  (bench/load.py: gunicorn, the learner model, percentiles)

from app import ids  # noqa: E402
from tests.dash_client import _split_outputs, text_of  # noqa: E402

T, L = ids.Teacher, ids.Learner
Q = ids.Questions("/join")
TARGETS = {"answer_p95_ms": 150.0, "follow_p95_s": 2.0, "browsing_p95_ms": 150.0}
POLL_S = 1.0


class Tab:
    """One browser tab's view of a page: the values it holds, and the server callbacks it calls."""

    def __init__(self, session, base: str, dependencies: list, recorder: load.Recorder, name: str):
        self.session, self.base, self.recorder, self.name = session, base, recorder, name
        self.dependencies = [d for d in dependencies if not d.get("clientside_function")]
        self.values: dict[str, object] = {}

    def dependency(self, trigger: str, prop: str, output: str) -> dict:
        (found,) = [
            d for d in self.dependencies if {"id": trigger, "property": prop} in d["inputs"] and output in d["output"]
        ]
        return found

    async def call(self, label: str, trigger: str, prop: str, output: str, value) -> dict | None:
        self.values[f"{trigger}.{prop}"] = value
        dep = self.dependency(trigger, prop, output)
        outputs = _split_outputs(dep["output"])
        payload = {
            "output": dep["output"],
            "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": [{**s, "value": self.values.get(f"{s['id']}.{s['property']}")} for s in dep["inputs"]],
            "state": [{**s, "value": self.values.get(f"{s['id']}.{s['property']}")} for s in dep["state"]],
            "changedPropIds": [f"{trigger}.{prop}"],
        }
        answer = await load.timed(
            self.session,
            self.recorder,
            label,
            "POST",
            f"{self.base}/_dash-update-component",
            data=orjson.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        if answer is None or answer[0] == 204:
            return None
        changed = orjson.loads(answer[1])["response"]
        for component, props in changed.items():
            for name, new in props.items():
                self.values[f"{component}.{name}"] = new
        return changed


class Class:
    """One live class's shared facts: the times the teacher pressed, by version, and the answers taken."""

    def __init__(self, size: int):
        self.size = size
        self.code = ""
        self.pressed_at: dict[int, float] = {}  # version -> when the teacher pressed what made it
        self.accepted: dict[int, set[int]] = {}  # round -> the learners whose answer was accepted
        self.projector: dict[int, int] = {}  # round -> the count the projector showed at the lock
        self.round = 0
        self.open = False
        self.done = False
        self.joined = 0


def new_session(limit: int = 6) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, keepalive_timeout=4)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=15),
        headers={"Accept-Encoding": load.ACCEPT_ENCODING, "User-Agent": "bench/live_class.py"},
    )


async def version_of(session, base: str, code: str, recorder: load.Recorder) -> int | None:
    got = await load.timed(session, recorder, "GET version (poll)", "GET", f"{base}/class-api/version/{code}")
    return orjson.loads(got[1])["version"] if got else None


async def teacher(base: str, deps: list, klass: Class, recorder: load.Recorder, rounds: int) -> None:
    async with new_session() as session:
        tab = Tab(session, base, deps, recorder, "teacher")
        await tab.call("teacher: start", T.START, "n_clicks", T.SESSION, 1)
        klass.code = tab.values[f"{T.SESSION}.data"]["code"]
        deadline = time.monotonic() + 60
        while klass.joined < klass.size and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        polls = 0

        async def press(button: str, clicks: int) -> None:
            pressed = time.monotonic()
            await tab.call(f"teacher: {button}", button, "n_clicks", T.SESSION, clicks)
            version = await version_of(session, base, klass.code, recorder)
            if version is not None:
                klass.pressed_at[version] = pressed

        for number in range(1, rounds + 1):
            tab.values[f"{T.KIND}.value"], tab.values[f"{T.LEVEL}.value"] = "steepest-descent", "easy"
            klass.round, klass.open = number, True
            klass.accepted[number] = set()
            await press(T.OPEN, number)
            waited = time.monotonic()
            while time.monotonic() - waited < 12:  # the dashboard's poll, once a second
                await asyncio.sleep(POLL_S)
                polls += 1
                await tab.call("teacher: poll", T.POLL, "n_intervals", T.SESSION, polls)
                if len(klass.accepted[number]) >= klass.size:
                    break
            klass.open = False
            await press(T.LOCK, number)
            await asyncio.sleep(1.5)  # answers in flight at the lock land or are refused
            polls += 1
            await tab.call("teacher: poll", T.POLL, "n_intervals", T.SESSION, polls)
            count = tab.values.get(f"{T.COUNT}.children", "")
            klass.projector[number] = int(count.split(" of ")[0]) if " of " in str(count) else -1
            await press(T.REVEAL, number)
            await asyncio.sleep(5)
        klass.done = True


async def class_learner(
    index: int, base: str, deps: list, klass: Class, recorder: load.Recorder, follows: list[float]
) -> None:
    rng = random.Random(index)
    async with new_session(limit=2) as session:
        while not klass.code:
            await asyncio.sleep(0.2)
        await asyncio.sleep(rng.uniform(0, 5))  # they do not all join in the same second
        tab = Tab(session, base, deps, recorder, "learner")
        tab.values[f"{L.CODE}.value"], tab.values[f"{L.NICKNAME}.value"] = klass.code, ""
        await tab.call("learner: join", L.JOIN, "n_clicks", L.SESSION, 1)
        if not isinstance(tab.values.get(f"{L.SESSION}.data"), dict):
            recorder.error("learner: join", "refused")
            return
        number = tab.values[f"{L.SESSION}.data"]["number"]
        klass.joined += 1
        shown_version, answered_round, sends = None, 0, 0
        next_poll = time.monotonic() + rng.uniform(0, POLL_S)
        answer_at = None
        while not klass.done:
            now = time.monotonic()
            if answer_at is not None and now >= answer_at:
                answer_at = None
                round_number = tab.values.get(f"{L.ROUND}.data")
                tab.values[f"{Q.number}.value"] = str(rng.randint(0, 359))
                sends += 1
                await tab.call("learner: send answer", L.SEND, "n_clicks", L.SENT, sends)
                if "Answer sent" in text_of(tab.values.get(f"{L.SENT}.children")) and round_number == klass.round:
                    klass.accepted.setdefault(round_number, set()).add(number)
                    if rng.random() < 0.2 and klass.open:  # a change of mind, a few seconds later
                        answer_at = time.monotonic() + rng.uniform(1, 3)
                continue
            if now < next_poll:
                await asyncio.sleep(min(next_poll, answer_at or next_poll) - now)
                continue
            next_poll += POLL_S
            version = await version_of(session, base, klass.code, recorder)
            if version is None or version == shown_version:
                continue
            await tab.call("learner: screen", L.VERSION, "data", L.WHO, version)
            shown_version = version
            if version in klass.pressed_at:
                follows.append(time.monotonic() - klass.pressed_at[version])
            round_number = tab.values.get(f"{L.ROUND}.data")
            panel_open = tab.values.get(f"{Q.panel}.className", "") == "question-panel join-question"
            if panel_open and round_number and round_number != answered_round:
                answered_round = round_number
                answer_at = time.monotonic() + rng.uniform(2, 8)


async def run(args, base: str, master_pid: int) -> bool:
    await load.wait_until_up(base)
    async with new_session() as session:
        got = await load.timed(session, load.Recorder(), "deps", "GET", f"{base}/_dash-dependencies")
        deps = orjson.loads(got[1])
    browsing = load.Recorder()
    stop_browsing = time.monotonic() + 3600
    learner_args = load.learner_args()
    others = []
    for n in range(args.browsing):
        others.append(asyncio.create_task(load.learner(n, base, browsing, stop_browsing, learner_args)))
        await asyncio.sleep(10 / max(args.browsing, 1))
    browsing.measuring = True

    classes = [Class(args.big)] + [Class(args.small) for _ in range(args.small_classes if args.small else 0)]
    recorder = load.Recorder()
    recorder.measuring = True
    follows: list[float] = []
    cpu_start = load.server_cpu_seconds(master_pid)
    started = time.monotonic()
    tasks = []
    for klass in classes:
        tasks.append(asyncio.create_task(teacher(base, deps, klass, recorder, args.rounds)))
        tasks.extend(
            asyncio.create_task(class_learner(len(tasks) * 1000 + n, base, deps, klass, recorder, follows))
            for n in range(klass.size)
        )
    await asyncio.wait(tasks, timeout=60 + args.rounds * 40)
    seconds = time.monotonic() - started
    cpu = load.server_cpu_seconds(master_pid) - cpu_start
    browsing.measuring = False
    for task in others + tasks:
        task.cancel()

    answers = sorted(recorder.latencies.get("learner: send answer", []))
    polls = sorted(recorder.latencies.get("GET version (poll)", []))
    screens = sorted(recorder.latencies.get("learner: screen", []))
    browse = sorted(ms for values in browsing.latencies.values() for ms in values)
    follow = sorted(follows)
    lost = sum(
        max(0, len(klass.accepted.get(r, ())) - klass.projector.get(r, 0)) for klass in classes for r in klass.projector
    )
    miscounted = [
        (klass.code, r, len(klass.accepted.get(r, ())), klass.projector[r])
        for klass in classes
        for r in klass.projector
        if klass.projector[r] != len(klass.accepted.get(r, ()))
    ]

    def row(name: str, values: list[float], unit: str = "ms", scale: float = 1.0) -> str:
        if not values:
            return f"{name:<44} {'-':>7}"
        p = [load.percentile(values, q) * scale for q in (0.5, 0.95, 0.99)]
        return f"{name:<44} {len(values):>7} {p[0]:>8.1f} {p[1]:>8.1f} {p[2]:>8.1f} {max(values) * scale:>8.1f} {unit}"

    sizes = " + ".join(str(k.size) for k in classes)
    print(f"\nClasses of {sizes} learners ({args.rounds} rounds each) + {args.browsing} browsing, {seconds:.0f} s")
    print(f"{'':<44} {'count':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    print(row("answer sent (ms)", answers))
    print(row("version poll (ms)", polls))
    print(row("screen when the version moved (ms)", screens))
    print(row("teacher pressed -> phone shows it (s)", follow, "s"))
    print(row("browsing learners' callbacks (ms)", browse))
    errors = sum(recorder.errors.values()) + sum(browsing.errors.values())
    print(f"errors: {errors} {dict(recorder.errors) | dict(browsing.errors)}")
    print(f"answers accepted {sum(len(v) for k in classes for v in k.accepted.values())}, lost {lost}")
    if miscounted:
        print(f"projector count differs from accepted answers: {miscounted[:5]}")
    print(f"server CPU {cpu:.1f} s over {seconds:.0f} s ({cpu / seconds:.2f} cores)")
    met = (
        bool(answers)
        and load.percentile(answers, 0.95) < TARGETS["answer_p95_ms"]
        and bool(follow)
        and load.percentile(follow, 0.95) < TARGETS["follow_p95_s"]
        and (not browse or load.percentile(browse, 0.95) < TARGETS["browsing_p95_ms"])
        and lost == 0
        and not miscounted
        and errors == 0
    )
    print(f"targets {TARGETS}, 0 lost, 0 errors: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=200, help="learners in the big class")
    parser.add_argument("--small", type=int, default=30, help="learners in each small class (0: none)")
    parser.add_argument("--small-classes", type=int, default=3)
    parser.add_argument("--browsing", type=int, default=100, help="learners browsing the pages meanwhile")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port = load.free_port()
    with tempfile.TemporaryDirectory(prefix="class-bench-") as folder:
        os.environ["CLASS_DB"] = str(Path(folder) / "classes.sqlite3")
        os.environ.pop("REDIS_URL", None)
        log = open(Path(folder) / "gunicorn.log", "w")  # noqa: SIM115 - closed with the folder
        server = load.start_gunicorn(port, log)
        try:
            met = asyncio.run(run(args, f"http://127.0.0.1:{port}", server.pid))
        finally:
            load.stop_gunicorn(server)
            log.close()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
