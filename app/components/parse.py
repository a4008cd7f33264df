"""Reading what the browser sends: typed text, control values, stored state and clicks.

One reader for numbers (``Number``) and one for choices (``Choice``). Every callback, every check of a
state a store sends back, and every shared link goes through them, so a value is refused for the
same reasons, with the same words, wherever it arrives. Anything a forged request can carry is
handled here: huge integers, ±inf, NaN, non-finite strings, booleans, lists and dicts.

Only ``float()`` ever reads typed text: it understands decimals and scientific notation and nothing
else, so typed text can never run as code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

MAX_TEXT = 64  # longer than any sensible number; refuse before parsing


@dataclass(frozen=True)
class Parsed:
    value: object
    message: str | None

    @property
    def ok(self) -> bool:
        return self.message is None


def _as_float(value, name: str) -> Parsed:
    """Any JSON value as a float, or the message for what it is instead."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | None):
        return Parsed(None, f"{name} must be a number.")
    if value is None or (isinstance(value, str) and not value.strip()):
        return Parsed(None, f"Type a number for {name}.")
    if isinstance(value, str):
        cleaned = value.strip().replace("−", "-")  # a typographic minus pasted from the page
        if len(cleaned) > MAX_TEXT:
            return Parsed(None, f"{name}: that is too long to be a number.")
        try:
            value = float(cleaned)
        except ValueError:
            return Parsed(None, f"{name}: “{cleaned[:20]}” is not a number. Type something like 1.5 or 2e-3.")
    else:
        try:
            value = float(value)  # a JSON integer can have 400 digits: float() overflows on it
        except OverflowError:
            return Parsed(None, f"{name} is far too large.")
    if math.isnan(value):
        return Parsed(None, f"{name} cannot be NaN (not a number).")
    if math.isinf(value):
        return Parsed(None, f"{name} must be finite, not infinite.")
    return Parsed(value, None)


@dataclass(frozen=True)
class Number:
    """What a number may be: its name on the page, its range, and whether it must be > 0 or whole."""

    name: str
    low: float = -math.inf
    high: float = math.inf
    positive: bool = False
    whole: bool = False

    def parse(self, value, name: str | None = None) -> Parsed:
        """The number (an int if whole), or a message naming it and what to type instead."""
        name = name or self.name
        parsed = _as_float(value, name)
        if not parsed.ok:
            return parsed
        number = parsed.value
        if self.positive and number <= 0:
            return Parsed(None, f"{name} must be greater than 0.")
        if not self.low <= number <= self.high:
            return Parsed(None, f"{name} must be between {self.low:g} and {self.high:g}; {number:g} is outside.")
        if self.whole:
            if number != int(number):
                return Parsed(None, f"{name} must be a whole number; {number:g} is not.")
            return Parsed(int(number), None)
        return Parsed(number, None)

    def read(self, value):
        """The number, or None: for values the page stored itself, where a refusal needs no words."""
        return self.parse(value).value

    @property
    def hint(self) -> str:
        """The range in words, for the hint beside a box."""
        return f"{self.low:g} to {self.high:g}".replace("-", "−")  # a typographic minus, as the page writes it


@dataclass(frozen=True)
class Choice:
    """One name out of a fixed set (a radio group, a dropdown, a preset)."""

    name: str
    choices: tuple[str, ...]

    def parse(self, value) -> Parsed:
        if isinstance(value, str) and value in self.choices:  # a list or dict is unhashable: test the type first
            return Parsed(value, None)
        return Parsed(None, f"{self.name}: “{str(value)[:40]}” is not one of {', '.join(self.choices)}.")

    def read(self, value) -> str | None:
        return self.parse(value).value


def parse_number(value, name: str, low: float, high: float, *, positive: bool = False, whole: bool = False) -> Parsed:
    """A finite number in [low, high], or a message naming ``name`` and what to type instead."""
    return Number(name, low, high, positive, whole).parse(value)


def read_fields(data, fields: Mapping[str, Number | Choice]) -> dict | None:
    """A store's dict with every field read by its rule, or None if it is not a dict or any field fails.

    A store comes back from the browser, so a forged request can put anything in it; the page then
    falls back to its default state rather than trusting it.
    """
    if not isinstance(data, dict):
        return None
    clean = {}
    for key, rule in fields.items():
        value = rule.read(data.get(key))
        if value is None:
            return None
        clean[key] = value
    return clean


def read_flag(value) -> bool:
    """A stored on/off value: only ``True`` itself is on."""
    return value is True


def _clicked(click_data, axis: str) -> float | None:
    try:
        value = click_data["points"][0][axis]
    except (KeyError, IndexError, TypeError):
        return None
    return Number("A click").read(value)


def clicked_x(click_data, digits: int) -> float | None:
    """The x a learner clicked on a figure, rounded to ``digits``; None if the click is unreadable."""
    x = _clicked(click_data, "x")
    return None if x is None else round(x, digits)


def clicked_point(click_data, digits: int) -> tuple[float, float] | None:
    """The (x, y) a learner clicked on a map, rounded to ``digits``; None if the click is unreadable."""
    x, y = _clicked(click_data, "x"), _clicked(click_data, "y")
    return None if x is None or y is None else (round(x, digits), round(y, digits))


def typed_start(surface, x_text, y_text) -> tuple[tuple[float, float] | None, str | None]:
    """A start (x₀, y₀) typed for ``surface``'s map: the point, or None and why it cannot be used."""
    x, y = Number("A coordinate").parse(x_text, "x₀"), Number("A coordinate").parse(y_text, "y₀")
    message = x.message or y.message
    if message:
        return None, message
    if not surface.in_view(x.value, y.value):
        return None, (
            f"({x.value:g}, {y.value:g}) is off the map: x₀ must be in [{surface.view_x[0]:g}, "
            f"{surface.view_x[1]:g}] and y₀ in [{surface.view_y[0]:g}, {surface.view_y[1]:g}]."
        )
    return (x.value, y.value), None
