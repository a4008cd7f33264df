"""Benchmark: how long the server takes to answer a change of settings on a 10,000-step descent.

Starts gunicorn with the project's config on a free loopback port, then replays what the browser
sends when a learner changes η on /descent: the validation callback, then the run callback (which
returns the whole 10,000-step trajectory and not the surface meshes). Prints p50/p95/max latency and
the response sizes, raw and compressed.

    .venv/bin/python bench/descent_response.py [--repeats 40]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import ids  # noqa: E402
from app.components.player import figure_id  # noqa: E402

DS = ids.Descent
TARGET_MS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not come up")


def dependency(dependencies: list, component_id: str, prop: str, output: str = "") -> dict:
    return next(
        d for d in dependencies if {"id": component_id, "property": prop} in d["inputs"] and output in d["output"]
    )


def outputs_of(output: str) -> list[dict]:
    specs = []
    for part in output[2:-2].split("..."):
        component, prop = part.rsplit(".", 1)
        specs.append({"id": json.loads(component) if component.startswith("{") else component, "property": prop})
    return specs


def post(connection, payload: dict, encoding: str) -> tuple[float, bytes, int]:
    """Time one callback round trip; return the time, the decoded body and the bytes on the wire."""
    body = json.dumps(payload)
    headers = {"Content-Type": "application/json", "Accept-Encoding": encoding}
    start = time.perf_counter()
    connection.request("POST", "/_dash-update-component", body, headers)
    response = connection.getresponse()
    wire = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        raise SystemExit(f"status {response.status}: {wire[:200]!r}")
    coding = response.getheader("Content-Encoding", "identity")
    if coding == "zstd":
        from backports import zstd  # what flask-compress itself uses on Python 3.11

        data = zstd.decompress(wire)
    elif coding == "br":
        import brotli

        data = brotli.decompress(wire)
    elif coding == "gzip":
        data = gzip.decompress(wire)
    else:
        data = wire
    return elapsed, data, len(wire), coding


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument(
        "--encoding",
        default="gzip, deflate, br, zstd",
        help="the Accept-Encoding header to send; the default is Chrome's (the server then picks zstd)",
    )
    args = parser.parse_args()
    port = free_port()
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", ACCESS_LOG="0")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:server"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/descent")
        connection.getresponse().read()
        connection.request("GET", "/_dash-dependencies")
        dependencies = json.loads(connection.getresponse().read())
        sync = dependency(dependencies, DS.LR2_INPUT, "value")
        run = dependency(dependencies, DS.STATE2, "data", "player-run")
        contour_click = json.dumps(figure_id(DS.TWO_D, "contour"), sort_keys=True, separators=(",", ":"))
        sync_times, run_times, sizes = [], [], []
        for i in range(args.repeats):
            lr = 0.001 + 0.00001 * (i % 7)  # a new η each time, as a learner dragging the slider
            state = {"surface": "rosenbrock", "x0": -1.5, "y0": 2.0, "lr": 0.001, "steps": 10_000}
            values = {
                DS.SURFACE: "rosenbrock",
                DS.X0_INPUT: "-1.5",
                DS.Y0_INPUT: "2",
                DS.LR2_SLIDER: -3,
                DS.LR2_INPUT: f"{lr}",
                DS.STEPS2_INPUT: "10000",
                contour_click: None,
            }
            inputs = [
                []
                if s["id"].startswith("{") and "preset" in s["id"]
                else {
                    "id": json.loads(s["id"]) if s["id"].startswith("{") else s["id"],
                    "property": s["property"],
                    "value": values.get(s["id"]),
                }
                for s in sync["inputs"]
            ]
            elapsed, data, _, _ = post(
                connection,
                {
                    "output": sync["output"],
                    "outputs": outputs_of(sync["output"]),
                    "inputs": inputs,
                    "state": [{"id": DS.STATE2, "property": "data", "value": state}],
                    "changedPropIds": [f"{DS.LR2_INPUT}.value"],
                },
                args.encoding,
            )
            sync_times.append(elapsed)
            new_state = json.loads(data)["response"][DS.STATE2]["data"]
            elapsed, data, wire, coding = post(
                connection,
                {
                    "output": run["output"],
                    "outputs": outputs_of(run["output"]),
                    "inputs": [{"id": DS.STATE2, "property": "data", "value": new_state}],
                    "state": [{"id": DS.DRAWN_SURFACE, "property": "data", "value": "rosenbrock"}],
                    "changedPropIds": [f"{DS.STATE2}.data"],
                },
                args.encoding,
            )
            run_times.append(elapsed)
            sizes.append((len(data), wire, coding))
            response = json.loads(data)["response"]
            assert not any("player-figure" in key for key in response), "the meshes must not be re-sent"
            trajectory = next(v["data"] for k, v in response.items() if "player-run" in k)
            assert len(trajectory["loss"]) == 10_001
    finally:
        server.terminate()
        server.wait(timeout=10)

    def line(name, times):
        times = sorted(times[3:])  # the first few warm the worker up
        p95 = times[int(0.95 * (len(times) - 1))]
        return f"{name:<34} p50 {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   max {times[-1]:6.1f} ms"

    print(
        f"10,000-step Rosenbrock run on /descent, {args.repeats} changes of η, gunicorn on 127.0.0.1, "
        f"Accept-Encoding: {args.encoding}"
    )
    print(line("validate settings (sync callback)", sync_times))
    print(line("compute and send the run", run_times))
    print(line("both, as the learner waits", [a + b for a, b in zip(sync_times, run_times, strict=True)]))
    raw, wire, coding = sizes[-1]
    print(
        f"run response: {raw / 1024:.0f} KiB of JSON, {wire / 1024:.0f} KiB on the wire ({coding});"
        " no surface mesh in it"
    )
    print(f"target: answer under {TARGET_MS} ms for the run callback")
    if os.environ.get("BENCH_VERBOSE"):
        print("run times:", [round(t) for t in run_times])


if __name__ == "__main__":
    main()
