"""Questions for /learning-rate: converges, oscillates for ever or diverges for a given η, and the largest
stable η on a quadratic.

Both read the page's own theory (app/compute/learning_rate.py): on a quadratic every step multiplies the
distance to the minimum along each eigen-direction of the Hessian by 1 − ηλ, so the size of that factor
decides, and the steepest direction (λ_max) is the first to fail, at η = 2/λ_max.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from app.compute import learning_rate as theory
from app.compute.custom import custom_surface
from app.compute.learning_rate import Theory
from app.compute.losses import LOSSES
from app.compute.surfaces import SURFACES
from app.questions.base import CHOICE, EASY, NUMBER, Kind, Mistake, Question, Tolerance, rng_for, well_apart

PAGE = "/learning-rate"
ATTEMPTS = 200  # re-draws before the fallback; the tests check 200 seeds per level never need it
EDGE = 1e-9  # a factor this close to −1 in size is the edge itself (1 − 6·(1/3) is −1 to the last bit)
CLEAR = 0.05  # otherwise the factor's size is at least this far from 1: no verdict decided by a hair


def _eta_text(lr: float) -> str:
    """η as a learner would type it: 0.25, or 1/3 where the edge is no short decimal."""
    text = f"{lr:g}"
    if len(text) <= 6:
        return text
    fraction = Fraction(lr).limit_denominator(1000)
    return f"{fraction.numerator}/{fraction.denominator}" if abs(float(fraction) - lr) < 1e-12 else f"{lr:.4g}"


# ---- converges, oscillates for ever, or diverges ----------------------------------------------------------

CONVERGES, OSCILLATES, DIVERGES = "converges", "oscillates for ever", "diverges"
STABILITY_CHOICES = (CONVERGES, OSCILLATES, DIVERGES)
STABILITY_TOLERANCE = Tolerance(text="exactly")
STABILITY_LOSS = "square"  # (w − 3)², the page's one-weight example, from its own start w = 0
STABILITY_START = 0.0
STABILITY_SURFACES = ("round", "bowl", "ravine")  # the page's quadratic bowls (the saddle has no stable η)
EASY_STABILITY_RATES = (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.1, 1.25, 1.5)
EDGE_SHARE = 0.25  # how often the question sits exactly on the edge, where it swings for ever


def _stability_problem(setup) -> tuple[str, Theory, bool]:
    """The problem's words, its theory (the Hessian's eigenvalues) and whether it has one weight."""
    if "loss" in setup:
        loss = LOSSES[setup["loss"]]
        return f"L(w) = {loss.label} from w = {setup['w']:g}", theory.loss_theory(loss), True
    surface = SURFACES[setup["surface"]]
    return (
        f"f(x, y) = {surface.label} from ({setup['x']:g}, {setup['y']:g})",
        theory.surface_theory(surface),
        False,
    )


def _stability_question(seed: int, level: str, setup: dict) -> Question:
    words, _, _ = _stability_problem(setup)
    return Question(
        kind="stability",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=f"Gradient descent on {words} with η = {_eta_text(setup['lr'])}: does it converge, "
        "oscillate for ever, or diverge?",
        answer=CHOICE,
        setup=setup,
        choices=STABILITY_CHOICES,
    )


def _factors(setup) -> list[float]:
    """1 − ηλ for every eigenvalue λ of the Hessian, from the page's own theory."""
    _, found, _ = _stability_problem(setup)
    return [1.0 - setup["lr"] * lam for lam in found.eigenvalues]


def _worst(factors: list[float]) -> float:
    return max(factors, key=abs)


def _classify(factor: float) -> str:
    size = abs(factor)
    if abs(size - 1.0) <= EDGE:
        return OSCILLATES
    return CONVERGES if size < 1.0 else DIVERGES


def _stability_candidate(rng, level: str) -> dict:
    if level == EASY:
        problem = {"loss": STABILITY_LOSS, "w": STABILITY_START}
    else:
        options = (STABILITY_LOSS, *STABILITY_SURFACES)
        key = options[int(rng.integers(len(options)))]
        if key == STABILITY_LOSS:
            problem = {"loss": key, "w": STABILITY_START}
        else:
            x, y = SURFACES[key].start
            problem = {"surface": key, "x": float(x), "y": float(y)}
    _, found, _ = _stability_problem(problem)
    if float(rng.uniform()) < EDGE_SHARE:
        return {**problem, "lr": found.critical}
    if level == EASY:
        return {**problem, "lr": EASY_STABILITY_RATES[int(rng.integers(len(EASY_STABILITY_RATES)))]}
    share = math.exp(float(rng.uniform(math.log(0.05), math.log(1.6))))  # η as a share of the edge 2/λ_max
    return {**problem, "lr": float(f"{share * found.critical:.2g}")}


def make_stability(seed: int, level: str) -> Question:
    rng = rng_for("stability", seed, level)
    for _ in range(ATTEMPTS):
        setup = _stability_candidate(rng, level)
        size = abs(_worst(_factors(setup)))
        if abs(size - 1.0) <= EDGE or abs(size - 1.0) >= CLEAR:
            return _stability_question(seed, level, setup)
    return _stability_question(seed, level, {"loss": STABILITY_LOSS, "w": STABILITY_START, "lr": 1.0})


def _stability_answers(question: Question) -> tuple[str, list[Mistake]]:
    setup = question.setup
    factors = _factors(setup)
    worst = _worst(factors)
    truth = _classify(worst)
    _, _, one_weight = _stability_problem(setup)
    eta = _eta_text(setup["lr"])
    rule = "1 − 2η" if one_weight else "1 − ηλ along the steepest direction"
    if truth == OSCILLATES:
        mistakes = [
            Mistake(
                "edge-diverges",
                DIVERGES,
                f"At η = {eta} the factor {rule} is exactly −1: it swings with constant amplitude, "
                "neither converging nor diverging.",
            ),
            Mistake(
                "edge-converges",
                CONVERGES,
                f"At η = {eta} the factor {rule} is exactly −1, no smaller in size: the swings never shrink, "
                "so it never settles.",
            ),
        ]
    elif truth == CONVERGES:
        swings = min(factors) < 0
        mistakes = [
            Mistake(
                "shrinking-swings" if swings else "no-swings",
                OSCILLATES,
                f"It swings from side to side (factor {min(factors):.4f}), but each swing is smaller than the last: "
                "it converges."
                if swings
                else f"Nothing swings here: every factor 1 − ηλ is positive (the largest is {worst:.4f}), so it "
                "creeps to the minimum from one side and converges.",
            ),
            Mistake(
                "shrinks-called-diverges",
                DIVERGES,
                f"Every step multiplies the distance to the minimum by at most {abs(worst):.4f} in size, less than 1: "
                "it shrinks, so descent converges.",
            ),
        ]
    else:
        mistakes = [
            Mistake(
                "growing-swings",
                OSCILLATES,
                f"It swings, but each swing is {abs(worst):.4f} times the last (factor {worst:.4f}): the swings grow "
                "without bound, so it diverges.",
            ),
            Mistake(
                "grows-called-converges",
                CONVERGES,
                f"|{rule}| = {abs(worst):.4f} is above 1: every step takes it further from the minimum, until it "
                "blows up.",
            ),
        ]
    return truth, mistakes


def explain_stability(question: Question, truth: str) -> tuple[tuple[str, ...], str]:
    setup = question.setup
    _, found, one_weight = _stability_problem(setup)
    eta = _eta_text(setup["lr"])
    worst = _worst(_factors(setup))
    if one_weight:
        curvature = found.eigenvalues[0]
        first = (
            f"L(w) = {LOSSES[setup['loss']].label} has L″ = {curvature:g}: "
            f"each step multiplies w − 3 by 1 − {curvature:g}η."
        )
        second = f"With η = {eta}: 1 − {curvature:g} × {eta} = {worst:.4f}."
    else:
        eigenvalues = " and ".join(f"{lam:g}" for lam in found.eigenvalues)
        first = (
            f"The Hessian of {SURFACES[setup['surface']].label} has eigenvalues {eigenvalues}: each step multiplies "
            "the distance along each eigen-direction by 1 − ηλ."
        )
        second = (
            "With η = "
            + eta
            + ": "
            + ", ".join(f"1 − {eta} × {lam:g} = {1 - setup['lr'] * lam:.4f}" for lam in found.eigenvalues)
            + "."
        )
    sizes = {
        CONVERGES: "below 1: it converges",
        OSCILLATES: "exactly 1: it swings for ever",
        DIVERGES: "above 1: it diverges",
    }
    third = f"The largest size is |{worst:.4f}| = {abs(worst):.4f}, {sizes[truth]}."
    idea = (
        "The size of the factor 1 − ηλ decides: below 1 it converges, exactly 1 it swings for ever, "
        "above 1 it diverges."
    )
    return (first, second, third), idea


STABILITY = Kind(
    "stability",
    PAGE,
    "converges, oscillates for ever, or diverges",
    make_stability,
    _stability_answers,
    STABILITY_TOLERANCE,
    explain_stability,
)


# ---- the largest stable η on a quadratic ------------------------------------------------------------------

LARGEST_TOLERANCE = Tolerance(relative=0.02, text="within 2%")
CATALOGUE_BOWLS = ("bowl", "ravine")  # the page's bowls whose two curvatures differ (the round one's do not)
EASY_COEFFICIENTS = (0.5, 1, 2, 3, 4, 5, 6, 8, 10)
CATALOGUE_SHARE = 0.2  # how often the bowl is one of the page's own rather than a typed one
TYPED = "custom"  # the page's state key for a typed formula (app/components/formula.py), on its default window


def _term(coefficient: float, monomial: str, first: bool) -> str:
    """One term of a typed formula in the page's expression language: 3*x^2, - x*y, + 0.5*y^2."""
    size = abs(coefficient)
    body = monomial if size == 1 else f"{size:g}*{monomial}"
    if first:
        return body if coefficient > 0 else f"-{body}"
    return f" + {body}" if coefficient > 0 else f" - {body}"


def quadratic_formula(a: float, b: float, c: float) -> str:
    """a·x² + c·xy + b·y², as a learner would type it."""
    text = _term(a, "x^2", True)
    if c:
        text += _term(c, "x*y", False)
    return text + _term(b, "y^2", False)


def _label(formula: str) -> str:
    return formula.replace("*", "").replace("^2", "²").replace(" - ", " − ")


def _bowl(setup) -> tuple[str, object]:
    """The quadratic's words and its Surface: the page's own, or the typed one the page would build."""
    if setup["surface"] == TYPED:
        return _label(setup["formula"]), custom_surface(setup["formula"])
    surface = SURFACES[setup["surface"]]
    return surface.label, surface


def _largest_question(seed: int, level: str, setup: dict, words: str) -> Question:
    return Question(
        kind="largest-stable-lr",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"On f(x, y) = {words}, what is the largest learning rate η for which gradient descent does not "
            "blow up? Below it every run settles at the minimum; above it the runs diverge."
        ),
        answer=NUMBER,
        setup=setup,
    )


def _largest_candidate(rng, level: str) -> tuple[dict, str, np.ndarray]:
    """A set-up, its words and its Hessian (written from the coefficients, for the quick check in make)."""
    if float(rng.uniform()) < CATALOGUE_SHARE:
        surface = SURFACES[CATALOGUE_BOWLS[int(rng.integers(len(CATALOGUE_BOWLS)))]]
        return {"surface": surface.key}, surface.label, surface.hessian(0.0, 0.0)
    if level == EASY:
        a, b = (float(v) for v in rng.choice(EASY_COEFFICIENTS, size=2, replace=False))
        c = 0.0
    else:
        a, b = (float(v) / 2 for v in rng.integers(1, 13, size=2))  # halves from 0.5 to 6
        c = float(rng.choice([-1, 1]) * rng.integers(1, 7))
    formula = quadratic_formula(a, b, c)
    setup = {"surface": TYPED, "formula": formula}
    return setup, _label(formula), np.array([[2 * a, c], [c, 2 * b]])


def _largest_mistakes(hessian: np.ndarray, found: Theory) -> list[Mistake]:
    low, high = min(found.eigenvalues), max(found.eigenvalues)
    diagonal = max(float(hessian[0, 0]), float(hessian[1, 1]))
    mistakes = [
        Mistake(
            "half",
            1 / high,
            "That is 1/λ_max, the η that empties the steepest direction in one step. Descent stays stable twice "
            "as far, up to 2/λ_max.",
        ),
        Mistake(
            "flattest",
            2 / low,
            "That is 2/λ_min, the edge of the flattest direction: the steepest direction already diverges there. "
            "The steepest direction decides.",
        ),
        Mistake(
            "fastest",
            2 / (low + high),
            "That is 2/(λ_min + λ_max), the η that converges fastest. Larger η still converge, up to 2/λ_max.",
        ),
        Mistake(
            "coefficient",
            4 / diagonal,
            "You took a coefficient for the curvature: the second derivative of a·x² is 2a, not a.",
        ),
    ]
    if hessian[0, 1]:
        mistakes.append(
            Mistake(
                "diagonal",
                2 / diagonal,
                "You read the curvature off the x² and y² terms alone: the xy term tilts the bowl, and its "
                "steepest direction is steeper than either axis.",
            )
        )
    return mistakes


def make_largest_stable_lr(seed: int, level: str) -> Question:
    rng = rng_for("largest-stable-lr", seed, level)
    for _ in range(ATTEMPTS):
        setup, words, hessian = _largest_candidate(rng, level)
        found = theory.quadratic_theory(hessian)
        if min(found.eigenvalues) < 0.5:  # a bowl, and not so flat that its floor hardly shows
            continue
        question = _largest_question(seed, level, setup, words)
        if well_apart(question, LARGEST_TOLERANCE, found.critical, _largest_mistakes(hessian, found)):
            return question
    return _largest_question(seed, level, {"surface": "bowl"}, SURFACES["bowl"].label)


def _largest_answers(question: Question) -> tuple[float, list[Mistake]]:
    _, surface = _bowl(question.setup)
    found = theory.surface_theory(surface)
    return found.critical, _largest_mistakes(surface.hessian(0.0, 0.0), found)


def explain_largest_stable_lr(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    words, surface = _bowl(question.setup)
    hessian = surface.hessian(0.0, 0.0)
    found = theory.surface_theory(surface)
    low, high = min(found.eigenvalues), max(found.eigenvalues)
    rows = "; ".join(", ".join(f"{v:g}" for v in row) for row in hessian)
    worked = (
        f"The Hessian of {words} is [{rows}], with eigenvalues λ = {low:.4f} and {high:.4f}.",
        "Each step multiplies the distance along each eigen-direction by 1 − ηλ; "
        f"the steepest one (λ_max = {high:.4f}) reaches −1 first.",
        f"η = 2/λ_max = 2/{high:.4f} = {truth:.4f}.",
    )
    idea = (
        "The steepest direction sets the limit: past 2/λ_max its factor 1 − ηλ_max falls below −1 and its swings grow."
    )
    return worked, idea


LARGEST_STABLE_LR = Kind(
    "largest-stable-lr",
    PAGE,
    "the largest stable η on a quadratic",
    make_largest_stable_lr,
    _largest_answers,
    LARGEST_TOLERANCE,
    explain_largest_stable_lr,
)

# ---- where w is after k steps -------------------------------------------------------------------------

AFTER_TOLERANCE = Tolerance(relative=0.02, absolute=0.02, text="within 2% (or 0.02)")
AFTER_LOSS = "square"  # (w − 3)²: every step multiplies the distance to 3 by exactly 1 − 2η
EASY_AFTER_RATES = (0.25, 0.75)  # factors ±1/2: halves each step, the second swinging
HARDER_AFTER_RATES = (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9)


def _after_question(seed: int, level: str, setup: dict) -> Question:
    loss = LOSSES[setup["loss"]]
    return Question(
        kind="after-k-steps",
        seed=seed,
        level=level,
        page=PAGE,
        prompt=f"Gradient descent on L(w) = {loss.label} from w = {setup['w']:g} with η = {_eta_text(setup['lr'])}: "
        f"where is w after {setup['steps']} steps?",
        answer=NUMBER,
        setup=setup,
    )


def make_after_k_steps(seed: int, level: str) -> Question:
    rng = rng_for("after-k-steps", seed, level)
    for _ in range(ATTEMPTS):
        rates = EASY_AFTER_RATES if level == EASY else HARDER_AFTER_RATES
        lr = float(rates[int(rng.integers(len(rates)))])
        start = float(rng.choice([-1.0, 0.0, 1.0, 5.0, 7.0])) if level == EASY else round(float(rng.uniform(-1, 7)), 1)
        steps = int(rng.integers(2, 4)) if level == EASY else int(rng.integers(2, 6))
        question = _after_question(seed, level, {"loss": AFTER_LOSS, "w": start, "lr": lr, "steps": steps})
        if abs(start - 3.0) < 1.0:
            continue
        truth, mistakes = _after_answers(question)
        if well_apart(question, AFTER_TOLERANCE, truth, mistakes):
            return question
    return _after_question(seed, level, {"loss": AFTER_LOSS, "w": 0.0, "lr": 0.25, "steps": 2})


def _after_answers(question: Question) -> tuple[float, list[Mistake]]:
    setup = question.setup
    loss = LOSSES[setup["loss"]]
    run = loss.descent(setup["w"], setup["lr"], setup["steps"])  # the page's own engine
    truth = float(run.positions[-1, 0])
    factor = 1.0 - 2.0 * setup["lr"]
    distance = setup["w"] - loss.minimum
    first = float(run.positions[1, 0])
    mistakes = [
        Mistake(
            "one-step",
            first,
            f"That is where w is after one step: each of the {setup['steps']} steps multiplies the distance to "
            f"the minimum by 1 − 2η = {factor:g} again.",
        ),
        Mistake(
            "added-not-multiplied",
            loss.minimum + distance * (1 + setup["steps"] * (factor - 1)),
            "You took the first step's move again each time: the step is η·L'(w), and L'(w) shrinks with the "
            "distance, so the moves shrink too.",
        ),
    ]
    if factor < 0:
        mistakes.append(
            Mistake(
                "no-swing",
                loss.minimum + distance * abs(factor) ** setup["steps"],
                f"Right size, wrong side: with 1 − 2η = {factor:g} below 0, each step jumps across the minimum.",
            )
        )
    return truth, mistakes


def explain_after_k_steps(question: Question, truth: float) -> tuple[tuple[str, ...], str]:
    setup = question.setup
    factor = 1.0 - 2.0 * setup["lr"]
    distance = setup["w"] - 3.0
    worked = (
        f"On (w − 3)², L'(w) = 2(w − 3), so one step gives w − 3 ← (1 − 2η)(w − 3) = {factor:g}·(w − 3).",
        f"After {setup['steps']} steps: w − 3 = {distance:g}·({factor:g})^{setup['steps']} = {truth - 3.0:.4f}.",
        f"So w = {truth:.4f}.",
    )
    return worked, "On a quadratic each step multiplies the distance to the minimum by the same factor 1 − ηλ."


AFTER_K_STEPS = Kind(
    "after-k-steps",
    PAGE,
    "where w is after k steps",
    make_after_k_steps,
    _after_answers,
    AFTER_TOLERANCE,
    explain_after_k_steps,
)

KINDS = (STABILITY, LARGEST_STABLE_LR, AFTER_K_STEPS)
