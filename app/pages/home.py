"""/ : what the app teaches, and a card per concept page."""

import dash
from dash import dcc, html

from app.components.layout_memo import memoised_layout
from app.components.lessons import builtin_list
from app.components.shell import concept_pages, page_header, section

dash.register_page(
    __name__,
    path="/",
    name="Home",
    title="Gradients, by hand",
    order=0,
    description="How neural networks learn, one idea at a time.",
)


@memoised_layout
def layout(**_query):
    cards = [
        dcc.Link(
            [html.H2(page["name"]), html.P(page["description"])],
            href=page["relative_path"],
            className="card",
        )
        for page in concept_pages()
    ]
    return html.Div(
        [
            page_header(
                "How neural networks learn",
                "A network learns by nudging each weight downhill on its loss. Each page below takes one step "
                "of that idea, from the slope of a curve to PyTorch computing every slope for you.",
            ),
            html.P(
                "Every number on these pages is computed live and checked three ways: with the formula, with a "
                "finite difference and with torch autograd. Move things, type numbers, press play.",
                className="lead",
            ),
            html.Div(cards, className="cards"),
            section(
                "Lessons for a class",
                html.P(
                    "Views and questions in order, stepped through in presenter mode with → and ← or a "
                    "presentation clicker. Make your own on the Lessons page.",
                    className="hint-text",
                ),
                builtin_list(),
            ),
            section(
                "A live class",
                html.P(
                    [
                        "Learners answer on their phones and the projector shows what the class thinks: ",
                        dcc.Link("start a live class", href="/class"),
                        ". Learners: ",
                        dcc.Link("join a class", href="/join"),
                        " with the code your teacher shows.",
                    ]
                ),
            ),
        ],
        className="page home",
    )
