"""Background trace jobs with REDIS_URL: any replica can report, hand out and cancel another's job.

Two managers stand for two replicas (each names itself at random, as each gunicorn master does). The
whole path through nginx and two real instances is tested in tests/topology.
"""

from __future__ import annotations

import time

import psutil
from dash import html

from app.components.trace_jobs import JOB_PREFIX, RedisJobStore, RedisTraceJobManager


def test_results_travel_as_the_json_the_browser_gets(redis_url):  # noqa: F811
    store = RedisJobStore(redis_url)
    store.set("key", [[html.Div("traced", className="trace")], ""])
    assert store.get("key") == [[{"props": {"children": "traced", "className": "trace"}, "type": "Div",
                                  "namespace": "dash_html_components"}], ""]  # fmt: skip
    assert store.client.ttl(JOB_PREFIX + "key") > 0, "an uncollected result expires"
    store.delete("key")
    assert store.get("key", "gone") == "gone"


def test_replicas_share_one_signing_secret(redis_url):  # noqa: F811
    first, second = RedisTraceJobManager(redis_url), RedisTraceJobManager(redis_url)
    secret = first.get_or_create_signing_secret(lambda: b"from-the-first")
    assert secret == b"from-the-first" == second.get_or_create_signing_secret(lambda: b"from-the-second")


def sleep_for_a_while(seconds):
    time.sleep(seconds)
    return "done"


def test_a_job_is_seen_and_cancelled_from_another_replica(redis_url):  # noqa: F811
    owner, other = RedisTraceJobManager(redis_url), RedisTraceJobManager(redis_url)
    job_fn = owner.make_job_fn(sleep_for_a_while, progress=False)
    job = owner.call_job_fn("result-key", job_fn, [30], {})
    server, _, pid = job.rpartition(":")
    assert server == owner.server_name != other.server_name
    assert owner.job_running(job) and other.job_running(job)

    other.terminate_job(job)  # e.g. the learner's Cancel reached the other replica
    assert not other.job_running(job)
    deadline = time.monotonic() + 10
    while psutil.pid_exists(int(pid)) and psutil.Process(int(pid)).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the job's cancel watcher killed it"
        time.sleep(0.1)
    assert not owner.job_running(job)
    assert owner.get_result("result-key", None) is owner.UNDEFINED


def test_a_finished_job_hands_its_result_to_any_replica(redis_url):  # noqa: F811
    owner, other = RedisTraceJobManager(redis_url), RedisTraceJobManager(redis_url)
    job = owner.call_job_fn("quick", owner.make_job_fn(sleep_for_a_while, progress=False), [0], {})
    deadline = time.monotonic() + 10
    while not other.result_ready("quick"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert other.get_result("quick", job) == "done"
    assert not other.job_running(job)
    assert other.get_result("quick", job) is other.UNDEFINED, "read once, as Dash's own managers do"
