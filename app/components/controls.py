"""Control rows shared by the pages: a slider always paired with an exact number input, a message
line under them for refused input, and one-click presets."""

from __future__ import annotations

from dash import dcc, html

from app.components import elements as el


def slider_with_input(
    *,
    label: str,
    hint: str,
    slider_id: str,
    input_id: str,
    message_id: str,
    min: float,
    max: float,
    step: float,
    value: float,
    input_value: str,
    marks: dict | None = None,
    log_of: str | None = None,
) -> html.Div:
    """A labelled slider, the exact input beside it (commits on Enter or Tab), and its message line.

    Dash's own number box inside the slider is hidden: ours validates what is typed and explains a
    refusal, which the built-in box cannot. ``log_of``: the name of the value whose log10 the slider
    moves ("η"), so a screen reader says "η = 0.1" rather than the slider's "-1".
    """
    slider_names = {"data-aria-label": label}
    if log_of is not None:
        slider_names["data-log-value-name"] = log_of
    return html.Div(
        [
            html.Label(
                [label, html.Span(hint, className="hint")],
                htmlFor=input_id,
                className="control-label",
            ),
            html.Div(
                [
                    html.Div(
                        dcc.Slider(
                            id=slider_id,
                            min=min,
                            max=max,
                            step=step,
                            value=value,
                            marks=marks,
                            updatemode="drag",
                            allow_direct_input=False,
                            tooltip={"always_visible": False, "placement": "bottom"},
                        ),
                        className="slider-cell",
                        # Dash's slider takes no aria props: assets/a11y.js names its handle from these.
                        **slider_names,
                    ),
                    exact_input(input_id, input_value),
                ],
                className="slider-row",
            ),
            html.Div(id=message_id, className="message", role="alert", **{"aria-live": "polite"}),
        ],
        className="control",
    )


def presets(type_id: str, choices: dict[str, str]) -> html.Div:
    """One button per preset, keyed so a single pattern-matching callback handles them all."""
    return html.Div(
        [
            html.Span("Presets", className="control-label"),
            html.Div(
                [
                    html.Button(text, id={"type": type_id, "index": key}, n_clicks=0, className="preset")
                    for key, text in choices.items()
                ],
                className="preset-row",
            ),
        ],
        className="control",
    )


# Plotly's toolbar keeps: save as PNG, zoom, pan, reset (and rotate for 3-D). The rest is rarely
# used in a lesson, and a shorter toolbar no longer covers the title of a narrow figure.
MODE_BAR_EXTRAS = [
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "toggleSpikelines",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "hoverClosest3d",
    "tableRotation",
    "resetCameraLastSave3d",
]


def graph(
    graph_id: str, size: str = "main-figure", summary_id: str | None = None, mode_bar: bool = True, **graph_kwargs
) -> html.Div:
    """A Plotly graph filling a box whose height the stylesheet sets (main-figure or secondary-figure).

    dcc.Graph sizes itself to 100% of its parent, so the height lives on a wrapper, not on the graph.
    ``summary_id``: a line that says in words what the figure shows, read out by screen readers
    whenever a callback rewrites it (aria-live); it takes no room on screen.
    """
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": MODE_BAR_EXTRAS,
        "displayModeBar": "hover" if mode_bar else False,
    }
    children = [dcc.Graph(id=graph_id, config=config, style={"height": "100%", "width": "100%"}, **graph_kwargs)]
    if summary_id is not None:
        children.append(figure_summary(summary_id))
    return html.Div(children, className=size)


def figure_summary(summary_id: str) -> html.P:
    """A figure's current state in words, for screen readers (visually hidden, announced when it changes)."""
    return html.P(id=summary_id, className="sr-only figure-summary", **{"aria-live": "polite"})


def readout(label: str, value_id: str) -> html.Div:
    """A labelled number in the readout row."""
    return html.Div(
        [html.Span(label, className="readout-label"), html.Span(id=value_id, className="readout-value")],
        className="readout",
    )


def radio_group(radio_id: str, label: str, options: list[dict], value, inline: bool = False) -> html.Div:
    """A labelled row of pill-shaped radio buttons (native radios underneath, so arrow keys work).

    The group is a radiogroup named by the visible label: Dash renders it as a listbox, which
    assets/a11y.js corrects from the wrapper's data-aria-labelledby.
    """
    label_id = f"{radio_id}-label"
    return html.Div(
        [
            html.Span(label, className="control-label", id=label_id),
            html.Div(
                dcc.RadioItems(id=radio_id, options=options, value=value, className="segmented"),
                **{"data-aria-labelledby": label_id},
            ),
        ],
        className="control inline" if inline else "control",
    )


def swatch_label(text: str, colour: str) -> list:
    """A coloured line's name as text in the page's own colour, with a dot of the line's colour before
    it: the line colours are too light to read as text (#e69f00 is 2.1:1 on white), and a screen reader
    needs only the words."""
    return [el.Span(className="swatch", style={"background": colour}, **{"aria-hidden": "true"}), text]


def table_box(table_id: str | None, label: str, *children, extra_class: str = "") -> html.Div:
    """The box a wide table scrolls in (at phone width), reachable by Tab so the keyboard can scroll it,
    and named for screen readers as a region: axe's scrollable-region-focusable."""
    props = {"id": table_id} if table_id is not None else {}
    return html.Div(
        list(children),
        className=f"table-wrap {extra_class}".strip(),
        tabIndex="0",
        role="region",
        **{"aria-label": label},
        **props,
    )


def text_box(input_id: str, label: str, value: str, hint: str = "") -> html.Div:
    """A labelled exact input that commits on Enter or Tab; the callback validates what was typed."""
    return html.Div(
        [
            html.Label([label, html.Span(hint, className="hint")], htmlFor=input_id, className="control-label"),
            exact_input(input_id, value),
        ],
        className="control",
    )


def point_boxes(label: str, hint: str, boxes: list[tuple[str, str, str]]) -> html.Div:
    """Two exact inputs side by side for a point, each (input id, axis label, value)."""
    cells = []
    for input_id, axis, value in boxes:
        cells += [html.Label(axis, htmlFor=input_id, className="axis-label"), exact_input(input_id, value)]
    return html.Div(
        [
            html.Span([label, html.Span(hint, className="hint")], className="control-label"),
            html.Div(cells, className="point-row"),
        ],
        className="control",
    )


def exact_input(input_id: str, value: str, input_mode: str = "decimal", class_name: str = "exact-input") -> dcc.Input:
    """A text box that commits on Enter or Tab (debounce), with no spelling or autofill help."""
    return dcc.Input(
        id=input_id,
        type="text",
        inputMode=input_mode,
        value=value,
        debounce=True,
        spellCheck=False,
        autoComplete="off",
        className=class_name,
    )
