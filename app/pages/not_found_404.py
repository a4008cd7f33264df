"""Any unknown path: a friendly way back."""

import dash
from dash import dcc, html

from app.components.layout_memo import memoised_layout
from app.components.shell import concept_pages

dash.register_page(__name__, path="/404", name="Not found", title="Page not found")


@memoised_layout
def layout(**_query):
    return html.Div(
        [
            html.H1("This page doesn’t exist"),
            html.P("The link may be mistyped, or the page may have moved. Here is where you can go instead:"),
            html.Ul(
                [html.Li(dcc.Link("Home", href="/"))]
                + [html.Li(dcc.Link(page["name"], href=page["relative_path"])) for page in concept_pages()]
            ),
        ],
        className="page not-found",
    )
