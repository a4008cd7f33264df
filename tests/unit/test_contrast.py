"""Every text colour, and the focus ring, is readable against what it sits on (WCAG 2.1 AA).

Text needs 4.5:1 (1.4.3), the focus ring and the edges of controls 3:1 (1.4.11). The ratio is computed
here from WCAG's definition of relative luminance, independently of the app's own code
(app.figures.style.readable uses the same formula to darken labels: this test is the check on it).
The stylesheet is read as text: every `color:` it declares is checked against the background declared
in the same rule, or else against the page (white) and the panels, in both the normal and the presenter
palettes. The figures draw on white.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.figures import style

STYLESHEET = (Path(__file__).resolve().parents[2] / "assets" / "style.css").read_text()
TEXT, NON_TEXT = 4.5, 3.0
WHITE = "#ffffff"


def relative_luminance(colour: str) -> float:
    """WCAG 2.1: the sRGB channels linearised, weighted by the eye's sensitivity."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_wcags_own_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast("#e69f00", "#ffffff") == pytest.approx(2.25, abs=0.01)  # the old focus ring (issue 16)


# ---- the stylesheet -----------------------------------------------------------------------------------


def _variables(selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", STYLESHEET)
    assert block, f"{selector} is in the stylesheet"
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b", block.group(1)))


NORMAL = _variables(":root")
PALETTES = {"normal": NORMAL, "presenter": {**NORMAL, **_variables("html.presenter")}}


def _resolve(value: str, palette: dict[str, str]) -> str | None:
    value = value.strip()
    variable = re.fullmatch(r"var\(--([\w-]+)\)", value)
    if variable:
        return palette.get(variable.group(1))
    if re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value):
        return value
    return None


def _rules() -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) for every rule, comments removed, @media blocks flattened."""
    text = re.sub(r"/\*.*?\*/", "", STYLESHEET, flags=re.S)
    text = re.sub(r"@media[^{]*\{", "", text)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = dict(
            (name.strip(), value.strip())
            for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+);?", body)
            if not name.startswith("--")
        )
        rules.append((" ".join(selector.split()), declarations))
    return rules


def _text_colour_cases():
    for palette_name, palette in PALETTES.items():
        for selector, declarations in _rules():
            if "color" not in declarations:
                continue
            colour = _resolve(declarations["color"], palette)
            assert colour, f"{selector}: color {declarations['color']} is a colour this test can read"
            own = declarations.get("background") or declarations.get("background-color")
            backgrounds = [_resolve(own, palette)] if own else [WHITE, palette["panel"]]
            for background in backgrounds:
                yield pytest.param(colour, background, id=f"{palette_name} {selector} on {background}")


@pytest.mark.parametrize(("colour", "background"), list(_text_colour_cases()))
def test_every_text_colour_in_the_stylesheet_reads_on_its_background(colour, background):
    assert contrast(colour, background) >= TEXT


@pytest.mark.parametrize("palette_name", list(PALETTES))
def test_the_named_text_colours_read_on_the_page_and_the_panels(palette_name):
    palette = PALETTES[palette_name]
    for name in ("text", "muted", "accent", "error-text"):
        for background in (WHITE, palette["panel"]):
            ratio = contrast(palette[name], background)
            assert ratio >= TEXT, f"--{name} {palette[name]} on {background}: {ratio:.2f}:1"
    assert contrast(palette["error-text"], palette["error-bg"]) >= TEXT
    assert contrast(WHITE, palette["accent"]) >= TEXT  # a chosen pill, a pressed tool, a primary button


@pytest.mark.parametrize("palette_name", list(PALETTES))
def test_the_focus_ring_and_control_edges_stand_out_from_every_background(palette_name):
    palette = PALETTES[palette_name]
    for background in (WHITE, palette["panel"], palette["error-bg"]):
        ring = contrast(palette["focus"], background)
        assert ring >= NON_TEXT, f"focus ring {palette['focus']} on {background}: {ring:.2f}:1"
    for background in (WHITE, palette["panel"]):
        assert contrast(palette["control-border"], background) >= NON_TEXT


def test_the_focus_ring_is_used_on_every_focus_style():
    focus_rules = [(s, d) for s, d in _rules() if "focus" in s and "outline" in d and d["outline"] != "none"]
    assert len(focus_rules) >= 4
    for selector, declarations in focus_rules:
        assert "var(--focus)" in declarations["outline"], selector


# ---- the figures ------------------------------------------------------------------------------------

LINE_COLOURS = {
    **{name: getattr(style, name) for name in ("FUNCTION", "POINT", "TRAIL", "TANGENT", "SECANT", "GRADIENT")},
    **{name: getattr(style, name) for name in ("GRADIENT_PART", "SECOND_SERIES", "GUIDE")},
    **{f"run {i}": colour for i, colour in enumerate(style.RUN_COLOURS)},
}


@pytest.mark.parametrize("name", list(LINE_COLOURS))
def test_a_label_in_a_lines_colour_is_darkened_until_it_reads_on_white(name):
    colour = LINE_COLOURS[name]
    label = style.readable(colour)
    assert contrast(label, WHITE) >= TEXT, f"{name}: {label} is {contrast(label, WHITE):.2f}:1"
    if contrast(colour, WHITE) >= TEXT:
        assert label.lower() == colour.lower(), "a colour that reads already is left alone"


def test_the_figures_own_text_colours_read_on_white():
    for colour in (style.TEXT, style.GRADIENT):  # axis and title text; the autograd graph's gradient labels
        assert contrast(colour, WHITE) >= TEXT


def test_the_run_colours_are_still_okabe_ito():
    okabe_ito = {"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"}
    assert okabe_ito <= {colour.lower() for colour in style.RUN_COLOURS}
