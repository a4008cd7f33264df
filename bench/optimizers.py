"""Benchmark: server time of the optimizer race and of the basin maps (app/compute/optimizers.py and
app/compute/basins.py), cold (memos cleared).

- Race: for each catalogue surface, all seven optimizers (six torch.optim rules and Newton) race 2,000
  steps from the page's start with the page's hyperparameters for that surface, without and with noise.
  Target (issue 24): a 2,000-step Rosenbrock race of seven under 50 ms of server time.
- Basins: 60 x 60 starts x 500 steps for one optimizer on Himmelblau, for each optimizer. Target: under
  300 ms.

Times are CPU time of this thread (time.thread_time), the server time a request costs, which other work
on the machine disturbs less than the wall clock; the wall clock is printed beside it.

    .venv/bin/python bench/optimizers.py [--repeats 15] [--steps 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.compute import basins, compiled, optimizers  # noqa: E402
from app.compute.surfaces import SURFACES  # noqa: E402

RACE_TARGET_MS = 50.0
BASIN_TARGET_MS = 300.0


def timed(work) -> tuple[float, float]:
    """(CPU ms, wall ms) of one call."""
    cpu, wall = time.thread_time(), time.perf_counter()
    work()
    return (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def cold_race(settings: optimizers.RaceSettings) -> tuple[float, float]:
    optimizers.forget_races()
    return timed(lambda: optimizers.race(settings))


def cold_basins(surface, key: str) -> tuple[float, float]:
    basins._basins.cache_clear()
    hyper = optimizers.hyper_for(surface.key)[key]
    return timed(lambda: basins.basins(surface, key, hyper))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    first_cpu, first_wall = cold_race(optimizers.suggested_settings("rosenbrock", args.steps))
    print(
        f"first race in this process (rosenbrock, {args.steps} steps; numba compiles the engine): "
        f"{first_cpu:.0f} ms CPU, {first_wall:.0f} wall"
    )
    for surface in SURFACES.values():  # as warm_up does before a server forks its workers
        compiled.surface_formulas(surface)
    print(f"{'surface':<12}{'noise':>6}{'CPU median':>11}{'p95':>7}{'wall median':>12}{'steps run':>10}  verdicts")
    for key in SURFACES:
        for noise in (0.0, 1.0):
            settings = optimizers.suggested_settings(key, args.steps, noise)
            times = [cold_race(settings) for _ in range(args.repeats)]
            cpu, wall = [t[0] for t in times], [t[1] for t in times]
            race = optimizers.race(settings)
            ran = sum(len(run.positions) - 1 for run in race.runs)
            verdicts = ", ".join(f"{run.key}:{run.verdict.split()[0]}" for run in race.runs)
            print(
                f"{key:<12}{noise:>6g}{statistics.median(cpu):>11.1f}{percentile(cpu, 0.95):>7.1f}"
                f"{statistics.median(wall):>12.1f}{ran:>10}  {verdicts}"
            )
    optimizers.race(optimizers.suggested_settings("rosenbrock", args.steps))
    hit_cpu, _ = timed(lambda: optimizers.race(optimizers.suggested_settings("rosenbrock", args.steps)))
    print(f"a repeated race (memo hit): {hit_cpu * 1000:.0f} µs; target cold: {RACE_TARGET_MS:g} ms on Rosenbrock")

    surface = SURFACES["himmelblau"]
    grid, steps = basins.GRID, basins.STEPS
    print(f"\nbasins on himmelblau, {grid} x {grid} starts x {steps} steps, target {BASIN_TARGET_MS:g} ms:")
    basins.flat_points(surface)  # once per surface and process, memoised (about 10 ms)
    for key in optimizers.EVERYONE:
        times = [cold_basins(surface, key) for _ in range(max(3, args.repeats // 3))]
        cpu, wall = [t[0] for t in times], [t[1] for t in times]
        middle = statistics.median(cpu)
        print(f"  {key:<10} CPU median {middle:6.1f} ms, max {max(cpu):6.1f}; wall {statistics.median(wall):6.1f}")


if __name__ == "__main__":
    main()
