"""Trace results by content: a trace is a pure function of its source (and of the runner that made it).

The key is sha256(runner version + source). Two stores, one interface (``get`` / ``set``):

- ``DiskTraceCache`` (the default): a diskcache.Cache in a folder (TRACE_CACHE_DIR, by default under
  the system's temporary folder). Every gunicorn worker of a server shares it, and it survives
  restarts. Bounded in size, least-recently-used entries evicted first.
- ``RedisTraceCache`` (when REDIS_URL is set): replicas share it. Each key has a TTL; the server's
  ``maxmemory`` with ``maxmemory-policy allkeys-lru`` bounds its size (see README, "Trace service").

A cache that cannot be reached is a miss, never an error: the trace is then simply run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Protocol

import diskcache

from app.tracing.runner import RUNNER_VERSION

DISK_SIZE_LIMIT = 64 * 1024**2
REDIS_TTL_SECONDS = 7 * 24 * 3600
REDIS_PREFIX = "gradients:trace:"


def trace_key(source: str, runner_version: str = RUNNER_VERSION) -> str:
    """The content address of a trace: the same source under the same runner always has the same answer."""
    return hashlib.sha256(f"{runner_version}\0{source}".encode()).hexdigest()


class TraceCache(Protocol):
    def get(self, key: str) -> dict | None: ...
    def set(self, key: str, value: dict) -> None: ...


def private_folder(path: str | os.PathLike) -> Path:
    """A folder only this user can use: under a shared /tmp, another user could otherwise plant results."""
    folder = Path(path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.geteuid():
        raise PermissionError(f"{folder} belongs to another user; set TRACE_CACHE_DIR / TRACE_RUNTIME_DIR")
    return folder


# SQLite's own mutexes are process-wide C state that no fork handler resets. A gunicorn worker has
# several threads using diskcache (the trace cache, Dash's job store) while another thread forks a Dash
# background job; a fork in the middle of such a call left the job blocked forever on its first SQLite
# call (seen in bench/classroom.py, about one job in 300). So every diskcache call in this process holds
# this lock, and so does every fork (os.register_at_fork): a fork then never splits a SQLite call. It is a
# lock, not state: a process-wide one is the point.
SQLITE_FORK_GATE = threading.RLock()
os.register_at_fork(
    before=SQLITE_FORK_GATE.acquire,
    after_in_parent=SQLITE_FORK_GATE.release,
    after_in_child=SQLITE_FORK_GATE.release,
)


class ForkSafeCache(diskcache.Cache):
    """A diskcache.Cache whose calls never overlap a fork of this process (see SQLITE_FORK_GATE)."""

    def get(self, *args, **kwargs):
        with SQLITE_FORK_GATE:
            return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        with SQLITE_FORK_GATE:
            return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        with SQLITE_FORK_GATE:
            return super().add(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with SQLITE_FORK_GATE:
            return super().delete(*args, **kwargs)

    def touch(self, *args, **kwargs):
        with SQLITE_FORK_GATE:
            return super().touch(*args, **kwargs)

    @contextlib.contextmanager
    def transact(self, retry=False):
        with SQLITE_FORK_GATE, super().transact(retry):
            yield


class DiskTraceCache:
    def __init__(self, directory: str | os.PathLike, size_limit: int = DISK_SIZE_LIMIT):
        self.store = ForkSafeCache(
            str(private_folder(directory)), size_limit=size_limit, eviction_policy="least-recently-used"
        )

    def get(self, key: str) -> dict | None:
        try:
            value = self.store.get(key)
        except Exception:  # noqa: BLE001 - a broken cache is a miss
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict) -> None:
        with contextlib.suppress(Exception):  # a result not remembered is only computed again
            self.store.set(key, value)


class RedisTraceCache:
    def __init__(self, url: str, ttl_seconds: int = REDIS_TTL_SECONDS):
        import redis  # noqa: PLC0415 - only the Redis store needs it

        # Short timeouts: a request thread looks the cache up, and must never hang on it.
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.ttl_seconds = ttl_seconds

    def get(self, key: str) -> dict | None:
        try:
            raw = self.client.get(REDIS_PREFIX + key)
            value = json.loads(raw) if raw else None
        except Exception:  # noqa: BLE001 - an unreachable Redis is a miss
            return None
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict) -> None:
        with contextlib.suppress(Exception):  # a result not remembered is only computed again
            self.client.set(REDIS_PREFIX + key, json.dumps(value), ex=self.ttl_seconds)


def open_trace_cache(directory: str | os.PathLike, redis_url: str | None = None) -> TraceCache:
    """Redis when a URL is given, else the disk store in ``directory``."""
    return RedisTraceCache(redis_url) if redis_url else DiskTraceCache(directory)
