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
        if page["path"] != HOME_PATH and not page["module"].endswith("not_found_404") and not page.get("teacher_tool")
    ]
    return sorted(pages, key=lambda page: page["order"])


def teacher_pages() -> list[dict]:
    """Pages for running a class rather than for learning a concept (/lesson): last in the nav, no card."""
    return sorted((page for page in dash.page_registry.values() if page.get("teacher_tool")), key=lambda p: p["order"])


def navbar() -> html.Header:
    """Home plus one link per concept page, in teaching order, and the classroom tools.

    A <header> (the page's banner landmark), so the brand and the tools are inside a landmark too.
    """
    pages = [("Home", HOME_PATH)] + [
        (page["name"], page["relative_path"])
        for page in concept_pages() + teacher_pages()
        if page.get("in_nav", True)  # /class and /join are reached from presenter mode, /lesson and the QR code
    ]
    links = [
        dcc.Link(name, href=path, id={"type": ids.Shell.NAV_LINK, "index": path}, className="nav-link")
        for name, path in pages
    ]
    return html.Header(
        [
            # The second half steps aside where the nav needs the room (style.css, 1100-1799 px).
            html.Span(["Gradients", html.Span(", by hand", className="nav-brand-rest")], className="nav-brand"),
            html.Nav(links, id=ids.Shell.NAV, className="nav-links", **{"aria-label": "Concept pages"}),
            toolbar(),
        ],
        className="nav",
    )


# Every key the app answers to, for the "?" dialog; the handlers are in assets/presenter.js and
# assets/player.js. Keys typed into a text box or a slider keep their usual meaning.
SHORTCUTS = (
    ("?", "show or hide this list"),
    ("p", "presenter mode: large type, thick lines, high contrast"),
    ("c", "hide or show the controls (in presenter mode)"),
    ("f", "full screen on or off"),
    ("l", "copy a link to exactly this view"),
    ("Space", "play or pause the step player you last used (/descent, /optimizers)"),
    ("← / →", "one step back or forward in that player"),
    ("Tab / Shift+Tab", "move between controls; arrow keys move a focused slider"),
    ("→ / Page Down", "in a lesson: the next step (a clicker's forward button)"),
    ("← / Page Up", "in a lesson: the step before (← and → stay with a player you clicked)"),
    ("Home / End", "in a lesson: the first step, the last step"),
    ("a", "in presenter mode: add this view to your draft lesson (/lesson)"),
    ("Esc", "close this list"),
)


def _tool(
    tool_id: str,
    text: str,
    what: str,
    key: str,
    pressed: bool | None = None,
    extra_class: str = "",
    label: str | None = None,
) -> html.Button:
    """A tool button. Its spoken name is its visible text (a voice-control user says what they see);
    ``what`` it does and its ``key`` are the tooltip and the description. ``label`` only where the text
    alone says nothing ("?"), and then it contains the text."""
    props = {"title": f"{what} ({key})", "aria-keyshortcuts": key}
    if label is not None:
        props["aria-label"] = label
    if pressed is not None:
        props["aria-pressed"] = "true" if pressed else "false"
    return html.Button(text, id=tool_id, n_clicks=0, className=f"tool {extra_class}".strip(), **props)


def toolbar() -> html.Div:
    """The classroom tools: copy link, presenter mode, hide controls, full screen and the shortcut list.

    They only change the page's look, so they run in the browser (assets/presenter.js) with no request.
    """
    shell = ids.Shell
    return html.Div(
        [
            _tool(shell.COPY_LINK, "Copy link", "Copy a link to exactly this view", "l"),
            _tool(shell.PRESENTER, "Presenter", "Presenter mode: large type, thick lines", "p", pressed=False),
            _tool(shell.HIDE_CONTROLS, "Hide controls", "Hide or show the controls", "c", False, "presenter-only"),
            _tool(shell.FULLSCREEN, "Full screen", "Full screen on or off", "f", pressed=False),
            _tool(shell.ADD_VIEW, "Add to lesson", "Add this view to your draft lesson", "a", None, "presenter-only"),
            dcc.Link(
                "Live class",
                href="/class",
                id=shell.LIVE_CLASS,
                className="tool presenter-only",
                title="Start or run a live class: learners answer on their phones",
            ),
            _tool(shell.HELP, "?", "Keyboard shortcuts", "?", label="Keyboard shortcuts (?)"),
            html.Span(id=shell.TOOL_STATUS, className="tool-status", role="status", **{"aria-live": "polite"}),
            html.Dialog(
                [
                    html.H2("Keyboard shortcuts", id=f"{shell.SHORTCUTS}-title"),
                    html.Table(
                        html.Tbody([html.Tr([html.Th(html.Kbd(key)), html.Td(what)]) for key, what in SHORTCUTS]),
                        className="shortcuts-table",
                    ),
                    html.Button("Close", id=shell.SHORTCUTS_CLOSE, n_clicks=0, className="primary"),
                ],
                id=shell.SHORTCUTS,
                className="shortcuts",
                **{"aria-labelledby": f"{shell.SHORTCUTS}-title"},
            ),
        ],
        id=shell.TOOLS,
        className="tools",
        role="toolbar",
        **{"aria-label": "Classroom tools"},
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
