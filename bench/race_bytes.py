"""Bytes on the wire for one change on /optimizers: a learner types a new η on the 2,000-step Rosenbrock race.

Posts, in process (Flask's test client, no network), the one callback the browser sends (sync_and_race), with
Chrome's Accept-Encoding, for two changes: one η box on the Rosenbrock preset already drawn (issue 24's
case), and the Rosenbrock preset pressed on the opening page (which also redraws the map and the 3-D view's
scenery). For each it prints:

- the whole answer: JSON bytes, and what flask-compress sent (the app's own levels) and its encoding;
- per output: its JSON bytes, and each compressed alone with zstd, brotli and gzip at the app's levels
  (the parts add up to a little more than the whole, which is compressed as one stream).

Run: ``.venv/bin/python bench/race_bytes.py``. Issue 24's target: a race's answer at most 150 KB on the wire.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import brotli  # noqa: E402
from backports import zstd  # noqa: E402

from app import ids  # noqa: E402
from app.main import create_app  # noqa: E402
from tests.dash_client import DashClient  # noqa: E402

BROWSER_ENCODING = "gzip, deflate, br, zstd"  # Chrome's
TARGET_KB = 150


def race_answer(client: DashClient, state: dict, drawn: dict, changed: tuple[dict | str, object]):
    """The response when the control ``changed`` = (id, new value) moves on a page whose store holds
    ``state`` and whose figures hold ``drawn``: (flask response, the JSON answer)."""
    page = sys.modules["pages.optimizers"]  # Dash imported the page module under this name
    ID = ids.Optimizers
    dep = client.callback_with_input(ID.SURFACE, "value")
    hyper = [{"type": ID.HYPER, "index": name} for name in page.HYPER_FIELDS]
    presets = [{"type": ID.PRESET, "index": key} for key in (*page.PRESETS, page.BEST_MOMENTUM)]
    values = {
        f"{ID.SURFACE}.value": state["surface"],
        f"{ID.X0_INPUT}.value": f"{state['x0']:g}",
        f"{ID.Y0_INPUT}.value": f"{state['y0']:g}",
        f"{ID.STEPS_INPUT}.value": str(state["steps"]),
        f"{ID.NOISE_INPUT}.value": f"{state['noise']:g}",
        f"{ID.CONTESTANTS}.value": state["on"].split(","),
        f"{ID.FORMULA}.value": "",
        f"{ID.STATE}.data": state,
        f"{ID.DRAWN}.data": drawn,
    }
    values |= {f"{json.dumps(box)}.value": f"{state[box['index']]:g}" for box in hyper}
    values |= {f"{json.dumps(button)}.n_clicks": 0 for button in presets}
    component, value = changed
    prop = "n_clicks" if isinstance(component, dict) and component["type"] == ID.PRESET else "value"
    key = f"{json.dumps(component) if isinstance(component, dict) else component}.{prop}"
    values[key] = value
    client.client.environ_base["HTTP_ACCEPT_ENCODING"] = BROWSER_ENCODING
    response = _post(client, dep, values, [key], {ID.HYPER: hyper, ID.PRESET: presets})
    assert response.status_code == 200, response.status_code
    response.direct_passthrough = False
    return response, json.loads(_decoded(response))


def scenarios():
    """(name, state, drawn, changed): the learner's change on the Rosenbrock race, and the press that opens it."""
    from app.compute import optimizers as opt

    page = sys.modules["pages.optimizers"]
    rosenbrock = page.PRESETS["rosenbrock"][1]
    everyone = list(opt.EVERYONE)
    return [
        (
            "a new SGD η on the 2,000-step Rosenbrock race of seven (its figures already drawn)",
            rosenbrock,
            {"surface": "rosenbrock", "keys": everyone},
            ({"type": ids.Optimizers.HYPER, "index": "sgd_lr"}, "0.0012"),
        ),
        (
            "the Rosenbrock preset pressed on the opening bowl (the map and the 3-D view redrawn too)",
            page.DEFAULT_STATE,
            {"surface": "bowl", "keys": everyone},
            ({"type": ids.Optimizers.PRESET, "index": "rosenbrock"}, 1),
        ),
    ]


def _post(client: DashClient, dep: dict, values: dict, changed: list[str], pattern_ids: dict):
    """DashClient.post, with every wildcard output listed as its concrete ids, as the renderer sends them."""
    sent = {}

    def capture(path, json):  # noqa: A002 - Flask's keyword
        sent.update(json)

    real, client.client.post = client.client.post, capture
    try:
        client.post(dep, values, changed, pattern_ids)
    finally:
        client.client.post = real
    for output in sent["outputs"]:
        if isinstance(output["id"], dict) and any(isinstance(v, list) for v in output["id"].values()):
            output["id"] = pattern_ids[output["id"]["type"]]
    sent["outputs"] = [
        [{"id": one, "property": o["property"]} for one in o["id"]] if isinstance(o["id"], list) else o
        for o in sent["outputs"]
    ]
    return client.client.post("/_dash-update-component", json=sent)


def _decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "zstd":
        return zstd.decompress(body)
    return body


def compressed(raw: bytes) -> dict[str, int]:
    """Sizes at the app's levels (app/main.py: COMPRESS_*_LEVEL=1)."""
    return {
        "zstd": len(zstd.compress(raw, 1)),
        "br": len(brotli.compress(raw, quality=1)),
        "gzip": len(gzip.compress(raw, compresslevel=1)),
    }


def main() -> None:
    client = DashClient(create_app())
    met = False
    for name, state, drawn, changed in scenarios():
        race_answer(client, state, drawn, changed)  # warm: the grid and the race are memoised, as in a class
        response, answer = race_answer(client, state, drawn, changed)
        wire, body = len(response.get_data()), _decoded(response)
        encoding = response.headers.get("Content-Encoding", "none")
        print(f"\n/optimizers: {name}\n")
        print(f"whole answer: {len(body) / 1000:.1f} kB JSON, {wire / 1000:.1f} kB on the wire ({encoding})")
        print(
            "  the same JSON at the app's level 1: "
            + ", ".join(f"{k} {v / 1000:.1f} kB" for k, v in compressed(body).items())
        )
        print("\n| output | JSON kB | zstd kB | br kB | gzip kB |\n|---|---|---|---|---|")
        rows = []
        for component, props in answer["response"].items():
            for prop, value in props.items():
                text = json.dumps(value, separators=(",", ":")).encode()
                rows.append((f"{component}.{prop}", len(text), compressed(text)))
        rows.sort(key=lambda row: -row[1])
        small = [row for row in rows if row[1] < 500]
        for label, size, sizes in [row for row in rows if row[1] >= 500]:
            print(f"| {label} | {size / 1000:.1f} | " + " | ".join(f"{v / 1000:.1f}" for v in sizes.values()) + " |")
        rest = sum(row[1] for row in small) / 1000
        print(f"| {len(small)} smaller outputs (controls, messages, stores) | {rest:.1f} | | | |")
        if name == scenarios()[0][0]:  # the race alone; the second also carries the surface's scenery
            met = wire <= TARGET_KB * 1000
    print(f"\nTARGET (issue 24: a race's answer at most {TARGET_KB} kB on the wire): {'MET' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
