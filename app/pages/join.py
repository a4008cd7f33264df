"""/join: a learner joins a live class from their phone, answers what the teacher opens, and sees the
reveal with their own guess marked.

The learner's browser keeps its place (a local store: the class code, a random learner token, its
number and nickname), so a reload rejoins. It polls the class's version, a number, from the browser
(assets/live_class.js) and asks this server for its screen only when that number moved. The token
goes only in request bodies, and the server keeps only its digest.
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from app import ids
from app.classroom import model
from app.classroom.model import ClassError
from app.classroom.store import GONE
from app.components import classroom
from app.components.questions import (
    guess_in_boxes,
    question_body,
    read_stored,
    register_figure_answering,
    show_outputs,
    shown,
    stored,
    verdict_box,
)
from app.components.shell import page_header
from app.figures import questions as figures
from app.questions import base

PATH = "/join"
dash.register_page(
    __name__,
    path=PATH,
    name="Join a class",
    title="Join a live class",
    order=10,
    description="Join your teacher's live class with its code, and answer from your phone.",
    teacher_tool=True,
    in_nav=False,  # learners arrive by the link or the QR code on the projector
)

ID = ids.Learner
QUESTIONS = ids.Questions(PATH)
NO_ACCOUNT = "No account and nothing about you: only the nickname you choose, until the class ends."


def layout(code: str | None = None, **_query):
    prefilled = code.upper()[:12] if isinstance(code, str) else ""
    return html.Div(
        [
            page_header(
                "Join a live class", "Type the code on the projector: your answers go to your teacher's screen."
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.Label("Class code (6 letters and digits)", htmlFor=ID.CODE, className="control-label"),
                            dcc.Input(
                                id=ID.CODE,
                                type="text",
                                value=prefilled,
                                autoComplete="off",
                                maxLength=12,
                                className="join-code-input",
                            ),
                        ],
                        className="control",
                    ),
                    html.Div(
                        [
                            html.Label("Nickname (optional)", htmlFor=ID.NICKNAME, className="control-label"),
                            dcc.Input(
                                id=ID.NICKNAME,
                                type="text",
                                autoComplete="off",
                                maxLength=model.MAX_NICKNAME,
                                className="join-nickname-input",
                            ),
                        ],
                        className="control",
                    ),
                    html.Button("Join", id=ID.JOIN, n_clicks=0, className="primary join-button"),
                    html.P(NO_ACCOUNT, className="hint-text"),
                ],
                id=ID.FORM,
                className="section join-form",
                **{"aria-label": "Join"},
            ),
            html.Div(id=ID.MESSAGE, className="message", role="alert"),
            html.Div(
                [
                    html.Div(
                        [
                            html.P(id=ID.WHO, className="join-who"),
                            html.Button("Leave", id=ID.LEAVE, n_clicks=0, className="join-leave"),
                        ],
                        className="join-bar",
                    ),
                    html.Div(id=ID.SCREEN, role="status", **{"aria-live": "polite"}),
                    html.Section(
                        [
                            *question_body(
                                QUESTIONS, [html.Button("Send answer", id=ID.SEND, n_clicks=0, className="primary")]
                            ),
                            html.P(id=ID.SENT, className="join-sent", role="status", **{"aria-live": "polite"}),
                        ],
                        id=QUESTIONS.panel,
                        className="question-panel join-question",
                        hidden=True,
                        **{"aria-label": "The question"},
                    ),
                ],
                id=ID.INSIDE,
                hidden=True,
            ),
            dcc.Store(id=ID.SESSION, storage_type="local"),
            dcc.Store(id=ID.VERSION),
            dcc.Store(id=ID.ROUND),
            dcc.Store(id=QUESTIONS.store),
            dcc.Store(id=QUESTIONS.revealed, data=False),
            dcc.Store(id=QUESTIONS.animated),
            dcc.Interval(id=ID.POLL, interval=classroom.POLL_MS, disabled=True),
        ],
        className="page join-page",
    )


@callback(
    Output(ID.SESSION, "data"),
    Output(ID.MESSAGE, "children"),
    Input(ID.JOIN, "n_clicks"),
    Input(ID.LEAVE, "n_clicks"),
    State(ID.CODE, "value"),
    State(ID.NICKNAME, "value"),
    State(ID.SESSION, "data"),
    prevent_initial_call=True,
)
def join(_join, _leave, code, nickname, session):
    """Join with the typed code (the same place again if this browser was already in that class)."""
    if dash.ctx.triggered_id == ID.LEAVE:
        return None, "You left the class. Type a code to join again."
    try:
        classroom.check_attempts()
        typed = model.read_code(code)
        token = session.get("token") if isinstance(session, dict) and session.get("code") == typed else None
        try:
            joined = classroom.class_store().join(typed, nickname, token)
        except ClassError as refused:
            if str(refused) == GONE:  # a code that names no class: a guess, and guesses are limited
                classroom.count_wrong_attempt()
            raise
    except ClassError as refused:
        return dash.no_update, str(refused)
    return {"code": joined.code, "token": joined.token, "number": joined.number, "nickname": joined.nickname}, ""


# In the browser: show the form or the class, and poll the class's version (assets/live_class.js).
clientside_callback(
    ClientsideFunction(namespace="liveClass", function_name="joined"),
    Output(ID.FORM, "hidden"),
    Output(ID.INSIDE, "hidden"),
    Output(ID.POLL, "disabled"),
    Output(ID.VERSION, "data", allow_duplicate=True),
    Input(ID.SESSION, "data"),
    prevent_initial_call="initial_duplicate",
)
clientside_callback(
    ClientsideFunction(namespace="liveClass", function_name="poll"),
    Output(ID.VERSION, "data"),
    Input(ID.POLL, "n_intervals"),
    State(ID.SESSION, "data"),
    State(ID.VERSION, "data"),
    prevent_initial_call=True,
)


KEEP = dash.no_update
LEFT_ALONE = (KEEP,) * len(show_outputs(QUESTIONS))
SHOWN_AT = {output.component_id: index for index, output in enumerate(show_outputs(QUESTIONS))}  # in `shown`
PANEL = "question-panel join-question"


@callback(
    Output(ID.WHO, "children"),
    Output(ID.SCREEN, "children"),
    Output(QUESTIONS.panel, "hidden"),
    Output(ID.ROUND, "data"),
    Output(QUESTIONS.store, "data"),
    Output(ID.SENT, "children"),
    Output(QUESTIONS.panel, "className"),
    *show_outputs(QUESTIONS),
    Input(ID.VERSION, "data"),
    State(ID.SESSION, "data"),
    State(ID.ROUND, "data"),
    State(QUESTIONS.revealed, "data"),
    prevent_initial_call=True,
)
def follow(version, session, shown_round, revealed):
    """The learner's screen for the class as it is now. The question's boxes are left alone while the
    same round stays open, so a change elsewhere (the teacher shows names) never clears a typed answer."""
    if not isinstance(session, dict) or not isinstance(version, int):
        raise dash.exceptions.PreventUpdate
    store = classroom.class_store()
    code, token = session.get("code"), session.get("token")
    state = store.state(code) if isinstance(code, str) else None
    me = store.learner(code, token) if state is not None else None
    if state is None or me is None:
        ended = classroom.status_block("This class has ended", "Thank you for taking part.", "ended")
        return "", ended, True, None, None, "", PANEL, *LEFT_ALONE
    who = f"You are {me[1]} in class {classroom.spaced(state.code)}."
    question = classroom.question_of(state.item)
    if state.paused:  # everything stays as it is underneath, typed answers too
        screen = classroom.status_block("Paused", "Eyes on your teacher for a moment.", "paused")
        return who, screen, True, KEEP, KEEP, KEEP, KEEP, *LEFT_ALONE
    if state.item is None:
        screen = classroom.status_block("You are in", "Wait for your teacher to open a question.", "waiting")
        return who, screen, True, None, None, "", PANEL, *LEFT_ALONE
    if question is None:  # a view: the projector shows it
        caption = state.item.get("caption") or "Your teacher is showing something on the projector."
        screen = classroom.status_block("Look at the projector", caption, "view")
        return who, screen, True, state.round, None, "", PANEL, *LEFT_ALONE
    mine = store.my_answer(code, token, state.round)
    if state.phase == model.REVEALED:
        return who, "", False, state.round, stored(question), "", f"{PANEL} closed", *_revealed(question, mine)
    if state.phase == model.LOCKED:
        note = (
            "Answers are locked: wait for the reveal."
            if mine is not None
            else "Answers are locked: you did not answer."
        )
        panel = f"{PANEL} closed"
    else:
        note = "Answer sent: you can change it until your teacher locks answers." if mine is not None else ""
        panel = PANEL
    if shown_round == state.round and not revealed:
        return who, "", False, KEEP, KEEP, note, panel, *LEFT_ALONE
    outputs = list(shown(question))
    if mine is not None:  # a reload while answering: their answer is back in its boxes
        _put_back(question, mine, outputs)
    return who, "", False, state.round, stored(question), note, panel, *outputs


def _put_back(question: base.Question, mine, outputs: list) -> None:
    if question.answer in (base.NUMBER, base.DIRECTION):
        outputs[SHOWN_AT[QUESTIONS.number]] = classroom.answer_text(mine)
    elif question.answer == base.POINT:
        outputs[SHOWN_AT[QUESTIONS.x]], outputs[SHOWN_AT[QUESTIONS.y]] = (f"{value:g}" for value in mine)
    elif question.answer == base.CHOICE:
        outputs[SHOWN_AT[QUESTIONS.choice]] = mine


def _revealed(question: base.Question, mine) -> tuple:
    """The reveal on the learner's phone: their own guess beside the truth, the verdict and the worked
    numbers; a learner who did not answer sees the class's answers and the truth."""
    outputs = list(shown(question))
    verdict = classroom.verdict_on(question, mine) if mine is not None else None
    if verdict is not None:
        outputs[SHOWN_AT[QUESTIONS.figure]] = figures.revealed_figure(question, verdict)
        outputs[SHOWN_AT[QUESTIONS.verdict]] = verdict_box(verdict)
    else:
        solved = classroom.solution(question.kind, question.seed, question.level)
        outputs[SHOWN_AT[QUESTIONS.figure]] = figures.class_figure(question, solved.truth, [], [], None)
        outputs[SHOWN_AT[QUESTIONS.verdict]] = [
            html.P(html.Strong(f"You did not answer. The answer: {base.describe(question, solved.truth)}.")),
            html.Ul([html.Li(line) for line in solved.worked], className="worked"),
            html.P(solved.idea, className="explanation"),
        ]
    if mine is not None:
        _put_back(question, mine, outputs)
    outputs[SHOWN_AT[QUESTIONS.revealed]] = True
    return tuple(outputs)


@callback(
    Output(ID.SENT, "children", allow_duplicate=True),
    Output(QUESTIONS.message, "children", allow_duplicate=True),
    Input(ID.SEND, "n_clicks"),
    State(ID.SESSION, "data"),
    State(ID.ROUND, "data"),
    State(QUESTIONS.store, "data"),
    State(QUESTIONS.number, "value"),
    State(QUESTIONS.x, "value"),
    State(QUESTIONS.y, "value"),
    State(QUESTIONS.choice, "value"),
    prevent_initial_call=True,
)
def send(_clicks, session, round_number, question_data, number, x, y, choice):
    """File this learner's answer for the open round; what is wrong with it is said, and nothing is filed."""
    question = read_stored(question_data)
    if not isinstance(session, dict) or question is None:
        return dash.no_update, "There is no question to answer yet."
    try:
        guess = base.read_guess(question, guess_in_boxes(question, number, x, y, choice))
        classroom.class_store().answer(
            session.get("code"), session.get("token"), round_number, list(guess) if isinstance(guess, tuple) else guess
        )
    except (base.GuessError, ClassError) as refused:
        return dash.no_update, str(refused)
    return "Answer sent: you can change it until your teacher locks answers.", ""


register_figure_answering(QUESTIONS)
