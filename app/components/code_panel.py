"""The code panel under every concept page: the exact Python for the current view, a copy button, a
.py download, and a line-by-line trace of what running it produced."""

from __future__ import annotations

from collections.abc import Callable

from dash import Input, Output, State, callback, dcc, html

from app.codegen import GeneratedCode
from app.ids import CodePanel
from app.tracing import run_traced


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
                ],
                className="code-actions",
            ),
            html.Pre(id=ids.source, className="code"),
            dcc.Loading(html.Div(id=ids.trace, className="trace"), type="dot"),
        ],
        className="code-panel",
    )


def _trace_view(code: GeneratedCode) -> list:
    result = run_traced(code)
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
                html.Td(html.Code(lines[line - 1].strip() if 0 < line <= len(lines) else "")),
                html.Td(", ".join(f"{name} = {value}" for name, value in values.items())),
                html.Td(code.notes.get(line, ""), className="note"),
            ]
        )
        for line, values in result.rows
    ]
    parts.append(html.H4(f"Line by line: {len(rows)} steps" + (" (the first ones)" if result.truncated else "")))
    header = html.Tr([html.Th("line"), html.Th("code"), html.Th("values it produced"), html.Th("what it does")])
    parts.append(
        html.Div(
            html.Table([html.Thead(header), html.Tbody(rows)], className="numbers trace-table"),
            className="table-wrap trace-scroll",
        )
    )
    return parts


def register_code_panel(page: str, settings: list[State], make_code: Callable[..., GeneratedCode]) -> None:
    """Wire a page's code panel: ``make_code`` turns the values of ``settings`` into the code."""
    ids = CodePanel(page)
    as_inputs = [Input(s.component_id, s.component_property) for s in settings]

    @callback(Output(ids.source, "children"), Output(ids.trace, "children"), *as_inputs)
    def show(*values):
        return make_code(*values).source, []

    @callback(
        Output(ids.trace, "children", allow_duplicate=True),
        Input(ids.run, "n_clicks"),
        *settings,
        prevent_initial_call=True,
    )
    def trace(_clicks, *values):
        return _trace_view(make_code(*values))

    @callback(
        Output(ids.download, "data"), Input(ids.download_button, "n_clicks"), *settings, prevent_initial_call=True
    )
    def download(_clicks, *values):
        code = make_code(*values)
        return {"content": code.source, "filename": code.filename, "type": "text/x-python"}
