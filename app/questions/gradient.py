"""Questions for /gradient: the direction of steepest descent, ∂f/∂x at a point, and the direction along
which f does not change.

Every answer comes from the surface's own gradient in the catalogue (``Surface.gradient``), the one the
page draws as its arrow, so a question can never disagree with the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.compute.surfaces import SURFACES, gradient_angle
from app.questions.base import (
    DIRECTION,
    EASY,
    NUMBER,
    Kind,
    Mistake,
    Question,
    Tolerance,
    Verdict,
    angle_apart,
    judge,
    read_guess,
    rng_for,
    well_apart,
)

PAGE = "/gradient"
ATTEMPTS = 200  # re-draws before the fallback; the tests check 200 seeds per level never need it
EASY_SURFACES = ("bowl", "round", "ravine")
HARDER_SURFACES = ("bowl", "round", "ravine", "saddle", "rosenbrock", "himmelblau")
MIN_GRADIENT = 1.0  # |∇f| below this is too flat to ask a direction about

# The partials in plain text, for the worked numbers (the catalogue has them as LaTeX).
PARTIALS = {
    "bowl": ("2x", "6y"),
    "round": ("2x", "2y"),
    "ravine": ("2x", "20y"),
    "saddle": ("2x", "−2y"),
    "rosenbrock": ("−2(1 − x) − 400x(y − x²)", "200(y − x²)"),
    "himmelblau": ("4x(x² + y − 11) + 2(x + y² − 7)", "2(x² + y − 11) + 4y(x + y² − 7)"),
}

# Where the one minimum is, on the surfaces that have exactly one (for "it points at the minimum").
MINIMA = {"bowl": (0.0, 0.0), "round": (0.0, 0.0), "ravine": (0.0, 0.0), "rosenbrock": (1.0, 1.0)}


def _on(surface) -> str:
    """The surface in the prompt's words: the bowls by their formula, the named ones by name and formula."""
    if surface.quadratic:
        return f"f(x, y) = {surface.label}"
    formula = surface.latex.replace(r"\,", "").replace("^2", "²").replace(" - ", " − ")
    return f"{surface.label}'s surface f(x, y) = {formula}"


def _gradient(question: Question) -> tuple[float, float]:
    surface = SURFACES[question.setup["surface"]]
    gx, gy = surface.gradient(question.setup["x"], question.setup["y"])
    return float(gx) + 0.0, float(gy) + 0.0  # + 0.0: no "−0.0000" in the worked numbers


def _angle(x: float, y: float) -> float:
    return math.degrees(math.atan2(y, x)) % 360.0


def _candidate(rng, level: str) -> tuple[str, float, float]:
    """A surface and a point in its view: whole numbers when easy, tenths when harder."""
    keys = EASY_SURFACES if level == EASY else HARDER_SURFACES
    surface = SURFACES[keys[int(rng.integers(len(keys)))]]
    (x_low, x_high), (y_low, y_high) = surface.view_x, surface.view_y
    if level == EASY:
        x = float(rng.integers(math.ceil(x_low) + 1, math.floor(x_high)))
        y = float(rng.integers(math.ceil(y_low) + 1, math.floor(y_high)))
    else:
        # Keep a margin of a tenth of the view, so an arrow from the point stays mostly in sight.
        x_margin, y_margin = 0.1 * (x_high - x_low), 0.1 * (y_high - y_low)
        x = round(float(rng.uniform(x_low + x_margin, x_high - x_margin)), 1)
        y = round(float(rng.uniform(y_low + y_margin, y_high - y_margin)), 1)
    return surface.key, x, y


def _draw(kind: Kind, seed: int, level: str, question_for, fallback: tuple[str, float, float]) -> Question:
    """The first candidate whose gradient is clearly not zero and whose answers are well apart."""
    rng = rng_for(kind.key, seed, level)
    for _ in range(ATTEMPTS):
        key, x, y = _candidate(rng, level)
        surface = SURFACES[key]
        if not surface.in_view(x, y) or math.hypot(*surface.gradient(x, y)) < MIN_GRADIENT:
            continue
        question = question_for(seed, level, key, x, y)
        truth, mistakes = kind.answers(question)
        if well_apart(question, kind.tolerance, truth, mistakes):
            return question
    return question_for(seed, level, *fallback)


def _gradient_line(question: Question) -> str:
    key, x, y = question.setup["surface"], question.setup["x"], question.setup["y"]
    gx, gy = _gradient(question)
    partials = PARTIALS.get(key)
    rule = f"∇f = ({partials[0]}, {partials[1]})" if partials else "∇f = (∂f/∂x, ∂f/∂y)"
    return f"{rule}, so at ({x:g}, {y:g}): ∇f = ({gx:.4f}, {gy:.4f}), pointing at {_angle(gx, gy):.1f}°."


# ---- the direction of steepest descent ----------------------------------------------------------------

ANGLE_TOLERANCE = Tolerance(degrees=10.0, text="within 10°")


def _steepest_question(seed: int, level: str, key: str, x: float, y: float) -> Question:
    return Question(
        kind="steepest-descent",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"On {_on(SURFACES[key])}, standing at ({x:g}, {y:g}): in which direction does f decrease fastest? "
            "Click to point, or type an angle in degrees counter-clockwise from +x."
        ),
        answer=DIRECTION,
        setup={"surface": key, "x": x, "y": y},
        unit="°",
    )


def _steepest_answers(question: Question) -> tuple[float, list[Mistake]]:
    gx, gy = _gradient(question)
    uphill = gradient_angle([gx, gy])
    truth = (uphill + 180.0) % 360.0
    along = "That is along the contour line: f does not change that way at first. Steepest descent crosses the "
    mistakes = [
        Mistake(
            "uphill",
            uphill,
            "That is uphill: the gradient points up, descent goes against it, along −∇f.",
        ),
        Mistake("level-line", (truth + 90.0) % 360.0, along + "contours at a right angle, downhill."),
        Mistake("level-line", (truth - 90.0) % 360.0, along + "contours at a right angle, downhill."),
    ]
    minimum = MINIMA.get(question.setup["surface"])
    if minimum is not None:
        toward = _angle(minimum[0] - question.setup["x"], minimum[1] - question.setup["y"])
        pointing = Mistake(
            "toward-minimum",
            toward,
            "That points at the minimum: steepest descent follows the slope where you stand, −∇f, which "
            "crosses the contours at right angles and is in general not aimed at the bottom.",
        )
        # Named only where it is a different answer: on the round bowl −∇f does point at the minimum.
        if well_apart(question, ANGLE_TOLERANCE, truth, [*mistakes, pointing]):
            mistakes.append(pointing)
    return truth, mistakes


def explain_steepest(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    gx, gy = _gradient(question)
    worked = (
        _gradient_line(question),
        f"−∇f = ({-gx + 0.0:.4f}, {-gy + 0.0:.4f}) points at {truth:.1f}°: the opposite way, 180° round.",
    )
    idea = (
        "The gradient points the way f rises fastest, so the fastest way down is exactly against it, −∇f, "
        "crossing the contour lines at right angles."
    )
    return worked, idea


def make_steepest(seed: int, level: str) -> Question:
    return _draw(STEEPEST_DESCENT, seed, level, _steepest_question, ("bowl", 2.0, 1.0))


STEEPEST_DESCENT = Kind(
    "steepest-descent",
    PAGE,
    "the direction of steepest descent",
    make_steepest,
    _steepest_answers,
    ANGLE_TOLERANCE,
    explain_steepest,
)


# ---- ∂f/∂x at a point ------------------------------------------------------------------------------------

PARTIAL_TOLERANCE = Tolerance(relative=0.02, absolute=0.02, text="within 2% (or 0.02)")
MIN_PARTIAL = 0.5  # |∂f/∂x| below this is too close to 0 to tell a mistake from rounding


def _partial_question(seed: int, level: str, key: str, x: float, y: float) -> Question:
    return Question(
        kind="partial-x",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=f"On {_on(SURFACES[key])}: what is ∂f/∂x at ({x:g}, {y:g})?",
        answer=NUMBER,
        setup={"surface": key, "x": x, "y": y},
    )


def _chain_rule_forgotten(key: str, x: float, y: float) -> float | None:
    """∂f/∂x with the inner derivatives of the squared brackets left out (1 where −1 or 2x belong)."""
    if key == "rosenbrock":
        return 2 * (1 - x) + 200 * (y - x * x)
    if key == "himmelblau":
        return 2 * (x * x + y - 11) + 2 * (x + y * y - 7)
    return None


def _partial_answers(question: Question) -> tuple[float, list[Mistake]]:
    surface = SURFACES[question.setup["surface"]]
    x, y = question.setup["x"], question.setup["y"]
    gx, gy = _gradient(question)
    mistakes = [
        Mistake("partial-y", gy, "That is ∂f/∂y: the slope along y. ∂f/∂x is the slope along x, with y held fixed."),
        Mistake("value", float(surface.value(x, y)), "That is f(x, y): the height of the surface there, not a slope."),
    ]
    if surface.quadratic:
        mistakes.append(
            Mistake(
                "y-not-held",
                gx + gy,
                "You differentiated the y term too: for ∂f/∂x, y is a constant, so a term in y alone adds 0.",
            )
        )
        mistakes.append(
            Mistake(
                "power-rule",
                gx / 2,
                "You left out the power's factor: ∂/∂x of a·x² is 2a·x, not a·x.",
            )
        )
    forgotten = _chain_rule_forgotten(surface.key, x, y)
    if forgotten is not None:
        slip = Mistake(
            "chain-rule",
            forgotten,
            "You left out the chain rule's inner factor: ∂/∂x of u² is 2u·∂u/∂x, and ∂u/∂x is not 1 here "
            "(it is −1 for 1 − x, and 2x for x² + …).",
        )
        # Named only where it is a different answer: on Rosenbrock it is often close to ∂f/∂y, whose
        # inner factor really is 1, and then that is the mistake a guess there is named after.
        if well_apart(question, PARTIAL_TOLERANCE, gx, [*mistakes, slip]):
            mistakes.append(slip)
    return gx, mistakes


def explain_partial(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    key, x, y = question.setup["surface"], question.setup["x"], question.setup["y"]
    gy = _gradient(question)[1]
    partials = PARTIALS.get(key, ("∂f/∂x", "∂f/∂y"))
    worked = (
        f"Hold y fixed at {y:g} and differentiate in x: ∂f/∂x = {partials[0]}.",
        f"At ({x:g}, {y:g}): ∂f/∂x = {truth:.4f}.",
        f"(The other component of ∇f, ∂f/∂y = {partials[1]}, is {gy:.4f} here.)",
    )
    idea = (
        "A partial derivative is the ordinary derivative along one axis with every other variable held fixed: "
        "the slope of the surface's slice through the point along x."
    )
    return worked, idea


def make_partial(seed: int, level: str) -> Question:
    rng = rng_for("partial-x", seed, level)
    for _ in range(ATTEMPTS):
        key, x, y = _candidate(rng, level)
        if not SURFACES[key].in_view(x, y):
            continue
        question = _partial_question(seed, level, key, x, y)
        truth, mistakes = _partial_answers(question)
        if abs(truth) >= MIN_PARTIAL and well_apart(question, PARTIAL_TOLERANCE, truth, mistakes):
            return question
    return _partial_question(seed, level, "bowl", 2.0, 1.0)


PARTIAL_X = Kind(
    "partial-x",
    PAGE,
    "∂f/∂x at a point",
    make_partial,
    _partial_answers,
    PARTIAL_TOLERANCE,
    explain_partial,
)


# ---- the direction along which f does not change --------------------------------------------------------

LEVEL_TOLERANCE = Tolerance(degrees=10.0, text="within 10° (either way along the line)")


@dataclass(frozen=True)
class EitherWay(Kind):
    """A kind whose answer is a line, not an arrow: a direction and its opposite are equally right.

    ``answers`` gives one of the two (from 0° to 180°); ``reveal`` judges the guess against whichever of
    the two is nearer it, and reports that one as the truth, so the figure draws it beside the guess."""

    def reveal(self, question: Question, guess) -> Verdict:
        guess = read_guess(question, guess)
        truth, mistakes = self.answers(question)
        opposite = (truth + 180.0) % 360.0
        if angle_apart(guess, opposite) < angle_apart(guess, truth):
            truth = opposite
        worked, idea = self.explain(question, truth)
        return judge(question, guess, truth, self.tolerance, mistakes, worked, idea)


def _level_question(seed: int, level: str, key: str, x: float, y: float) -> Question:
    return Question(
        kind="level-direction",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"On {_on(SURFACES[key])}, at ({x:g}, {y:g}): along which direction does f not change (at first)? "
            "Click to point, or type an angle in degrees counter-clockwise from +x; either way along the line counts."
        ),
        answer=DIRECTION,
        setup={"surface": key, "x": x, "y": y},
        unit="°",
    )


def _level_answers(question: Question) -> tuple[float, list[Mistake]]:
    gx, gy = _gradient(question)
    uphill = gradient_angle([gx, gy])
    truth = (uphill + 90.0) % 180.0  # the contour's direction, as an angle from 0° to 180°
    mistakes = [
        Mistake(
            "gradient",
            uphill,
            "That is ∇f: the direction where f rises fastest. f does not change at right angles to it, "
            "along the contour.",
        ),
        Mistake(
            "descent",
            (uphill + 180.0) % 360.0,
            "That is −∇f: the direction where f falls fastest. f does not change at right angles to it, "
            "along the contour.",
        ),
    ]
    return truth, mistakes


def explain_level(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    gx, gy = _gradient(question)
    radians = math.radians(truth)
    along = gx * math.cos(radians) + gy * math.sin(radians)
    worked = (
        _gradient_line(question),
        f"f does not change along u where ∇f·u = 0: at {truth:.1f}° (or {(truth + 180.0) % 360.0:.1f}°), "
        f"90° from ∇f; there ∇f·u = {abs(along):.4f}.",
    )
    idea = (
        "Moving along u changes f at the rate ∇f·u, which is 0 at right angles to the gradient: "
        "the gradient is perpendicular to the contour line through the point."
    )
    return worked, idea


def make_level(seed: int, level: str) -> Question:
    return _draw(LEVEL_DIRECTION, seed, level, _level_question, ("bowl", 2.0, 1.0))


LEVEL_DIRECTION = EitherWay(
    "level-direction",
    PAGE,
    "the direction along which f does not change",
    make_level,
    _level_answers,
    LEVEL_TOLERANCE,
    explain_level,
)

KINDS = (STEEPEST_DESCENT, PARTIAL_X, LEVEL_DIRECTION)
