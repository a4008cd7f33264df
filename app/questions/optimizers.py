"""Questions for /optimizers: which optimizer arrives first, and which of Himmelblau's minima a run reaches.

Both are decided by the page's own race engine (app/compute/optimizers.py). An instance is drawn from a
batch of candidate starts run at once (one vectorised ``descend_many``), and kept only when it is
well-posed: a race whose winner arrives at least 5% sooner than anyone else, or a destination that
does not change when the start moves by a hair.
"""

from __future__ import annotations

import numpy as np

from app.compute import optimizers as opt
from app.compute.basins import MINIMUM, flat_points, point_name
from app.compute.descent import DIVERGED
from app.compute.optimizers import NAMES
from app.compute.surfaces import SURFACES
from app.questions.base import CHOICE, EASY, Kind, Mistake, Question, Tolerance, rng_for

PAGE = "/optimizers"
CHOICE_TOLERANCE = Tolerance(text="exactly")
DRAWS = 24  # rounds of candidates before the fallback (never reached in the tests' 200 seeds per level)
BATCH = 24  # candidate starts run at once in one round: one round is nearly always enough

# ---- which optimizer arrives first ---------------------------------------------------------------------

RACE_STEPS = 200  # most contestants with the page's suggested settings arrive within this on these surfaces
MARGIN = 0.95  # the winner arrives by 95% of the next arrival's step (at least 5% sooner)
CLEARLY_AWAY = 1e-4  # a contestant still going at the end must be this far from arriving (|∇L|), 100× the bar
EASY_SURFACES = ("bowl", "round", "ravine")
HARDER_SURFACES = ("bowl", "round", "ravine", "himmelblau")
FIRST = "first-to-arrive"


def _hyper_fields(keys: tuple[str, ...], surface: str) -> dict:
    """The contestants' settings as plain tuples, one entry per contestant, for the set-up."""
    hyper = opt.hyper_for(surface)
    return {
        "lr": tuple(hyper[k].lr for k in keys),
        "beta1": tuple(hyper[k].beta1 for k in keys),
        "beta2": tuple(hyper[k].beta2 for k in keys),
        "eps": tuple(hyper[k].eps for k in keys),
    }


def _hypers(setup) -> list[opt.Hyper]:
    return [
        opt.Hyper(lr, beta1, beta2, eps)
        for lr, beta1, beta2, eps in zip(setup["lr"], setup["beta1"], setup["beta2"], setup["eps"], strict=True)
    ]


def _starts(rng: np.random.Generator, surface, level: str, count: int) -> np.ndarray:
    """Candidate starts inside the view: whole numbers on easy, tenths on harder."""
    step = 1.0 if level == EASY else 0.1
    (x0, x1), (y0, y1) = surface.view_x, surface.view_y
    xs = np.round(rng.uniform(x0 + 0.5, x1 - 0.5, count) / step) * step
    ys = np.round(rng.uniform(y0 + 0.5, y1 - 0.5, count) / step) * step
    return np.round(np.column_stack((xs, ys)), 1)


def _steep_enough(surface, start) -> bool:
    """Far from flat: a start where ∇L is already tiny makes no race and no basin question."""
    gx, gy = surface.gradient(start[0], start[1])
    return float(np.hypot(gx, gy)) >= 1.0


def _decided(arrivals: list[int | None], diverged: list[bool], still: list[float], steps: int) -> int | None:
    """The index of the contestant that clearly arrives first, or None when the race is too close: the
    winner arrives by MARGIN of the next arrival's step, and whoever does not arrive diverged or is still
    clearly away from arriving (and the winner arrived by MARGIN of the steps)."""
    arrived = [(step, i) for i, step in enumerate(arrivals) if step is not None]
    if not arrived:
        return None
    arrived.sort()
    best, winner = arrived[0]
    if best < 1:
        return None
    others = [step for step, _ in arrived[1:]]
    if any(best > MARGIN * step for step in others):
        return None
    for i, step in enumerate(arrivals):
        if step is None and not diverged[i] and (still[i] < CLEARLY_AWAY or best > MARGIN * steps):
            return None
    return winner


def _race_of(setup) -> opt.Race:
    keys = tuple(setup["contestants"])
    return opt.race(
        opt.RaceSettings(
            setup["surface"],
            tuple(setup["start"]),
            setup["steps"],
            tuple(zip(keys, _hypers(setup), strict=True)),
        )
    )


def _race_winner(setup) -> int | None:
    """The winner by the page's race itself (the same memoised Race the reveal reads)."""
    race = _race_of(setup)
    surface = SURFACES[setup["surface"]]
    runs = [race.run(key) for key in setup["contestants"]]
    still = [float(np.hypot(*surface.gradient(*run.final_position))) for run in runs]
    return _decided([run.arrived_at for run in runs], [run.verdict == DIVERGED for run in runs], still, setup["steps"])


def _first_question(seed: int, level: str, setup: dict) -> Question:
    surface = SURFACES[setup["surface"]]
    names = tuple(NAMES[key] for key in setup["contestants"])
    x, y = setup["start"]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}"
    return Question(
        kind=FIRST,
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"On L(x, y) = {surface.label}, starting from ({x:g}, {y:g}) with the settings shown, which "
            f"arrives first (|∇L| < 10⁻⁶): {listed}?"
        ),
        answer=CHOICE,
        setup=setup,
        choices=names,
    )


def make_first_to_arrive(seed: int, level: str) -> Question:
    rng = rng_for(FIRST, seed, level)
    surfaces = EASY_SURFACES if level == EASY else HARDER_SURFACES
    count = 2 if level == EASY else 3
    for _ in range(DRAWS):
        key = surfaces[int(rng.integers(len(surfaces)))]
        surface = SURFACES[key]
        picked = sorted(rng.choice(len(opt.CONTESTANTS), size=count, replace=False))
        contestants = tuple(opt.CONTESTANTS[i] for i in picked)  # in the race's own order
        hyper = opt.hyper_for(key)
        starts = _starts(rng, surface, level, BATCH)
        done = opt.descend_many(
            surface,
            [(c, hyper[c], BATCH) for c in contestants],
            np.tile(starts, (count, 1)),
            RACE_STEPS,
            record=False,
        )
        for j, start in enumerate(starts):
            if not _steep_enough(surface, start):
                continue
            rows = [i * BATCH + j for i in range(count)]
            arrivals = [
                int(done.stopped_at[r]) if done.stopped_at[r] >= 0 and not done.diverged[r] else None for r in rows
            ]
            still = [
                float(np.hypot(*surface.gradient(*done.final[r]))) if not done.diverged[r] else np.inf for r in rows
            ]
            if _decided(arrivals, [bool(done.diverged[r]) for r in rows], still, RACE_STEPS) is None:
                continue
            setup = {
                "surface": key,
                "start": (float(start[0]), float(start[1])),
                "steps": RACE_STEPS,
                "contestants": contestants,
                **_hyper_fields(contestants, key),
            }
            if _race_winner(setup) is not None:  # the page's race agrees it is clear
                return _first_question(seed, level, setup)
    setup = {  # never reached in practice: Nesterov beats SGD clearly on the chapter's bowl
        "surface": "bowl",
        "start": (4.0, 3.0),
        "steps": RACE_STEPS,
        "contestants": (opt.SGD, opt.NESTEROV),
        **_hyper_fields((opt.SGD, opt.NESTEROV), "bowl"),
    }
    return _first_question(seed, level, setup)


def _overshoots(run: opt.Run) -> bool:
    """The loss went up at some step: the run passed the minimum and had to come back."""
    return bool(np.any(np.diff(run.losses) > 0))


def _effect(run: opt.Run) -> str:
    """What cost this contestant the race, read off its own run."""
    key = run.key
    if key == opt.SGD:
        if run.zigzag:
            return "SGD zig-zags across the valley, spending its steps going from wall to wall"
        return "SGD's steps are η·∇L, so they shrink with the slope and it crawls the last stretch"
    if key in (opt.MOMENTUM, opt.NESTEROV):
        name = NAMES[key]
        if _overshoots(run):
            return f"{name}'s velocity carries it past the minimum, and it swings back and forth before it settles"
        return f"{name}'s velocity builds up from rest and dies away slowly, so it starts late and stops late"
    if key == opt.ADAGRAD:
        return "AdaGrad's steps shrink for good: it divides by the root of every squared gradient it has met"
    if key == opt.RMSPROP:
        return "RMSprop's steps stay about η long whatever the slope, so near the minimum it hovers before it settles"
    if _overshoots(run):
        return "Adam's momentum carries it past the minimum and its steps stay about η long, so it circles first"
    return "Adam's steps stay about η long whatever the slope, so the last stretch takes many of them"


def _loser_message(run: opt.Run, winner: opt.Run, steps: int) -> str:
    name = NAMES[run.key]
    if run.verdict == DIVERGED:
        return f"{name} diverges here: with η = {run.hyper.lr:g} its steps grow instead of shrinking."
    if run.arrived_at is None:
        return f"{name} has not arrived after {steps} steps: {_effect(run)}."
    return (
        f"{name} arrives at step {run.arrived_at}, after {NAMES[winner.key]} at step {winner.arrived_at}: "
        f"{_effect(run)}."
    )


def _first_truth(question: Question) -> tuple[str, list[Mistake]]:
    setup = question.setup
    race = _race_of(setup)
    index = _race_winner(setup)
    keys = list(setup["contestants"])
    winner = race.run(keys[index if index is not None else 0])
    mistakes = [
        Mistake(key, NAMES[key], _loser_message(race.run(key), winner, setup["steps"]))
        for key in keys
        if key != winner.key
    ]
    return NAMES[winner.key], mistakes


def explain_first_to_arrive(question: Question, truth: str) -> tuple[tuple[str, ...], str]:
    setup = question.setup
    race = _race_of(setup)
    surface = SURFACES[setup["surface"]]
    x, y = setup["start"]
    lines = [f"On {surface.label} from ({x:g}, {y:g}), a contestant arrives when |∇L| < 10⁻⁶:"]
    best = min(run.arrived_at for run in race.runs if run.arrived_at is not None)
    for run in sorted(race.runs, key=lambda r: (r.arrived_at is None, r.arrived_at or 0)):
        settings = ", ".join(f"{_SYMBOL[name]} = {getattr(run.hyper, name):g}" for name in opt.USES[run.key])
        if run.arrived_at is not None:
            later = "" if run.arrived_at == best else f", {100 * (run.arrived_at / best - 1):.0f}% later"
            outcome = f"arrives at step {run.arrived_at}{later}"
        elif run.verdict == DIVERGED:
            outcome = "diverges"
        else:
            outcome = f"has not arrived after {setup['steps']} steps"
        lines.append(f"{NAMES[run.key]} ({settings}) {outcome}.")
    idea = (
        "No optimizer is fastest everywhere: the surface's shape and each one's settings decide whether "
        "momentum's speed, adaptive step sizes or plain steps along the gradient pay off."
    )
    return tuple(lines), idea


_SYMBOL = {"lr": "η", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}

FIRST_TO_ARRIVE = Kind(
    FIRST,
    PAGE,
    "which optimizer arrives first",
    make_first_to_arrive,
    _first_truth,
    CHOICE_TOLERANCE,
    explain_first_to_arrive,
)

# ---- which of Himmelblau's minima ----------------------------------------------------------------------

WHICH = "which-minimum"
BASIN_SURFACE = "himmelblau"
BASIN_STEPS = 500  # as the basin maps run
NUDGE = 0.02  # the destination must not change when the start moves this far along x or y
ARRIVED_NEAR = 1e-3  # an arrival this close to a flat point is at it
NUDGES = ((0.0, 0.0), (NUDGE, 0.0), (-NUDGE, 0.0), (0.0, NUDGE), (0.0, -NUDGE))  # a start and its four nudges


def _minima() -> list[tuple[int, object]]:
    """Himmelblau's minima (index into its flat points, the point), in the basin map's order."""
    points = flat_points(SURFACES[BASIN_SURFACE])
    return [(i, p) for i, p in enumerate(points) if p.kind == MINIMUM]


def _minimum_at(x: float, y: float) -> int | None:
    """The index of the minimum a run that ended at (x, y) arrived at, or None."""
    for i, p in _minima():
        if max(abs(p.x - x), abs(p.y - y)) <= ARRIVED_NEAR:
            return i
    return None


def _nearest_minimum(x: float, y: float) -> int:
    return min(_minima(), key=lambda item: np.hypot(item[1].x - x, item[1].y - y))[0]


def _name(index: int) -> str:
    return point_name(flat_points(SURFACES[BASIN_SURFACE]), index)


def _which_question(seed: int, level: str, optimizer: str, start: tuple[float, float]) -> Question:
    hyper = opt.hyper_for(BASIN_SURFACE)[optimizer]
    settings = f"η = {hyper.lr:g}" + (f", β = {hyper.beta1:g}" if optimizer == opt.MOMENTUM else "")
    return Question(
        kind=WHICH,
        seed=seed,
        level=level,
        page=PAGE,
        prompt=(
            f"On Himmelblau's surface, {NAMES[optimizer]} ({settings}) starts at ({start[0]:g}, {start[1]:g}). "
            "Which of the four minima does it reach?"
        ),
        answer=CHOICE,
        setup={
            "surface": BASIN_SURFACE,
            "optimizer": optimizer,
            "start": start,
            "steps": BASIN_STEPS,
            "lr": hyper.lr,
            "beta": hyper.beta1 if optimizer == opt.MOMENTUM else 0.0,
        },
        choices=tuple(_name(i) for i, _ in _minima()),
    )


def make_which_minimum(seed: int, level: str) -> Question:
    """Easy: whole-number starts, SGD or momentum, where the run does not simply go to the nearest minimum
    or the other optimizer goes elsewhere. Harder: starts in tenths where momentum and plain SGD reach
    different minima, and the question is momentum's: its velocity carried it over a ridge."""
    rng = rng_for(WHICH, seed, level)
    surface = SURFACES[BASIN_SURFACE]
    hyper = opt.hyper_for(BASIN_SURFACE)
    for _ in range(DRAWS):
        optimizer = opt.MOMENTUM if level != EASY or rng.random() < 0.5 else opt.SGD
        starts = _starts(rng, surface, level, BATCH)
        nudged = (starts[:, None, :] + np.array(NUDGES)[None, :, :]).reshape(-1, 2)  # each start and its four nudges
        rows = len(nudged)
        done = opt.descend_many(
            surface,
            [(opt.SGD, hyper[opt.SGD], rows), (opt.MOMENTUM, hyper[opt.MOMENTUM], rows)],
            np.vstack((nudged, nudged)),
            BASIN_STEPS,
            record=False,
        )
        ends = [
            [_end(done, block * rows + j * len(NUDGES) + k) for k in range(len(NUDGES))]
            for block in (0, 1)
            for j in range(len(starts))
        ]
        for j, start in enumerate(starts):
            sgd, momentum = ends[j], ends[len(starts) + j]
            asked = momentum if optimizer == opt.MOMENTUM else sgd
            if not _steep_enough(surface, start) or None in asked or len(set(asked)) != 1:
                continue
            if level != EASY and (None in sgd or len(set(sgd)) != 1 or sgd[0] == momentum[0]):
                continue
            other = sgd if optimizer == opt.MOMENTUM else momentum
            if asked[0] == _nearest_minimum(*start) and asked[0] == other[0]:
                continue  # nothing to mistake it for: the nearest minimum, and both optimizers go there
            question = _which_question(seed, level, optimizer, (float(start[0]), float(start[1])))
            if _which_truth_index(question) == asked[0]:  # the page's race agrees
                return question
    return _which_question(seed, level, opt.MOMENTUM, (-0.4, 3.0))  # never reached in practice


def _end(done: opt.Descents, row: int) -> int | None:
    """The minimum row ``row`` arrived at, or None (still going, diverged, or a saddle)."""
    if done.stopped_at[row] < 0 or done.diverged[row] or done.singular[row]:
        return None
    return _minimum_at(*done.final[row])


def _run_to(question: Question, optimizer: str) -> opt.Run:
    setup = question.setup
    hyper = opt.hyper_for(setup["surface"])[optimizer]
    race = opt.race(opt.RaceSettings(setup["surface"], tuple(setup["start"]), setup["steps"], ((optimizer, hyper),)))
    return race.run(optimizer)


def _which_truth_index(question: Question, optimizer: str | None = None) -> int | None:
    run = _run_to(question, optimizer or question.setup["optimizer"])
    if run.arrived_at is None:
        return None
    return _minimum_at(*run.final_position)


def _which_truth(question: Question) -> tuple[str, list[Mistake]]:
    setup = question.setup
    truth = _which_truth_index(question)
    mistakes = []
    taken = {truth}
    if setup["optimizer"] == opt.MOMENTUM:
        sgd = _which_truth_index(question, opt.SGD)
        if sgd is not None and sgd not in taken:
            taken.add(sgd)
            mistakes.append(
                Mistake(
                    "where-sgd-goes",
                    _name(sgd),
                    "That is where plain SGD goes. Momentum's velocity carried it past the saddle, into another basin.",
                )
            )
    else:
        heavy = _which_truth_index(question, opt.MOMENTUM)
        if heavy is not None and heavy not in taken:
            taken.add(heavy)
            mistakes.append(
                Mistake(
                    "where-momentum-goes",
                    _name(heavy),
                    "That is where momentum goes. Plain SGD has no velocity: it follows the slope from the start "
                    "and stops at the first minimum downhill.",
                )
            )
    nearest = _nearest_minimum(*setup["start"])
    if nearest not in taken:
        mistakes.append(
            Mistake(
                "nearest",
                _name(nearest),
                "That is the minimum nearest the start, but a run follows the slope, not the straight line: "
                "the ridges between basins decide where it ends.",
            )
        )
    return _name(truth if truth is not None else 0), mistakes


def explain_which_minimum(question: Question, truth: str) -> tuple[tuple[str, ...], str]:
    setup = question.setup
    x, y = setup["start"]
    run = _run_to(question, setup["optimizer"])
    lines = [
        f"{NAMES[setup['optimizer']]} from ({x:g}, {y:g}) arrives (|∇L| < 10⁻⁶) at {truth} at step {run.arrived_at}."
    ]
    other = opt.SGD if setup["optimizer"] == opt.MOMENTUM else opt.MOMENTUM
    elsewhere = _which_truth_index(question, other)
    if elsewhere is not None:
        same = "the same minimum" if _name(elsewhere) == truth else _name(elsewhere)
        beta = f" (β = {opt.hyper_for(BASIN_SURFACE)[opt.MOMENTUM].beta1:g})" if other == opt.MOMENTUM else ""
        lines.append(f"{NAMES[other]}{beta} with the same η from the same start reaches {same}.")
    lines.append(f"The minimum nearest the start is {_name(_nearest_minimum(x, y))}.")
    idea = (
        "Where a run ends depends on the start and on the optimizer: momentum's velocity can carry it over a "
        "ridge that plain SGD, which only follows the slope, would stop behind."
    )
    return tuple(lines), idea


WHICH_MINIMUM = Kind(
    WHICH,
    PAGE,
    "which of Himmelblau's minima a run reaches",
    make_which_minimum,
    _which_truth,
    CHOICE_TOLERANCE,
    explain_which_minimum,
)

KINDS = (FIRST_TO_ARRIVE, WHICH_MINIMUM)
