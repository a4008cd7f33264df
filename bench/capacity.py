"""Capacity: server CPU per learner-minute, and how the rate a class can send grows with replicas.

    .venv/bin/python bench/capacity.py                 # both parts, about 5 minutes
    .venv/bin/python bench/capacity.py --part cpu      # only the CPU per learner-minute
    .venv/bin/python bench/capacity.py --part memory --learners 30 --duration 20   # RSS and PSS, 2 workers

Runs the production topology on loopback (tests/topology/stack.py: redis-server, single-worker gunicorn
instances started as the Dockerfile starts them, nginx with deploy/nginx/app.conf) and drives it with
bench/load.py's learners through nginx.

1. CPU per learner-minute: a class at lecture pace (1-4 s between actions, as bench/load.py) through nginx
   to two instances; the CPU the app's processes (gunicorn masters, workers) used in the measured
   window, divided by learners x minutes. nginx's and Redis's CPU are reported beside it.
2. Scaling: 1 instance and 2 instances, each behind its own nginx, measured in turn at each rate. The
   offered rate steps up (more learners, 0.5-1.5 s between actions) until p95 over all callbacks reaches
   100 ms or a request fails; the highest rate (callbacks/s) that held is that topology's capacity. Two
   instances should hold at least 1.5x one.

The load generator runs on the same cores as the servers, and so does anything else the machine is
doing: the load average is printed with every step. Not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import runpy
import sys
import tempfile
import time
import types
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402  (bench/load.py: the learners, the recorder, percentiles)

from tests.topology.stack import Topology, missing_tools  # noqa: E402

DEPLOYED = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # workers and threads, as an instance runs

TARGET_P95_MS = 100.0
TARGET_SPEEDUP = 1.5


def tree_cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) of these processes and their live descendants."""
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


async def class_step(topology: Topology, learners: int, measure: float, ramp: float, think: tuple, seed: int) -> dict:
    """`learners` arrive over `ramp` seconds, then `measure` seconds are measured."""
    recorder = load.Recorder()
    args = types.SimpleNamespace(think_min=think[0], think_max=think[1], page_change=0.1, timeout=10.0, seed=seed)
    start = time.monotonic()
    stop_at = start + ramp + measure

    async def arrive(index: int) -> None:
        await asyncio.sleep(ramp * index / learners)
        await load.learner(index, topology.nginx_url, recorder, stop_at, args)

    tasks = [asyncio.create_task(arrive(n)) for n in range(learners)]
    await asyncio.sleep(max(0.0, start + ramp - time.monotonic()))
    recorder.measuring = True
    app_pids = topology.server_pids()
    support_pids = [p.pid for p in (topology.nginx, topology.redis) if p is not None]
    before = (tree_cpu_seconds(app_pids), tree_cpu_seconds(support_pids), time.monotonic())
    machine_before, generator_before = load.machine_busy_seconds(), load.own_cpu_seconds()
    await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
    after = (tree_cpu_seconds(app_pids), tree_cpu_seconds(support_pids), time.monotonic())
    machine, generator = load.machine_busy_seconds() - machine_before, load.own_cpu_seconds() - generator_before
    recorder.measuring = False
    await asyncio.wait(tasks, timeout=60)
    seconds = after[2] - before[2]
    callbacks = sorted(t for name, times in recorder.latencies.items() if not name.startswith("GET ") for t in times)
    everything = sum(len(times) for times in recorder.latencies.values())
    return {
        "learners": learners,
        "rate": len(callbacks) / seconds,
        "requests_per_s": everything / seconds,
        "p50": load.percentile(callbacks, 0.5) if callbacks else math.nan,
        "p95": load.percentile(callbacks, 0.95) if callbacks else math.nan,
        "errors": sum(recorder.errors.values()),
        "app_cpu": after[0] - before[0],
        "support_cpu": after[1] - before[1],
        "generator_cpu": generator,
        # Everything else the machine ran meanwhile: other people's work on the shared cores.
        "others_cpu": machine - (after[0] - before[0]) - (after[1] - before[1]) - generator,
        "seconds": seconds,
        "load": os.getloadavg()[0],
        "examples": recorder.error_examples[:3],
    }


def describe(step: dict) -> str:
    busy = {name: step[f"{name}_cpu"] / step["seconds"] for name in ("app", "generator", "others")}
    over = "" if step["p95"] < TARGET_P95_MS and step["errors"] == 0 else "  <- over"
    return (
        f"{step['rate']:6.1f} callbacks/s, p50 {step['p50']:6.1f} ms, p95 {step['p95']:6.1f} ms, errors "
        f"{step['errors']}; cores busy: app {busy['app']:.2f}, generator {busy['generator']:.2f}, other work "
        f"{busy['others']:.2f}; load average {step['load']:.2f}{over}"
        + "".join(f"\n      error: {example[:200]}" for example in step["examples"])
    )


def run_step(topology, learners, measure, ramp, think, seed) -> dict:
    gc.disable()  # the generator's own collections would pause every request in flight (bench/load.py)
    try:
        return asyncio.run(class_step(topology, learners, measure, ramp, think, seed))
    finally:
        gc.enable()
        gc.collect()


def cpu_per_learner_minute(args) -> None:
    with tempfile.TemporaryDirectory(prefix="capacity-") as folder, Topology(Path(folder), instances=2) as topology:
        run_step(topology, 10, 5, 2, (1.0, 4.0), seed=99)  # warm the workers' own memos first
        step = run_step(topology, args.learners, args.duration, 10, (1.0, 4.0), seed=1)
    minutes = step["seconds"] / 60
    per_learner_minute = step["app_cpu"] / (args.learners * minutes)
    print(
        f"\n== CPU per learner-minute: {args.learners} learners, 1-4 s between actions, {step['seconds']:.0f} s "
        f"measured, through nginx to 2 single-worker instances; load average {step['load']:.2f} at the end"
    )
    print(
        f"callbacks/s {step['rate']:.1f}, requests/s {step['requests_per_s']:.1f}, p50 {step['p50']:.1f} ms, "
        f"p95 {step['p95']:.1f} ms, errors {step['errors']}"
    )
    print(
        f"app CPU {step['app_cpu']:.1f} s = {per_learner_minute:.2f} CPU-seconds per learner-minute "
        f"({1000 * step['app_cpu'] / max(step['requests_per_s'] * step['seconds'], 1):.1f} ms per request); "
        f"nginx + Redis {step['support_cpu']:.1f} s; cores busy meanwhile: load generator "
        f"{step['generator_cpu'] / step['seconds']:.2f}, other work {step['others_cpu'] / step['seconds']:.2f}"
    )
    for utilisation in (0.5, 0.7):
        per_core = utilisation * 60 / per_learner_minute
        print(f"learners per core at {utilisation:.0%} CPU: {per_core:.0f}")


def memory(args) -> None:
    """RSS and PSS of one instance as deployed (gunicorn.conf.py's workers and threads), after a class has
    used every page for a while.

    RSS counts the pages a worker shares with the master (torch, the memos) in both; PSS splits each shared
    page between its sharers, so the PSS of all processes adds up to what the container really holds."""
    with (
        tempfile.TemporaryDirectory(prefix="capacity-") as folder,
        Topology(Path(folder), instances=1, workers=DEPLOYED["workers"], threads=DEPLOYED["threads"]) as topology,
    ):
        step = run_step(topology, args.learners, args.duration, 5, (1.0, 4.0), seed=7)
        master = psutil.Process(topology.server_pids()[0])
        print(
            f"\n== One instance, {DEPLOYED['workers']} workers x {DEPLOYED['threads']} threads, "
            f"after {step['seconds']:.0f} s of {args.learners} learners"
        )
        total_pss = 0.0
        for process in [master, *master.children(recursive=True)]:
            info = process.memory_full_info()
            total_pss += info.pss
            role = "master" if process.pid == master.pid else "worker"
            print(f"  {role:<6} pid {process.pid}: RSS {info.rss / 2**20:6.0f} MiB, PSS {info.pss / 2**20:6.0f} MiB")
        print(f"  all processes: PSS {total_pss / 2**20:.0f} MiB (what the container holds)")


def scaling(args) -> None:
    """1 and 2 instances, both running at once and measured in turn at each rate, so that the other work on
    a shared machine falls on both alike. A step that misses the target gets a second try (someone else's
    burst can spoil one window); a topology stops at the first rate that misses twice. The held rate is
    the best rate that met the target."""
    print(f"\n== Highest rate at p95 < {TARGET_P95_MS:g} ms, 0.5-1.5 s between actions, {args.step_seconds:g} s a step")
    held = {1: 0.0, 2: 0.0}
    with tempfile.TemporaryDirectory(prefix="capacity-") as folder, contextlib.ExitStack() as stack:
        topologies = {n: stack.enter_context(Topology(Path(folder) / f"{n}", instances=n)) for n in held}
        for topology in topologies.values():
            # Every worker fills its own memos (e.g. a stability sweep once per (surface, steps) pair):
            # warm them all, so that two instances are not measured colder than one.
            run_step(topology, 20, 15, 3, (0.5, 1.5), seed=99)
        going = set(held)
        for learners in args.steps:
            for instances in sorted(going):
                for attempt in range(2):
                    step = run_step(
                        topologies[instances],
                        learners,
                        args.step_seconds,
                        3,
                        (0.5, 1.5),
                        seed=learners + 1000 * attempt,
                    )
                    ok = step["p95"] < TARGET_P95_MS and step["errors"] == 0
                    print(f"  {instances} instance(s), {learners:>3} learners, try {attempt + 1}: {describe(step)}")
                    if ok:
                        held[instances] = max(held[instances], step["rate"])
                        break
                else:
                    going.discard(instances)
            if not going:
                break
    one, two = held[1], held[2]
    ratio = two / one if one else math.nan
    print(
        f"1 instance holds {one:.1f} callbacks/s, 2 instances hold {two:.1f}: {ratio:.2f}x "
        f"(target {TARGET_SPEEDUP:g}x: {'MET' if ratio >= TARGET_SPEEDUP else 'NOT MET'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["cpu", "scaling", "memory", "both"], default="both")
    parser.add_argument("--learners", type=int, default=60, help="class size for the CPU measurement")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds measured for the CPU measurement")
    parser.add_argument(
        "--steps",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[10, 20, 30, 40, 50, 60, 75, 90, 110, 130],
    )
    parser.add_argument("--step-seconds", type=float, default=12.0)
    args = parser.parse_args()
    if missing_tools():
        raise SystemExit(missing_tools())
    if not (1 <= args.learners <= 500 and 0 < args.duration <= 600 and all(1 <= n <= 500 for n in args.steps)):
        raise SystemExit("--learners 1-500, --duration up to 600 s, steps of 1-500 learners")
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start")
    if args.part in ("cpu", "both"):
        cpu_per_learner_minute(args)
    if args.part == "memory":
        memory(args)
    if args.part in ("scaling", "both"):
        scaling(args)


if __name__ == "__main__":
    main()
