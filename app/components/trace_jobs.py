"""Where the code panel's background trace jobs keep their results: this server's disk, or Redis.

Dash runs a background callback as a job process and the browser then polls for it
(``POST /_dash-update-component?cacheKey=...&job=...`` every 300 ms) until the result is there. With
one server, Dash's DiskcacheManager keeps results, progress and set_props in a disk cache that every
gunicorn worker of that server shares. With several replicas behind a load balancer, a poll may reach a
replica that did not start the job: its disk holds nothing, and the pid in ``job`` names none of its
processes, so Dash would call the job cancelled and the learner would never see the trace.

So when REDIS_URL is set (several replicas), ``RedisTraceJobManager`` keeps all of that in Redis, the
same way Dash's CeleryManager does, while the job itself still runs as a local process of the replica
that received the request (its queue and slots are that machine's):

- results, progress and set_props are JSON under ``gradients:job:<cacheKey>...``, with a TTL;
- a job's handle is ``<server>:<pid>``, where <server> is a random name of the replica (its gunicorn
  master and everything it forked), so a replica never mistakes another machine's pid for its own;
- ``gradients:job:running:<handle>`` exists while the job runs (set before the handle reaches the
  browser, deleted when the job ends, bounded by a TTL if it dies without cleaning up): any replica
  answers "still running?" from it; the owner also checks its own process, so a crash is seen at once;
- cancelling from another replica sets ``gradients:job:cancel:<handle>``; a thread in the job watches
  for it and kills the job and its sandbox, as the owner's own terminate_job would.

Any replica can therefore answer any poll, so the load balancer needs no sticky sessions. Dash signs
the handles with a secret shared by all replicas: DASH_SECRET_KEY when set (see app.main), else one
Dash stores through this manager in Redis.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import time

import multiprocess
import psutil
from dash import DiskcacheManager
from dash._utils import to_json
from dash.background_callback.managers import BaseBackgroundCallbackManager
from dash.background_callback.managers.diskcache_manager import _make_job_fn

from app.tracing.cache import ForkSafeCache, private_folder
from app.tracing.service import TraceSettings

JOB_PREFIX = "gradients:job:"
# A result nobody collects (the learner closed the tab) is garbage after this long.
RESULT_TTL_SECONDS = 3600
# Longer than any job can live: its wait for a slot (TraceSettings.wait_seconds) plus the sandbox's
# wall-clock limit, with room to spare. Only a job that died without cleaning up ever reaches it.
JOB_LIFETIME_SECONDS = 180
CANCEL_CHECK_SECONDS = 0.25


class TraceJobManager(DiskcacheManager):
    """Dash's DiskcacheManager, except that ending a job never makes a web request wait.

    Dash's own terminate_job kills the job and then waits up to 1 s for it with psutil. With several
    gunicorn workers, the poll that collects a result often reaches a worker that did not start the job:
    the finished job is then another process's zombie, psutil cannot reap it, and the request thread
    sleeps the whole second (every other trace took 1 s longer). Here the job and everything it
    started (its sandbox) are killed without waiting; a job of this worker is reaped at once if it has
    ended, else when the worker next starts or ends a job.
    """

    def terminate_job(self, job):
        if job is None:
            return
        _kill_tree(job)
        multiprocess.active_children()  # reaps this worker's finished jobs (never blocks)


def _kill_tree(pid) -> None:
    """Kill a process and everything it started (the job and its sandbox), without waiting."""
    try:
        process = psutil.Process(int(pid))
        doomed = [*process.children(recursive=True), process]
    except (psutil.NoSuchProcess, ValueError):
        doomed = []
    for target in doomed:
        with contextlib.suppress(psutil.NoSuchProcess):
            target.kill()


class RedisJobStore:
    """The four calls Dash's job function and DiskcacheManager make on their cache (get, set, delete),
    on Redis, with JSON values (Dash's own encoder: components become the JSON the browser receives)."""

    def __init__(self, url: str, ttl_seconds: int = RESULT_TTL_SECONDS):
        self.url = url
        self.ttl_seconds = ttl_seconds
        self._client = None
        self._client_pid = None

    @property
    def client(self):
        # A job is a fork: it opens connections of its own rather than share its parent's sockets.
        if self._client_pid != os.getpid():
            import redis  # noqa: PLC0415 - only a server with REDIS_URL needs it

            self._client = redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
            self._client_pid = os.getpid()
        return self._client

    def get(self, key: str, default=None):
        raw = self.client.get(JOB_PREFIX + key)
        return default if raw is None else json.loads(raw)

    def set(self, key: str, value) -> None:
        self.client.set(JOB_PREFIX + key, to_json(value), ex=self.ttl_seconds)

    def delete(self, key: str) -> None:
        self.client.delete(JOB_PREFIX + key)


class RedisTraceJobManager(TraceJobManager):
    """Background trace jobs whose results any replica can hand out (see the module's docstring)."""

    def __init__(self, redis_url: str):
        # Not DiskcacheManager.__init__, which insists on a diskcache.Cache: the store is Redis. The store
        # must exist before the base class registers the callbacks (it builds their job functions).
        self.handle = RedisJobStore(redis_url)
        self.expire = None
        self.server_name = secrets.token_hex(6)  # this replica: its gunicorn master and all it forks
        BaseBackgroundCallbackManager.__init__(self, cache_by=None)

    # -- handles: "<server>:<pid>" ---------------------------------------------------------------------

    def _owned_pid(self, job) -> int | None:
        """The local pid of a job this replica started, or None for another replica's (or a bad handle)."""
        server, _, pid = str(job).rpartition(":")
        return int(pid) if server == self.server_name and pid.isdigit() else None

    @staticmethod
    def _running_key(job) -> str:
        return f"running:{job}"

    @staticmethod
    def _cancel_key(job) -> str:
        return f"cancel:{job}"

    def call_job_fn(self, key, job_fn, args, context):
        pid = super().call_job_fn(key, job_fn, args, context)
        job = f"{self.server_name}:{pid}"
        # Before the handle reaches the browser, so no poll can find the job "not running" before it has begun.
        self.handle.client.set(JOB_PREFIX + self._running_key(job), "1", ex=JOB_LIFETIME_SECONDS)
        return job

    def job_running(self, job):
        if job is None:
            return False
        running = bool(self.handle.client.exists(JOB_PREFIX + self._running_key(job)))
        pid = self._owned_pid(job)
        if running and pid is not None and not DiskcacheManager.job_running(self, pid):
            self.handle.delete(self._running_key(job))  # it died without cleaning up
            return False
        return running

    def terminate_job(self, job):
        if job is None:
            return
        self.handle.delete(self._running_key(job))
        pid = self._owned_pid(job)
        if pid is not None:
            super().terminate_job(pid)
        else:  # another replica's job: its cancel watcher kills it
            self.handle.client.set(JOB_PREFIX + self._cancel_key(job), "1", ex=JOB_LIFETIME_SECONDS)

    def terminate_unhealthy_job(self, job):
        if job is not None and self._owned_pid(job) is not None and not self.job_running(job):
            self.terminate_job(job)
            return True
        return False

    def get_or_create_signing_secret(self, generate):
        client = self.handle.client
        client.set(JOB_PREFIX + self.SIGNING_SECRET_KEY, generate(), nx=True)  # the first replica wins
        return client.get(JOB_PREFIX + self.SIGNING_SECRET_KEY)

    # -- the job process ---------------------------------------------------------------------------------

    def make_job_fn(self, fn, progress, key=None):
        run_job = _make_job_fn(fn, self.handle, progress)
        store, server_name = self.handle, self.server_name

        def job_fn(result_key, progress_key, user_callback_args, context):
            job = f"{server_name}:{os.getpid()}"
            _watch_for_cancel(store, JOB_PREFIX + self._cancel_key(job))
            try:
                run_job(result_key, progress_key, user_callback_args, context)
            finally:
                with contextlib.suppress(Exception):
                    store.delete(self._running_key(job))

        return job_fn


def _watch_for_cancel(store: RedisJobStore, cancel_key: str) -> None:
    """In the job process: a daemon thread that kills the job and its sandbox once cancel_key appears."""

    def watch():
        while True:
            time.sleep(CANCEL_CHECK_SECONDS)
            try:
                cancelled = store.client.exists(cancel_key)
            except Exception:  # noqa: BLE001 - Redis away for a moment: look again
                continue
            if cancelled:
                for child in psutil.Process().children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        child.kill()
                os._exit(1)

    threading.Thread(target=watch, name="trace-cancel-watch", daemon=True).start()


def background_manager() -> DiskcacheManager:
    """Dash's manager for the background trace jobs (create_app passes it to Dash): with REDIS_URL, one
    whose results every replica shares; otherwise a disk cache in this server's trace runtime folder,
    shared by its workers."""
    settings = TraceSettings.from_env()
    if settings.redis_url:
        return RedisTraceJobManager(settings.redis_url)
    folder = private_folder(settings.runtime_dir / "jobs")
    return TraceJobManager(ForkSafeCache(str(folder)))
