"""Replay requests recorded by ``bench/load.py --record`` in this process, timed and profiled.

    /tmp/venv/bin/python bench/load.py --learners 10 --duration 30 --record /tmp/requests.jsonl
    /tmp/venv/bin/python bench/profile_requests.py /tmp/requests.jsonl            # time per callback
    /tmp/venv/bin/python bench/profile_requests.py /tmp/requests.jsonl --profile  # and where it goes
    /tmp/venv/bin/python bench/profile_requests.py /tmp/requests.jsonl --gc --repeat 3 [--no-refreeze]

One thread, no network, no gunicorn: what is left is the app's own CPU time per request (Dash, the
callbacks, serialisation and compression, since Chrome's Accept-Encoding is sent), which is what a
class of learners queues up for on a small machine. Each request is replayed --repeat times; the
table gives the mean and the largest time per request name, the response size and the total.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd", "Content-Type": "application/json"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("requests", help="a file written by bench/load.py --record")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative or tottime")
    parser.add_argument("--dump", default="", help="with --profile: also write the profile to this file (pstats)")
    parser.add_argument("--only", default="", help="replay only requests whose name contains this")
    parser.add_argument("--gc", action="store_true", help="report the garbage collector's pauses per generation")
    parser.add_argument(
        "--no-refreeze",
        action="store_true",
        help="without app.main.freeze_after_full_collections (to compare the full collections' pauses)",
    )
    args = parser.parse_args()

    from app import main as app_main  # noqa: PLC0415 (after sys.path)
    from app.wsgi import server  # noqa: PLC0415 (gc.freeze() and its hook, as in production)

    if args.no_refreeze:
        gc.callbacks.remove(app_main._freeze_survivors)
    pauses = {0: [], 1: [], 2: []}
    if args.gc:
        began = [0.0]

        def timed_collection(phase: str, info: dict) -> None:
            if phase == "start":
                began[0] = time.perf_counter()
            else:
                pauses[info["generation"]].append((time.perf_counter() - began[0]) * 1000)

        gc.callbacks.insert(0, timed_collection)  # first, so a refreeze after it is not counted

    lines = [orjson.loads(line) for line in Path(args.requests).read_text().splitlines() if line.strip()]
    lines = [line for line in lines if args.only in line["name"]]
    client = server.test_client()
    # Warm up: the first request of each kind imports and builds things once per worker.
    for line in {line["name"]: line for line in lines}.values():
        client.open(line["path"], method=line["method"], data=line["body"], headers=HEADERS)
    gc.collect()

    times: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, list[int]] = defaultdict(list)
    profiler = cProfile.Profile() if args.profile else None
    start_all = time.perf_counter()
    for _ in range(args.repeat):
        for line in lines:
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            response = client.open(line["path"], method=line["method"], data=line["body"], headers=HEADERS)
            elapsed = (time.perf_counter() - start) * 1000
            if profiler:
                profiler.disable()
            times[line["name"]].append(elapsed)
            sizes[line["name"]].append(len(response.data))
            if response.status_code >= 400:
                print(f"{response.status_code} from {line['name']}", file=sys.stderr)
    total = (time.perf_counter() - start_all) * 1000

    header = f"{'request':<52} {'count':>6} {'mean ms':>8} {'max ms':>8} {'total ms':>9} {'KiB sent':>9}"
    print(header)
    print("-" * len(header))
    for name in sorted(times, key=lambda n: -sum(times[n])):
        t = times[name]
        kib = sum(sizes[name]) / len(sizes[name]) / 1024
        print(f"{name:<52} {len(t):>6} {sum(t) / len(t):8.2f} {max(t):8.2f} {sum(t):9.0f} {kib:9.1f}")
    count = sum(len(t) for t in times.values())
    print(f"\n{count} requests in {total:.0f} ms: {total / max(count, 1):.2f} ms each on average")
    for generation, times_ms in pauses.items():
        if times_ms:
            print(
                f"garbage collections of generation {generation}: {len(times_ms)}, {sum(times_ms):.0f} ms in all, "
                f"the longest {max(times_ms):.1f} ms"
            )
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        if args.dump:
            profiler.dump_stats(args.dump)
        print(out.getvalue())


if __name__ == "__main__":
    main()
