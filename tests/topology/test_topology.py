"""The app is stateless, proven on the production topology (tests/topology/stack.py): two gunicorn
instances sharing one Redis, nginx with deploy/nginx/app.conf in front, all on loopback.

- one learner's callbacks work when every request goes to the other instance than the one before;
- the same through nginx;
- a code trace started on one instance and polled only through the other completes (the background
  job's result is in Redis, app/components/trace_jobs.py), and one through nginx completes;
- a class keeps working with 0 failed requests while one instance is stopped (SIGTERM) and started again;
- a live class: the teacher on one instance, the learners on the other; and one instance restarted
  mid-question through nginx loses no answer, and the phones recover without a reload.

One topology is shared by the module (starting it is most of the time). No timing is asserted.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
import types
from itertools import cycle

import aiohttp
import orjson
import pytest

from tests.topology.stack import ROOT, Topology, missing_tools

sys.path.insert(0, str(ROOT / "bench"))
import classroom  # noqa: E402  (bench/classroom.py: a learner who presses Run and polls the job)
import live_class  # noqa: E402  (bench/live_class.py: a teacher's and a phone's callbacks)
import load  # noqa: E402  (bench/load.py: the model of the Dash renderer and of a class of learners)

from app import ids  # noqa: E402
from app.components.player import figure_id  # noqa: E402

DS = ids.Descent
LT, LL, LQ = ids.Teacher, ids.Learner, ids.Questions("/join")
CONTOUR = load.id_key(figure_id(DS.TWO_D, "contour"))

pytestmark = pytest.mark.skipif(bool(missing_tools()), reason=missing_tools() or "")


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    with Topology(tmp_path_factory.mktemp("topology")) as running:
        yield running


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30), headers={"Accept-Encoding": load.ACCEPT_ENCODING}
    )


class AlternatingPage(load.DashPage):
    """A tab whose every callback goes to the next of several servers in turn."""

    def __init__(self, *args, bases: list[str], **kwargs):
        self._bases = cycle(bases)
        super().__init__(*args, **kwargs)

    @property
    def base(self) -> str:
        return next(self._bases)

    @base.setter
    def base(self, _value) -> None:  # DashPage.__init__ sets it; the cycle decides
        pass


async def learner_sequence(bases: list[str]) -> tuple[load.Recorder, load.DashPage, list[dict]]:
    """Open /descent, change η, change the surface, click the map; the 2-D state after each step."""
    recorder = load.Recorder()
    servers = cycle(bases)
    states = []
    async with session() as http:
        for path in ("/descent", "/_dash-layout"):
            assert await load.timed(http, recorder, f"GET {path}", "GET", f"{next(servers)}{path}"), recorder.errors
        dependencies = await load.timed(http, recorder, "deps", "GET", f"{next(servers)}/_dash-dependencies")
        layout = await load.timed(http, recorder, "layout", "GET", f"{next(servers)}/_dash-layout")
        page = AlternatingPage("/descent", load.graph_of(dependencies[1]), http, "", recorder, bases=bases)
        page.add_layout(orjson.loads(layout[1]))
        locations = ("_pages_location", ids.Shell.LOCATION)
        await page.change([(k, p, v) for k in locations for p, v in (("pathname", "/descent"), ("search", ""))])
        states.append(page.get(DS.STATE2, "data"))
        await page.change([(DS.LR2_INPUT, "value", "0.05")])
        states.append(page.get(DS.STATE2, "data"))
        await page.change([(DS.SURFACE, "value", "rosenbrock")])
        states.append(page.get(DS.STATE2, "data"))
        await page.change([(CONTOUR, "clickData", {"points": [{"x": -1.0, "y": 1.5, "curveNumber": 0}]})])
        states.append(page.get(DS.STATE2, "data"))
    return recorder, page, states


def check_sequence(recorder: load.Recorder, states: list[dict]) -> None:
    assert not recorder.errors, recorder.error_examples
    opened, eta, surface, clicked = states
    assert opened is not None, "opening /descent filled the 2-D state"
    assert eta["lr"] == pytest.approx(0.05) and eta["surface"] == opened["surface"]
    assert surface["surface"] == "rosenbrock" and surface["lr"] == pytest.approx(0.05)
    assert (clicked["x0"], clicked["y0"]) == pytest.approx((-1.0, 1.5)) and clicked["surface"] == "rosenbrock"


def test_a_learner_can_talk_to_each_instance_in_turn(topology):
    recorder, page, states = asyncio.run(learner_sequence(topology.instance_urls))
    check_sequence(recorder, states)
    assert sum(len(v) for v in recorder.latencies.values()) == 0  # (not measuring: only errors count)


def test_a_learner_through_nginx(topology):
    recorder, _, states = asyncio.run(learner_sequence([topology.nginx_url]))
    check_sequence(recorder, states)


class SplitTraceLearner(classroom.TraceLearner):
    """Presses Run on one server and polls the background job only through another."""

    def __init__(self, start_base: str, poll_base: str, x0: str, recorder: load.Recorder):
        super().__init__(start_base, x0, recorder)
        self.start_base, self.poll_base = start_base, poll_base

    async def post(self, callback, query):
        self.base = self.poll_base if "cacheKey" in query else self.start_base
        return await super().post(callback, query)


async def press_run(make_learner) -> tuple[float, str]:
    learner = make_learner()  # its HTTP session belongs to this event loop
    try:
        await learner.open()
        return await learner.press_run()
    finally:
        await learner.session.close()


def test_a_trace_started_on_one_instance_completes_when_polled_on_the_other(topology):
    recorder = load.Recorder()
    first, second = topology.instance_urls
    _, outcome = asyncio.run(press_run(lambda: SplitTraceLearner(first, second, "0.731", recorder)))
    assert outcome == "traced", topology.logs()
    _, outcome = asyncio.run(press_run(lambda: SplitTraceLearner(second, first, "-1.234", recorder)))
    assert outcome == "traced", topology.logs()
    assert not recorder.errors, recorder.error_examples


def test_a_trace_through_nginx_completes(topology):
    recorder = load.Recorder()
    _, outcome = asyncio.run(press_run(lambda: classroom.TraceLearner(topology.nginx_url, "1.618", recorder)))
    assert outcome == "traced", topology.logs()
    assert not recorder.errors, recorder.error_examples


async def class_through(base: str, learners: int, seconds: float, during) -> load.Recorder:
    """`learners` of bench/load.py's learners (0.5-1.5 s think time) for `seconds`, while `during` runs."""
    recorder = load.Recorder()
    recorder.measuring = True
    args = types.SimpleNamespace(
        think_min=0.5,
        think_max=1.5,
        page_change=0.15,
        timeout=30.0,
        seed=15,
        pages=list(load.PAGES),
        questions=False,  # the class of bench/load.py without questions: the restart is what is tested here
        question_links=0.0,
    )
    stop_at = time.monotonic() + seconds
    tasks = [asyncio.create_task(load.learner(n, base, recorder, stop_at, args)) for n in range(learners)]
    await asyncio.to_thread(during)
    await asyncio.gather(*tasks)
    return recorder


def test_no_request_fails_while_an_instance_restarts(topology):
    def restart_one():
        time.sleep(4)  # the class is under way
        topology.stop_instance(0)  # SIGTERM; returns once gunicorn has finished what it had and exited
        topology.start_instance(0)  # back, warmed up (/readyz), while the class goes on

    gc.disable()  # the learners' parsed figures make collections pause every request (see bench/load.py)
    try:
        recorder = asyncio.run(class_through(topology.nginx_url, learners=20, seconds=20, during=restart_one))
    finally:
        gc.enable()
    answered = sum(len(v) for v in recorder.latencies.values())
    failed = sum(recorder.errors.values())
    print(f"\n{answered} requests answered, {failed} failed, while instance 0 restarted")
    assert answered > 100, "the class made requests"
    assert failed == 0, json.dumps(recorder.error_examples) + "\n" + topology.logs()


# ---- a live class across instances (issue 27) -------------------------------------------------------


async def live_class_round(teacher_base: str, learner_base: str, learners: int, during=None) -> dict:
    """A teacher on ``teacher_base`` starts a class, learners on ``learner_base`` join, poll and answer one
    question as their browsers would (bench/live_class.py's model); ``during`` runs (in a thread) while
    the question is open and the learners answer. Returns what each side saw."""
    recorder = load.Recorder()
    async with live_class.new_session() as session:
        got = await load.timed(session, recorder, "deps", "GET", f"{teacher_base}/_dash-dependencies")
        deps = orjson.loads(got[1])
        teacher = live_class.Tab(session, teacher_base, deps, recorder, "teacher")
        await teacher.call("start", LT.START, "n_clicks", LT.SESSION, 1)
        code = teacher.values[f"{LT.SESSION}.data"]["code"]
        tabs = []
        for _ in range(learners):
            tab = live_class.Tab(session, learner_base, deps, recorder, "learner")
            tab.values[f"{LL.CODE}.value"] = code
            await tab.call("join", LL.JOIN, "n_clicks", LL.SESSION, 1)
            tabs.append(tab)
        teacher.values[f"{LT.KIND}.value"], teacher.values[f"{LT.LEVEL}.value"] = "steepest-descent", "easy"
        await teacher.call("open", LT.OPEN, "n_clicks", LT.SESSION, 1)

        async def follow(tab) -> None:
            """Poll until the screen shows the question: the phone's own loop, no reload."""
            for _ in range(60):
                version = await live_class.version_of(session, learner_base, code, recorder)
                if version is not None and version != tab.values.get(f"{LL.VERSION}.data"):
                    await tab.call("screen", LL.VERSION, "data", LL.WHO, version)
                if tab.values.get(f"{LQ.panel}.className") == "question-panel join-question":
                    return
                await asyncio.sleep(0.5)

        await asyncio.gather(*(follow(tab) for tab in tabs))
        sent = 0
        thread = asyncio.create_task(asyncio.to_thread(during)) if during else None
        for index, tab in enumerate(tabs):
            tab.values[f"{LQ.number}.value"] = str(10 * index)
            for attempt in range(1, 40):  # a learner whose send fails presses again, as on a phone
                await tab.call("send", LL.SEND, "n_clicks", LL.SENT, attempt)
                if "Answer sent" in live_class.text_of(tab.values.get(f"{LL.SENT}.children")):
                    sent += 1
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(0.3)
        if thread:
            await thread
        await teacher.call("lock", LT.LOCK, "n_clicks", LT.SESSION, 1)
        await teacher.call("reveal", LT.REVEAL, "n_clicks", LT.SESSION, 1)
        revealed = 0
        for tab in tabs:
            version = await live_class.version_of(session, learner_base, code, recorder)
            await tab.call("screen", LL.VERSION, "data", LL.WHO, version)
            revealed += bool(tab.values.get(f"{LQ.revealed}.data"))
        return {
            "sent": sent,
            "count": teacher.values.get(f"{LT.COUNT}.children"),
            "result": live_class.text_of(teacher.values.get(f"{LT.RESULT}.children")),
            "revealed": revealed,
            "errors": dict(recorder.errors),
            "examples": recorder.error_examples,
        }


def test_a_teacher_on_one_instance_runs_a_class_whose_learners_are_on_the_other(topology):
    first, second = topology.instance_urls
    seen = asyncio.run(live_class_round(first, second, learners=5))
    assert seen["sent"] == 5 and seen["count"] == "5 of 5 answered", seen
    assert seen["result"].startswith(("0 of 5", "1 of 5", "2 of 5", "3 of 5", "4 of 5", "5 of 5")), seen
    assert seen["revealed"] == 5, "every phone, on the other instance, shows the reveal"
    assert not seen["errors"], seen["examples"]


def test_a_restart_mid_question_loses_no_answer_and_phones_recover_without_a_reload(topology):
    def restart_one():
        topology.stop_instance(0)
        topology.start_instance(0)

    seen = asyncio.run(live_class_round(topology.nginx_url, topology.nginx_url, learners=12, during=restart_one))
    assert seen["sent"] == 12, seen
    assert seen["count"] == "12 of 12 answered", f"{seen}\n{topology.logs()}"
    assert seen["revealed"] == 12, "every phone shows the reveal, from the page it had open"
