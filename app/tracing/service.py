"""What the code panel calls: a trace looked up by content, or run once in a bounded, queued sandbox.

Two halves, for the two places the panel calls from:

- in a web request thread (must answer in milliseconds): ``cached(source)`` and ``busy_message()``;
- in a Dash background job (a process of its own): ``run(source, report)``, which takes a ticket, waits
  for a slot (reporting its place), runs the sandbox, and stores a complete result in the cache.

Settings come from the environment (see README, "Trace service"):
TRACE_SLOTS (default: the number of cores), TRACE_QUEUE (32), TRACE_CACHE_DIR, TRACE_RUNTIME_DIR, REDIS_URL.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.tracing.cache import TraceCache, open_trace_cache, private_folder, trace_key
from app.tracing.sandbox import Limits, TraceResult, run_in_sandbox
from app.tracing.slots import QueueFull, TraceQueue, WaitedTooLong


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class TraceSettings:
    slots: int
    queue: int
    cache_dir: Path
    runtime_dir: Path
    redis_url: str | None = None
    wait_seconds: float = 60.0
    limits: Limits = Limits()

    @classmethod
    def from_env(cls) -> TraceSettings:
        temporary = Path(tempfile.gettempdir())
        return cls(
            slots=_positive_int("TRACE_SLOTS", os.cpu_count() or 1),
            queue=_positive_int("TRACE_QUEUE", 32),
            cache_dir=Path(os.environ.get("TRACE_CACHE_DIR") or temporary / "gradients-trace-cache"),
            # Slots, queue and background jobs are this machine's: never on a folder shared between servers.
            runtime_dir=Path(os.environ.get("TRACE_RUNTIME_DIR") or temporary / "gradients-trace-runtime"),
            redis_url=os.environ.get("REDIS_URL") or None,
        )


def busy_text(waiting: int) -> str:
    return f"The server is busy: {waiting} traces are running or waiting. Try again in a few seconds."


def ahead_text(ahead: int) -> str:
    if ahead == 0:
        return "Starting your trace…"
    return f"Waiting for a free slot: {ahead} trace{'s' if ahead != 1 else ''} ahead of yours."


class TraceService:
    def __init__(self, settings: TraceSettings):
        self.settings = settings
        self.cache: TraceCache = open_trace_cache(settings.cache_dir, settings.redis_url)
        runtime = private_folder(settings.runtime_dir)
        self.queue = TraceQueue(runtime, settings.slots, settings.queue, settings.wait_seconds)

    # -- in a request thread: fast, never waits on a trace -------------------------------------------

    def cached(self, source: str) -> TraceResult | None:
        found = self.cache.get(trace_key(source))
        return TraceResult.from_json(found) if found is not None else None

    def busy_message(self) -> str | None:
        """The answer to give at once when the queue is full, else None."""
        waiting = self.queue.length()
        return busy_text(waiting) if waiting >= self.queue.limit else None

    # -- in a background job -------------------------------------------------------------------------

    def run(self, source: str, report: Callable[[str], None] = lambda text: None) -> TraceResult:
        """Trace ``source`` once: from the cache if it is there (or appears while waiting), else in the
        sandbox when a slot is free. Never raises: a full queue or a long wait is a TraceResult too."""
        key = trace_key(source)
        found = self.cache.get(key)
        if found is not None:
            return TraceResult.from_json(found)
        try:
            with (
                self.queue.ticket() as ticket,
                self.queue.slot(
                    ticket, lambda ahead: report(ahead_text(ahead)), lambda: self.cache.get(key) is not None
                ) as mine,
            ):
                if not mine:  # someone traced the same program while this one waited
                    return TraceResult.from_json(self.cache.get(key) or {})
                report("Running your trace…")
                result = run_in_sandbox(source, self.settings.limits)
        except QueueFull as full:
            return TraceResult("", error=busy_text(full.waiting))
        except WaitedTooLong:
            return TraceResult(
                "", error=f"The server stayed busy for {self.settings.wait_seconds:g} s. Try again in a minute."
            )
        except OSError as problem:
            return TraceResult("", error=f"could not run the trace: {problem}")
        if result.complete:
            self.cache.set(key, result.to_json())
        return result


@functools.cache
def trace_service() -> TraceService:
    """The request threads' service, built on first use from the environment. Memoised per process because it
    holds open handles (the cache's database or Redis connection pool); it holds no per-learner state. A
    background job, being a fork, builds its own (``TraceService(TraceSettings.from_env())``) rather than
    use descriptors it shares with its parent."""
    return TraceService(TraceSettings.from_env())
