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
    G, D, A, L, DV = ids.Gradient, ids.Descent, ids.Autograd, ids.LearningRate, ids.Derivative
    from app.pages.gradient import DEFAULT_STATE as GRADIENT_STATE

    draw = client.callback_with_input(G.STATE, "data", G.CONTOUR)
    moved = dict(GRADIENT_STATE, x=1.0, y=-0.5)
    yield (
        "/gradient: the point moves (a click on the map)",
        client.post(
            draw,
            {f"{G.STATE}.data": moved, f"{G.DRAWN_SURFACE}.data": moved["surface"]},
            [f"{G.STATE}.data"],
        ),
    )
    from app.pages.descent import DEFAULT_2D

    run2 = client.callback_with_input(D.STATE2, "data", "player-run")
    yield (
        "/descent: a new η on the 2-D run",
        client.post(
            run2,
            {f"{D.STATE2}.data": dict(DEFAULT_2D, lr=0.07), f"{D.DRAWN_SURFACE}.data": "bowl"},
            [f"{D.STATE2}.data"],
        ),
    )
    from app.pages.descent import DEFAULT_1D

    run1 = client.callback_with_input(D.STATE1, "data", "player-run")
    yield (
        "/descent: a new η on the 1-D run",
        client.post(
            run1,
            {f"{D.STATE1}.data": dict(DEFAULT_1D, lr=0.2), f"{D.DRAWN_LOSS}.data": DEFAULT_1D["loss"]},
            [f"{D.STATE1}.data"],
        ),
    )
    from app.pages.autograd import DEFAULT_STATE as AUTOGRAD_STATE

    autograd = client.callback_with_input(A.STATE, "data", A.READ_Y)
    for field, value in (("x", 1.5), ("lr", 0.07)):
        yield (
            f"/autograd: a new {field}",
            client.post(
                autograd,
                {f"{A.STATE}.data": dict(AUTOGRAD_STATE, **{field: value}), f"{A.DRAWN}.data": AUTOGRAD_STATE},
                [f"{A.STATE}.data"],
            ),
        )
    contour = client.callback_with_input(L.RUNS, "data", L.CONTOUR)
    yield (
        "/learning-rate: a run added (the 2-D view)",
        client.post(
            contour,
            {
                f"{L.RUNS}.data": [{"key": 0, "lr": 0.1}, {"key": 1, "lr": 0.2}],
                f"{L.SURFACE}.value": "bowl",
                f"{L.DRAWN_CONTOUR}.data": {"surface": "bowl", "runs": 1},
            },
            [f"{L.RUNS}.data"],
        ),
    )
    from app.pages.derivative import DEFAULT_STATE as DERIVATIVE_STATE

    derivative = client.callback_with_input(DV.STATE, "data", DV.FIGURE)
    yield (
        "/derivative: a new x₀",
        client.post(
            derivative,
            {
                f"{DV.STATE}.data": dict(DERIVATIVE_STATE, x0=1.5),
                f"{DV.PRECISION}.value": "float64",
                f"{DV.DRAWN_FUNCTION}.data": DERIVATIVE_STATE["function"],
            },
            [f"{DV.STATE}.data"],
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
