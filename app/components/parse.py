"""Turning what a learner typed into a number, or into a message that says what is wrong.

Only ``float()`` ever reads the text: it understands decimals and scientific notation and nothing
else, so typed text can never run as code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_TEXT = 64  # longer than any sensible number; refuse before parsing


@dataclass(frozen=True)
class Parsed:
    value: float | None
    message: str | None

    @property
    def ok(self) -> bool:
        return self.message is None


def parse_number(text, name: str, low: float, high: float, *, positive: bool = False) -> Parsed:
    """A finite number in [low, high], or a message naming ``name`` and what to type instead."""
    if isinstance(text, bool):
        return Parsed(None, f"{name} must be a number.")
    if text is None or (isinstance(text, str) and not text.strip()):
        return Parsed(None, f"Type a number for {name}.")
    if isinstance(text, (int, float)):
        value = float(text)
    elif isinstance(text, str):
        cleaned = text.strip().replace("−", "-")  # a typographic minus pasted from the page
        if len(cleaned) > MAX_TEXT:
            return Parsed(None, f"{name}: that is too long to be a number.")
        try:
            value = float(cleaned)
        except ValueError:
            return Parsed(None, f"{name}: “{cleaned[:20]}” is not a number. Type something like 1.5 or 2e-3.")
    else:
        return Parsed(None, f"{name} must be a number.")
    if math.isnan(value):
        return Parsed(None, f"{name} cannot be NaN (not a number).")
    if math.isinf(value):
        return Parsed(None, f"{name} must be finite, not infinite.")
    if positive and value <= 0:
        return Parsed(None, f"{name} must be greater than 0.")
    if not low <= value <= high:
        return Parsed(None, f"{name} must be between {low:g} and {high:g}; {value:g} is outside.")
    return Parsed(value, None)
