"""Run one program in a fresh child forked from this (already warm) process, with limits.

The caller must be single-threaded: the trace service calls this from a Dash background job, itself a
fresh fork of a gunicorn worker, so numpy and torch are already imported and the fork is cheap (no
interpreter start, no imports). The child, before it runs anything:

- starts its own session (so the parent can kill it and anything it made with one killpg);
- points stdin/stdout/stderr at /dev/null and closes every other inherited descriptor but its pipe
  (the worker's client sockets, its cache database, the slot lock);
- moves into a private temporary folder and empties its environment;
- sets its own limits: CPU seconds, address space, file size, processes, open files, no core dumps;
- if it runs as root, becomes nobody (setuid), so the process limit and file permissions apply;
- installs an audit hook (PEP 578, it cannot be removed) that refuses starting processes, sockets,
  ctypes, signals to other processes, sqlite, and opening files outside its folder for writing
  (or outside Python's own folders for reading).

It then runs the tracer and writes the JSON result to its pipe. The parent reads at most
MAX_REPORT_BYTES, waits at most a wall-clock timeout, then kills the child's process group and reaps it.
Every outcome is a TraceResult; nothing here raises.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field

from app.tracing import runner

NOBODY = 65534
# Traces are background work: on a server with as many trace slots as cores, the web workers would
# otherwise share the CPU with them equally, and every page would wait during a burst of traces.
BACKGROUND_NICENESS = 10
MAX_REPORT_BYTES = 4 * 1024**2  # 400 rows of short values and 20,000 characters of output fit many times over
# Paths a traced program may never open, even to read: another process's environment and memory, secrets.
PRIVATE_PREFIXES = ("/proc", "/sys", "/etc", "/run", "/root", "/home", "/var", "/dev/shm")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PROCESS_EVENTS = {"os.fork", "os.forkpty", "os.posix_spawn", "os.exec", "os.system", "os.spawn", "subprocess.Popen"}
REFUSED_EVENTS = {
    "socket.__new__": "opening network connections",
    "socket.connect": "opening network connections",
    "socket.bind": "opening network connections",
    "os.kill": "sending signals to other processes",
    "os.killpg": "sending signals to other processes",
    "signal.pthread_kill": "sending signals to other processes",
    "sqlite3.connect": "opening databases",
    "os.putenv": "changing the environment",
    "os.unsetenv": "changing the environment",
    "os.chdir": "leaving its own folder",
    "sys.setprofile": "replacing the tracer",
}
CHANGE_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink", "os.link"}
CHANGE_EVENTS |= {"os.truncate", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move"}


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_mb: int = 512  # on top of what the warm parent already maps (torch alone maps a lot)
    file_bytes: int = 1024**2
    open_files: int = 64


@dataclass(frozen=True)
class TraceResult:
    stdout: str
    rows: list = field(default_factory=list)  # [line number, {name: value}] after each line ran
    truncated: bool = False
    error: str | None = None
    # Only a program that ran to its own end (with or without an exception) gives the same answer
    # every time; a limit or a crash may not, so only complete results are cached.
    complete: bool = False

    def to_json(self) -> dict:
        return {"stdout": self.stdout, "rows": self.rows, "truncated": self.truncated, "error": self.error}

    @classmethod
    def from_json(cls, data: dict) -> TraceResult:
        error = data.get("error")
        return cls(
            str(data.get("stdout", "")),
            list(data.get("rows", [])),
            bool(data.get("truncated")),
            str(error) if error is not None else None,
            complete=not data.get("limited"),
        )


def run_in_sandbox(source: str, limits: Limits = Limits()) -> TraceResult:
    """Run ``source`` under the tracer in a forked, limited child; its result, or a clear error."""
    try:
        folder = tempfile.mkdtemp(prefix="trace-")
    except OSError as problem:
        return TraceResult("", error=f"could not make a folder for the program: {problem}")
    try:
        if os.geteuid() == 0:
            os.chown(folder, NOBODY, NOBODY)
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError as problem:
            os.close(read_end)
            os.close(write_end)
            return TraceResult("", error=f"could not start the program: {problem}")
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _child(source, write_end, folder, limits)
        os.close(write_end)
        return _collect(pid, read_end, limits)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _collect(pid: int, read_end: int, limits: Limits) -> TraceResult:
    """Read the child's report within the deadline, then make sure the child and its group are gone."""
    deadline = time.monotonic() + limits.wall_seconds
    chunks, size, problem = [], 0, None
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                problem = f"stopped: it ran for more than {limits.wall_seconds:g} s"
                break
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_REPORT_BYTES:
                problem = "stopped: its report was too long"
                break
    finally:
        os.close(read_end)
        status = _kill_and_reap(pid)
    if problem:
        return TraceResult("", error=problem)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return TraceResult("", error=f"stopped: it used more than {limits.cpu_seconds} s of CPU")
        return TraceResult("", error=f"stopped: it crashed ({signal.Signals(number).name})")
    try:
        return TraceResult.from_json(json.loads(b"".join(chunks)))
    except (ValueError, TypeError, AttributeError):
        return TraceResult("", error="stopped: it ended without a report")


def _kill_and_reap(pid: int) -> int:
    """Kill the child's process group (the child leads it, see _child) and the child, and reap it."""
    for kill in (os.killpg, os.kill):  # the group may not exist yet if the child has not reached setsid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0


def _child(source: str, write_end: int, folder: str, limits: Limits) -> None:
    """In the forked child: shut the doors, set the limits, trace, report, exit. Never returns."""
    try:
        os.setsid()
        os.nice(BACKGROUND_NICENESS)  # a learner's page beats a trace to the CPU
        _only_keep_descriptor(write_end)
        os.chdir(folder)
        os.environ.clear()
        if "torch" in sys.modules:  # one thread: the process limit below forbids starting more
            sys.modules["torch"].set_num_threads(1)
        memory_mb = _set_limits(limits)
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        sys.addaudithook(_audit_hook(os.path.realpath(folder)))
        report = runner.trace_source(source, memory_mb)
        data = json.dumps(report).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:  # noqa: BLE001, S110 - the parent reports a child that ends without a report
        pass
    finally:
        os._exit(0)


def _only_keep_descriptor(keep: int) -> None:
    """stdin, stdout and stderr to /dev/null; every other inherited descriptor closed, except ``keep``."""
    null = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):
        os.dup2(null, standard)
    highest = max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], keep + 1)
    highest = min(highest, 65536)
    os.closerange(3, keep)
    os.closerange(keep + 1, highest)


def _set_limits(limits: Limits) -> int:
    """Set the child's limits; returns the memory it may add, in MB, for the error message."""
    page = os.sysconf("SC_PAGE_SIZE")
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * page
    address_space = mapped + limits.memory_mb * 1024**2
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))  # no new process (or thread) at all
    return limits.memory_mb


def _audit_hook(folder: str):
    """The hook that refuses what a traced program may not do, with a message the learner can read."""
    readable = tuple(
        os.path.realpath(p)
        for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path, "/usr/lib", "/usr/share", "/usr/local/lib"}
        if p and os.path.isabs(p)
    )

    def inside(path, folders) -> bool:
        try:
            where = os.path.realpath(os.fsdecode(path) if not isinstance(path, int) else f"/proc/self/fd/{path}")
        except (TypeError, ValueError):
            return False
        return any(where == f or where.startswith(f.rstrip("/") + "/") for f in folders)

    def hook(event: str, args: tuple) -> None:
        if event in PROCESS_EVENTS:
            raise runner.Refused("not allowed: starting processes")
        if event in REFUSED_EVENTS:
            raise runner.Refused(f"not allowed: {REFUSED_EVENTS[event]}")
        if event.startswith("ctypes."):
            raise runner.Refused("not allowed: calling C libraries directly")
        if event == "open":
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return  # an already open descriptor (the program cannot have any but its own)
            writing = any(c in str(mode or "") for c in "wax+") or bool((flags or 0) & WRITE_FLAGS)
            if writing and not inside(path, (folder,)):
                raise runner.Refused("not allowed: writing files outside its own folder")
            if not writing and not inside(path, (folder, *readable)):
                raise runner.Refused("not allowed: reading files outside its own folder and Python's")
        elif event in CHANGE_EVENTS:
            paths = [a for a in args if isinstance(a, str | bytes | os.PathLike)]
            if not all(inside(p, (folder,)) for p in paths):
                raise runner.Refused("not allowed: changing files outside its own folder")

    return hook
