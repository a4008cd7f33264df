"""Benchmark: what a learner's browser downloads to open each page cold, and how soon the first plot shows.

Starts gunicorn as the Dockerfile does (``gunicorn -c gunicorn.conf.py app.wsgi:server``) on a free
loopback port, then opens every page in a fresh headless Chromium (a new profile per page, the cache
disabled). Chromium's own network events count the bytes: the ``encodedDataLength`` of every finished
request, which is what came over the wire (headers and compressed body). The first plot is the moment
the first ``.js-plotly-plot .main-svg`` enters the page, in ms after navigation started.

    .venv/bin/python bench/first_load.py [--runs 3] [--root /path/to/another/checkout] [--details]

``--root`` serves another checkout of the app (e.g. ``git worktree add /tmp/before <commit>``) with
this interpreter, to compare before and after. Needs chromium and chromedriver (scripts/test installs them).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import chromium_options  # noqa: E402

PAGES = ("/", "/derivative", "/gradient", "/descent", "/learning-rate", "/autograd")
TARGET_BYTES = 1.3e6
TARGET_FIRST_PLOT_MS = 1500
FIRST_PLOT = ".js-plotly-plot .main-svg"
# Runs before any of the page's scripts: notes when the first plot is drawn, without polling delays.
WATCH_FIRST_PLOT = """
new MutationObserver(function (changes, observer) {
    if (document.querySelector(FIRST_PLOT)) {
        window.__firstPlotMs = performance.now();
        observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true});
""".replace("FIRST_PLOT", json.dumps(FIRST_PLOT))
QUIET_SECONDS = 1.0  # the page is loaded when no request has finished for this long


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(root: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), ACCESS_LOG="0")
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app.wsgi:server"]
    server = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not come up: " + server.stderr.read().decode(errors="replace")[-2000:])


def open_cold(url: str, has_plot: bool) -> dict:
    """One page in a fresh browser: bytes per URL, total bytes on the wire, and the first plot's time."""
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options)  # a new temporary profile each time: nothing cached
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_FIRST_PLOT})
        driver.get_log("performance")  # drop what the blank start page logged
        driver.get(url)
        urls, sizes, failed = {}, {}, []
        last_finish = time.monotonic()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for entry in driver.get_log("performance"):
                message = json.loads(entry["message"])["message"]
                params = message.get("params", {})
                if message["method"] == "Network.requestWillBeSent":
                    urls[params["requestId"]] = params["request"]["url"]
                elif message["method"] == "Network.loadingFinished":
                    sizes[params["requestId"]] = params["encodedDataLength"]
                    last_finish = time.monotonic()
                elif message["method"] == "Network.loadingFailed":
                    failed.append(urls.get(params["requestId"], params["requestId"]))
            plotted = driver.execute_script("return window.__firstPlotMs || null")
            pending = set(urls) - set(sizes) - {request for request in urls if urls[request] in failed}
            settled = time.monotonic() - last_finish > QUIET_SECONDS and not pending
            if settled and (plotted or not has_plot):
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"{url} did not finish loading within 30 s")
        per_url = {}
        for request, size in sizes.items():
            per_url[urls.get(request, request)] = per_url.get(urls.get(request, request), 0) + size
        return {"bytes": sum(sizes.values()), "first_plot_ms": plotted, "per_url": per_url, "failed": failed}
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold loads per page (the median is reported)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--details", action="store_true", help="list every request of each page's last run")
    parser.add_argument("--pages", nargs="+", default=PAGES, help="the pages to load (default: all)")
    options = parser.parse_args(argv)

    port = free_port()
    server = start_gunicorn(options.root.resolve(), port)
    try:
        print(f"Serving {options.root.resolve()} on 127.0.0.1:{port}; {options.runs} cold load(s) per page.\n")
        print(f"| page | on the wire, cold | first plot (median of {options.runs}) | requests |")
        print("|---|---|---|---|")
        for path in options.pages:
            has_plot = path != "/"
            runs = [open_cold(f"http://127.0.0.1:{port}{path}", has_plot) for _ in range(options.runs)]
            wire = statistics.median(run["bytes"] for run in runs)
            times = [run["first_plot_ms"] for run in runs if run["first_plot_ms"] is not None]
            first_plot = f"{statistics.median(times):.0f} ms" if times else "no plot"
            flags = ("" if wire <= TARGET_BYTES else " (over 1.3 MB)") + (
                " (over 1.5 s)" if times and statistics.median(times) > TARGET_FIRST_PLOT_MS else ""
            )
            print(f"| `{path}` | {wire / 1e6:.2f} MB | {first_plot}{flags} | {len(runs[-1]['per_url'])} |")
            if options.details:
                for url, size in sorted(runs[-1]["per_url"].items(), key=lambda item: -item[1]):
                    print(f"|   | {size / 1e3:9.1f} kB | {url.split('?')[0][-90:]} | |")
            for url in runs[-1]["failed"]:
                print(f"|   | failed | {url} | |")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
