"""Formulas as HTML and Unicode, the way the rest of the app writes them: no MathJax to download.

A formula is written once in Unicode ("f′(x) = 3x²", "(1 − 2η)(w − 3)"); ``formula`` sets its
variables in italics (``<var>``), as typeset maths does, and leaves numbers, operators and function
names (sin, ln, …) upright. ``fraction`` stacks a numerator over a denominator.
"""

from __future__ import annotations

import re

from dash import html

# Runs of Latin or Greek letters; each letter is a variable unless the run names a function.
_LETTERS = re.compile(r"([A-Za-zα-ωΑ-Ω]+)")
FUNCTION_NAMES = frozenset({"sin", "cos", "tan", "exp", "ln", "log"})


def formula(text: str) -> html.Span:
    """A formula in Unicode, with each one-letter variable in a ``<var>``; it never wraps mid-formula."""
    pieces: list = []
    for run in _LETTERS.split(text):
        if not run:
            continue
        if run in FUNCTION_NAMES or not _LETTERS.fullmatch(run):
            pieces.append(run)
        else:
            pieces.extend(html.Var(letter) for letter in run)
    return html.Span(pieces, className="formula")


def fraction(numerator: str, denominator: str) -> html.Span:
    """numerator over denominator, stacked; a screen reader hears "numerator over denominator"."""
    return html.Span(
        [
            html.Span(formula(numerator), className="numerator"),
            html.Span(" over ", className="sr-only"),
            html.Span(formula(denominator), className="denominator"),
        ],
        className="fraction",
    )
