"""A lesson being stepped through: opening it from the address, and the bar above every page.

The address carries the lesson after its ``#``: ``#lesson=<code>&step=4``. The part after ``#`` never
reaches the server in a request line, so neither its length nor a server's logs limit a lesson; the
browser hands the code over once (assets/lesson.js fills ``Lesson.CODE``), and ``open_lesson`` checks
it step by step, each view with its own page's link check. Stepping is then all in the browser: each
step is a history entry (back and forward work), opened by Dash's router as its link would be.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import dash
from dash import ClientsideFunction, Input, Output, dcc, html

from app.ids import Lesson as ID
from app.ids import Shell
from app.lessons import library
from app.lessons.model import MAX_BYTES, MAX_CODE, LessonError, decode, query_of, view_link

LESSON_PATH = "/lesson"
TOO_LONG = f"This lesson link is too long: a lesson holds at most {MAX_BYTES // 1024} KB."


def lesson_link(code: str) -> str:
    """The address that opens a lesson (a built-in's name or a lesson link's code) on /lesson."""
    return f"{LESSON_PATH}#lesson={code}"


def builtin_list() -> html.Ul:
    """The built-in lessons, each a link that opens it, with its number of steps."""
    return html.Ul(
        [
            html.Li(
                [
                    dcc.Link(library.builtin(name).title, href=lesson_link(name)),
                    html.Span(f" · {len(library.builtin(name).steps)} steps", className="hint"),
                ]
            )
            for name in library.BUILTIN
        ],
        className="lesson-list",
    )


def link_checks() -> dict:
    """Each page a lesson may show, by path: its link check and its name (from the page registry)."""
    return {
        page["path"]: (page["read_link"], page["name"])
        for page in dash.page_registry.values()
        if callable(page.get("read_link"))
    }


def check_view(link) -> str:
    """A view a teacher pastes (a path, or a whole link from Copy link), checked as a lesson's step is: a
    page of this app, with settings its page would use. The path and query, or LessonError saying why not."""
    if isinstance(link, str) and link.strip().lower().startswith(("http://", "https://")):
        parts = urlsplit(link.strip())
        link = parts.path + (f"?{parts.query}" if parts.query else "")
    link = view_link(link.strip() if isinstance(link, str) else link, "The view")
    path, query = query_of(link)
    checks = link_checks()
    if path not in checks:
        raise LessonError(f"“{path[:60]}” is not a page a class can be shown: use a concept page's link.")
    problems = checks[path][0](query)
    if problems:
        raise LessonError(" ".join(problems))
    return link


@functools.lru_cache(maxsize=64)  # a class opens one lesson: each worker checks it once
def open_lesson(code: str) -> dict:
    """The lesson a code names (a built-in's name or a lesson link), checked: what the browser steps through.

    A step whose page or settings its page would not use is left out, with a note that names it; a
    lesson none of whose steps can be shown, or that is not a lesson at all, is refused whole.
    """
    try:
        lesson = library.builtin(code) if code in library.BUILTIN else decode(code)
    except LessonError as refused:
        return {"code": code, "error": str(refused)}
    checks = link_checks()
    steps, notes = [], []
    for number, step in enumerate(lesson.steps, start=1):
        path, query = query_of(step.link)
        if path not in checks:
            notes.append(f"Step {number} is left out: “{path[:60]}” is not a page a lesson can show.")
            continue
        check, name = checks[path]
        # A question step was checked whole as data (its kind, seed and level); drawing it would only
        # spend time (up to ~30 ms a question) on what a page already refuses kindly.
        problems = [] if step.question else check(query)
        if problems:
            notes.append(f"Step {number} ({path}) is left out: {' '.join(problems)}")
            continue
        steps.append({"number": number, "link": step.link, "caption": step.caption, "page": name})
    if not steps:
        return {"code": code, "error": "None of this lesson's steps can be shown.", "notes": notes}
    return {"code": code, "title": lesson.title, "steps": steps, "notes": notes}


def lesson_shell() -> list:
    """The stores and the bar the shell holds on every page (the bar is hidden with no lesson open)."""
    return [
        dcc.Store(id=ID.CODE),
        dcc.Store(id=ID.OPENED),
        html.Div(
            [
                html.Div(
                    [
                        html.Span(id=ID.BAR_TITLE, className="lesson-title"),
                        html.Span(id=ID.BAR_COUNTER, className="lesson-counter", **{"aria-live": "polite"}),
                        html.Button(
                            "‹ Back",
                            id=ID.BAR_PREVIOUS,
                            n_clicks=0,
                            className="tool",
                            title="The step before (← or Page Up)",
                            **{"aria-keyshortcuts": "ArrowLeft PageUp"},
                        ),
                        html.Button(
                            "Next ›",
                            id=ID.BAR_NEXT,
                            n_clicks=0,
                            className="tool",
                            title="The next step (→ or Page Down)",
                            **{"aria-keyshortcuts": "ArrowRight PageDown"},
                        ),
                        html.Button(
                            "Leave lesson", id=ID.BAR_LEAVE, n_clicks=0, className="tool", title="Stay on this view"
                        ),
                    ],
                    className="lesson-bar-row",
                ),
                html.P(id=ID.BAR_CAPTION, className="lesson-caption"),
            ],
            id=ID.BAR,
            className="lesson-bar hidden",
            role="region",
            **{"aria-label": "Lesson"},
        ),
    ]


def register_lesson_callbacks(app: dash.Dash) -> None:
    """The address's lesson code, checked once per code; the bar drawn from it in the browser."""
    app.clientside_callback(
        ClientsideFunction(namespace="lesson", function_name="codeOf"),
        Output(ID.CODE, "data"),
        Input(Shell.LOCATION, "hash"),
    )
    app.callback(Output(ID.OPENED, "data"), Input(ID.CODE, "data"), prevent_initial_call=True)(lesson_from_code)
    app.clientside_callback(
        ClientsideFunction(namespace="lesson", function_name="drawBar"),
        Output(ID.BAR, "className"),
        Output(ID.BAR_TITLE, "children"),
        Output(ID.BAR_COUNTER, "children"),
        Output(ID.BAR_CAPTION, "children"),
        Output(ID.BAR_PREVIOUS, "disabled"),
        Output(ID.BAR_NEXT, "disabled"),
        Input(Shell.LOCATION, "hash"),
        Input(ID.OPENED, "data"),
    )


def lesson_from_code(code):
    """The lesson the address names, checked (None when it names none)."""
    if not isinstance(code, str) or not code:
        return None
    if len(code) > MAX_CODE:  # refused before the memo, which keeps only codes of a lesson's size
        return {"code": None, "error": TOO_LONG}
    return open_lesson(code)
