"""How numbers are written on screen: like the chapter, with 4 or 6 decimals, or in scientific form
when they span many orders of magnitude. No other module formats numbers its own way."""

from __future__ import annotations

import math

UNDEFINED = "undefined"


def fixed(value: float | None, decimals: int = 6) -> str:
    """``4.100000``; negative zero printed as zero; NaN or None as 'undefined'."""
    if value is None or not math.isfinite(value):
        return UNDEFINED
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def sci(value: float | None, digits: int = 2) -> str:
    """``1.00e-04`` style, for errors and step sizes that range over many decades."""
    if value is None or not math.isfinite(value):
        return UNDEFINED
    return f"{value:.{digits}e}"


def step(value: float) -> str:
    """A step size h the way a person types it: 0.1, 0.0001, 1e-12."""
    return f"{value:.6g}"
