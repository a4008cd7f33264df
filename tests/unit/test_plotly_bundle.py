"""The browser scripts in assets/vendor: the files recorded, the versions pinned, every trace drawn."""

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
SOURCE = ROOT / "browser-bundles"
RECORD = json.loads((VENDOR / "bundles.json").read_text())
PLOTLY_CORE = f"plotly-{RECORD['plotly.js']}-core.min.js"
PLOTLY_SCENES = f"plotly-{RECORD['plotly.js']}-scenes.min.js"
REGENERATOR = f"regenerator-runtime-{RECORD['regenerator-runtime']}.min.js"

TRACE_TYPES = {
    cls().plotly_name
    for name in dir(go)
    if isinstance(cls := getattr(go, name), type) and issubclass(cls, BaseTraceType) and cls is not BaseTraceType
}


def registered_traces(entry: str) -> set[str]:
    """The trace modules a browser-bundles entry registers (its Plotly.register([...]) list)."""
    listed = re.search(r"Plotly\.register\(\[(.*?)\]\)", (SOURCE / entry).read_text(), re.S).group(1)
    return set(re.findall(r'require\("plotly\.js/lib/(\w+)"\)', listed))


def scene_traces() -> set[str]:
    """The trace types assets/presenter.js waits for Plotly.loadScenes() before drawing (its isScene)."""
    presenter = (ROOT / "assets" / "presenter.js").read_text()
    body = re.search(r"function isScene\(figure\) \{(.*?)\n    \}", presenter, re.S)
    return set(re.findall(r'trace\.type === "(\w+)"', body.group(1)))


def traces_the_app_draws() -> set[str]:
    """Every plotly trace type named anywhere in the app's Python or in a trace made by assets/*.js.

    A string that happens to equal a trace type only makes this stricter (it asks for that trace too).
    """
    used = set()
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text())
        # contour's "coloring" takes the value "heatmap": a way of filling a contour, not a trace type
        colouring = {
            id(value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Dict)
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and key.value == "coloring"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in TRACE_TYPES and id(node) not in colouring:
                used.add(node.value)
    for path in (ROOT / "assets").glob("*.js"):
        for kind in re.findall(r"""["']?type["']?\s*:\s*["'](\w+)["']""", path.read_text()):
            if kind in TRACE_TYPES:
                used.add(kind)
    return used


def test_the_checked_in_bundles_are_the_ones_recorded():
    assert set(RECORD["files"]) == {PLOTLY_CORE, PLOTLY_SCENES, REGENERATOR}
    for name, recorded in RECORD["files"].items():
        content = (VENDOR / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == recorded["sha256"], name
        assert len(content) == recorded["bytes"], name
    assert {p.name for p in VENDOR.glob("*.js")} == set(RECORD["files"]), "no stale or unrecorded copies"


def test_the_bundles_are_the_plotly_js_that_plotly_py_ships_built_from_pinned_packages():
    assert RECORD["plotly.js"] == get_plotlyjs_version()
    pinned = json.loads((SOURCE / "package.json").read_text())["devDependencies"]
    expected = {name: RECORD[name] for name in ("plotly.js", "regenerator-runtime", "esbuild")}
    assert pinned == expected, "exact versions, no ranges"
    locked = json.loads((SOURCE / "package-lock.json").read_text())["packages"]
    for name, version in expected.items():
        assert locked[f"node_modules/{name}"]["version"] == version
    for name in (PLOTLY_CORE, PLOTLY_SCENES):
        assert (VENDOR / name).read_text(errors="replace").startswith(f"/*! plotly.js v{RECORD['plotly.js']} ")


def test_the_core_fetches_the_3d_traces_by_their_checksum():
    """A changed 3-D file is a new URL, so no cache (deploy/nginx keeps ?m= URLs a year) serves an old one."""
    scenes_sha = RECORD["files"][PLOTLY_SCENES]["sha256"]
    core = (VENDOR / PLOTLY_CORE).read_text()
    assert core.count(f"{PLOTLY_SCENES}?m={scenes_sha[:16]}") == 1
    assert "_modulesForScenes" in (VENDOR / PLOTLY_SCENES).read_text(), "the 3-D traces reuse the core's modules"


def test_every_trace_type_the_app_draws_is_in_a_bundle_and_nothing_more():
    used = traces_the_app_draws()
    assert {"scatter", "contour", "surface", "scatter3d"} <= used, "the scan finds the figures' traces"
    core, scenes = registered_traces("core.js"), registered_traces("scenes.js")
    assert core | scenes == used
    assert not core & scenes
    # Every 3-D trace makes presenter.js fetch the 3-D file first, and no 2-D figure waits for it.
    assert scenes == scene_traces() & used


def test_pages_load_the_core_bundle_only_and_not_dccs_full_one_nor_babels_polyfill():
    client = create_app().server.test_client()
    page = client.get("/derivative").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert [src for src in scripts if "plotly" in src.lower()] == [
        src for src in scripts if f"/assets/vendor/{PLOTLY_CORE}?" in src
    ]
    assert len([src for src in scripts if PLOTLY_CORE in src]) == 1
    # Deferred: Dash renders the page while plotly.js downloads (tests/browser/test_bundle.py holds it back).
    assert re.search(rf'<script src="[^"]*{re.escape(PLOTLY_CORE)}[^"]*" defer>', page)
    assert not [src for src in scripts if "polyfill" in src], "Dash's @babel/polyfill is left out"
    # Dash's renderer and dcc need a global regeneratorRuntime (the polyfill's one part they use).
    regenerator = [i for i, src in enumerate(scripts) if REGENERATOR in src]
    renderer = [i for i, src in enumerate(scripts) if "dash_renderer" in src]
    assert len(regenerator) == 1 and regenerator[0] < renderer[0]
    assert "mathjax" not in page.lower()
    assert client.get(f"/assets/vendor/{PLOTLY_SCENES}").status_code == 200, "served, though not a page script"
