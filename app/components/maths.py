"""Formulas as HTML and Unicode, the way the rest of the app writes them: no MathJax to download.

A formula is written once in Unicode ("f′(x) = 3x²", "(1 − 2η)(w − 3)", a typed function's label such
as "x·y + tanh(x)"); ``formula`` sets its one-letter variables in italics (``<var>``), as typeset maths
does, and leaves numbers, operators and function names (sin, ln, tanh, …) upright. ``fraction``
stacks a numerator over a denominator.
"""

from __future__ import annotations

import functools
import re

from dash import html

from app.components import elements as el

# Runs of Latin or Greek letters: one letter is a variable, a longer run names a function. (Products
# are written with "·" in the catalogs' and typed functions' labels, so "xy" never stands for x·y.)
_LETTERS = re.compile(r"([A-Za-zα-ωΑ-Ω]+)")
# A formula this short never breaks across lines ("1 − 2η" split after the minus misleads); a longer
# one (a typed function's derivative) may, or it would push a phone's page sideways.
UNBROKEN_LENGTH = 30


# Remembered: the same few dozen formulas are set on every redraw of every page, and a component is
# never changed once built (a page's callbacks build new ones), so one Span can serve them all.
@functools.lru_cache(maxsize=2048)
def formula(text: str) -> html.Span:
    """A formula in Unicode, with each one-letter variable in a ``<var>``."""
    pieces: list = []
    for run in _LETTERS.split(text):
        if len(run) == 1 and run.isalpha():
            pieces.append(el.Var(run))
        elif pieces and isinstance(pieces[-1], str):
            pieces[-1] += run  # text between two variables stays one piece, e.g. " + tanh("
        elif run:
            pieces.append(run)
    return el.Span(pieces, className="formula unbroken" if len(text) <= UNBROKEN_LENGTH else "formula")


def fraction(numerator: str, denominator: str) -> html.Span:
    """numerator over denominator, stacked; a screen reader hears "numerator over denominator"."""
    return el.Span(
        [
            el.Span(formula(numerator), className="numerator"),
            el.Span(" over ", className="sr-only"),
            el.Span(formula(denominator), className="denominator"),
        ],
        className="fraction",
    )
