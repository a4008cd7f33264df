"""Questions for /derivative: the slope of the tangent, and what halving h does to the error."""

from __future__ import annotations

import math

from app.compute.differences import forward_difference
from app.compute.functions import FUNCTIONS
from app.questions.base import CHOICE, EASY, NUMBER, Kind, Mistake, Question, Tolerance, rng_for, well_apart

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


# ---- what halving h does to the forward difference's error ------------------------------------------------

# The choices are the error at h scaled by these factors; the truth is the one nearest the error at h/2.
HALVING_FACTORS = {
    0.5: (
        "halved",
        "Halved is the rule, not this case: here the forward difference's error is not first order in h.",
    ),
    1.0: (
        "unchanged",
        "The error does shrink: the secant leans off the tangent because the curve bends between x₀ and "
        "x₀ + h, and over half the distance it bends about half as much.",
    ),
    0.25: (
        "quartered",
        "That is the central difference: its error falls as h², so halving h quarters it. The forward "
        "difference's error falls as h, so halving h halves it.",
    ),
    2.0: (
        "doubled",
        "Backwards: at these h the error comes from the curve's bend (truncation), so a smaller h gives a "
        "smaller error. Round-off only wins at far smaller h.",
    ),
}
EASY_HALVING_FUNCTIONS = ("square", "cube")
HARDER_HALVING_FUNCTIONS = ("square", "cube", "sin", "exp", "log", "reciprocal")
EASY_STEPS = (0.1, 0.2, 0.4, 0.5, 1.0)
RATIO_SLACK = 0.05  # the error at h/2 must be within 5% of half the error at h: halving is clearly the answer
MIN_ERROR = 1e-6  # far above round-off (about 1e-16/h): truncation decides the error at these h


def _choice(value: float) -> str:
    return f"{value:.3g}"


def _forward_error(key: str, x0: float, h: float) -> float:
    function = FUNCTIONS[key]
    return abs(float(forward_difference(function, x0, h)) - float(function.derivative(x0)))


def _halving_question(seed: int, level: str, key: str, x0: float, h: float, order) -> Question:
    function = FUNCTIONS[key]
    error = _forward_error(key, x0, h)
    return Question(
        kind="halve-h",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"For f(x) = {function.label} at x₀ = {x0:g}, the forward difference (f(x₀ + h) − f(x₀)) / h with "
            f"h = {h:g} misses f'(x₀) by {_choice(error)}. About how far off is it with h = {h / 2:g}?"
        ),
        answer=CHOICE,
        setup={"function": key, "x0": x0, "h": h},
        choices=tuple(_choice(error * list(HALVING_FACTORS)[i]) for i in order),
    )


def _halving_candidate(rng, level: str) -> tuple[str, float, float]:
    keys = EASY_HALVING_FUNCTIONS if level == EASY else HARDER_HALVING_FUNCTIONS
    function = FUNCTIONS[keys[int(rng.integers(len(keys)))]]
    low, high = function.x0_range
    if level == EASY:
        x0 = round(float(rng.uniform(low, high)) * 2) / 2
        return function.key, x0, EASY_STEPS[int(rng.integers(len(EASY_STEPS)))]
    x0 = round(float(rng.uniform(low, high)), 1)
    h = float(f"{10 ** float(rng.uniform(-3.0, -0.5)):.1g}")  # one significant figure, from 0.001 to 0.3
    return function.key, x0, h


def _halving_well_posed(key: str, x0: float, h: float) -> bool:
    function = FUNCTIONS[key]
    if not (function.defined(x0) and function.same_piece(x0, x0 + h)):
        return False
    error, halved = _forward_error(key, x0, h), _forward_error(key, x0, h / 2)
    return error >= MIN_ERROR and abs(halved / error - 0.5) <= 0.5 * RATIO_SLACK


def make_halve_h(seed: int, level: str) -> Question:
    rng = rng_for("halve-h", seed, level)
    for _ in range(200):
        key, x0, h = _halving_candidate(rng, level)
        if _halving_well_posed(key, x0, h):
            return _halving_question(seed, level, key, x0, h, rng.permutation(len(HALVING_FACTORS)))
    return _halving_question(seed, level, "square", 1.0, 0.1, range(len(HALVING_FACTORS)))


def _halving_answers(question: Question) -> tuple[str, list[Mistake]]:
    key, x0, h = question.setup["function"], question.setup["x0"], question.setup["h"]
    error, halved = _forward_error(key, x0, h), _forward_error(key, x0, h / 2)
    options = {factor: _choice(error * factor) for factor in HALVING_FACTORS}
    # The truth is the choice nearest (by ratio) to the error the page computes at h/2.
    nearest = min(options, key=lambda factor: abs(math.log(error * factor / halved)))
    mistakes = [
        Mistake(HALVING_FACTORS[factor][0], options[factor], HALVING_FACTORS[factor][1])
        for factor in HALVING_FACTORS
        if factor != nearest
    ]
    return options[nearest], mistakes


def explain_halve_h(question: Question, truth: str) -> tuple[tuple[str, ...], str]:
    function = FUNCTIONS[question.setup["function"]]
    x0, h = question.setup["x0"], question.setup["h"]
    exact = float(function.derivative(x0))
    lines = [f"f'(x₀) = {function.derivative_label} = {exact:.4f} at x₀ = {x0:g}."]
    errors = []
    for step in (h, h / 2):
        slope = float(forward_difference(function, x0, step))
        errors.append(abs(slope - exact))
        lines.append(f"h = {step:g}: (f(x₀ + h) − f(x₀)) / h = {slope:.6g}, off by {errors[-1]:.4g}.")
    lines.append(f"Ratio of the errors: {errors[1]:.4g} / {errors[0]:.4g} = {errors[1] / errors[0]:.4f}, about ½.")
    idea = (
        "The forward difference leans off the tangent by about ½·f''(x₀)·h, in proportion to h (first order), "
        "so halving h halves its error; the central difference's error falls as h², so halving h quarters it."
    )
    return tuple(lines), idea


HALVE_H = Kind(
    "halve-h",
    PAGE,
    "the forward difference's error when h is halved",
    make_halve_h,
    _halving_answers,
    Tolerance(text="exactly"),
    explain_halve_h,
)
KINDS = (TANGENT_SLOPE, HALVE_H)
