"""Benchmark: server time of one optimizer race (app/compute/optimizers.py), cold (memo cleared).

For each catalogue surface, all seven optimizers (six torch.optim classes and Newton) race 2,000 steps
from the page's start with the page's hyperparameters for that surface. Prints the first race in a
fresh process (torch.optim's first use included), then the median and p95 of repeated cold races.
The target in issue 14 is 150 ms for Rosenbrock.

    .venv/bin/python bench/optimizers.py [--repeats 15] [--steps 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.compute import optimizers  # noqa: E402
from app.compute.surfaces import SURFACES  # noqa: E402

TARGET_MS = 150.0


def settings_for(surface_key: str, steps: int, noise: float = 0.0) -> optimizers.RaceSettings:
    return optimizers.suggested_settings(surface_key, steps, noise)


def cold_ms(settings: optimizers.RaceSettings) -> float:
    optimizers._race.cache_clear()
    started = time.perf_counter()
    optimizers.race(settings)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    first = cold_ms(settings_for("rosenbrock", args.steps))
    print(f"first race in this process (rosenbrock, {args.steps} steps): {first:.0f} ms")
    print(f"{'surface':<12}{'noise':>6}{'median ms':>11}{'p95 ms':>9}{'steps run':>11}  verdicts")
    for key in SURFACES:
        for noise in (0.0, 1.0):
            settings = settings_for(key, args.steps, noise)
            times = sorted(cold_ms(settings) for _ in range(args.repeats))
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            race = optimizers.race(settings)
            ran = sum(len(run.positions) - 1 for run in race.runs)
            verdicts = ", ".join(f"{run.key}:{run.verdict.split()[0]}" for run in race.runs)
            print(f"{key:<12}{noise:>6g}{statistics.median(times):>11.1f}{p95:>9.1f}{ran:>11}  {verdicts}")
    optimizers.race(settings_for("rosenbrock", args.steps))
    cached = time.perf_counter()
    optimizers.race(settings_for("rosenbrock", args.steps))
    print(f"a repeated race (memo hit): {(time.perf_counter() - cached) * 1e6:.0f} µs; target cold: {TARGET_MS:g} ms")


if __name__ == "__main__":
    main()
