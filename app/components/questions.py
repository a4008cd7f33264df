"""Predict, then reveal: the question panel every concept page carries.

"Predict first" turns the page into a question: the page's own views (which could give the answer
away) are hidden, and the question's figure shows the set-up only. The learner answers through the
figure (a click sets a point, a direction or a slope) or types it, then presses Reveal. Only then does
the server compute the truth, from the kind and the seed, and send the verdict and the figure with the
truth drawn beside the guess. The browser never holds the answer before Reveal: the store holds the
kind, the seed and the level, and the set-up's anchor point that a click is measured from.

The link carries the question (``q=descent-step&seed=41&level=harder``), so a teacher can hand a class
the same one.

/practice carries the same panel, always open, with kinds from every page (``practice=True``). There the
browser picks the next kind from the learner's progress (assets/practice.js, localStorage) and asks the
server only to draw that kind with a seed and a level (``register_practice_callbacks``); Reveal answers
with the outcome ({kind, seed, level, right}) too, which the browser adds to its progress. Nothing about
the learner reaches the server.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from app.components.controls import graph, radio_group
from app.components.parse import Choice
from app.components.patching import prefilled
from app.components.share import first_value, link_check
from app.figures import questions as figures
from app.ids import Questions
from app.questions import base
from app.questions.registry import KINDS, kinds_for

LEVEL = Choice("Level", base.LEVELS)
LEVEL_NAMES = {base.EASY: "Easy", base.HARDER: "Harder"}


def kinds_asked(page: str, practice: bool = False) -> list:
    """The kinds a panel draws from: its page's own, or on /practice every kind there is."""
    return list(KINDS.values()) if practice else kinds_for(page)


def question_from_query(page: str, query: dict, notes: list[str], practice: bool = False) -> dict | None:
    """The question a link asks (q=, seed=, level=), as the store holds it; None for no question."""
    key = first_value(query, "q")
    if key is None:
        return None
    asked = kinds_asked(page, practice)
    if not isinstance(key, str) or key not in KINDS or KINDS[key] not in asked:
        names = ", ".join(kind.key for kind in asked)
        notes.append(f"q: “{str(key)[:40]}” is not a question of this page ({names}).")
        return None
    try:
        seed = base.read_seed(first_value(query, "seed") if first_value(query, "seed") is not None else 0)
    except base.GuessError as refused:
        notes.append(f"seed: {refused}")
        return None
    level = first_value(query, "level") or base.EASY
    if LEVEL.read(level) is None:
        notes.append(f"level: use {' or '.join(base.LEVELS)}, not “{str(level)[:40]}”.")
        level = base.EASY
    return stored(made(key, seed, level))


def page_link_check(page: str, mirrors: list, state_from_query) -> Callable[[dict], list[str]]:
    """A concept page's link check: its mirrors and its question's, its own reader's notes, the question's."""
    return link_check(
        mirrors + question_mirrors(page),
        lambda query, notes: notes.extend(state_from_query(query)[-1]),
        lambda query, notes: question_from_query(page, query, notes),
    )


def stored(question: base.Question) -> dict:
    """What the browser keeps of a question: never its answer."""
    return {
        "kind": question.kind,
        "seed": question.seed,
        "level": question.level,
        "answer": question.answer,
        "anchor": figures.anchor(question),
    }


@functools.lru_cache(maxsize=512)
def made(key: str, seed: int, level: str) -> base.Question:
    """A kind's question for a seed and a level, remembered in this process: the draw callback makes it,
    and the show and Reveal requests that follow (most often to the same worker) rebuild it from the
    store without making it again; /optimizers' kinds run batches of descents to make one (10-30 ms).
    A memo, not state: make is a pure function of its arguments (base.rng_for), and a Question is
    frozen and only ever read."""
    return KINDS[key].make(seed, level)


def read_stored(data) -> base.Question | None:
    """The question a store names, rebuilt from its seed on the server (None if the store is not one)."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str) or data["kind"] not in KINDS:
        return None
    if LEVEL.read(data.get("level")) is None:
        return None
    try:
        seed = base.read_seed(data.get("seed"))
    except base.GuessError:
        return None
    return made(data["kind"], seed, data["level"])


def show_outputs(ids: Questions) -> list[Output]:
    """What showing a question sets: its words, figure or code, its answer boxes (cleared), no verdict."""
    return [
        Output(ids.prompt, "children"),
        Output(ids.figure, "figure"),
        Output(ids.figure_summary, "children"),
        Output(ids.number_row, "style"),
        Output(ids.point_row, "style"),
        Output(ids.choice_row, "style"),
        Output(ids.choice, "options"),
        Output(ids.choice, "value"),
        Output(ids.number_label, "children"),
        Output(ids.number, "value"),
        Output(ids.x, "value"),
        Output(ids.y, "value"),
        Output(ids.verdict, "children"),
        Output(ids.message, "children"),
        Output(ids.revealed, "data"),
        Output(ids.code, "children"),
        Output(ids.code, "hidden"),
        Output(ids.figure_box, "hidden"),
    ]


def shown(question: base.Question) -> tuple:
    """The values of show_outputs for this question."""
    number, point, choice, options, label = _answer_shape(question)
    code = figures.code_of(question)  # a question about code shows the code, and has no figure
    return (
        question.prompt,
        figures.question_figure(question),
        figures.summary(question),
        number,
        point,
        choice,
        options,
        None,
        label,
        "",
        "",
        "",
        "",
        "",
        False,
        code or "",
        code is None,
        code is not None,
    )


def question_panel(page: str, question: dict | None, practice: bool = False) -> html.Section | None:
    """The panel, or None on a page with no kind of question yet. With ``practice`` it is always open (no
    "Predict first" toggle) and has the stores for the browser's pick and the server's outcome."""
    if not kinds_asked(page, practice):
        return None
    ids = Questions(page)
    opened = question is not None or practice
    toggle = (
        []
        if practice
        else [
            html.Div(
                [
                    html.Button(
                        "Predict first",
                        id=ids.toggle,
                        n_clicks=0,
                        className="primary predict-toggle",
                        **{"aria-pressed": "true" if opened else "false", "aria-controls": ids.panel},
                    ),
                    html.Span(
                        "Commit to an answer before the page shows it: people who predict first remember more.",
                        className="hint-text",
                    ),
                ],
                className="predict-row",
            )
        ]
    )
    practice_stores = [dcc.Store(id=ids.request), dcc.Store(id=ids.outcome)] if practice else []
    actions = [
        html.Button("Reveal", id=ids.reveal, n_clicks=0, className="primary"),
        html.Button("Another one", id=ids.another, n_clicks=0),
        radio_group(
            ids.level,
            "Level",
            [{"label": LEVEL_NAMES[level], "value": level} for level in base.LEVELS],
            (question or {}).get("level", base.EASY),
            inline=True,
        ),
    ]
    panel = html.Section(
        [
            *toggle,
            html.Div(
                question_body(ids, actions),
                id=ids.panel,
                className="question-panel",
                hidden=not opened,
            ),
            dcc.Store(id=ids.store, data=question),
            dcc.Store(id=ids.revealed, data=False),
            dcc.Store(id=ids.animated),  # nothing is kept here: the reveal's animation needs an output
            *practice_stores,
        ],
        className="predict practice-question" if practice else "predict",
        **{"aria-label": "Practice question" if practice else "Predict first"},
    )
    drawn = read_stored(question)
    return prefilled(panel, show_outputs(ids), shown(drawn)) if drawn is not None else panel


def question_body(ids: Questions, actions: list) -> list:
    """A question's words, figure (or code), answer boxes with ``actions`` under them, and verdict: the
    part every place that asks a question shares (a concept page, /practice, a learner's phone in class)."""
    return [
        html.P(id=ids.prompt, className="question-prompt"),
        # No mode bar: its buttons would stand between the question and its answer boxes for Tab.
        html.Pre(id=ids.code, className="code question-code", hidden=True),
        html.Div(
            graph(ids.figure, "question-figure", summary_id=ids.figure_summary, mode_bar=False), id=ids.figure_box
        ),
        html.Div(
            [
                html.Div(
                    [
                        html.Label("Your answer", htmlFor=ids.number, className="control-label", id=ids.number_label),
                        dcc.Input(id=ids.number, type="text", inputMode="decimal", className="exact-input"),
                    ],
                    id=ids.number_row,
                    className="control answer-row",
                ),
                html.Div(
                    [
                        html.Label("x", htmlFor=ids.x, className="axis-label"),
                        dcc.Input(id=ids.x, type="text", inputMode="decimal", className="exact-input"),
                        html.Label("y", htmlFor=ids.y, className="axis-label"),
                        dcc.Input(id=ids.y, type="text", inputMode="decimal", className="exact-input"),
                    ],
                    id=ids.point_row,
                    className="control answer-row point-boxes",
                ),
                html.Div(radio_group(ids.choice, "Your answer", [], None), id=ids.choice_row),
                html.Div(actions, className="question-actions"),
                html.Div(id=ids.message, className="message", role="alert"),
            ],
            className="panel answer-panel",
        ),
        html.Div(id=ids.verdict, className="verdict-box", role="status", **{"aria-live": "polite"}),
    ]


def _answer_shape(question: base.Question) -> tuple[dict, dict, dict, list, str]:
    """Which answer boxes show (number, point, choice) and the choices, for this question's answer."""
    show, hide = {}, {"display": "none"}
    number = show if question.answer in (base.NUMBER, base.DIRECTION) else hide
    point = show if question.answer == base.POINT else hide
    choice = show if question.answer == base.CHOICE else hide
    options = [{"label": text, "value": text} for text in question.choices]
    label = f"Your answer{f' ({question.unit})' if question.unit else ''}"
    return number, point, choice, options, label


def register_question_callbacks(page: str) -> None:
    ids = Questions(page)
    kinds = [kind.key for kind in kinds_for(page)]
    if not kinds:
        return
    _register_draw(ids, kinds)
    _register_answering(ids)


def register_practice_callbacks(page: str) -> None:
    """/practice: the browser picks the kind, the seed and the level (assets/practice.js, from the
    progress only it holds); the server draws exactly that, and its Reveal says right or not."""
    ids = Questions(page)

    @callback(
        Output(ids.store, "data"),
        *show_outputs(ids),
        Input(ids.request, "data"),
        prevent_initial_call=True,
    )
    def pose(request):
        """The question the browser asked for, drawn here (its set-up and anchor, never its answer)."""
        question = read_stored(request)
        if question is None:
            return (dash.no_update,) * (1 + len(show_outputs(ids)))
        return (stored(question), *shown(question))

    _register_answering(ids, outcome=True)


def _register_draw(ids: Questions, kinds: list[str]) -> None:
    # Drawing a question sends it shown, in the same answer: one request per press. (A page opened on a
    # question has it drawn in its layout already, by question_panel.)
    @callback(
        Output(ids.store, "data"),
        Output(ids.panel, "hidden"),
        Output(ids.toggle, "aria-pressed"),
        *show_outputs(ids),
        Input(ids.toggle, "n_clicks"),
        Input(ids.another, "n_clicks"),
        Input(ids.level, "value"),
        State(ids.store, "data"),
        prevent_initial_call=True,
    )
    def draw(_toggle, _another, level, current):
        """Open, close or renew the question: a fresh seed for each new one."""
        trigger = ctx.triggered_id
        level = LEVEL.read(level) or base.EASY
        question = read_stored(current)
        unchanged = (dash.no_update,) * len(show_outputs(ids))
        if trigger == ids.toggle and question is not None:
            return None, True, "false", *unchanged
        if not kinds or (trigger == ids.level and question is None):
            return dash.no_update, dash.no_update, dash.no_update, *unchanged
        previous = question.kind if question is not None else None
        choices = [key for key in kinds if key != previous] or kinds  # another one is another kind where it can be
        key = choices[secrets.randbelow(len(choices))] if trigger != ids.level else previous
        fresh = made(key, secrets.randbelow(base.MAX_SEED + 1), level)
        return stored(fresh), False, "true", *shown(fresh)


def _register_answering(ids: Questions, outcome: bool = False) -> None:
    """Show the question in the store, reveal it, and take clicks on its figure. With ``outcome`` Reveal
    also says {kind, seed, level, right} to the browser (/practice keeps its progress from it)."""

    @callback(
        Output(ids.verdict, "children", allow_duplicate=True),
        Output(ids.figure, "figure", allow_duplicate=True),
        Output(ids.message, "children", allow_duplicate=True),
        Output(ids.revealed, "data", allow_duplicate=True),
        *([Output(ids.outcome, "data")] if outcome else []),
        Input(ids.reveal, "n_clicks"),
        State(ids.store, "data"),
        State(ids.number, "value"),
        State(ids.x, "value"),
        State(ids.y, "value"),
        State(ids.choice, "value"),
        prevent_initial_call=True,
    )
    def reveal(_clicks, data, number, x, y, choice):
        answer = judge(data, number, x, y, choice)
        if not outcome:
            return answer[:4]
        return answer

    def judge(data, number, x, y, choice):
        """The truth, computed now from the seed, beside the learner's guess; a guess that cannot be read
        gets its message and changes nothing else."""
        question = read_stored(data)
        if question is None:
            ask = "Press “Another one” for a question." if outcome else "Press “Predict first” for a question."
            return dash.no_update, dash.no_update, ask, dash.no_update, dash.no_update
        try:
            verdict = KINDS[question.kind].reveal(question, guess_in_boxes(question, number, x, y, choice))
        except base.GuessError as refused:
            return dash.no_update, dash.no_update, str(refused), dash.no_update, dash.no_update
        said = {"kind": question.kind, "seed": question.seed, "level": question.level, "right": bool(verdict.right)}
        return verdict_box(verdict), figures.revealed_figure(question, verdict), "", True, said

    register_figure_answering(ids)
    # While a question waits for its answer the page's own views, which could give it away, are hidden.
    clientside_callback(
        ClientsideFunction(namespace="questions", function_name="asking"),
        Output(ids.panel, "className"),
        Input(ids.store, "data"),
        Input(ids.revealed, "data"),
    )


def register_figure_answering(ids: Questions) -> None:
    """A click on the question's figure fills its answer boxes, and a revealed figure animates its truth."""
    # A click on the figure answers through it: a point is the click, a direction points from the
    # question's point to the click, a slope is the line from the point of contact to the click.
    clientside_callback(
        ClientsideFunction(namespace="questions", function_name="click"),
        Output(ids.number, "value", allow_duplicate=True),
        Output(ids.x, "value", allow_duplicate=True),
        Output(ids.y, "value", allow_duplicate=True),
        Input(ids.figure, "clickData"),
        State(ids.store, "data"),
        State(ids.revealed, "data"),
        prevent_initial_call=True,
    )
    # Reveal moves the truth in from where it starts (assets/reveal.js).
    clientside_callback(
        ClientsideFunction(namespace="reveal", function_name="animate"),
        Output(ids.animated, "data"),
        Input(ids.figure, "figure"),
        State(ids.figure, "id"),
        prevent_initial_call=True,
    )


def guess_in_boxes(question: base.Question, number, x, y, choice):
    """The guess the answer boxes hold, in the question's shape (read later by base.read_guess); a choice
    not yet picked is GuessError."""
    if question.answer == base.CHOICE and choice is None:
        raise base.GuessError("Pick an answer first.")
    return {base.NUMBER: number, base.DIRECTION: number, base.POINT: [x, y], base.CHOICE: choice}[question.answer]


def verdict_box(verdict: base.Verdict) -> list:
    """One line of verdict, then the worked numbers, then the idea."""
    return [
        html.P(
            [html.Strong(verdict.headline)],
            className="verdict-headline right" if verdict.right else "verdict-headline",
        ),
        html.P(f"Judged {verdict.tolerance}.", className="hint-text"),
        html.Ul([html.Li(line) for line in verdict.worked], className="worked"),
        html.P(verdict.idea, className="explanation"),
    ]


def question_mirrors(page: str, practice: bool = False) -> list:
    """The question in the link: its kind, seed and level (gone from the link when the panel closes)."""
    from app.components.share import Mirror

    ids = Questions(page)
    if not kinds_asked(page, practice):
        return []
    return [
        Mirror("q", ids.store, field="kind", kind="cleared"),
        Mirror("seed", ids.store, field="seed", kind="cleared"),
        Mirror("level", ids.store, field="level", kind="cleared", default=base.EASY),
    ]
