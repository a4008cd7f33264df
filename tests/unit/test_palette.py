"""Colours stay distinguishable for colour-blind viewers.

Each colour is passed through colorspacious's simulation of full protanopia, deuteranopia and
tritanopia (Machado et al. 2009), and the distance between every two colours that can share a
figure is measured in CAM02-UCS, a space built so that equal distances look equally different.
Ten units is a clear difference at a glance; one or two is the smallest anyone notices.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from app.figures import style

VISION = ("normal", "protanomaly", "deuteranomaly", "tritanomaly")
CLEARLY_DIFFERENT = 10.0
FIGURES = Path(style.__file__).parent
MEANING_NAMES = (
    "FUNCTION",
    "POINT",
    "TRAIL",
    "TANGENT",
    "SECANT",
    "GRADIENT_PART",
    "GRADIENT",
    "SECOND_SERIES",
    "GUIDE",
)


def _srgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def _seen(colour: str, vision: str) -> np.ndarray:
    rgb = _srgb(colour)
    if vision == "normal":
        return rgb
    simulated = cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}, "sRGB1")
    return np.clip(simulated, 0, 1)


def _closest_pair(colours: dict[str, str]) -> tuple[float, str, str, str]:
    return min(
        (float(deltaE(_seen(a, vision), _seen(b, vision), input_space="sRGB1")), name_a, name_b, vision)
        for vision in VISION
        for (name_a, a), (name_b, b) in itertools.combinations(colours.items(), 2)
    )


def _meaning_colours_used_in(module: str) -> dict[str, str]:
    """The meaning colours a figures module draws with, read from its source."""
    source = (FIGURES / f"{module}.py").read_text()
    names = set(re.findall(r"style\.([A-Z_]+)\b", source)) & set(MEANING_NAMES)
    return {name: getattr(style, name) for name in sorted(names)}


@pytest.mark.parametrize("module", ["derivative", "gradient", "descent", "learning_rate", "autograd"])
def test_colours_that_share_a_page_stay_apart_for_every_kind_of_colour_vision(module):
    colours = _meaning_colours_used_in(module)
    assert len(colours) >= 3  # the regex found the page's colours
    distance, a, b, vision = _closest_pair(colours)
    assert distance >= CLEARLY_DIFFERENT, f"{a} and {b} are only {distance:.1f} apart in {vision} vision"


def test_the_eight_run_colours_stay_apart_for_every_kind_of_colour_vision():
    distance, a, b, vision = _closest_pair({f"run {i}": c for i, c in enumerate(style.RUN_COLOURS)})
    assert distance >= CLEARLY_DIFFERENT, f"{a} and {b} are only {distance:.1f} apart in {vision} vision"


def test_runs_also_differ_by_marker_and_dash_so_colour_is_never_the_only_cue():
    assert len(set(style.RUN_SYMBOLS)) == len(style.RUN_COLOURS)
    assert len(set(zip(style.RUN_SYMBOLS, style.RUN_DASHES, strict=True))) == len(style.RUN_COLOURS)


def test_the_simulation_tells_red_from_green_only_in_normal_vision():
    """A check on the check: pure red and green, far apart normally, nearly merge for a deuteranope."""
    red, green = "#d62728", "#2ca02c"
    normal = deltaE(_seen(red, "normal"), _seen(green, "normal"), input_space="sRGB1")
    deutan = deltaE(_seen(red, "deuteranomaly"), _seen(green, "deuteranomaly"), input_space="sRGB1")
    assert normal > 3 * deutan
