"""The partial plotly.js in assets/vendor: the file recorded, the version plotly.py ships, every trace drawn."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.offline import get_plotlyjs_version

from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "assets" / "vendor"
SOURCE = ROOT / "plotly-bundle"
RECORD = json.loads((VENDOR / "plotly-partial.json").read_text())

TRACE_TYPES = {
    cls().plotly_name
    for name in dir(go)
    if isinstance(cls := getattr(go, name), type) and issubclass(cls, BaseTraceType) and cls is not BaseTraceType
}


def registered_traces() -> set[str]:
    """The trace modules plotly-bundle/entry.js registers (its Plotly.register([...]) list)."""
    entry = (SOURCE / "entry.js").read_text()
    listed = re.search(r"Plotly\.register\(\[(.*?)\]\)", entry, re.S).group(1)
    return set(re.findall(r'require\("plotly\.js/lib/(\w+)"\)', listed))


def traces_the_app_draws() -> set[str]:
    """Every plotly trace type named anywhere in the app's Python or in a trace made by assets/*.js.

    A string that happens to equal a trace type only makes this stricter (it asks for that trace too).
    """
    used = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in TRACE_TYPES:
                used.add(node.value)
    for path in (ROOT / "assets").glob("*.js"):
        for kind in re.findall(r"""["']?type["']?\s*:\s*["'](\w+)["']""", path.read_text()):
            if kind in TRACE_TYPES:
                used.add(kind)
    return used


def test_the_checked_in_bundle_is_the_one_recorded():
    bundle = VENDOR / RECORD["file"]
    content = bundle.read_bytes()
    assert hashlib.sha256(content).hexdigest() == RECORD["sha256"]
    assert len(content) == RECORD["bytes"]
    assert RECORD["file"] == f"plotly-{RECORD['plotly.js']}-partial.min.js"
    assert sorted(p.name for p in VENDOR.glob("plotly-*.min.js")) == [RECORD["file"]], "one bundle, no stale copies"


def test_the_bundle_is_the_plotly_js_that_plotly_py_ships_built_from_pinned_packages():
    assert RECORD["plotly.js"] == get_plotlyjs_version()
    pinned = json.loads((SOURCE / "package.json").read_text())["devDependencies"]
    assert pinned == {"plotly.js": RECORD["plotly.js"], "esbuild": RECORD["esbuild"]}, "exact versions, no ranges"
    locked = json.loads((SOURCE / "package-lock.json").read_text())["packages"]
    assert locked["node_modules/plotly.js"]["version"] == RECORD["plotly.js"]
    assert locked["node_modules/esbuild"]["version"] == RECORD["esbuild"]
    assert (VENDOR / RECORD["file"]).read_text(errors="replace").startswith(f"/*! plotly.js v{RECORD['plotly.js']} ")


def test_every_trace_type_the_app_draws_is_in_the_bundle_and_nothing_more():
    used = traces_the_app_draws()
    assert {"scatter", "contour", "surface", "scatter3d"} <= used, "the scan finds the figures' traces"
    assert registered_traces() == used


def test_pages_load_the_partial_bundle_and_not_dccs_full_one():
    client = create_app().server.test_client()
    page = client.get("/derivative").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert [src for src in scripts if "plotly" in src.lower()] == [
        src for src in scripts if f"/assets/vendor/{RECORD['file']}" in src
    ]
    assert len([src for src in scripts if RECORD["file"] in src]) == 1
    assert "mathjax" not in page.lower()
