"""Shared test setup: headless Chromium for dash_duo, and a fresh app per test."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from dash.testing.application_runners import BaseDashRunner
from selenium.webdriver.chrome.options import Options

# dash_duo numbers its servers' ports from 58050 in every process, so two test runs on one machine
# collide; DASH_TEST_PORT_BASE moves one of them elsewhere.
if os.environ.get("DASH_TEST_PORT_BASE", "").isdigit():
    BaseDashRunner._next_port = int(os.environ["DASH_TEST_PORT_BASE"])

# The code trace's cache, queue and background jobs in a folder of this test run's own: a trace is then
# really run once per session, and two test runs (or a running server) never share a queue.
_TRACE_FOLDER = tempfile.mkdtemp(prefix="trace-tests-")
os.environ.setdefault("TRACE_CACHE_DIR", os.path.join(_TRACE_FOLDER, "cache"))
os.environ.setdefault("TRACE_RUNTIME_DIR", os.path.join(_TRACE_FOLDER, "runtime"))
# Live classes in a database of this run's own.
os.environ.setdefault("CLASS_DB", os.path.join(_TRACE_FOLDER, "classes.sqlite3"))

# This machine has no network; without these Chromium keeps trying to reach Google's services.
QUIET_CHROMIUM_FLAGS = (
    "--headless=new",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1280,900",
    # Dash adds these three for dash_duo; a test's own driver needs them too (root, no GPU, small /dev/shm).
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
)


def chromium_options() -> Options:
    options = Options()
    for flag in QUIET_CHROMIUM_FLAGS:
        options.add_argument(flag)
    binary = shutil.which("chromium")
    if binary:
        options.binary_location = binary
    return options


def pytest_setup_options():
    """dash's hook: the browser dash_duo starts."""
    return chromium_options()


@pytest.fixture
def app():
    from app.main import create_app

    made = create_app()
    # Dash collects the callbacks its page modules registered on the first request an app serves. One
    # request now, so an app a test never calls cannot leave its callbacks for the next app to collect
    # as well (the next app would then hold each of them twice).
    assert made.server.test_client().get("/healthz").status_code == 200
    return made


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free loopback port, stopped by its PID."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server; .ci/run does it as root)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
