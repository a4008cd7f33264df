"""What a learner types becomes a number or a message; nothing typed is ever run."""

import pytest

from app.components.parse import parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", 2.0), (" 1.5 ", 1.5), ("-0.25", -0.25), ("−0.25", -0.25), ("1e-3", 0.001), (3, 3.0), (0.5, 0.5)],
)
def test_numbers_are_read(text, expected):
    parsed = parse_number(text, "x₀", -3, 3)
    assert parsed.ok and parsed.value == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc", "is not a number"),
        ("__import__('os')", "is not a number"),
        ("2+2", "is not a number"),
        ("", "Type a number"),
        (None, "Type a number"),
        ("nan", "NaN"),
        ("NaN", "NaN"),
        ("inf", "finite"),
        ("-infinity", "finite"),
        ("1e308", "between"),
        ("1e999", "finite"),
        ("4", "between"),
        (True, "must be a number"),
        ([1], "must be a number"),
        ({"a": 1}, "must be a number"),
        ("9" * 100, "too long"),
    ],
)
def test_bad_input_gets_a_message(text, fragment):
    parsed = parse_number(text, "x₀", -3, 3)
    assert not parsed.ok and parsed.value is None
    assert fragment in parsed.message and "x₀" in parsed.message


def test_positive_values():
    assert "greater than 0" in parse_number("0", "h", 0, 1, positive=True).message
    assert "greater than 0" in parse_number("-1e-3", "h", -1, 1, positive=True).message
    assert parse_number("1e-15", "h", 1e-15, 1, positive=True).value == 1e-15
