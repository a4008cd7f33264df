"""The code trace: right lines, a cache, a sandbox with limits, and a bounded queue."""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.popen_fork  # noqa: F401 - loaded, as in a server, for the fork-bomb test
import os
import socket
import threading
import time
import urllib.request

import diskcache
import psutil
from dash import DiskcacheManager
from werkzeug.serving import make_server

from app import tracing
from app.codegen import GeneratedCode
from app.tracing import Limits, TraceResult, run_in_sandbox
from app.tracing.cache import (
    REDIS_PREFIX,
    REDIS_TTL_SECONDS,
    DiskTraceCache,
    RedisTraceCache,
    open_trace_cache,
    trace_key,
)
from app.tracing.runner import MAX_OUTPUT, RUNNER_VERSION
from app.tracing.service import TraceService, TraceSettings

CALLED_AGAIN = """\
def grad(w):
    return 2 * (w - 3)

w = 0.0
for step in range(3):
    g = grad(w)
    w = w - 0.1 * g
"""


def test_a_function_called_again_gets_its_values_on_its_own_lines():
    """A returned frame's id is reused by the next call: keyed by id, the next call's argument landed on
    the `return` line of the previous call."""
    result = tracing.run_traced(GeneratedCode(CALLED_AGAIN, {}, "again.py"))
    assert result.error is None, result.error
    return_rows = [values for line, values in result.rows if line == 2]
    assert return_rows == [{"returns": "-6"}, {"returns": "-4.8"}, {"returns": "-3.84"}]
    assert [values["g"] for line, values in result.rows if line == 6] == ["-6", "-4.8", "-3.84"]
    assert [values["w"] for line, values in result.rows if line == 7] == ["0.6", "1.08", "1.464"]


# --- the cache ------------------------------------------------------------------------------------


def test_the_key_is_the_source_and_the_runner_version():
    assert trace_key("x = 1\n") == trace_key("x = 1\n")
    assert trace_key("x = 1\n") != trace_key("x = 2\n")
    assert trace_key("x = 1\n") != trace_key("x = 1\n", runner_version=RUNNER_VERSION + "-next")


def test_the_disk_cache_hits_misses_and_evicts_the_least_recently_used(tmp_path):
    cache = DiskTraceCache(tmp_path / "cache", size_limit=2_000_000)
    assert cache.get(trace_key("a")) is None
    cache.set(trace_key("a"), {"stdout": "a", "rows": []})
    assert cache.get(trace_key("a")) == {"stdout": "a", "rows": []}
    assert DiskTraceCache(tmp_path / "cache", size_limit=2_000_000).get(trace_key("a")), "another worker sees it"
    for n in range(60):  # 60 entries of 100 kB: three times the limit
        cache.set(trace_key(f"filler {n}"), {"stdout": "x" * 100_000})
        cache.get(trace_key("a"))  # used all along, so never the least recently used
    assert cache.get(trace_key("a")) is not None
    assert cache.get(trace_key("filler 0")) is None, "the oldest unused entry was evicted"
    assert cache.store.volume() < 3_000_000


def test_the_redis_cache_hits_misses_and_sets_a_ttl(redis_url):
    cache = open_trace_cache("/nonexistent-never-used", redis_url)
    assert isinstance(cache, RedisTraceCache)
    assert cache.get(trace_key("a")) is None
    cache.set(trace_key("a"), {"stdout": "a", "rows": [[1, {"x": "1"}]]})
    assert open_trace_cache("/nonexistent", redis_url).get(trace_key("a")) == {"stdout": "a", "rows": [[1, {"x": "1"}]]}
    assert 0 < cache.client.ttl(REDIS_PREFIX + trace_key("a")) <= REDIS_TTL_SECONDS


def test_an_unreachable_redis_is_a_miss_not_an_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe closes
    cache = open_trace_cache("/nonexistent", f"redis://127.0.0.1:{port}/0")
    cache.set(trace_key("a"), {"stdout": "a"})
    assert cache.get(trace_key("a")) is None


def test_only_complete_results_are_cached(tmp_path):
    service = TraceService(settings(tmp_path, limits=Limits(cpu_seconds=1, wall_seconds=5)))
    assert service.run("x = 1\nraise ValueError('boom')\n").error
    assert service.cached("x = 1\nraise ValueError('boom')\n") is not None, "the program's own error is its answer"
    assert "CPU" in service.run("while True:\n    pass\n").error
    assert service.cached("while True:\n    pass\n") is None, "a limit is not the program's answer"


# --- the sandbox: hand-made programs, straight to it -------------------------------------------------


def sandboxed(source: str, **limits) -> TraceResult:
    return run_in_sandbox(source, Limits(**{"cpu_seconds": 2, "wall_seconds": 6, **limits}))


def test_the_environment_is_empty():
    os.environ["TRACE_TEST_SECRET"] = "hunter2"
    try:
        result = sandboxed("import os\nprint(dict(os.environ), os.environ.get('TRACE_TEST_SECRET'))\n")
    finally:
        del os.environ["TRACE_TEST_SECRET"]
    assert result.error is None and result.stdout == "{} None\n"


def test_it_runs_in_its_own_folder_and_cannot_write_outside_it(tmp_path):
    target = tmp_path / "written.txt"
    result = sandboxed(f"open({str(target)!r}, 'w').write('x')\n")
    assert result.error == "not allowed: writing files outside its own folder"
    assert not target.exists()
    for escape in ("import os\nos.open('/tmp/escape.txt', os.O_WRONLY | os.O_CREAT)\n", "open('../escape.txt', 'a')\n"):
        assert sandboxed(escape).error == "not allowed: writing files outside its own folder"
    inside = sandboxed("open('mine.txt', 'w').write('hi')\nprint(open('mine.txt').read())\n")
    assert inside.error is None and inside.stdout == "hi\n", "its own folder is its to use"


def test_it_cannot_read_another_processs_environment():
    result = sandboxed("print(open('/proc/1/environ').read())\n")
    assert result.error.startswith("not allowed: reading files")


def test_a_fork_bomb_is_stopped():
    for bomb in (
        "import os\nwhile True:\n    os.fork()\n",
        "import subprocess\nsubprocess.Popen(['sh', '-c', ':(){ :|:& };:'])\n",
        "import multiprocessing\nmultiprocessing.get_context('fork').Process(target=print).start()\n",
    ):
        assert sandboxed(bomb).error == "not allowed: starting processes", bomb


def test_an_endless_loop_is_stopped():
    result = sandboxed("while True:\n    pass\n", cpu_seconds=1)
    assert result.error == "stopped: it used more than 1 s of CPU" and not result.complete


def test_a_program_that_only_waits_is_stopped_by_the_clock():
    result = sandboxed("import time\ntime.sleep(60)\n", wall_seconds=1)
    assert result.error == "stopped: it ran for more than 1 s"


def test_a_10_gb_allocation_is_stopped():
    for allocation in ("x = bytearray(10 * 1024**3)\n", "import numpy as np\nx = np.ones(10 * 1024**3 // 8)\n"):
        result = sandboxed(allocation)
        assert result.error == "stopped: it tried to use more than 512 MB of memory", allocation


def test_100_mb_of_printing_is_stopped_as_it_is_produced():
    for printing in ("print('x' * 100_000_000)\n", "while True:\n    print('x' * 1000)\n"):
        result = sandboxed(printing)
        assert result.error == f"stopped: it printed more than {MAX_OUTPUT:,} characters", printing
        assert len(result.stdout) == MAX_OUTPUT


def test_network_signals_and_c_calls_are_refused():
    assert sandboxed("import socket\nsocket.socket()\n").error == "not allowed: opening network connections"
    assert sandboxed("import os\nos.kill(1, 9)\n").error == "not allowed: sending signals to other processes"
    assert sandboxed("import ctypes\nctypes.CDLL(None)\n").error == "not allowed: calling C libraries directly"


def test_the_server_answers_while_hostile_programs_run(app):
    """The programs above, all at once, beside a real server: its other requests still answer at once."""
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/healthz"
    slowest = []

    def ask_health_until(done: threading.Event) -> None:
        while not done.is_set():
            start = time.monotonic()
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
            slowest.append(time.monotonic() - start)
            time.sleep(0.05)

    hostile = [
        "import os\nwhile True:\n    os.fork()\n",
        "while True:\n    pass\n",
        "x = bytearray(10 * 1024**3)\n",
        "while True:\n    print('x' * 1000)\n",
    ]
    done = threading.Event()
    asker = threading.Thread(target=ask_health_until, args=(done,))
    asker.start()
    try:
        results = [sandboxed(program, cpu_seconds=2) for program in hostile]
    finally:
        done.set()
        asker.join()
        server.shutdown()
    assert all(r.error for r in results)
    assert len(slowest) > 10 and max(slowest) < 1.0, f"the slowest health check took {max(slowest):.2f} s"


# --- the queue ------------------------------------------------------------------------------------


def settings(tmp_path, slots=1, queue=8, **more) -> TraceSettings:
    return TraceSettings(
        slots=slots, queue=queue, cache_dir=tmp_path / "cache", runtime_dir=tmp_path / "runtime", **more
    )


def _traced_job(trace_settings: TraceSettings, source: str, log: str) -> None:
    """One background job: what it reported, and when its own sandbox started and ended, to a log file."""

    def report(text: str) -> None:
        with open(log, "a") as out:
            out.write(f"{time.monotonic()} {text}\n")

    result = TraceService(trace_settings).run(source, report)
    report(f"done {result.error or ''}")


def start_jobs(trace_settings, sources, tmp_path) -> list:
    context = multiprocessing.get_context("fork")
    jobs = []
    for n, source in enumerate(sources):
        process = context.Process(target=_traced_job, args=(trace_settings, source, str(tmp_path / f"job-{n}.log")))
        process.start()
        jobs.append(process)
        time.sleep(0.15)  # so that they queue in this order
    return jobs


def job_log(tmp_path, n) -> list[tuple[float, str]]:
    path = tmp_path / f"job-{n}.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(float(line.split(" ", 1)[0]), line.split(" ", 1)[1]) for line in lines]


def test_with_one_slot_traces_queue_with_positions_and_run_one_at_a_time(tmp_path):
    trace_settings = settings(tmp_path, slots=1)
    sources = [f"import time\ntime.sleep(0.6)  # job {n}\n" for n in range(3)]
    jobs = start_jobs(trace_settings, sources, tmp_path)
    for job in jobs:
        job.join(timeout=30)
    logs = [job_log(tmp_path, n) for n in range(3)]
    assert [texts[-1][1] for texts in logs] == ["done ", "done ", "done "]
    assert "Waiting for a free slot: 2 traces ahead of yours." in [text for _, text in logs[2]]
    assert "Waiting for a free slot: 1 trace ahead of yours." in [text for _, text in logs[2]]
    runs = [(next(t for t, text in log if text == "Running your trace…"), log[-1][0]) for log in logs]
    runs.sort()
    for (_, first_end), (second_start, _) in itertools.pairwise(runs):
        assert second_start >= first_end - 0.05, "two traces ran at once on one slot"


def test_past_the_queue_the_answer_is_busy_at_once(tmp_path):
    trace_settings = settings(tmp_path, slots=1, queue=1)
    jobs = start_jobs(trace_settings, [f"import time\ntime.sleep(2)  # job {n}\n" for n in range(2)], tmp_path)
    service = TraceService(trace_settings)
    try:
        assert service.busy_message() == (
            "The server is busy: 2 traces are running or waiting. Try again in a few seconds."
        )
        started = time.monotonic()
        result = service.run("print('one more')\n")
        assert result.error.startswith("The server is busy") and time.monotonic() - started < 1
    finally:
        for job in jobs:
            job.kill()
            job.join()
    assert service.busy_message() is None, "the tickets of killed jobs do not count"


def ended(process: psutil.Process) -> bool:
    """Gone, or a zombie (killed; its new parent has not collected it yet)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_cancel_kills_the_sandbox_and_frees_the_slot(tmp_path):
    trace_settings = settings(tmp_path, slots=1)
    (job,) = start_jobs(trace_settings, ["import time\ntime.sleep(30)\n"], tmp_path)
    deadline = time.monotonic() + 10
    while not psutil.Process(job.pid).children() and time.monotonic() < deadline:
        time.sleep(0.05)
    job_process = psutil.Process(job.pid)
    (sandbox,) = job_process.children()
    manager = DiskcacheManager(diskcache.Cache(str(tmp_path / "jobs")))
    manager.terminate_job(job.pid)  # what Dash does when the learner presses Cancel
    # Ask the system, not multiprocessing: Dash's terminate_job reaps the job itself (psutil).
    psutil.wait_procs([p for p in (job_process, sandbox) if not ended(p)], timeout=5)
    assert ended(job_process) and ended(sandbox)
    service = TraceService(trace_settings)
    assert service.queue.length() == 0
    started = time.monotonic()
    assert service.run("print('next')\n").stdout == "next\n"
    assert time.monotonic() - started < 5, "the slot was free"
