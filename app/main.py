"""The Dash application: ``create_app()`` builds it; ``app.wsgi`` holds the one instance gunicorn serves."""

from __future__ import annotations

import functools
import gc
import os
import re
from pathlib import Path

import dash
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html
from flask import request

from app import ids, serialisation
from app.components import classroom
from app.components.lessons import lesson_shell, register_lesson_callbacks
from app.components.shell import navbar
from app.components.trace_jobs import background_manager

ROOT = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
WARMED_UP = "GRADIENTS_WARMED_UP"  # a flag in the Flask config: warm_up has run in this process

# Dash's own page, corrected: the language of the page for screen readers and hyphenation, a skip link as
# the first Tab stop (assets/a11y.js moves the focus to the page's first control), and Dash's scripts
# outside any landmark (its default wraps them in an empty <footer>, a contentinfo landmark with no content).
INDEX_STRING = f"""<!DOCTYPE html>
<html lang="en">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        {{%favicon%}}
        {{%css%}}
    </head>
    <body>
        <a class="skip-link" id="{ids.Shell.SKIP_LINK}" href="#{ids.Shell.MAIN}">Skip to the controls</a>
        {{%app_entry%}}
        {{%config%}}
        {{%scripts%}}
        {{%renderer%}}
    </body>
</html>"""


# plotly.js's 3-D traces (assets/vendor, scripts/build-bundles): served, but not a script of every page;
# Plotly.loadScenes() fetches them when a page first draws a 3-D figure (assets/presenter.js).
PLOTLY_SCENES = r"^plotly-[\d.]+-scenes\.min\.js$"
# Dash's copy of @babel/polyfill: core-js for browsers that lack ES2015-2017, which no browser this app
# supports does. It cost about 60 ms of script evaluation per page load (bench/first_load.py). The one
# part Dash's own code needs, a global regeneratorRuntime, comes from assets/vendor instead.
BABEL_POLYFILL = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\n?')


# plotly.js's core, which every page loads: deferred, so that Dash starts, fetches the page and renders
# it while plotly.js downloads and evaluates (it took 70 ms of waiting and 70 ms of evaluation before
# Dash could start). A graph that mounts before it has run waits for it: assets/presenter.js makes
# window.Plotly a promise of it until then.
PLOTLY_CORE_SCRIPT = re.compile(r'(<script src="[^"]*/assets/vendor/plotly-[\d.]+-core\.min\.js[^"]*")>')


class GradientsDash(Dash):
    """Dash, with one script fewer on every page (BABEL_POLYFILL) and plotly.js deferred (PLOTLY_CORE_SCRIPT)."""

    def interpolate_index(self, **kwargs: str) -> str:
        scripts = BABEL_POLYFILL.sub("", kwargs.get("scripts", ""))
        kwargs["scripts"] = PLOTLY_CORE_SCRIPT.sub(r"\1 defer>", scripts)
        return super().interpolate_index(**kwargs)


def create_app() -> Dash:
    """A fresh app: pages registered from app/pages, assets served locally, responses compressed."""
    serialisation.install()
    app = GradientsDash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "app" / "pages"),
        assets_folder=str(ROOT / "assets"),
        # Offline first: Dash and React come from this server, and plotly.js is assets/vendor's partial
        # bundle (scripts/build-bundles), a script of every page (deferred: PLOTLY_CORE_SCRIPT). dcc.Graph
        # fetches its own full plotly.min.js only when window.Plotly is missing, which assets/presenter.js
        # never lets it be, and that file is never in the page's script tags while eager_loading stays
        # off (tests/unit/test_plotly_bundle.py and tests/browser/test_bundle.py check both).
        serve_locally=True,
        assets_ignore=PLOTLY_SCENES,
        compress=True,
        title="Gradients, by hand",
        update_title=None,  # keep the tab title steady while callbacks run
        # Dash would otherwise put every page's layout into every page load, to check callback ids
        # (~15 ms each, bench/load.py); tests/unit/test_every_callback.py checks them instead.
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        # The code panels' traces run as background callbacks (app/components/code_panel.py).
        background_callback_manager=background_manager(),
    )
    app.index_string = INDEX_STRING
    # A function, so the nav is built once the page registry is filled; remembered after that, since
    # /_dash-layout is asked for on every page load and the shell never changes.
    app.layout = functools.cache(
        lambda: html.Div(
            [
                dcc.Location(id=ids.Shell.LOCATION),
                navbar(),
                html.Main([*lesson_shell(), dash.page_container], id=ids.Shell.MAIN, className="main", tabIndex="-1"),
            ],
            className="shell",
        )
    )

    # Callback responses are compressed on every request, so speed matters more than the last few
    # percent of size: on a 10,000-step run (585 KiB of JSON) zstd level 1 takes 2 ms for 230 KiB, where
    # the defaults took 6-40 ms for no smaller output (bench/descent_response.py).
    app.server.config.update(COMPRESS_ZSTD_LEVEL=1, COMPRESS_BR_LEVEL=1, COMPRESS_LEVEL=1)

    register_lesson_callbacks(app)
    # The live class: its store, its limiter on wrong codes, and the version route learners poll.
    classroom.install(app.server)

    # Underline the nav link of the page being shown (in the browser: no request per navigation).
    app.clientside_callback(
        ClientsideFunction(namespace="shell", function_name="markActiveLink"),
        Output({"type": ids.Shell.NAV_LINK, "index": ALL}, "className"),
        Input(ids.Shell.LOCATION, "pathname"),
        State({"type": ids.Shell.NAV_LINK, "index": ALL}, "id"),
    )

    # Dash signs background-callback handles (a trace's cacheKey and job) with the server's secret_key;
    # behind a load balancer every replica must share it, or a poll signed by one is refused by another.
    # Without it, Dash keeps a generated one in the background-job store (Redis when REDIS_URL is set).
    if os.environ.get("DASH_SECRET_KEY"):
        app.server.secret_key = os.environ["DASH_SECRET_KEY"]

    app.server.before_request(lambda: _refuse_malformed_callback(app))
    # Every answer is what its Content-Type says: a browser never sniffs a JSON answer into HTML (the
    # JSON routes skip plotly's <script> escapes, app/serialisation.py).
    app.server.after_request(_forbid_content_sniffing)

    # Liveness: the process answers. Readiness: it has also run warm_up, so a load balancer (or a
    # Kubernetes readiness probe) sends it learners only once its first requests will be fast.
    @app.server.route(HEALTH_PATH)
    def healthz():
        return {"status": "ok"}, 200

    @app.server.route(READY_PATH)
    def readyz():
        if app.server.config.get(WARMED_UP):
            return {"status": "ready"}, 200
        return {"status": "warming up"}, 503

    return app


def _freeze_survivors(phase: str, info: dict) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def freeze_after_full_collections() -> None:
    """After every full garbage collection, freeze what survived it.

    The memos a worker fills as learners use it (layouts, races, questions, descents: bounded, but
    hundreds of thousands of small objects) are long-lived, and each full collection rescanned them all:
    replaying a class's 40,000 requests, 20 full collections paused the worker for 3.4 s in all and up
    to 273 ms each, every request in flight on that worker waiting. Frozen survivors are never
    rescanned, so the next full collection looks only at what came since: in the same replay, 33 full
    collections took 0.75 s in all and at most 38 ms, with the same memory (bench/profile_requests.py
    --gc, with and without --no-refreeze).

    Reference counting still frees a frozen object when the last reference goes (an evicted memo entry
    is freed at once); only a reference cycle among frozen objects that later becomes garbage is never
    collected. The memos hold trees, not cycles; what can leak is a request in flight at that moment
    (werkzeug's request and its environ point at each other), a few kilobytes per full collection, and
    gunicorn replaces each worker after max_requests anyway. Idempotent."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)


def warm_up(app: Dash) -> None:
    """Everything a server should do once before it serves: call it before forking workers.

    - Dash finishes its setup (the callback map among it) on the first request a process serves, and
      the threads of a fresh worker that arrive during that setup find the map half-filled ("unknown
      output", seen once in 7,000 requests of bench/load.py). One request here does it once for all.
    - The memos of pure results (surface meshes and their encodings, the default stability sweeps,
      every page's plain layout) are filled, so every worker starts with them and shares their memory.
    """
    from app.components.learning_rate import DEFAULT_STEPS, LOSS, START
    from app.compute import basins, learning_rate, optimizers
    from app.compute.surfaces import SURFACES
    from app.figures.gradient import encoded_grid, surface_grid

    app.server.test_client().get(HEALTH_PATH)
    for surface in SURFACES.values():
        encoded_grid(surface, surface_grid(surface))
        if surface.quadratic:
            learning_rate.surface_sweep(surface, DEFAULT_STEPS, *learning_rate.SWEEP_RANGE)
    learning_rate.loss_sweep(LOSS, START, DEFAULT_STEPS, *learning_rate.SWEEP_RANGE)
    # The race /optimizers opens on, memoised for every worker; and every surface's flat points, which
    # basin maps and the which-minimum question name their destinations by (Newton from a grid, ~10 ms).
    optimizers.race(optimizers.suggested_settings(optimizers.DEFAULT_SURFACE, optimizers.DEFAULT_STEPS))
    for surface in SURFACES.values():
        basins.flat_points(surface)
    # Every page's plain layout (the link a class opens first), with its first drawing.
    for page in dash.page_registry.values():
        if callable(page["layout"]):
            page["layout"]()
    app.server.config[WARMED_UP] = True


def _forbid_content_sniffing(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


PAGES_LOCATION = "_pages_location"  # Dash's own router reads its pathname and search


def _refuse_malformed_callback(app: Dash):
    """Answer 400 to a callback request whose shape Dash would choke on (a 500 from inside Dash).

    Every callback validates its own values; this only checks the envelope: a JSON object naming a
    known callback, with lists of inputs and state as long as that callback's. A browser never sends
    anything else, so only forged or broken requests are refused.
    """
    if request.method != "POST" or not request.path.endswith("_dash-update-component"):
        return None
    body = request.get_json(silent=True)
    problem = _envelope_problem(app, body)
    if problem:
        return {"error": f"malformed callback request: {problem}"}, 400
    return None


def _envelope_problem(app: Dash, body) -> str | None:
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    spec = app.callback_map.get(output) if isinstance(output, str) else None
    if spec is None:
        return "unknown output"
    if not isinstance(body.get("outputs"), list | dict):
        return "outputs must be a list or an object"
    for key in ("inputs", "state"):
        expected = len(spec.get(key, []))
        # The browser leaves "state" out altogether for a callback that has none.
        entries = body.get(key, [] if key == "state" and not expected else None)
        if not isinstance(entries, list) or len(entries) != expected:
            return f"{key} must be a list with one entry per {key[:-1] if key == 'inputs' else key}"
        for entry in entries:
            items = entry if isinstance(entry, list) else [entry]
            if not all(isinstance(item, dict) and "id" in item and "property" in item for item in items):
                return f"each entry of {key} needs an id and a property"
    for entry in body.get("inputs", []):
        if isinstance(entry, dict) and entry.get("id") == PAGES_LOCATION:
            value = entry.get("value")
            if entry.get("property") == "pathname" and not (value is None or str(value).startswith("/")):
                return "a pathname must start with /"
            if not (value is None or isinstance(value, str)):
                return "the location must be text"
    return None
