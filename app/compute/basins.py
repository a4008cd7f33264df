"""Basins: where each start on a grid ends up, for one optimizer, in one vectorised run of the race engine.

On a surface with several minima (Himmelblau has four) the start decides the end, and so does the
optimizer: momentum carries a run over a ridge that plain SGD would not cross. A 60 × 60 grid of starts
is 3,600 rows of one array; the race engine (app/compute/optimizers.py) steps them all at once.

What a start "reaches" is read off the surface, not off a list typed by hand: its flat points (where
∇L = 0) are found by Newton's method from a coarse grid and classified by the Hessian there (a minimum,
a saddle or a peak), so a typed function gets its own. A start that arrives (|∇L| < TOLERANCE) within
the steps is labelled with the flat point it arrived at; the others either diverged or were still on
their way.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

import numpy as np

from app.compute import optimizers as opt
from app.compute.descent import read_only
from app.compute.surfaces import Surface

GRID = 60  # starts per side: 3,600 in all
STEPS = 500
STILL_GOING = -1  # label: no arrival within the steps
DIVERGED = -2  # label: the run left every sensible value
MINIMUM, SADDLE, PEAK = "minimum", "saddle", "peak"
SEARCH_GRID = 24  # Newton's starts per side when looking for the flat points
SEARCH_STEPS = 60
SAME_POINT = 1e-4  # two arrivals this close (relative to the window's size) are the same flat point


@dataclass(frozen=True)
class FlatPoint:
    x: float
    y: float
    kind: str  # MINIMUM, SADDLE or PEAK
    loss: float


@dataclass(frozen=True)
class Basins:
    """For one optimizer and its settings: the grid of starts and where each one ended."""

    key: str
    hyper: opt.Hyper
    steps: int
    xs: np.ndarray  # (GRID,) the starts' x, cell centres across the view
    ys: np.ndarray  # (GRID,)
    labels: np.ndarray  # (GRID, GRID) int8, rows along y: an index into points, STILL_GOING or DIVERGED
    arrived_at: np.ndarray  # (GRID, GRID) int16: the step a start arrived at, −1 if it did not
    points: tuple[FlatPoint, ...]  # the surface's flat points, then any other place a run arrived at

    def share(self, label: int) -> float:
        """The fraction of starts with this label."""
        return float(np.mean(self.labels == label))


def cell_centres(low: float, high: float, count: int) -> np.ndarray:
    """``count`` points, each the centre of one of ``count`` equal cells across [low, high]."""
    return low + (np.arange(count) + 0.5) * (high - low) / count


def _span(surface: Surface) -> float:
    return max(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0])


def _cluster(points: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy clusters of (n, 2) points within ``radius`` of each cluster's first point: (centres, label
    of each point). A handful of clusters, so one vectorised pass per cluster."""
    labels = np.full(len(points), -1)
    centres = []
    remaining = np.arange(len(points))
    while len(remaining):
        first = points[remaining[0]]
        near = np.max(np.abs(points[remaining] - first), axis=1) <= radius
        labels[remaining[near]] = len(centres)
        centres.append(points[remaining[near]].mean(axis=0))
        remaining = remaining[~near]
    return np.array(centres).reshape(-1, 2), labels


def _flat_point(surface: Surface, x: float, y: float) -> FlatPoint:
    return FlatPoint(float(x), float(y), _kind(surface, x, y), float(surface.value(x, y)))


def _kind(surface: Surface, x: float, y: float) -> str:
    low, high = np.linalg.eigvalsh(surface.hessian(x, y))
    if low > 0:
        return MINIMUM
    if high < 0:
        return PEAK
    return SADDLE


@functools.lru_cache(maxsize=32)
def flat_points(surface: Surface) -> tuple[FlatPoint, ...]:
    """The flat points of the surface inside its view: Newton's method from a coarse grid goes to the
    nearest point where ∇L = 0, uphill or down. Minima first, then saddles and peaks, each by x then y,
    so the same minimum keeps its place (and its colour) from one optimizer to the next."""
    xs = cell_centres(*surface.view_x, SEARCH_GRID)
    ys = cell_centres(*surface.view_y, SEARCH_GRID)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    done = opt.descend_many(surface, [(opt.NEWTON, opt.DEFAULT_HYPER[opt.NEWTON], len(starts))], starts, SEARCH_STEPS)
    arrived = (done.stopped_at >= 0) & ~done.diverged & ~done.singular
    ends = done.final[arrived]
    ends = ends[[surface.in_view(x, y) for x, y in ends]] if len(ends) else ends
    centres, _ = _cluster(ends, SAME_POINT * _span(surface))
    found = [_flat_point(surface, x, y) for x, y in centres]
    order = {MINIMUM: 0, SADDLE: 1, PEAK: 2}
    return tuple(sorted(found, key=lambda p: (order[p.kind], round(p.x, 6), round(p.y, 6))))


def basins(surface: Surface, key: str, hyper: opt.Hyper, steps: int = STEPS, grid: int = GRID) -> Basins:
    """Where each of grid × grid starts across the view ends up under this optimizer (memoised)."""
    if key not in opt.EVERYONE:
        raise ValueError(f"unknown optimizer {key!r}")
    if not 1 <= steps <= opt.MAX_RACE_STEPS or not 2 <= grid <= 120:
        raise ValueError("steps must be 1 to 5,000 and the grid 2 to 120 per side")
    return _basins(surface, key, hyper, steps, grid)


@functools.lru_cache(maxsize=32)
def _basins(surface: Surface, key: str, hyper: opt.Hyper, steps: int, grid: int) -> Basins:
    xs, ys = cell_centres(*surface.view_x, grid), cell_centres(*surface.view_y, grid)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # row-major: y outer, x inner
    done = opt.descend_many(surface, [(key, hyper, len(starts))], starts, steps, record=False)
    arrived = (done.stopped_at >= 0) & ~done.diverged & ~done.singular
    labels = np.where(done.diverged, DIVERGED, STILL_GOING)
    points = list(flat_points(surface))
    if arrived.any():
        radius = SAME_POINT * _span(surface) * 10  # an arrival is within |∇L|/λ of its point
        ends = done.final[arrived]
        known = np.array([(p.x, p.y) for p in points]).reshape(-1, 2)
        nearest = np.full(len(ends), -1)
        if len(known):
            distance = np.max(np.abs(ends[:, None, :] - known[None, :, :]), axis=2)
            nearest = np.where(distance.min(axis=1) <= radius, distance.argmin(axis=1), -1)
        unknown = nearest < 0
        if unknown.any():  # somewhere Newton's search did not find (outside the view, or missed)
            centres, extra = _cluster(ends[unknown], radius)
            nearest[unknown] = len(points) + extra
            points += [
                FlatPoint(float(x), float(y), _kind(surface, x, y), float(surface.value(x, y))) for x, y in centres
            ]
        labels[arrived] = nearest
    arrival = np.where(arrived, done.stopped_at, -1)
    return Basins(
        key=key,
        hyper=hyper,
        steps=steps,
        xs=read_only(xs),
        ys=read_only(ys),
        labels=read_only(labels.reshape(grid, grid).astype(np.int8)),
        arrived_at=read_only(arrival.reshape(grid, grid).astype(np.int16)),
        points=tuple(points),
    )


def point_name(points: tuple[FlatPoint, ...], index: int) -> str:
    """A flat point as the page names it: minima by letter (A, B, …), the others by kind."""
    point = points[index]
    where = f"({point.x:.2f}, {point.y:.2f})"
    if point.kind == MINIMUM:
        letter = string.ascii_uppercase[sum(p.kind == MINIMUM for p in points[:index]) % 26]
        return f"minimum {letter} {where}"
    return f"{point.kind} {where}"


def point_letter(points: tuple[FlatPoint, ...], index: int) -> str:
    """The short label drawn beside a minimum's star (empty for saddles and peaks)."""
    if points[index].kind != MINIMUM:
        return ""
    return string.ascii_uppercase[sum(p.kind == MINIMUM for p in points[:index]) % 26]
