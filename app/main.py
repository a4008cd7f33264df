"""The Dash application: ``create_app()`` builds it; ``app.wsgi`` holds the one instance gunicorn serves."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html

from app import ids
from app.components.shell import navbar

ROOT = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/healthz"


def create_app() -> Dash:
    """A fresh app: pages registered from app/pages, assets served locally, responses compressed."""
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "app" / "pages"),
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,  # offline first: dash, plotly.js and MathJax come from this server
        compress=True,
        title="Gradients, by hand",
        update_title=None,  # keep the tab title steady while callbacks run
        suppress_callback_exceptions=False,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    # A function, so the nav is built once the page registry is filled.
    app.layout = lambda: html.Div(
        [
            dcc.Location(id=ids.Shell.LOCATION),
            navbar(),
            html.Main(dash.page_container, className="main"),
        ],
        className="shell",
    )

    # Callback responses are compressed on every request, so speed matters more than the last few
    # percent of size: on a 10,000-step run (585 KiB of JSON) zstd level 1 takes 2 ms for 230 KiB, where
    # the defaults took 6-40 ms for no smaller output (bench/descent_response.py).
    app.server.config.update(COMPRESS_ZSTD_LEVEL=1, COMPRESS_BR_LEVEL=1, COMPRESS_LEVEL=1)

    # Underline the nav link of the page being shown (in the browser: no request per navigation).
    app.clientside_callback(
        ClientsideFunction(namespace="shell", function_name="markActiveLink"),
        Output({"type": ids.Shell.NAV_LINK, "index": ALL}, "className"),
        Input(ids.Shell.LOCATION, "pathname"),
        State({"type": ids.Shell.NAV_LINK, "index": ALL}, "id"),
    )

    @app.server.route(HEALTH_PATH)
    def healthz():
        return {"status": "ok"}, 200

    return app
