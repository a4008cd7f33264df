"""One meaning, one colour, on every page (see ../shared/UX.md).

The hues come from the Okabe-Ito and Paul Tol palettes, chosen to stay distinct for the common forms
of colour blindness; tests/unit/test_palette.py simulates protanopia, deuteranopia and tritanopia and
checks that every two colours sharing a page stay clearly apart. Every line also differs by dash
style or marker and carries a label, so colour is never the only cue.
"""

from __future__ import annotations

import base64
import functools

import numpy as np

FUNCTION = "#4a5a6a"  # the function / surface: neutral blue-grey
POINT = "#e69f00"  # the current point / the ball: orange
TRAIL = "#6b5200"  # the path so far: dark gold (bronze), apart from the secant for deuteranopes
TANGENT = "#009e73"  # the tangent, the descent direction: green
SECANT = "#d55e00"  # the secant: red (vermilion), always dashed
GRADIENT = "#6a3d9a"  # the gradient: purple
GRADIENT_PART = "#cab2d6"  # its components: a lighter purple
SECOND_SERIES = "#4477aa"  # a second data series (e.g. central differences): blue
GUIDE = "#6b6b6b"  # reference lines and annotations
TEXT = "#1f2933"

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
FONT_SIZE = 16  # readable on a projector; the page's CSS scales the rest

# Colour scales as plotly.py expands its named ones ("Viridis", "Greys"): plotly.js's own scales of
# those names differ (its Greys runs black to white).
VIRIDIS = [
    [0.0, "#440154"],
    [0.1111111111111111, "#482878"],
    [0.2222222222222222, "#3e4989"],
    [0.3333333333333333, "#31688e"],
    [0.4444444444444444, "#26828e"],
    [0.5555555555555556, "#1f9e89"],
    [0.6666666666666666, "#35b779"],
    [0.7777777777777778, "#6ece58"],
    [0.8888888888888888, "#b5de2b"],
    [1.0, "#fde725"],
]
GREYS = [
    [0.0, "rgb(255,255,255)"],
    [0.125, "rgb(240,240,240)"],
    [0.25, "rgb(217,217,217)"],
    [0.375, "rgb(189,189,189)"],
    [0.5, "rgb(150,150,150)"],
    [0.625, "rgb(115,115,115)"],
    [0.75, "rgb(82,82,82)"],
    [0.875, "rgb(37,37,37)"],
    [1.0, "rgb(0,0,0)"],
]

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
}
_AXIS_TITLE_STANDOFF = 12

# Figures are plain dicts in plotly's JSON form ({"data": [traces], "layout": {...}}), not validated
# go.Figure objects: building those took most of the server's time under load (validation and deep
# copies, 10-100 ms a figure; bench/profile_requests.py). Every builder makes a fresh dict on each call,
# so a caller may change what it gets; what is cached (meshes, their encodings) is immutable.


def axis(title: str | None = None, **props) -> dict:
    """An x or y axis with the shared look: quiet grid, room for the title, then ``props``."""
    return {
        "title": {"standoff": _AXIS_TITLE_STANDOFF}
        if title is None
        else {"standoff": _AXIS_TITLE_STANDOFF, "text": title},
        **_AXIS,
        **props,
    }


def legend_below() -> dict:
    """A one-row (wrapping) legend under the plot. It is placed from the bottom of the whole figure
    (``yref="container"``), not at a guessed negative height over the plot area, so it never runs into
    the x-axis title whatever the figure's height: plotly reserves the room for it."""
    return {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": 0,
        "yanchor": "bottom",
        "yref": "container",
        "bgcolor": "rgba(0,0,0,0)",
    }


def base_layout(**overrides) -> dict:
    """Layout shared by every figure: plain white, readable type, room for axis titles."""
    layout = {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": axis(),
        "yaxis": axis(),
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "legend": {"bgcolor": "rgba(255,255,255,0.85)", "borderwidth": 0},
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "uirevision": "keep",  # zoom and legend clicks survive updates
    }
    layout.update(overrides)
    return layout


def figure(data: list[dict], layout: dict) -> dict:
    """A figure as plotly.js reads it; dcc.Graph takes it as is."""
    return {"data": data, "layout": layout}


def trace(kind: str, **props) -> dict:
    """One trace of this type (scatter, contour, surface, scatter3d) with these attributes."""
    return {"type": kind, **props}


def vline(x: float, line: dict, text: str, position: str, font: dict | None = None) -> tuple[dict, dict]:
    """A vertical line across the plot at x and its label at the top, as plotly's add_vline draws them:
    (the shape, the annotation). ``position`` is "top right" or "top left" of the line."""
    shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line}
    label = {
        "showarrow": False,
        "text": text,
        "x": x,
        "xanchor": "left" if position.endswith("right") else "right",
        "xref": "x",
        "y": 1,
        "yanchor": "top",
        "yref": "y domain",
    }
    if font is not None:
        label["font"] = font
    return shape, label


# ---- arrays ----------------------------------------------------------------------------------------
# numpy arrays travel as plotly.js typed arrays, {"dtype": "f8", "bdata": base64 of the bytes}: what
# plotly.py sends for them too, smaller than decimal text and decoded by the browser without parsing.
# Lists stay lists. Integers go in the smallest type that holds them, as plotly.py does.

_INT_TYPES = ((np.int8, "i1"), (np.int16, "i2"), (np.int32, "i4"))


def typed(values) -> dict | list:
    """A numpy array (any shape) as a plotly.js typed array; an empty one as []."""
    array = np.asarray(values)
    if array.size == 0:
        return []
    if array.dtype.kind in "iu":
        low, high = int(array.min()), int(array.max())
        for kind, code in _INT_TYPES:
            if np.iinfo(kind).min <= low and high <= np.iinfo(kind).max:
                array, dtype = array.astype(kind), code
                break
        else:
            return array.tolist()
    elif array.dtype == np.float32:
        dtype = "f4"
    else:
        array, dtype = array.astype(np.float64, copy=False), "f8"
    spec = {"dtype": dtype, "bdata": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in array.shape)
    return spec


_F32 = np.finfo(np.float32)


def drawable(values) -> np.ndarray:
    """Values that are only drawn, as float32 (half the bytes of float64; seven digits is finer than any
    pixel). A finite value keeps its sign and stays finite and nonzero: magnitudes beyond float32's are
    clipped to its largest (3.4e38) or smallest normal (1.2e-38) value, so a huge loss does not turn into
    inf, nor a tiny positive one into 0, which a log axis could not draw. 0, ±inf and NaN stay as they are."""
    array = np.asarray(values, dtype=np.float64)
    magnitude = np.abs(array)
    clipped = np.where(
        np.isfinite(array) & (magnitude > 0),
        np.copysign(np.clip(magnitude, float(_F32.tiny), float(_F32.max)), array),
        array,
    )
    return clipped.astype(np.float32)


_DTYPES = {"i1": np.int8, "i2": np.int16, "i4": np.int32, "u1": np.uint8, "f4": np.float32, "f8": np.float64}


def untyped(value):
    """The inverse of ``typed``, applied through a whole figure: every typed array back to numpy."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=_DTYPES[value["dtype"]])
            if "shape" in value:
                array = array.reshape([int(n) for n in value["shape"].split(",")])
            return array
        return {key: untyped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [untyped(item) for item in value]
    return value


# One colour per run when several are compared (up to 8): the Okabe-Ito palette without its yellow,
# which is unreadable on white, plus Tol's indigo. Runs also differ by marker symbol and dash.
RUN_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#332288")
RUN_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
RUN_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")


# ---- text in a line's colour -----------------------------------------------------------------------
# A label beside a line is easiest to match in the line's own colour, but most line colours are too light
# to read as text: #e69f00 is 2.25:1 on white, and text needs 4.5:1 (WCAG 2.1 AA, 1.4.3). A label takes
# the line's hue, darkened just enough. tests/unit/test_palette.py checks every text colour independently.
TEXT_CONTRAST = 4.5


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@functools.lru_cache(maxsize=64)
def readable(colour: str) -> str:
    """``colour`` (#rrggbb), darkened by the smallest step that reads as text on white."""
    white = 1.0
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    for percent in range(100, -1, -1):
        candidate = "#" + "".join(f"{round(c * percent / 100):02x}" for c in channels)
        if (white + 0.05) / (_relative_luminance(candidate) + 0.05) >= TEXT_CONTRAST:
            return candidate
    return "#000000"
