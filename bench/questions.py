"""Benchmark: the server time of drawing a question and of revealing it, for every kind and both levels.

    .venv/bin/python bench/questions.py [--seeds 200] [--kinds tangent-slope,ball-landing]

What is timed is what the server does in the question panel's callbacks (app/components/questions.py):

- **draw**: the ``draw`` callback's work, ``kind.make(seed, level)`` (through ``panel.made``, its memo)
  and what the browser keeps of it (``stored``: the click anchor), then the ``show`` callback's:
  the question rebuilt from the store (``read_stored``) and drawn, ``figures.question_figure`` and
  ``figures.summary``. Both callbacks are counted, as the server spends them; ``show`` is taken to
  reach the same worker as ``draw`` (a browser's keep-alive connection), so ``made`` remembers it.
- **reveal**: the question rebuilt from the seed (``read_stored``), ``kind.reveal`` with a guess the way
  the browser sends it (text), the verdict's components and ``figures.revealed_figure``.
- **+json**: the same, and the answer encoded as Dash sends it (app/serialisation.py's ``to_json``),
  so the column is the callback's own work without Dash's request handling.

Each is timed three ways, over --seeds seeds per kind and level:

- **cold**: every memo in app/ cleared before the call (surface meshes, runs, races: a fresh worker);
- **fresh**: the process warmed up as gunicorn's master does (app.main.warm_up), and a seed not seen
  before: what a learner pressing "Another one" on a running server costs;
- **warm**: the same question again at once (its memos hit): a class handed the same link.

Times are CPU time of this thread (time.thread_time), which other work on the machine disturbs less than
the wall clock (torch, numpy and OpenMP are held to one thread, as app/wsgi.py does); the wall clock's
p95 is printed beside it. Targets (issue 25): drawing under 20 ms, Reveal under 50 ms, for every kind.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import sys
import time
import types
from pathlib import Path

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # as app/wsgi.py: one compute thread, so thread_time sees it all

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.main import create_app, warm_up  # noqa: E402
from app.serialisation import to_json  # noqa: E402

APP = create_app()  # installs the serialiser and registers the callbacks, as the server does
warm_up(APP)

from app.components import questions as panel  # noqa: E402
from app.figures import questions as figures  # noqa: E402
from app.questions import base  # noqa: E402
from app.questions.registry import KINDS  # noqa: E402

DRAW_TARGET_MS = 20.0
REVEAL_TARGET_MS = 50.0
MEMO = functools._lru_cache_wrapper
MODES = ("cold", "fresh", "warm")


def clear_memos() -> int:
    """Clear every functools memo in app/ (module functions and methods of classes); how many. Compiled
    code (app.compute.compiled.build_once) stays: a fresh worker inherits it from warm_up."""
    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if not (name == "app" or name.startswith("app.")) or module is None:
            continue
        for value in list(vars(module).values()):
            owners = [value, *vars(value).values()] if isinstance(value, type) else [value]
            for owner in owners:
                # A memo is an lru_cache, or a function that carries one's cache_clear (remembered_runs).
                memo = isinstance(owner, MEMO) or (
                    isinstance(owner, types.FunctionType) and "cache_clear" in vars(owner)
                )
                if memo and id(owner) not in seen and not getattr(owner, "builds_code", False):
                    seen.add(id(owner))
                    owner.cache_clear()
    return len(seen)


def guess_for(question: base.Question, rng: random.Random):
    """A guess in the question's shape, as the browser's boxes send it (text), or a choice."""
    if question.answer == base.NUMBER:
        return f"{rng.uniform(-3, 3):.2f}"
    if question.answer == base.DIRECTION:
        return f"{rng.uniform(0, 360):.0f}"
    if question.answer == base.POINT:
        return [f"{rng.uniform(-2, 2):.2f}", f"{rng.uniform(-2, 2):.2f}"]
    return rng.choice(question.choices)


def draw(kind, seed: int, level: str, encode: bool) -> base.Question:
    data = panel.stored(panel.made(kind.key, seed, level))  # the draw callback
    question = panel.read_stored(data)  # the show callback (the same worker: made remembers it)
    answer = (question.prompt, figures.question_figure(question), figures.summary(question))
    if encode:
        to_json(answer)
    return question


def reveal(kind, seed: int, level: str, guess, encode: bool) -> None:
    question = panel.read_stored({"kind": kind.key, "seed": seed, "level": level})
    verdict = kind.reveal(question, guess)
    answer = (panel.verdict_box(verdict), figures.revealed_figure(question, verdict))
    if encode:
        to_json(answer)


def timed(work) -> tuple[float, float, object]:
    """(CPU ms, wall ms, result) of one call."""
    cpu, wall = time.thread_time(), time.perf_counter()
    result = work()
    return (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(kind, level: str, seeds: dict[str, list[int]], rng: random.Random) -> dict:
    """{(action, mode): [(cpu, wall, cpu with json)]} for one kind and level.

    cold and warm time each seed of ``seeds["same"]`` with and without json; fresh takes a new seed for
    each timing (``seeds["fresh"]`` without json, ``seeds["fresh json"]`` with), drawn then revealed as
    a learner does, so its Reveal follows its own draw in this process (one worker's view)."""
    times: dict = {(action, mode): [] for mode in MODES for action in ("draw", "reveal")}
    guesses = {seed: guess_for(kind.make(seed, level), rng) for seed in seeds["same"]}
    for seed in seeds["same"]:
        for mode in ("cold", "warm"):
            results = {}
            for action in ("draw", "reveal"):
                for encode in (False, True):
                    if action == "draw":
                        work = functools.partial(draw, kind, seed, level, encode)
                    else:
                        work = functools.partial(reveal, kind, seed, level, guesses[seed], encode)
                    if mode == "cold":
                        clear_memos()
                    else:
                        work()  # the same question just before: its memos are hit
                    results[(action, encode)] = timed(work)
            for action in ("draw", "reveal"):
                cpu, wall, _ = results[(action, False)]
                times[(action, mode)].append((cpu, wall, results[(action, True)][0]))
    plain = []
    for encode, key in ((False, "fresh"), (True, "fresh json")):
        for seed in seeds[key]:
            drawn = timed(functools.partial(draw, kind, seed, level, encode))
            guess = guess_for(drawn[2], rng)
            revealed = timed(functools.partial(reveal, kind, seed, level, guess, encode))
            if not encode:
                plain.append((drawn, revealed))
            else:
                first, second = plain[len(times[("draw", "fresh")])]
                times[("draw", "fresh")].append((first[0], first[1], drawn[0]))
                times[("reveal", "fresh")].append((second[0], second[1], revealed[0]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=200, help="seeds per kind and level")
    parser.add_argument("--kinds", default="", help="only these kinds (comma-separated keys)")
    parser.add_argument("--seed", type=int, default=1, help="picks the seeds and the guesses")
    args = parser.parse_args()
    keys = [k for k in args.kinds.split(",") if k] or list(KINDS)
    unknown = [k for k in keys if k not in KINDS]
    if unknown:
        raise SystemExit(f"unknown kinds: {', '.join(unknown)} (there are: {', '.join(KINDS)})")
    print(f"{len(keys)} kinds x {len(base.LEVELS)} levels x {args.seeds} seeds; CPU ms (thread_time) unless wall")
    print(f"load average before: {os.getloadavg()[0]:.2f}; {clear_memos()} memos found in app/\n")

    header = (
        f"{'kind':<22}{'level':<7}{'action':<7}{'mode':<6}"
        f"{'median':>7}{'p95':>7}{'max':>7}{'wall p95':>9}{'+json p95':>10}{'+json max':>10}  target"
    )
    print(header)
    print("-" * len(header))
    worst: dict = {}  # (action, mode) -> (ms, where): the largest p95 (with json)
    misses: list[str] = []
    for key in keys:
        kind = KINDS[key]
        for level in base.LEVELS:
            rng = random.Random(f"{args.seed}-{key}-{level}")
            seeds = {
                name: [rng.randrange(base.MAX_SEED + 1) for _ in range(args.seeds)]
                for name in ("same", "fresh", "fresh json")
            }
            times = measure(kind, level, seeds, rng)
            for (action, mode), rows in times.items():
                cpu, wall, with_json = ([r[i] for r in rows] for i in range(3))
                target = DRAW_TARGET_MS if action == "draw" else REVEAL_TARGET_MS
                p95 = percentile(with_json, 0.95)
                held = "ok" if p95 < target else f"OVER {target:g}"
                if p95 >= target:
                    misses.append(f"{key} {level} {action} {mode}: p95 {p95:.1f} ms (+json)")
                if p95 > worst.get((action, mode), (-1, ""))[0]:
                    worst[(action, mode)] = (p95, f"{key} {level}")
                print(
                    f"{key:<22}{level:<7}{action:<7}{mode:<6}"
                    f"{statistics.median(cpu):>7.2f}{percentile(cpu, 0.95):>7.2f}{max(cpu):>7.2f}"
                    f"{percentile(wall, 0.95):>9.2f}{p95:>10.2f}{max(with_json):>10.2f}  {held}"
                )
        sys.stdout.flush()
    print("\nthe slowest kind's p95 (+json), per action and mode:")
    for (action, mode), (ms, where) in sorted(worst.items()):
        target = DRAW_TARGET_MS if action == "draw" else REVEAL_TARGET_MS
        print(f"  {action:<7}{mode:<6}{ms:7.2f} ms  ({where}); target {target:g} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if misses:
        print("TARGETS: NOT MET (p95 over the target):\n  " + "\n  ".join(misses))
    else:
        print(
            f"TARGETS: MET (every kind, level and mode: draw p95 < {DRAW_TARGET_MS:g} ms, "
            f"reveal < {REVEAL_TARGET_MS:g} ms)"
        )


if __name__ == "__main__":
    main()
