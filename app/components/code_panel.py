"""The code panel under every concept page: the exact Python for the current view, a copy button, a
.py download, and a line-by-line trace of what running it produced.

"Run it and trace each line" never makes a web request wait for a trace (app/tracing):

1. A normal callback looks the program up in the trace cache. A hit is shown at once. On a miss it
   either answers "busy" at once (the queue is full) or writes a request into a dcc.Store.
2. That store starts a Dash background callback: a job process, forked from the warm worker, that
   waits for a slot (the page shows its place in the queue), runs the sandbox, caches the result and
   returns the table. The learner can cancel it; Dash then kills the job and its sandbox. Where the
   job's result waits for the browser's poll (this server's disk, or Redis so that any replica can
   answer the poll) is app/components/trace_jobs.py's business.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app.codegen import GeneratedCode
from app.components.controls import table_box
from app.ids import CodePanel
from app.tracing import TraceResult
from app.tracing.cache import trace_key
from app.tracing.sandbox import BACKGROUND_NICENESS
from app.tracing.service import TraceService, TraceSettings, trace_service

POLL_MS = 300  # how often the browser asks for the background job's progress
KEY_PATTERN = re.compile(r"[0-9a-f]{64}")


def code_panel(page: str) -> html.Details:
    ids = CodePanel(page)
    return html.Details(
        [
            html.Summary("The code for this view, and what each line does"),
            html.P(
                "This is the Python that reproduces what the page shows with its current settings. It changes "
                "as you change them. Run it to see, line by line, the values each line produced.",
                className="hint-text",
            ),
            html.Div(
                [
                    dcc.Clipboard(target_id=ids.source, id=ids.copy, title="Copy the code", className="copy"),
                    html.Button("Download .py", id=ids.download_button, n_clicks=0),
                    dcc.Download(id=ids.download),
                    html.Button("▶ Run it and trace each line", id=ids.run, n_clicks=0, className="primary"),
                    html.Button(
                        "Cancel",
                        id=ids.cancel,
                        n_clicks=0,
                        hidden=True,
                        title="Stop this trace",
                        **{"aria-label": "Cancel the trace"},
                    ),
                ],
                className="code-actions",
            ),
            html.P(id=ids.status, className="hint-text trace-status", role="status", **{"aria-live": "polite"}),
            dcc.Store(id=ids.request),
            dcc.Store(id=ids.opened, data=False),
            dcc.Store(id=ids.wanted, data=0),
            html.Pre(id=ids.source, className="code"),
            html.Div(id=ids.trace, className="trace"),
        ],
        className="code-panel",
        **{"data-opened-store": ids.opened},
    )


def _trace_view(code: GeneratedCode, result: TraceResult) -> list:
    lines = code.source.split("\n")
    parts = []
    if result.error:
        parts.append(html.Div(f"It stopped with an error: {result.error}", className="message", role="alert"))
    parts.append(html.H4("What it printed"))
    parts.append(html.Pre(result.stdout or "(nothing)", className="code output"))
    rows = [
        html.Tr(
            [
                html.Td(str(line), className="line-number"),
                html.Td(html.Code(lines[line - 1].strip() if isinstance(line, int) and 0 < line <= len(lines) else "")),
                html.Td(", ".join(f"{name} = {value}" for name, value in values.items())),
                html.Td(code.notes.get(line, ""), className="note"),
            ]
        )
        for line, values in result.rows
    ]
    parts.append(html.H4(f"Line by line: {len(rows)} steps" + (" (the first ones)" if result.truncated else "")))
    header = html.Tr([html.Th("line"), html.Th("code"), html.Th("values it produced"), html.Th("what it does")])
    parts.append(
        table_box(
            None,
            "The trace, line by line",
            html.Table([html.Thead(header), html.Tbody(rows)], className="numbers trace-table"),
            extra_class="trace-scroll",
        )
    )
    return parts


def _valid_request(request) -> str | None:
    """The source hash a trace request names, or None for anything the panel itself would not write."""
    if (
        not isinstance(request, dict)
        or not isinstance(request.get("clicks"), int)
        or isinstance(request["clicks"], bool)
    ):
        return None
    key = request.get("key")
    return key if isinstance(key, str) and KEY_PATTERN.fullmatch(key) else None


def register_code_panel(page: str, settings: list[State], make_code: Callable[..., GeneratedCode]) -> None:
    """Wire a page's code panel: ``make_code`` turns the values of ``settings`` into the code."""
    ids = CodePanel(page)
    as_inputs = [Input(s.component_id, s.component_property) for s in settings]

    # The code is built only for a learner who is looking at it: a change to the settings while the panel
    # is closed costs the server nothing (in a class, that was a third of all requests). The browser
    # counts the changes that need new code; opening the panel counts as one.
    clientside_callback(
        ClientsideFunction(namespace="codePanel", function_name="wanted"),
        Output(ids.wanted, "data"),
        Input(ids.opened, "data"),
        *as_inputs,
        State(ids.wanted, "data"),
        prevent_initial_call=True,
    )

    @callback(
        Output(ids.source, "children"),
        Output(ids.trace, "children"),
        Output(ids.status, "children"),
        Input(ids.wanted, "data"),
        *settings,
        prevent_initial_call=True,
    )
    def show(_wanted, *values):
        return make_code(*values).source, [], ""

    @callback(
        Output(ids.trace, "children", allow_duplicate=True),
        Output(ids.status, "children", allow_duplicate=True),
        Output(ids.request, "data"),
        Input(ids.run, "n_clicks"),
        *settings,
        prevent_initial_call=True,
    )
    def run(clicks, *values):
        """In the request thread: a cached trace at once, "busy" at once, or a request for the background."""
        code = make_code(*values)
        service = trace_service()
        found = service.cached(code.source)
        if found is not None:
            return _trace_view(code, found), "", no_update
        busy = service.busy_message()
        if busy:
            return no_update, busy, no_update
        # Only there to make each press a new request; a forged count must still fit in JSON.
        clicks = clicks if isinstance(clicks, int) and 0 <= clicks < 2**31 else 0
        # The nonce keeps two learners' identical requests apart: Dash names a background job's result by
        # a hash of the callback's arguments only, and reading a result deletes it, so without it one
        # learner's poll could take (and delete) another's result, and that learner would wait forever.
        return no_update, "Queued…", {"key": trace_key(code.source), "clicks": clicks, "nonce": secrets.token_hex(8)}

    @callback(
        Output(ids.trace, "children", allow_duplicate=True),
        Output(ids.status, "children", allow_duplicate=True),
        Input(ids.request, "data"),
        *settings,
        background=True,
        progress=[Output(ids.status, "children")],
        progress_default=[""],
        cancel=[Input(ids.cancel, "n_clicks")],
        running=[(Output(ids.run, "disabled"), True, False), (Output(ids.cancel, "hidden"), False, True)],
        interval=POLL_MS,
        prevent_initial_call=True,
    )
    def trace_in_background(set_progress, request, *values):
        """In a job process of its own: wait for a slot, trace, cache, and show the table."""
        if _valid_request(request) is None:
            raise PreventUpdate
        os.nice(BACKGROUND_NICENESS)  # this job waits and traces; the workers' requests come first
        code = make_code(*values)
        shown = []

        def report(text: str) -> None:
            if not shown or shown[-1] != text:  # each poll reads the progress; write it only when it changes
                shown.append(text)
                set_progress(text)

        # A fresh service, not the parent's: this process is a fork and must not share its cache handles.
        result = TraceService(TraceSettings.from_env()).run(code.source, report)
        return _trace_view(code, result), ""

    @callback(
        Output(ids.download, "data"), Input(ids.download_button, "n_clicks"), *settings, prevent_initial_call=True
    )
    def download(_clicks, *values):
        code = make_code(*values)
        return {"content": code.source, "filename": code.filename, "type": "text/x-python"}
