"""At most one trace per core at a time, across every worker of a server, and a short queue with positions.

Everything lives in one runtime folder, so every process of the server sees the same queue:

- ``slot-<i>.lock``: a trace runs while its process holds an exclusive ``flock`` on one of these. The
  kernel releases it when the process ends, however it ends (a cancelled job is killed), so a slot is
  never lost.
- ``queue/<ticket>-<pid>-<start>``: one file per job that is running or waiting. Tickets are numbered by
  the machine's monotonic clock in nanoseconds; a job's position is the number of live tickets older
  than its own. A ticket whose process has ended (or whose pid now names another process, told apart
  by its start time) does not count, and is removed by whoever finds it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# How often a waiting job looks at the queue: each look reads every ticket's /proc entry, so 30 waiting
# jobs looking 10 times a second cost the web workers real CPU; the page itself polls every 0.3 s.
POLL_SECONDS = 0.25


class QueueFull(Exception):  # noqa: N818 - a condition, not a failure of the code
    def __init__(self, waiting: int):
        super().__init__(f"{waiting} traces are running or waiting")
        self.waiting = waiting


class WaitedTooLong(Exception):  # noqa: N818
    pass


def _start_time(pid: int) -> str | None:
    """A process's start time (clock ticks since boot), or None if it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


class TraceQueue:
    def __init__(self, folder: str | os.PathLike, slots: int, capacity: int, wait_seconds: float = 60.0):
        self.folder = Path(folder)
        self.tickets = self.folder / "queue"
        self.tickets.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.slots = max(1, slots)
        self.capacity = max(0, capacity)  # how many may wait, besides the ones running
        self.wait_seconds = wait_seconds

    @property
    def limit(self) -> int:
        return self.slots + self.capacity

    def live_tickets(self) -> list[str]:
        """The tickets of live jobs, oldest first; dead ones are removed on the way."""
        live = []
        try:
            names = os.listdir(self.tickets)
        except OSError:
            return []
        for name in names:
            try:
                _, pid, started = name.split("-")
                alive = _start_time(int(pid)) == started
            except ValueError:
                alive = False
            if alive:
                live.append(name)
            else:
                (self.tickets / name).unlink(missing_ok=True)
        return sorted(live)

    def length(self) -> int:
        """How many traces are running or waiting on this server."""
        return len(self.live_tickets())

    def is_full(self) -> bool:
        return self.length() >= self.limit

    @contextmanager
    def ticket(self) -> Iterator[str]:
        """A place in the queue for as long as the block runs; QueueFull if there is none."""
        name = f"{time.monotonic_ns():020d}-{os.getpid()}-{_start_time(os.getpid())}"
        path = self.tickets / name
        path.touch(mode=0o600)
        try:
            ahead = self.live_tickets().index(name) if path.exists() else 0
            if ahead >= self.limit:
                raise QueueFull(ahead)
            yield name
        finally:
            path.unlink(missing_ok=True)

    def ahead_of(self, ticket: str) -> int:
        live = self.live_tickets()
        return live.index(ticket) if ticket in live else len(live)

    def try_slot(self) -> int | None:
        """An open descriptor holding a free slot's lock, or None if every slot is taken."""
        for index in range(self.slots):
            descriptor = os.open(self.folder / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            return descriptor
        return None

    @contextmanager
    def slot(
        self, ticket: str, report: Callable[[int], None], done_elsewhere: Callable[[], bool] = lambda: False
    ) -> Iterator[bool]:
        """Wait, in order, for a free slot and hold it for the block; yields False instead if
        ``done_elsewhere()`` turns true while waiting (another job traced the same program).
        ``report(ahead)`` is called whenever the number of jobs ahead changes. WaitedTooLong past the wait."""
        deadline = time.monotonic() + self.wait_seconds
        reported = None
        descriptor = None
        while descriptor is None:
            if done_elsewhere():
                yield False
                return
            ahead = self.ahead_of(ticket)
            if ahead < self.slots:  # first come, first served: only the oldest may take a slot
                descriptor = self.try_slot()
                if descriptor is not None:
                    break
            if ahead != reported:
                report(ahead)
                reported = ahead
            if time.monotonic() > deadline:
                raise WaitedTooLong
            time.sleep(POLL_SECONDS)
        try:
            yield True
        finally:
            os.close(descriptor)  # releases the lock


class ServerSlots:
    """At most ``count`` holders at once across every process of this server, for short CPU-bound work (a
    race on /optimizers): each holder keeps an exclusive ``flock`` on one of ``count`` files in ``folder``,
    which the kernel releases however its process ends. Used as a semaphore: ``acquire(timeout)`` then
    ``release()`` in the same thread. A per-process semaphore cannot do this: with gunicorn's 4 workers
    x 2 threads, two per process let 8 races share 2 cores with everyone else's requests."""

    def __init__(self, folder: Callable[[], os.PathLike], count: int, poll_seconds: float = 0.005):
        self._folder = folder  # resolved on first use (the runtime folder is made then, with its owner checked)
        self.count = max(1, count)
        self.poll_seconds = poll_seconds  # the work takes tens of ms, so a waiter looks often; a look is cheap
        self._held = threading.local()

    def acquire(self, timeout: float) -> bool:
        folder = Path(self._folder())
        deadline = time.monotonic() + timeout
        while True:
            for index in range(self.count):
                descriptor = os.open(folder / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    continue
                self._held.descriptor = descriptor
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.poll_seconds)

    def release(self) -> None:
        descriptor, self._held.descriptor = self._held.descriptor, None
        os.close(descriptor)  # releases the lock
