"""Questions for /descent: where one step of gradient descent takes the weight, and where the ball lands.

Both answers come from the page's own engine (``Loss1D.descent`` and ``Surface.descent``, one step), so
a question can never disagree with what the page animates.
"""

from __future__ import annotations

import math

from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.questions.base import EASY, NUMBER, POINT, Kind, Mistake, Question, Tolerance, rng_for, well_apart

PAGE = "/descent"
ATTEMPTS = 200  # re-draws before the fallback; the tests check 200 seeds per level never need it


def _round_to(value: float, figures: int = 2) -> float:
    """A number as the page would show it: this many significant figures."""
    return float(f"{value:.{figures}g}")


def _on(surface) -> str:
    """The surface in the prompt's words: the bowls by their formula, the named ones by name and formula."""
    if surface.quadratic:
        return f"f(x, y) = {surface.label}"
    formula = surface.latex.replace(r"\,", "").replace("^2", "²").replace(" - ", " − ")
    return f"{surface.label}'s surface f(x, y) = {formula}"


def _pair(x: float, y: float) -> str:
    return f"({x:.4f}, {y:.4f})"


# ---- where w is after one step ------------------------------------------------------------------------

STEP_TOLERANCE = Tolerance(relative=0.01, absolute=0.02, text="within 0.02 (or 1%)")
EASY_LOSSES = ("shifted", "square")
HARDER_LOSSES = ("shifted", "square", "quartic", "double-well")
EASY_STEP_RATES = (0.1, 0.2, 0.25, 0.4, 0.5, 0.75)
SLOPE_LABELS = {"shifted": "2(w − 3)", "square": "2(w − 3)", "quartic": "4(w − 3)³", "double-well": "4w(w² − 1)"}
MIN_SLOPE = 0.2  # |L'(w₀)| below this is too flat to ask about: the step would hardly show


def _step_question(seed: int, level: str, key: str, w: float, lr: float) -> Question:
    loss = LOSSES[key]
    return Question(
        kind="descent-step",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"Gradient descent on L(w) = {loss.label}, from w = {w:g} with learning rate η = {lr:g}: "
            "where is w after one step?"
        ),
        answer=NUMBER,
        setup={"loss": key, "w": w, "lr": lr},
    )


def _step_candidate(rng, level: str) -> tuple[str, float, float]:
    keys = EASY_LOSSES if level == EASY else HARDER_LOSSES
    loss = LOSSES[keys[int(rng.integers(len(keys)))]]
    low, high = loss.view_w
    if level == EASY:
        w = float(rng.integers(math.ceil(low), math.floor(high) + 1))
        return loss.key, w, EASY_STEP_RATES[int(rng.integers(len(EASY_STEP_RATES)))]
    w = round(float(rng.uniform(low, high)), 1)
    slope = abs(float(loss.derivative(w)))
    # η chosen for a step a learner can see: between a tenth and half of the view.
    length = float(rng.uniform(0.1, 0.5)) * (high - low)
    lr = _round_to(min(length / max(slope, 1e-9), 1.0))
    return loss.key, w, lr


def make_descent_step(seed: int, level: str) -> Question:
    rng = rng_for("descent-step", seed, level)
    for _ in range(ATTEMPTS):
        key, w, lr = _step_candidate(rng, level)
        loss = LOSSES[key]
        if lr <= 0 or abs(float(loss.derivative(w))) < MIN_SLOPE:
            continue
        question = _step_question(seed, level, key, w, lr)
        truth, mistakes = _step_answers(question)
        low, high = loss.view_w
        if low <= truth <= high and well_apart(question, STEP_TOLERANCE, truth, mistakes):
            return question
    return _step_question(seed, level, "shifted", 0.0, 0.1)  # the chapter's own first step


def _step_answers(question: Question) -> tuple[float, list[Mistake]]:
    loss = LOSSES[question.setup["loss"]]
    w, lr = float(question.setup["w"]), float(question.setup["lr"])
    truth = float(loss.descent(w, lr, 1).final_position[0])
    slope, height = float(loss.derivative(w)), float(loss.value(w))
    mistakes = [
        Mistake(
            "no-learning-rate",
            w - slope,
            f"You left out η: that is w − L'(w), a step of the whole slope. One step moves η = {lr:g} times it.",
        ),
        Mistake(
            "uphill",
            w + lr * slope,
            "That is uphill: you added η·L'(w). The slope points up the curve, so descent subtracts it.",
        ),
        Mistake(
            "loss-not-slope",
            w - lr * height,
            "You used the loss L(w) instead of its slope: the step is η·L'(w), the derivative, not the height.",
        ),
    ]
    return truth, mistakes


def explain_descent_step(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    loss = LOSSES[question.setup["loss"]]
    w, lr = float(question.setup["w"]), float(question.setup["lr"])
    slope = float(loss.derivative(w))
    worked = (
        f"L(w) = {loss.label}, so L'(w) = {SLOPE_LABELS.get(loss.key, loss.derivative_latex)} "
        f"and L'({w:g}) = {slope:.4f}.",
        f"η·L'(w) = {lr:g} × {slope:.4f} = {lr * slope:.4f}.",
        f"w ← w − η·L'(w) = {w:g} − ({lr * slope:.4f}) = {truth:.4f}.",
    )
    idea = "Each step moves against the slope, by η times it: steep places give big steps, flat places small ones."
    return worked, idea


DESCENT_STEP = Kind(
    "descent-step",
    PAGE,
    "where w is after one step",
    make_descent_step,
    _step_answers,
    STEP_TOLERANCE,
    explain_descent_step,
)


# ---- where the ball lands on the contour map ------------------------------------------------------------

# One fixed distance for every surface: 5% of the smallest view (Rosenbrock's 4 wide), 2.5% of the widest.
LANDING_TOLERANCE = Tolerance(absolute=0.25, text="within 0.25 of the true point")
EASY_SURFACES = ("bowl", "round", "ravine")
HARDER_SURFACES = ("bowl", "round", "ravine", "saddle", "rosenbrock", "himmelblau")
EASY_LANDING_RATES = (0.05, 0.1, 0.2, 0.25, 0.3)
MIN_STEP = 0.75  # the step a learner must predict is at least three tolerances long


def _landing_question(seed: int, level: str, key: str, x: float, y: float, lr: float) -> Question:
    surface = SURFACES[key]
    return Question(
        kind="ball-landing",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"The ball sits at ({x:g}, {y:g}) on {_on(surface)}. One step of gradient descent with "
            f"η = {lr:g}: where does it land? Click the map or type x and y."
        ),
        answer=POINT,
        setup={"surface": key, "x": x, "y": y, "lr": lr},
    )


def _landing_candidate(rng, level: str) -> tuple[str, float, float, float]:
    keys = EASY_SURFACES if level == EASY else HARDER_SURFACES
    surface = SURFACES[keys[int(rng.integers(len(keys)))]]
    (x_low, x_high), (y_low, y_high) = surface.view_x, surface.view_y
    if level == EASY:
        x = float(rng.integers(math.ceil(x_low), math.floor(x_high) + 1))
        y = float(rng.integers(math.ceil(y_low), math.floor(y_high) + 1))
        return surface.key, x, y, EASY_LANDING_RATES[int(rng.integers(len(EASY_LANDING_RATES)))]
    x, y = round(float(rng.uniform(x_low, x_high)), 1), round(float(rng.uniform(y_low, y_high)), 1)
    size = float(math.hypot(*surface.gradient(x, y)))
    # η chosen for a step between MIN_STEP and a third of the smaller side of the view.
    length = float(rng.uniform(MIN_STEP, max(MIN_STEP, (min(x_high - x_low, y_high - y_low)) / 3)))
    return surface.key, x, y, _round_to(length / max(size, 1e-9))


def make_ball_landing(seed: int, level: str) -> Question:
    rng = rng_for("ball-landing", seed, level)
    for _ in range(ATTEMPTS):
        key, x, y, lr = _landing_candidate(rng, level)
        surface = SURFACES[key]
        step = lr * float(math.hypot(*surface.gradient(x, y)))
        if not (0 < lr and MIN_STEP <= step):
            continue
        question = _landing_question(seed, level, key, x, y, lr)
        truth, mistakes = _landing_answers(question)
        if surface.in_view(*truth) and well_apart(question, LANDING_TOLERANCE, truth, mistakes):
            return question
    return _landing_question(seed, level, "bowl", 4.0, 3.0, 0.05)  # the chapter's own first step


def _landing_answers(question: Question) -> tuple[tuple[float, float], list[Mistake]]:
    surface = SURFACES[question.setup["surface"]]
    x, y, lr = (float(question.setup[name]) for name in ("x", "y", "lr"))
    landed = surface.descent((x, y), lr, 1).final_position
    gx, gy = (float(v) for v in surface.gradient(x, y))
    mistakes = [
        Mistake(
            "no-learning-rate",
            (x - gx, y - gy),
            f"You left out η: that is a step of the whole gradient. One step moves η = {lr:g} times it.",
        ),
        Mistake(
            "uphill",
            (x + lr * gx, y + lr * gy),
            "That is uphill: the gradient points up, descent goes against it.",
        ),
    ]
    return (float(landed[0]), float(landed[1])), mistakes


def explain_ball_landing(question: Question, truth) -> tuple[tuple[str, ...], str]:
    surface = SURFACES[question.setup["surface"]]
    x, y, lr = (float(question.setup[name]) for name in ("x", "y", "lr"))
    gx, gy = (float(v) for v in surface.gradient(x, y))
    worked = (
        f"∇f({x:g}, {y:g}) = {_pair(gx, gy)}.",
        f"η·∇f = {lr:g} × {_pair(gx, gy)} = {_pair(lr * gx, lr * gy)}.",
        f"({x:g}, {y:g}) − {_pair(lr * gx, lr * gy)} = {_pair(*truth)}.",
    )
    idea = (
        "The ball steps against the gradient, η times its length: straight down the steepest slope, not to the minimum."
    )
    return worked, idea


BALL_LANDING = Kind(
    "ball-landing",
    PAGE,
    "where the ball lands after one step",
    make_ball_landing,
    _landing_answers,
    LANDING_TOLERANCE,
    explain_ball_landing,
)

KINDS = (DESCENT_STEP, BALL_LANDING)
