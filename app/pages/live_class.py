"""/class: the teacher runs a live class from the projector.

Start a class (no account): the projector shows its join code and a QR code of the join link, large.
Open a question (any kind, a fresh seed) or run a built-in lesson step by step; lock answers, reveal,
pause everyone, show or hide names, download the results, end and delete. "17 of 24 answered" follows
the class live; on Reveal every learner's guess is drawn on the question's own figure with the truth.

The teacher's browser keeps the class's code and the teacher's secret (a local store: a reload keeps the
class). The secret goes only in the bodies of this page's callback requests and is stored on the server
only as a digest; no link carries it. Every action is checked against it by the store.
"""

from __future__ import annotations

import secrets

import dash
from dash import Input, Output, State, callback, dcc, html

from app import ids
from app.classroom import model
from app.classroom.model import ClassError
from app.classroom.store import GONE
from app.components import classroom
from app.components.controls import graph, radio_group
from app.components.lessons import check_view
from app.components.questions import LEVEL, LEVEL_NAMES, made
from app.components.shell import page_header, section
from app.figures import questions as figures
from app.lessons.library import BUILTIN, builtin
from app.lessons.model import LessonError
from app.questions import base
from app.questions.registry import KINDS

PATH = "/class"
dash.register_page(
    __name__,
    path=PATH,
    name="Live class",
    title="Live class: learners answer on their phones",
    order=9,
    description="Learners join from their phones and answer; the projector shows what the class thinks.",
    teacher_tool=True,
    in_nav=False,  # reached from presenter mode's "Live class" tool, /lesson and the home page
)

ID = ids.Teacher
POLL_MS = 1000
OVER = "This class is over (it ended, or expired). Start a new one."
HOW = (
    "Start a class, and learners join on their phones at the link or by scanning the code. Open a question: "
    "they answer through the same figure as on the concept pages. Lock, then Reveal: the projector shows "
    "every answer with the truth, and each phone shows its own verdict."
)


def kind_options() -> list[dict]:
    """Every kind of question, in teaching order (the registry's), named by its page."""
    return [
        {"label": f"{kind.page.strip('/').replace('-', ' ').capitalize()}: {kind.title}", "value": kind.key}
        for kind in KINDS.values()
    ]


def lesson_options() -> list[dict]:
    return [{"label": builtin(name).title, "value": name} for name in BUILTIN]


def layout(**_query):
    return html.Div(
        [
            page_header("Live class", "Everyone predicts on their phone; the projector shows what the class thinks."),
            html.Div(id=ID.MESSAGE, className="message", role="alert"),
            html.Div(
                [
                    section(
                        "Start a class",
                        html.P(HOW),
                        html.Button("Start a class", id=ID.START, n_clicks=0, className="primary"),
                        html.P(
                            "No account, and nothing about learners beyond the nicknames they choose. "
                            "A class is deleted 12 hours after its last activity, or at once when you end it.",
                            className="hint-text",
                        ),
                    ),
                    section(
                        "Resume a class on this device",
                        html.Div(
                            [
                                html.Label("Class code", htmlFor=ID.RESUME_CODE, className="control-label"),
                                dcc.Input(id=ID.RESUME_CODE, type="text", autoComplete="off", maxLength=12),
                            ],
                            className="control",
                        ),
                        html.Div(
                            [
                                html.Label("Resume code", htmlFor=ID.RESUME_SECRET, className="control-label"),
                                dcc.Input(id=ID.RESUME_SECRET, type="password", autoComplete="off", maxLength=20),
                            ],
                            className="control",
                        ),
                        html.Button("Resume", id=ID.RESUME, n_clicks=0),
                    ),
                ],
                id=ID.SETUP,
                className="class-setup",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Div(
                                        [
                                            html.P("Join at", className="class-join-label"),
                                            html.P(id=ID.JOIN_LINK, className="class-join-link"),
                                            html.P("with the code", className="class-join-label"),
                                            html.P(id=ID.JOIN_CODE, className="class-join-code"),
                                            html.P(id=ID.COUNT, className="class-count", role="status"),
                                        ],
                                        className="class-join-text",
                                    ),
                                    html.Img(id=ID.QR, className="class-qr", alt="QR code of the join link"),
                                ],
                                id=ID.JOIN_CARD,
                                className="class-join",
                            ),
                            html.Div(
                                [
                                    html.Button("← Back", id=ID.BACK, n_clicks=0),
                                    html.Button("Next →", id=ID.NEXT, n_clicks=0),
                                    html.Button("Lock answers", id=ID.LOCK, n_clicks=0),
                                    html.Button("Reveal", id=ID.REVEAL, n_clicks=0, className="primary"),
                                    html.Button("Pause everyone", id=ID.PAUSE, n_clicks=0, **{"aria-pressed": "false"}),
                                    html.Button("Show names", id=ID.NAMES, n_clicks=0, **{"aria-pressed": "false"}),
                                    html.Button("Download results (CSV)", id=ID.CSV_BUTTON, n_clicks=0),
                                    dcc.ConfirmDialogProvider(
                                        html.Button("End and delete", id=ID.END, n_clicks=0, className="danger"),
                                        id=f"{ID.END}-confirm",
                                        message="End the class and delete its answers now? This cannot be undone.",
                                    ),
                                ],
                                className="class-controls",
                                role="toolbar",
                                **{"aria-label": "Run the class"},
                            ),
                            html.Div(id=ID.RESUME_NOTE, className="class-resume-note"),
                            html.Div(
                                [
                                    html.Div(
                                        [
                                            html.Label("Question", htmlFor=ID.KIND, className="control-label"),
                                            dcc.Dropdown(
                                                id=ID.KIND,
                                                options=kind_options(),
                                                value="steepest-descent",
                                                clearable=False,
                                                className="class-kind",
                                            ),
                                        ],
                                        className="control class-pick",
                                    ),
                                    radio_group(
                                        ID.LEVEL,
                                        "Level",
                                        [{"label": LEVEL_NAMES[level], "value": level} for level in base.LEVELS],
                                        base.EASY,
                                        inline=True,
                                    ),
                                    html.Button("Open question", id=ID.OPEN, n_clicks=0, className="primary"),
                                    html.Div(
                                        [
                                            html.Label("Lesson", htmlFor=ID.LESSON, className="control-label"),
                                            dcc.Dropdown(
                                                id=ID.LESSON,
                                                options=lesson_options(),
                                                value=BUILTIN[0],
                                                clearable=False,
                                                className="class-lesson",
                                            ),
                                        ],
                                        className="control class-pick",
                                    ),
                                    html.Button("Run lesson", id=ID.RUN_LESSON, n_clicks=0),
                                    html.Div(
                                        [
                                            html.Label(
                                                "A view to show (a link from Copy link)",
                                                htmlFor=ID.VIEW_INPUT,
                                                className="control-label",
                                            ),
                                            dcc.Input(
                                                id=ID.VIEW_INPUT,
                                                type="text",
                                                autoComplete="off",
                                                maxLength=1200,
                                                placeholder="/descent?lr1=0.5",
                                                className="class-view-input",
                                            ),
                                        ],
                                        className="control class-pick",
                                    ),
                                    html.Button("Show view", id=ID.SHOW_VIEW, n_clicks=0),
                                ],
                                className="panel class-open-row",
                            ),
                        ],
                        className="class-side",
                    ),
                    html.Div(
                        [
                            html.P(id=ID.NOW, className="class-now"),
                            html.A(id=ID.VIEW_LINK, hidden=True, target="_blank", className="class-view-link"),
                            html.P(id=ID.RESULT, className="class-result", role="status"),
                            html.Div(
                                graph(ID.FIGURE, "class-figure", summary_id=ID.FIGURE_SUMMARY, mode_bar=False),
                                id=ID.FIGURE_BOX,
                                hidden=True,
                            ),
                        ],
                        className="class-stage",
                    ),
                ],
                id=ID.RUNNING,
                className="class-board",
                hidden=True,
            ),
            dcc.Store(id=ID.SESSION, storage_type="local"),
            dcc.Store(id=ID.SHOWN),
            dcc.Download(id=ID.CSV_DOWNLOAD),
            dcc.Interval(id=ID.POLL, interval=POLL_MS, disabled=True),  # on while a class runs
        ],
        className="page class-page",
    )


DASHBOARD = [
    Output(ID.SESSION, "data"),
    Output(ID.SHOWN, "data"),
    Output(ID.MESSAGE, "children"),
    Output(ID.SETUP, "hidden"),
    Output(ID.RUNNING, "hidden"),
    Output(ID.JOIN_CODE, "children"),
    Output(ID.JOIN_LINK, "children"),
    Output(ID.QR, "src"),
    Output(ID.RESUME_NOTE, "children"),
    Output(ID.COUNT, "children"),
    Output(ID.NOW, "children"),
    Output(ID.VIEW_LINK, "href"),
    Output(ID.VIEW_LINK, "children"),
    Output(ID.VIEW_LINK, "hidden"),
    Output(ID.RESULT, "children"),
    Output(ID.FIGURE, "figure"),
    Output(ID.FIGURE_BOX, "hidden"),
    Output(ID.FIGURE_SUMMARY, "children"),
    Output(ID.PAUSE, "aria-pressed"),
    Output(ID.NAMES, "aria-pressed"),
    Output(ID.BACK, "disabled"),
    Output(ID.NEXT, "disabled"),
    Output(ID.POLL, "disabled"),
    Output(ID.RUNNING, "className"),
]
_AT = {(output.component_id, output.component_property): index for index, output in enumerate(DASHBOARD)}


def _set(outputs: list, component: str, prop: str, value) -> None:
    outputs[_AT[(component, prop)]] = value


@callback(
    *DASHBOARD,
    Input(ID.START, "n_clicks"),
    Input(ID.RESUME, "n_clicks"),
    Input(f"{ID.END}-confirm", "submit_n_clicks"),
    Input(ID.OPEN, "n_clicks"),
    Input(ID.RUN_LESSON, "n_clicks"),
    Input(ID.SHOW_VIEW, "n_clicks"),
    Input(ID.BACK, "n_clicks"),
    Input(ID.NEXT, "n_clicks"),
    Input(ID.LOCK, "n_clicks"),
    Input(ID.REVEAL, "n_clicks"),
    Input(ID.PAUSE, "n_clicks"),
    Input(ID.NAMES, "n_clicks"),
    Input(ID.POLL, "n_intervals"),
    State(ID.SESSION, "data"),
    State(ID.SHOWN, "data"),
    State(ID.KIND, "value"),
    State(ID.LEVEL, "value"),
    State(ID.LESSON, "value"),
    State(ID.RESUME_CODE, "value"),
    State(ID.RESUME_SECRET, "value"),
    State(ID.VIEW_INPUT, "value"),
)
def run_class(*args):
    """Every teacher action, and the dashboard after it; a poll that finds the class unchanged sends nothing."""
    session, shown, kind, level, lesson, resume_code, resume_secret, view = args[-8:]
    trigger = dash.ctx.triggered_id
    if trigger == ID.POLL and not isinstance(session, dict):
        raise dash.exceptions.PreventUpdate
    store = classroom.class_store()
    outputs = [dash.no_update] * len(DASHBOARD)
    try:
        if trigger == ID.START:
            started = store.start()
            session = {"code": started.code, "secret": started.secret}
            _set(outputs, ID.RESUME_NOTE, "children", _resume_note(started.resume))
        elif trigger == ID.RESUME:
            classroom.check_attempts()
            try:
                secret = store.resume(resume_code, resume_secret)
            except ClassError:
                classroom.count_wrong_attempt()
                raise
            session = {"code": model.read_code(resume_code), "secret": secret}
        elif trigger == f"{ID.END}-confirm":
            store.end(*_credentials(session))  # a class already gone, or another's secret: said, not "ended"
            return _ended("The class has ended, and everything about it is deleted.")
        elif trigger not in (ID.POLL, None):
            session = _act(store, trigger, session, kind, level, lesson, view)
    except ClassError as refused:
        if str(refused) == GONE:  # the class this page ran has ended or expired: back to the start form
            return _ended(OVER)
        _set(outputs, ID.MESSAGE, "children", str(refused))
        return outputs
    if not _running(store, session):
        if trigger is None or not isinstance(session, dict):  # a page with no class: the start form
            return _ended("")
        return _ended(OVER)
    state = store.state(session["code"])
    seen = {"version": state.version, "answered": state.answered, "learners": state.learners}
    if trigger == ID.POLL and shown == seen:
        raise dash.exceptions.PreventUpdate  # the usual poll: nothing moved
    _set(outputs, ID.SESSION, "data", session)
    _set(outputs, ID.SHOWN, "data", seen)
    _set(outputs, ID.COUNT, "children", _count(state))
    if trigger != ID.POLL or not isinstance(shown, dict) or shown.get("version") != state.version:
        _draw(outputs, store, session, state)
        _set(outputs, ID.MESSAGE, "children", "")
    return outputs


def _credentials(session) -> tuple:
    """(code, secret) as the browser holds them; (None, None) for anything that is not a session."""
    return (session.get("code"), session.get("secret")) if isinstance(session, dict) else (None, None)


def _running(store, session) -> bool:
    return store.is_teacher(*_credentials(session))


def _ended(message: str) -> list:
    outputs = [dash.no_update] * len(DASHBOARD)
    for component, prop, value in (
        (ID.SESSION, "data", None),
        (ID.SHOWN, "data", None),
        (ID.MESSAGE, "children", message),
        (ID.SETUP, "hidden", False),
        (ID.RUNNING, "hidden", True),
        (ID.RESUME_NOTE, "children", ""),
        (ID.POLL, "disabled", True),
    ):
        _set(outputs, component, prop, value)
    return outputs


def _resume_note(resume: str) -> list:
    return [
        html.Strong(f"Resume code: {resume[:4]}-{resume[4:8]}-{resume[8:]}"),
        " — shown only now. With it and the class code you can take this class to another device. "
        "Keep it from learners.",
    ]


def _count(state: model.ClassState) -> str:
    joined = f"{state.learners} joined"
    if state.item is None or state.item.get("type") != "question":
        return joined
    return f"{state.answered} of {state.learners} answered"


def _act(store, trigger: str, session: dict, kind, level, lesson, view) -> dict:
    """Do what the teacher pressed; the new session (its lesson and step) is returned. Nothing is done for
    a class that is gone or a secret that is not its teacher's (ClassError saying which)."""
    code, secret = _credentials(session)
    state = store.state(store.require_teacher(code, secret))
    if trigger == ID.OPEN:
        if not isinstance(kind, str) or kind not in KINDS:
            raise ClassError("Pick a question from the list.")
        level = LEVEL.read(level) or base.EASY
        _open_question(store, session, kind, level)
        return {"code": code, "secret": secret}
    if trigger == ID.RUN_LESSON:
        if lesson not in BUILTIN:
            raise ClassError("Pick a lesson from the list.")
        session = {"code": code, "secret": secret, "lesson": lesson, "step": 0}
        store.open_item(code, secret, _lesson_item(lesson, 0))
        return session
    if trigger == ID.SHOW_VIEW:
        try:
            link = check_view(view)
        except LessonError as refused:
            raise ClassError(str(refused)) from None
        store.open_item(code, secret, {"type": "view", "link": link, "caption": ""})
        return {"code": code, "secret": secret}
    if trigger in (ID.BACK, ID.NEXT):
        return _move(store, session, state, 1 if trigger == ID.NEXT else -1)
    if trigger == ID.LOCK:
        store.set_phase(code, secret, model.LOCKED)
    elif trigger == ID.REVEAL:
        if state.item is None or state.item.get("type") != "question":
            raise ClassError("There is no question to reveal: open one first.")
        store.set_phase(code, secret, model.REVEALED)
    elif trigger == ID.PAUSE:
        store.set_flags(code, secret, paused=not state.paused)
    elif trigger == ID.NAMES:
        store.set_flags(code, secret, show_names=not state.show_names)
    return session


def _open_question(store, session: dict, kind: str, level: str) -> None:
    question = made(kind, secrets.randbelow(base.MAX_SEED + 1), level)
    store.open_item(session["code"], session["secret"], classroom.item_of_question(question))


def _lesson_item(lesson: str, step: int) -> dict:
    entry = builtin(lesson).steps[step]
    if entry.question is not None:
        return {"type": "question", "kind": entry.question, "seed": entry.seed, "level": entry.level}
    return {"type": "view", "link": entry.view, "caption": entry.caption}


def _move(store, session: dict, state, direction: int) -> dict:
    """Back and Next: through the lesson's steps; without a lesson, Next is another question of the same
    kind (a new seed) and Back opens the question before again."""
    code, secret = session["code"], session["secret"]
    lesson = session.get("lesson")
    if lesson in BUILTIN:
        step = int(session.get("step", 0)) + direction
        if not 0 <= step < len(builtin(lesson).steps):
            raise ClassError("That was the lesson's last step." if direction > 0 else "This is the first step.")
        store.open_item(code, secret, _lesson_item(lesson, step))
        return {**session, "step": step}
    question = classroom.question_of(state.item)
    if direction > 0:
        if question is None:
            raise ClassError("Open a question first.")
        _open_question(store, session, question.kind, question.level)
        return session
    rounds = store.rounds(code, secret)
    if len(rounds) < 2:
        raise ClassError("There is no question before this one.")
    store.open_item(code, secret, rounds[-2].item)
    return session


def _draw(outputs: list, store, session: dict, state: model.ClassState) -> None:
    """Everything on the projector but the count: the join card, what is open, and on Reveal the class."""
    code = state.code
    link = classroom.join_link(code)
    for component, prop, value in (
        (ID.SETUP, "hidden", True),
        (ID.RUNNING, "hidden", False),
        (ID.POLL, "disabled", False),
        (ID.JOIN_CODE, "children", classroom.spaced(code)),
        (ID.JOIN_LINK, "children", link.split("?")[0].split("://", 1)[-1]),  # what a phone needs typed
        (ID.QR, "src", classroom.qr_data_uri(link)),
        (ID.PAUSE, "aria-pressed", "true" if state.paused else "false"),
        (ID.NAMES, "aria-pressed", "true" if state.show_names else "false"),
        (ID.VIEW_LINK, "hidden", True),
        (ID.RESULT, "children", ""),
        (ID.FIGURE_BOX, "hidden", True),
    ):
        _set(outputs, component, prop, value)
    # Once something is open the join card steps aside (smaller), so the figure fits the projector's screen.
    _set(outputs, ID.RUNNING, "className", "class-board" if state.item is None else "class-board with-item")
    lesson = session.get("lesson")
    if lesson in BUILTIN:
        step, total = int(session.get("step", 0)), len(builtin(lesson).steps)
        _set(outputs, ID.BACK, "disabled", step == 0)
        _set(outputs, ID.NEXT, "disabled", step >= total - 1)
        where = f"{builtin(lesson).title}, step {step + 1} of {total}. "
    else:
        _set(outputs, ID.BACK, "disabled", state.round < 2)
        _set(outputs, ID.NEXT, "disabled", classroom.question_of(state.item) is None)
        where = ""
    paused = " Everyone is paused." if state.paused else ""
    if state.item is None:
        _set(outputs, ID.NOW, "children", f"Open a question, or run a lesson.{paused}")
        return
    question = classroom.question_of(state.item)
    if question is None:
        _set(
            outputs,
            ID.NOW,
            "children",
            f"{where}Learners are told to look here: {state.item.get('caption', '')}{paused}",
        )
        _set(outputs, ID.VIEW_LINK, "href", state.item["link"])
        _set(outputs, ID.VIEW_LINK, "children", "Show this view (opens in a new tab) ↗")
        _set(outputs, ID.VIEW_LINK, "hidden", False)
        return
    phase = {model.OPEN: "Answers open.", model.LOCKED: "Answers locked.", model.REVEALED: "Revealed."}[state.phase]
    _set(outputs, ID.NOW, "children", f"{where}{question.prompt} {phase}{paused}")
    _set(outputs, ID.FIGURE_BOX, "hidden", False)
    if state.phase == model.REVEALED:
        figure, line = classroom.class_results(
            question, store.answers(code, session["secret"], state.round), state.show_names
        )
        _set(outputs, ID.FIGURE, "figure", figure)
        _set(outputs, ID.RESULT, "children", line)
        _set(outputs, ID.FIGURE_SUMMARY, "children", f"{figures.summary(question)} {line}")
    else:
        _set(outputs, ID.FIGURE, "figure", figures.question_figure(question))
        _set(outputs, ID.FIGURE_SUMMARY, "children", figures.summary(question))


@callback(
    Output(ID.CSV_DOWNLOAD, "data"),
    Output(ID.MESSAGE, "children", allow_duplicate=True),
    Input(ID.CSV_BUTTON, "n_clicks"),
    State(ID.SESSION, "data"),
    prevent_initial_call=True,
)
def download_results(_clicks, session):
    """The class's results as CSV: every answer of every question, with the share right and the mistakes."""
    if not isinstance(session, dict):
        return dash.no_update, "Start a class first."
    try:
        rounds = classroom.class_store().rounds(session.get("code"), session.get("secret"))
    except ClassError as refused:
        return dash.no_update, str(refused)
    return classroom.results_csv(session["code"], rounds), ""
