"""Formulas as HTML: one-letter variables in <var>, function names, numbers and operators as text."""

from dash import html

from app.components.maths import formula, fraction
from tests.unit.test_components_derivative import inline_text


def pieces(component) -> list:
    return [("var", piece.children) if isinstance(piece, html.Var) else piece for piece in component.children]


def test_variables_are_vars_and_function_names_stay_upright():
    assert pieces(formula("f′(x) = 3x²")) == [("var", "f"), "′(", ("var", "x"), ") = 3", ("var", "x"), "²"]
    assert pieces(formula("x·y + tanh(x)")) == [("var", "x"), "·", ("var", "y"), " + tanh(", ("var", "x"), ")"]
    assert pieces(formula("(1 − 2η)(w − 3)")) == ["(1 − 2", ("var", "η"), ")(", ("var", "w"), " − 3)"]


def test_a_fraction_reads_as_written_and_says_over_to_a_screen_reader():
    assert inline_text(fraction("f(x₀ + h) − f(x₀)", "h")) == "f(x₀ + h) − f(x₀) over h"
