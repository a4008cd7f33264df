"""The frame around every page: the nav built from the page registry, the page header, and the link
to the next concept in teaching order."""

from __future__ import annotations

import dash
from dash import dcc, html

from app import ids
from app.components.share import link_note

HOME_PATH = "/"


def concept_pages() -> list[dict]:
    """Registered concept pages (not home, not the 404), in teaching order."""
    pages = [
        page
        for page in dash.page_registry.values()
        if page["path"] != HOME_PATH and not page["module"].endswith("not_found_404")
    ]
    return sorted(pages, key=lambda page: page["order"])


def navbar() -> html.Nav:
    """Home plus one link per concept page, in teaching order."""
    pages = [("Home", HOME_PATH)] + [(page["name"], page["relative_path"]) for page in concept_pages()]
    links = [
        dcc.Link(name, href=path, id={"type": ids.Shell.NAV_LINK, "index": path}, className="nav-link")
        for name, path in pages
    ]
    return html.Nav(
        [html.Span("Gradients, by hand", className="nav-brand"), html.Div(links, className="nav-links")],
        id=ids.Shell.NAV,
        className="nav",
        **{"aria-label": "Concept pages"},
    )


def page_header(title: str, idea: str, link_notes: list[str] = ()) -> html.Header:
    """The title and the one-sentence idea every page opens with, and what a shared link got wrong."""
    return html.Header(
        [html.H1(title), html.P(idea, className="idea"), link_note(list(link_notes))], className="page-header"
    )


def next_concept_link(current_path: str) -> html.Div:
    """A link to the next concept page after this one, or home after the last."""
    pages = concept_pages()
    paths = [page["path"] for page in pages]
    position = paths.index(current_path) if current_path in paths else -1
    if 0 <= position < len(pages) - 1:
        following = pages[position + 1]
        return html.Div(
            dcc.Link(f"Next: {following['name']} →", href=following["relative_path"], className="next-link"),
            className="next",
        )
    return html.Div(dcc.Link("Back to all concepts →", href=HOME_PATH, className="next-link"), className="next")


def section(title: str, *children, **kwargs) -> html.Section:
    """A titled block of the page."""
    return html.Section([html.H2(title), *children], className="section", **kwargs)
