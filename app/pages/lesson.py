"""/lesson: open a lesson (a built-in one or a link), step through it, and make one of your own.

The lesson itself comes from the address's ``#lesson=`` and is checked by the shell
(app/components/lessons.py); this page shows what it holds and starts it. The draft lesson lives in the
teacher's browser (a local ``dcc.Store``); presenter mode's "Add to lesson" appends to it
(assets/lesson.js), and here it is captioned, reordered, trimmed, linked, downloaded and uploaded.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from app import ids
from app.components.layout_memo import memoised_layout
from app.components.lessons import LESSON_PATH, TOO_LONG, builtin_list, lesson_from_code, lesson_link, open_lesson
from app.components.shell import page_header, section
from app.lessons.model import (
    MAX_BYTES,
    MAX_CAPTION,
    MAX_STEPS,
    MAX_TITLE,
    LessonError,
    encode,
    from_dict,
    from_json,
    plain_text,
    to_json,
)

PATH = LESSON_PATH
dash.register_page(
    __name__,
    path=PATH,
    name="Lessons",
    title="Lessons: views and questions in order",
    order=8,
    description="A teacher's sequence of views and questions, stepped through with a clicker.",
    teacher_tool=True,  # in the nav, after the concepts; not a concept card, not a "Next:" link
)

ID = ids.Lesson
EMPTY_DRAFT = {"title": "My lesson", "steps": []}
HOW_TO_ADD = (
    "Turn on presenter mode (p) on any page, set up a view or open a question, and press “Add to lesson” "
    "(or a). Each view you add appears here."
)


@memoised_layout
def layout(**_query):
    return html.Div(
        [
            page_header(
                "Lessons",
                "A lesson is a sequence of views and questions. Open one, then step through it with → and ←, "
                "or a presentation clicker.",
            ),
            section("Built-in lessons", builtin_list()),
            html.Div(id=ID.OVERVIEW, className="lesson-overview"),
            section(
                "Your draft lesson",
                html.P(HOW_TO_ADD, className="hint-text"),
                html.Div(
                    [
                        html.Label("Title", htmlFor=ID.DRAFT_TITLE, className="control-label"),
                        dcc.Input(
                            id=ID.DRAFT_TITLE,
                            type="text",
                            debounce=True,
                            maxLength=MAX_TITLE,
                            className="exact-input lesson-title-input",
                        ),
                    ],
                    className="control",
                ),
                html.Ol(id=ID.DRAFT_STEPS, className="draft-steps"),
                html.Div(id=ID.DRAFT_MESSAGE, className="message", role="status"),
                html.Div(
                    [
                        html.Label("Link to this lesson", htmlFor=ID.DRAFT_LINK, className="control-label"),
                        html.Div(
                            [
                                dcc.Input(id=ID.DRAFT_LINK, type="text", readOnly=True, className="lesson-link"),
                                dcc.Clipboard(
                                    target_id=ID.DRAFT_LINK,
                                    id=ID.DRAFT_COPY,
                                    title="Copy the lesson's link",
                                    className="tool clipboard",
                                ),
                            ],
                            className="lesson-link-row",
                        ),
                    ],
                    className="control",
                ),
                html.Div(
                    [
                        dcc.Link("Open the draft as a lesson", id=ID.DRAFT_OPEN, href=PATH, className="button"),
                        html.Button("Download (.json)", id=ID.DRAFT_DOWNLOAD, n_clicks=0, className="tool"),
                        html.Div(  # names the file input inside (assets/a11y.js)
                            dcc.Upload(
                                html.Button("Upload a lesson file", className="tool", tabIndex="-1"),
                                id=ID.UPLOAD,
                                accept=".json,application/json",
                                max_size=MAX_BYTES,
                                className="lesson-upload",
                            ),
                            **{"data-aria-label": "Upload a lesson file"},
                        ),
                        html.Button("Clear the draft", id=ID.DRAFT_CLEAR, n_clicks=0, className="tool"),
                    ],
                    className="lesson-actions",
                ),
                dcc.Download(id=ID.DOWNLOAD),
                dcc.Store(id=ID.DRAFT, storage_type="local"),
            ),
        ],
        className="page lesson",
    )


# ---- the opened lesson -------------------------------------------------------------------------------


@callback(Output(ID.OVERVIEW, "children"), Input(ID.OPENED, "data"))
def overview(opened):
    """What the address's lesson holds, with a button to start it; or why it cannot be opened."""
    # Only the code is taken from the browser; the lesson is checked again from it (memoised).
    code = opened.get("code") if isinstance(opened, dict) else None
    too_long = isinstance(opened, dict) and code is None and opened.get("error") == TOO_LONG
    opened = {"error": TOO_LONG} if too_long else lesson_from_code(code)
    if opened is None:
        return []
    notes = [html.Li(note) for note in opened.get("notes", [])]
    if "error" in opened:
        return section(
            "This lesson cannot be opened",
            html.Div([html.P(opened["error"]), html.Ul(notes)], className="message error", role="alert"),
        )
    steps = [
        html.Li(
            [
                html.A(
                    f"{step['page']}",
                    href=f"{step['link']}#lesson={opened['code']}&step={k}",
                    **{"data-lesson-step": str(k)},
                ),
                html.Span(f" · {step['caption']}" if step["caption"] else "", className="caption-text"),
            ]
        )
        for k, step in enumerate(opened["steps"], start=1)
    ]
    return section(
        opened["title"],
        html.Button("Start the lesson", id=ID.START, n_clicks=0, className="primary"),
        html.P(
            "It opens in presenter mode. → or Page Down: the next step; ← or Page Up: the one before.",
            className="hint-text",
        ),
        html.Div([html.Strong("Some steps are left out:"), html.Ul(notes)], className="message", role="alert")
        if notes
        else None,
        html.Ol(steps, className="lesson-steps"),
    )


# ---- the draft -----------------------------------------------------------------------------------------


def _draft(data) -> dict:
    """The stored draft, or an empty one (the browser's storage may hold anything)."""
    if isinstance(data, dict) and isinstance(data.get("steps"), list) and isinstance(data.get("title"), str):
        return {"title": data["title"], "steps": [dict(step) for step in data["steps"] if isinstance(step, dict)]}
    return dict(EMPTY_DRAFT, steps=[])


def _step_text(step: dict) -> str:
    if "question" in step:
        return f"Question: {step['question']} (seed {step.get('seed', 0)})"
    return str(step.get("view", ""))


@callback(
    Output(ID.DRAFT, "data"),
    Output(ID.DRAFT_MESSAGE, "children"),
    Input(ID.DRAFT_TITLE, "value"),
    Input({"type": ID.DRAFT_CAPTION, "index": ALL}, "value"),
    Input({"type": ID.DRAFT_UP, "index": ALL}, "n_clicks"),
    Input({"type": ID.DRAFT_DOWN, "index": ALL}, "n_clicks"),
    Input({"type": ID.DRAFT_REMOVE, "index": ALL}, "n_clicks"),
    Input(ID.DRAFT_CLEAR, "n_clicks"),
    Input(ID.UPLOAD, "contents"),
    State(ID.DRAFT, "data"),
    prevent_initial_call=True,
)
def edit_draft(title, captions, _up, _down, _remove, _clear, upload, stored):
    """One edit of the draft: its title, a caption, a step moved or removed, cleared, or a file loaded."""
    draft = _draft(stored)
    steps = draft["steps"]
    trigger = ctx.triggered_id
    clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))  # a button drawn afresh has no clicks
    try:
        if trigger == ID.DRAFT_TITLE:
            draft["title"] = plain_text(title if title is not None else "", "The title", MAX_TITLE)
        elif isinstance(trigger, dict) and trigger.get("type") == ID.DRAFT_CAPTION:
            for step, caption in zip(steps, captions, strict=False):
                text = plain_text(caption if caption is not None else "", "A caption", MAX_CAPTION)
                step.pop("caption", None)
                if text:
                    step["caption"] = text
        elif isinstance(trigger, dict) and clicked and 0 <= trigger.get("index", -1) < len(steps):
            k = trigger["index"]
            if trigger["type"] == ID.DRAFT_REMOVE:
                steps.pop(k)
            elif trigger["type"] == ID.DRAFT_UP and k > 0:
                steps[k - 1], steps[k] = steps[k], steps[k - 1]
            elif trigger["type"] == ID.DRAFT_DOWN and k < len(steps) - 1:
                steps[k + 1], steps[k] = steps[k], steps[k + 1]
        elif trigger == ID.DRAFT_CLEAR and clicked:
            return dict(EMPTY_DRAFT, steps=[]), "The draft is empty."
        elif trigger == ID.UPLOAD and upload:
            lesson = from_json(_uploaded_bytes(upload))
            return lesson.as_dict(), f"Loaded “{lesson.title}”: {len(lesson.steps)} steps."
    except LessonError as refused:
        return dash.no_update, str(refused)
    if draft == _draft(stored):
        return dash.no_update, dash.no_update
    return draft, ""


def _uploaded_bytes(contents: str) -> bytes:
    """A dcc.Upload's data URL as bytes, refused before decoding if it cannot be a lesson file."""
    if not isinstance(contents, str) or len(contents) > MAX_BYTES * 4 // 3 + 200:
        raise LessonError(f"This lesson file is larger than {MAX_BYTES // 1024} KB.")
    _, _, body = contents.partition(",")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise LessonError("This file could not be read.") from None


@callback(
    Output(ID.DRAFT_TITLE, "value"),
    Output(ID.DRAFT_STEPS, "children"),
    Output(ID.DRAFT_OPEN, "href"),
    Output(ID.DRAFT_MESSAGE, "children", allow_duplicate=True),
    Input(ID.DRAFT, "data"),
    prevent_initial_call="initial_duplicate",
)
def show_draft(stored):
    """The draft as rows to edit, its link, and what opening it would leave out."""
    draft = _draft(stored)
    rows = [
        html.Li(
            [
                html.Span(f"{k + 1}.", className="draft-step-number"),
                html.Span(_step_text(step), className="draft-step-link"),
                # Dash writes a dict id into the page as its JSON, keys sorted: the label points at that.
                html.Label(
                    f"Caption of step {k + 1}",
                    htmlFor=json.dumps({"index": k, "type": ID.DRAFT_CAPTION}, separators=(",", ":")),
                    className="sr-only",
                ),
                dcc.Input(
                    id={"type": ID.DRAFT_CAPTION, "index": k},
                    type="text",
                    value=step.get("caption", ""),
                    debounce=True,
                    maxLength=MAX_CAPTION,
                    placeholder="Caption (shown above the figure)",
                    className="exact-input draft-caption",
                ),
                html.Button(
                    "↑",
                    id={"type": ID.DRAFT_UP, "index": k},
                    n_clicks=0,
                    className="tool",
                    disabled=k == 0,
                    **{"aria-label": f"Move step {k + 1} up"},
                ),
                html.Button(
                    "↓",
                    id={"type": ID.DRAFT_DOWN, "index": k},
                    n_clicks=0,
                    className="tool",
                    disabled=k == len(draft["steps"]) - 1,
                    **{"aria-label": f"Move step {k + 1} down"},
                ),
                html.Button(
                    "Remove",
                    id={"type": ID.DRAFT_REMOVE, "index": k},
                    n_clicks=0,
                    className="tool",
                    **{"aria-label": f"Remove step {k + 1}"},
                ),
            ],
            className="draft-step",
        )
        for k, step in enumerate(draft["steps"])
    ]
    if not draft["steps"]:
        return draft["title"], [], PATH, "The draft has no steps yet."
    try:
        code = encode(from_dict(draft))
    except LessonError as refused:
        return draft["title"], rows, PATH, str(refused)
    opened = open_lesson(code)
    problems = ([opened["error"]] if "error" in opened else []) + opened.get("notes", [])
    note = " ".join(problems) if problems else f"{len(draft['steps'])} of at most {MAX_STEPS} steps."
    return draft["title"], rows, lesson_link(code), note


clientside_callback(
    ClientsideFunction(namespace="lesson", function_name="fullLink"),
    Output(ID.DRAFT_LINK, "value"),
    Input(ID.DRAFT_OPEN, "href"),
)


@callback(
    Output(ID.DOWNLOAD, "data"),
    Input(ID.DRAFT_DOWNLOAD, "n_clicks"),
    State(ID.DRAFT, "data"),
    prevent_initial_call=True,
)
def download(n_clicks, stored):
    """The draft as a lesson file (the built-in lessons' own format)."""
    try:
        lesson = from_dict(_draft(stored))
    except LessonError:
        return dash.no_update
    name = re.sub(r"[^a-z0-9]+", "-", lesson.title.lower()).strip("-")[:40] or "lesson"
    return {"content": to_json(lesson), "filename": f"{name}.json", "type": "application/json"}
