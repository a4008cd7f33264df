"""One meaning, one colour, on every page (see ../shared/UX.md).

The hues come from the Okabe-Ito palette, chosen to stay distinct for the common forms of colour
blindness; every line also differs by dash style or marker and carries a label, so colour is never
the only cue.
"""

from __future__ import annotations

FUNCTION = "#4a5a6a"  # the function / surface: neutral blue-grey
POINT = "#e69f00"  # the current point / the ball: orange
TRAIL = "#b8860b"  # the path so far: dark gold
TANGENT = "#009e73"  # the tangent, the descent direction: green
SECANT = "#d55e00"  # the secant: red (vermilion), always dashed
GRADIENT = "#7b3294"  # the gradient: purple
GRADIENT_PART = "#c2a5cf"  # its components: a lighter purple
SECOND_SERIES = "#0072b2"  # a second data series (e.g. central differences): blue
GUIDE = "#8a8a8a"  # reference lines and annotations
TEXT = "#1f2933"

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 16  # readable on a projector; the page's CSS scales the rest

SECANT_DASH = "dash"
GUIDE_DASH = "dot"


# What the "plotly_white" template gave us, written out: naming a template makes plotly look it up,
# deep-copy and validate it for every figure, about 16 ms each, and ship ~7 KB of it in every response
# (bench/load.py).
_AXIS = {
    "gridcolor": "#ebf0f8",
    "linecolor": "#ebf0f8",
    "zerolinecolor": "#d5dde8",
    "zerolinewidth": 2,
    "automargin": True,
    "title": {"standoff": 12},
}


def base_layout(**overrides) -> dict:
    """Layout shared by every figure: plain white, readable type, room for axis titles."""
    layout = {
        "template": "none",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": dict(_AXIS),
        "yaxis": dict(_AXIS),
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "legend": {"bgcolor": "rgba(255,255,255,0.85)", "borderwidth": 0},
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "uirevision": "keep",  # zoom and legend clicks survive updates
    }
    layout.update(overrides)
    return layout


# One colour per run when several are compared (up to 8): the Okabe-Ito palette without its yellow,
# which is unreadable on white, plus a dark brown. Runs also differ by marker symbol and dash.
RUN_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#8c6d31")
RUN_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
RUN_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
