"""Questions for /derivative: the slope of the tangent, and what halving h does to the error."""

from __future__ import annotations

from app.compute.functions import FUNCTIONS
from app.questions.base import EASY, NUMBER, Kind, Mistake, Question, Tolerance, rng_for, well_apart

PAGE = "/derivative"
SLOPE_TOLERANCE = Tolerance(relative=0.02, absolute=0.02, text="within 2% (or 0.02)")
EASY_FUNCTIONS = ("square", "cube")
HARDER_FUNCTIONS = ("square", "cube", "sin", "exp", "log", "reciprocal")
WIDE_SECANT = 1.0  # the h of the secant a learner may read off instead of the tangent


def _tangent_setup(seed: int, level: str) -> tuple[str, float]:
    """A function and x₀ where the slope is clearly not 0 and every known mistake gives another answer."""
    rng = rng_for("tangent-slope", seed, level)
    keys = EASY_FUNCTIONS if level == EASY else HARDER_FUNCTIONS
    for _ in range(200):
        function = FUNCTIONS[keys[int(rng.integers(len(keys)))]]
        low, high = function.x0_range
        step = 0.5 if level == EASY else 0.1
        x0 = round(float(rng.uniform(low, high)) / step) * step
        x0 = round(x0, 1)
        question = _tangent_question(seed, level, function.key, x0)
        if function.defined(x0) and function.defined(x0 + WIDE_SECANT) and abs(float(function.derivative(x0))) >= 0.2:
            truth, mistakes = _tangent_truth(question)
            if well_apart(question, SLOPE_TOLERANCE, truth, mistakes):
                return function.key, x0
    return "square", 1.5  # never reached in practice: the tests check 200 seeds of each level


def _tangent_question(seed: int, level: str, key: str, x0: float) -> Question:
    function = FUNCTIONS[key]
    return Question(
        kind="tangent-slope",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=f"What is the slope of the tangent to f(x) = {function.label} at x₀ = {x0:g}?",
        answer=NUMBER,
        setup={"function": key, "x0": x0},
    )


def make_tangent_slope(seed: int, level: str) -> Question:
    key, x0 = _tangent_setup(seed, level)
    return _tangent_question(seed, level, key, x0)


def _tangent_truth(question: Question) -> tuple[float, list[Mistake]]:
    function = FUNCTIONS[question.setup["function"]]
    x0 = question.setup["x0"]
    truth = float(function.derivative(x0))
    height = float(function.value(x0))
    secant = float((function.value(x0 + WIDE_SECANT) - function.value(x0)) / WIDE_SECANT)
    mistakes = [
        Mistake(
            "wide-secant",
            secant,
            f"That is the slope of a secant with h = {WIDE_SECANT:g}, not of the tangent: the tangent is what the "
            "secant's slope tends to as h shrinks to 0.",
        ),
        Mistake("height", height, "That is f(x₀), the height of the curve there, not its slope."),
    ]
    if question.setup["function"] in ("square", "cube"):
        power = 2 if question.setup["function"] == "square" else 3
        mistakes.append(
            Mistake(
                "power-rule",
                float(x0 ** (power - 1)),
                "You lowered the power but left out its factor: d/dx xⁿ = n·xⁿ⁻¹, "
                f"so the slope is {power}·x₀^{power - 1}.",
            )
        )
    return truth, mistakes


def explain_tangent_slope(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    function = FUNCTIONS[question.setup["function"]]
    x0 = question.setup["x0"]
    near = float((function.value(x0 + 1e-3) - function.value(x0)) / 1e-3)
    worked = (
        f"f(x) = {function.label}, so f'(x) = {function.derivative_label}.",
        f"At x₀ = {x0:g}: f'({x0:g}) = {truth:.4f}.",
        f"A secant with h = 0.001 has slope {near:.4f}: close, and closer as h shrinks.",
    )
    return worked, "The tangent's slope is the limit of the secants' slopes as h → 0: the derivative f'(x₀)."


TANGENT_SLOPE = Kind(
    "tangent-slope",
    PAGE,
    "the slope of the tangent at x₀",
    make_tangent_slope,
    _tangent_truth,
    SLOPE_TOLERANCE,
    explain_tangent_slope,
)
KINDS = (TANGENT_SLOPE,)
