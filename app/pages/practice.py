"""/practice: questions from every page, mixed, one at a time; the kinds a learner misses come back sooner.

The learner's progress lives in their browser only: a ``dcc.Store`` in localStorage that no server
callback reads or writes. The browser picks the next kind from it (assets/practice.js) and asks the
server to draw that kind with a seed and a level; Reveal's answer says right or not, and the browser adds
that to its progress and to the table. The server sees the kind, the seed, the level and the guess, as
on every concept page, and nothing else.
"""

from __future__ import annotations

import dash
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from app import ids
from app.components.controls import table_box
from app.components.layout_memo import memoised_layout
from app.components.questions import (
    question_from_query,
    question_mirrors,
    question_panel,
    register_practice_callbacks,
)
from app.components.share import link_store, register_url_mirror
from app.components.shell import concept_pages, next_concept_link, page_header, section
from app.questions.registry import KINDS, PAGES

PATH = "/practice"
dash.register_page(
    __name__,
    path=PATH,
    name="Practice",
    title="Practice: every idea, mixed",
    order=7,
    description="Questions from every page, mixed: the kinds you miss come back sooner.",
)

ID = ids.Practice
QUESTIONS = ids.Questions(PATH)
PRIVACY = "Your progress stays in this browser: nothing about you is sent to the server."
COLUMNS = ("tries", "correct", "streak")
COLUMN_NAMES = {"tries": "Tries", "correct": "Correct", "streak": "Current streak"}


# Each page that has questions, in teaching order: the table's rows.
CONCEPTS = tuple(module.PAGE for module in PAGES if module.KINDS)


def concepts() -> list[tuple[str, str]]:
    """(path, name) of each page that has questions, in teaching order."""
    names = {page["path"]: page["name"] for page in concept_pages()}
    return [(path, names.get(path, path.strip("/").replace("-", " ").capitalize())) for path in CONCEPTS]


def catalogue() -> dict:
    """What the browser needs to pick and to count: every kind's page, and the pages in the table's order.
    The same for every learner."""
    return {
        "kinds": {key: kind.page for key, kind in KINDS.items()},
        "pages": list(CONCEPTS),
        "names": dict(concepts()),
        "storage": ID.PROGRESS,
    }


@memoised_layout
def layout(**query):
    notes: list[str] = []
    question = question_from_query(PATH, query, notes, practice=True)
    return html.Div(
        [
            page_header(
                "Practice: every idea, mixed",
                "One question at a time from every page, in no set order: the kinds you get wrong come back "
                "sooner, so your practice goes where it is needed.",
                notes,
            ),
            html.P(
                [html.Strong(PRIVACY), " Only your first Reveal of each question counts."],
                className="privacy-note",
            ),
            html.P(id=ID.FROM, className="question-from"),
            question_panel(PATH, question, practice=True),
            progress_section(),
            next_concept_link(PATH),
            link_store(ID.LINK),
            dcc.Store(id=ID.CATALOGUE, data=catalogue()),
            dcc.Store(id=ID.PROGRESS, storage_type="local"),
        ],
        className="page practice",
    )


def progress_section() -> html.Section:
    """Per concept: tries, correct and the current streak, filled in by the browser from its own store."""
    head = html.Thead(
        html.Tr(
            [html.Th("Concept", scope="col")]
            + [html.Th(COLUMN_NAMES[c], scope="col", className="number") for c in COLUMNS]
        )
    )
    rows = [
        html.Tr(
            [html.Th(dcc.Link(name, href=path), scope="row")]
            + [html.Td("0", id=ID.cell(path, column), className="number") for column in COLUMNS]
        )
        for path, name in concepts()
    ]
    return section(
        "Your progress",
        table_box(
            ID.TABLE,
            "Your progress by concept",
            html.Table(
                [html.Caption("No tries yet in this browser.", id=ID.TOTAL), head, html.Tbody(rows)],
                className="numbers progress-table",
            ),
        ),
        html.Div(
            [
                html.Button("Forget my progress", id=ID.FORGET, n_clicks=0),
                html.P(id=ID.FORGOTTEN, className="hint-text", role="status", **{"aria-live": "polite"}),
            ],
            className="forget-row",
        ),
    )


register_practice_callbacks(PATH)
URL_MIRRORS = question_mirrors(PATH, practice=True)
register_url_mirror(ID.LINK, URL_MIRRORS)

# The next question: the browser picks its kind from the progress only it holds, and sends the server
# just the kind, a seed and the level to draw (app/components/questions.py, register_practice_callbacks).
clientside_callback(
    ClientsideFunction(namespace="practice", function_name="pick"),
    Output(QUESTIONS.request, "data"),
    Input(QUESTIONS.another, "n_clicks"),
    Input(QUESTIONS.level, "value"),
    State(QUESTIONS.store, "data"),
    State(ID.PROGRESS, "data"),
    State(ID.CATALOGUE, "data"),
)
# Reveal's outcome, added to the progress in localStorage; or the progress forgotten.
clientside_callback(
    ClientsideFunction(namespace="practice", function_name="record"),
    Output(ID.PROGRESS, "data"),
    Output(ID.PROGRESS, "clear_data"),
    Output(ID.FORGOTTEN, "children"),
    Input(QUESTIONS.outcome, "data"),
    Input(ID.FORGET, "n_clicks"),
    State(ID.PROGRESS, "data"),
    State(ID.CATALOGUE, "data"),
    prevent_initial_call=True,
)
# Which page the question is from, in words.
clientside_callback(
    ClientsideFunction(namespace="practice", function_name="source"),
    Output(ID.FROM, "children"),
    Input(QUESTIONS.store, "data"),
    State(ID.CATALOGUE, "data"),
)
# The table, from the progress.
clientside_callback(
    ClientsideFunction(namespace="practice", function_name="progressTable"),
    [Output(ID.cell(path, column), "children") for path in CONCEPTS for column in COLUMNS]
    + [Output(ID.TOTAL, "children")],
    Input(ID.PROGRESS, "data"),
    State(ID.CATALOGUE, "data"),
)
