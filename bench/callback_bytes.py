"""Bytes on the wire per interaction: what one learner's click or keystroke makes the server send.

Replays, in process (Flask's test client, no network), the callbacks the browser sends for the common
interactions of every page, with the browser's Accept-Encoding, and prints the body size of each
response raw and compressed. Run: ``.venv/bin/python bench/callback_bytes.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import ids  # noqa: E402
from app.main import create_app  # noqa: E402
from tests.dash_client import DashClient  # noqa: E402

BROWSER_ENCODING = {"Accept-Encoding": "gzip, deflate, br, zstd"}


class Measuring(DashClient):
    def post(self, dep, values, changed, pattern_ids=None):
        self.client.environ_base.update({"HTTP_ACCEPT_ENCODING": BROWSER_ENCODING["Accept-Encoding"]})
        return super().post(dep, values, changed, pattern_ids)


def sizes(response) -> tuple[int, int]:
    wire = len(response.get_data())
    response.direct_passthrough = False
    return len(json.dumps(json.loads(_decoded(response)))), wire


def _decoded(response) -> bytes:
    import gzip
    import zlib

    body = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "zstd":
        from backports import zstd

        return zstd.decompress(body)
    return body


def interactions(client: Measuring):
    """Each interaction as the browser sends it: the control that changed, with the page's stores."""
    G, D, A, L, DV = ids.Gradient, ids.Descent, ids.Autograd, ids.LearningRate, ids.Derivative
    from app.pages.gradient import DEFAULT_STATE as GRADIENT_STATE

    click = client.callback_with_input(G.CONTOUR, "clickData")
    yield (
        "/gradient: the point moves (a click on the map)",
        client.post(
            click,
            {
                f"{G.CONTOUR}.clickData": {"points": [{"x": 1.0, "y": -0.5}]},
                f"{G.STATE}.data": GRADIENT_STATE,
                f"{G.DRAWN_SURFACE}.data": GRADIENT_STATE["surface"],
            },
            [f"{G.CONTOUR}.clickData"],
        ),
    )
    from app.pages.descent import DEFAULT_1D, DEFAULT_2D

    yield (
        "/descent: a new η on the 2-D run",
        client.post(
            client.callback_with_input(D.LR2_INPUT, "value"),
            {f"{D.LR2_INPUT}.value": "0.07", f"{D.STATE2}.data": DEFAULT_2D, f"{D.DRAWN_SURFACE}.data": "bowl"},
            [f"{D.LR2_INPUT}.value"],
        ),
    )
    yield (
        "/descent: a new η on the 1-D run",
        client.post(
            client.callback_with_input(D.LR1_INPUT, "value"),
            {f"{D.LR1_INPUT}.value": "0.2", f"{D.STATE1}.data": DEFAULT_1D, f"{D.DRAWN_LOSS}.data": DEFAULT_1D["loss"]},
            [f"{D.LR1_INPUT}.value"],
        ),
    )
    from app.pages.autograd import DEFAULT_STATE as AUTOGRAD_STATE

    for field, control, value in (("x", A.X_INPUT, "1.5"), ("η", A.LR_INPUT, "0.07")):
        yield (
            f"/autograd: a new {field}",
            client.post(
                client.callback_with_input(control, "value"),
                {f"{control}.value": value, f"{A.STATE}.data": AUTOGRAD_STATE, f"{A.DRAWN}.data": AUTOGRAD_STATE},
                [f"{control}.value"],
            ),
        )
    runs = [{"key": 0, "lr": 0.1}]
    slots = {kind: [{"index": i, "type": kind} for i in range(8)] for kind in (L.RUN_INPUT, L.RUN_REMOVE, L.RUN_SLOT)}
    values = {
        f"{L.NEW_LR}.value": "0.2",
        f"{L.RUNS}.data": runs,
        f"{L.SURFACE_STATE}.data": {"surface": "bowl", "formula": "", "window": []},
        f"{L.STEPS_STATE}.data": 20,
        f"{L.DRAWN_CONTOUR}.data": {"surface": "bowl", "runs": 1},
    }
    values |= {f'{{"index":{i},"type":"{L.RUN_INPUT}"}}.value': "0.1" if i == 0 else "" for i in range(8)}
    yield (
        "/learning-rate: a run added (its path, losses, table and the 2-D map)",
        client.post(
            client.callback_with_input(L.ADD, "n_clicks"),
            values,
            [f"{L.ADD}.n_clicks"],
            pattern_ids=slots | {L.PRESET: []},
        ),
    )
    from app.pages.derivative import DEFAULT_STATE as DERIVATIVE_STATE

    stores = {
        f"{DV.STATE}.data": DERIVATIVE_STATE,
        f"{DV.PRECISION}.value": "float64",
        f"{DV.DRAWN_FUNCTION}.data": DERIVATIVE_STATE["function"],
    }
    for name, control, value in (("x₀", DV.X0_INPUT, "1.5"), ("h", DV.H_INPUT, "0.5")):
        yield (
            f"/derivative: a new {name}",
            client.post(
                client.callback_with_input(control, "value"),
                stores | {f"{control}.value": value},
                [f"{control}.value"],
                pattern_ids={DV.PRESET: []},
            ),
        )


def main() -> None:
    client = Measuring(create_app())
    print(f"| interaction | JSON | on the wire ({BROWSER_ENCODING['Accept-Encoding'].split(',')[-1].strip()}) |")
    print("|---|---|---|")
    for name, response in interactions(client):
        assert response.status_code == 200, (name, response.status_code)
        raw, wire = sizes(response)
        print(f"| {name} | {raw / 1024:.1f} KiB | {wire / 1024:.1f} KiB |")


if __name__ == "__main__":
    main()
