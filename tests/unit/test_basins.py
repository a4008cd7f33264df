"""Basins: the flat points Newton finds, each start's label against a plain loop written here, the
difference momentum makes, the compact figure, and the page's callback."""

from __future__ import annotations

import base64
import math
import sys
from functools import cache

import numpy as np
import pytest

from app.compute import basins as compute
from app.compute import optimizers as opt
from app.compute.custom import SURFACE_TEXTS, Window, custom_surface
from app.compute.surfaces import SURFACES
from app.figures import basins as figures

HIMMELBLAU = SURFACES["himmelblau"]
HYPER = opt.hyper_for("himmelblau")
# Himmelblau's four minima (all with f = 0), from the literature, to 6 digits.
MINIMA = [(-3.779310, -3.283186), (-2.805118, 3.131312), (3.0, 2.0), (3.584428, -1.848126)]


def test_newton_finds_himmelblaus_four_minima_four_saddles_and_its_peak():
    points = compute.flat_points(HIMMELBLAU)
    kinds = [p.kind for p in points]
    assert kinds == [compute.MINIMUM] * 4 + [compute.SADDLE] * 4 + [compute.PEAK]
    np.testing.assert_allclose([(p.x, p.y) for p in points[:4]], MINIMA, atol=1e-6)
    for p in points:
        gx, gy = HIMMELBLAU.gradient_formula(p.x, p.y, math)
        assert math.hypot(gx, gy) < 1e-6
        eigenvalues = np.linalg.eigvalsh(HIMMELBLAU.hessian(p.x, p.y))
        assert {compute.MINIMUM: eigenvalues.min() > 0, compute.PEAK: eigenvalues.max() < 0}.get(
            p.kind, eigenvalues.min() < 0 < eigenvalues.max()
        )
    assert points[-1].loss == pytest.approx(181.617, abs=1e-3)  # the peak near (−0.271, −0.923)


def plain_loop(key: str, hyper: opt.Hyper, start, steps: int) -> tuple[float, float] | None:
    """SGD or heavy-ball momentum written out on Python floats: where the run arrives (|∇L| < 1e-6),
    or None if it does not within the steps."""
    x, y = start
    vx = vy = 0.0
    beta = hyper.beta1 if key == opt.MOMENTUM else 0.0
    for _ in range(steps + 1):
        gx, gy = HIMMELBLAU.gradient_formula(x, y, math)
        if not math.hypot(gx, gy) < 1e8:
            return None
        if math.hypot(gx, gy) < opt.TOLERANCE:
            return (x, y)
        vx, vy = beta * vx + gx, beta * vy + gy
        x, y = x - hyper.lr * vx, y - hyper.lr * vy
    return None


@pytest.mark.parametrize("key", [opt.SGD, opt.MOMENTUM])
def test_each_start_is_labelled_with_where_a_plain_loop_arrives(key):
    basins = compute.basins(HIMMELBLAU, key, HYPER[key])
    rng = np.random.default_rng(3)
    for row, column in rng.integers(0, compute.GRID, size=(60, 2)):
        start = (basins.xs[column], basins.ys[row])
        end = plain_loop(key, HYPER[key], start, compute.STEPS)
        label = int(basins.labels[row, column])
        if end is None:
            assert label < 0, start
            continue
        nearest = int(np.argmin([math.dist(end, m) for m in MINIMA]))
        assert label == nearest, (start, end)


def test_momentum_sends_many_starts_somewhere_else_than_sgd():
    sgd = compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD])
    momentum = compute.basins(HIMMELBLAU, opt.MOMENTUM, HYPER[opt.MOMENTUM])
    assert sgd.share(compute.STILL_GOING) == sgd.share(compute.DIVERGED) == 0
    assert float(np.mean(sgd.labels != momentum.labels)) > 0.10
    # Plain SGD's basins are the four quadrants around the saddles, each about a quarter of the map.
    for label in range(4):
        assert 0.2 < sgd.share(label) < 0.3


def test_a_too_large_step_diverges_and_is_labelled_so():
    basins = compute.basins(HIMMELBLAU, opt.SGD, opt.Hyper(0.05))
    assert basins.share(compute.DIVERGED) > 0.9


def test_a_typed_himmelblau_has_the_same_basins():
    typed = custom_surface(SURFACE_TEXTS["himmelblau"], Window(HIMMELBLAU.view_x, HIMMELBLAU.view_y))
    ours = compute.basins(typed, opt.SGD, HYPER[opt.SGD])
    catalogue = compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD])
    assert np.mean(ours.labels == catalogue.labels) > 0.995  # the typed gradient rounds differently


def test_basins_are_memoised_and_bounded():
    assert compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD]) is compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD])
    with pytest.raises(ValueError):
        compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD], steps=10**6)
    with pytest.raises(ValueError):
        compute.basins(HIMMELBLAU, "bogus", HYPER[opt.SGD])


def test_the_figure_sends_one_byte_per_start_and_colours_each_minimum_alike():
    sgd = compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD])
    momentum = compute.basins(HIMMELBLAU, opt.MOMENTUM, HYPER[opt.MOMENTUM])
    figure = figures.basin_figure(HIMMELBLAU, sgd, "SGD")
    cells = figure["data"][0]
    assert cells["z"]["dtype"] == "i1"
    z = np.frombuffer(base64.b64decode(cells["z"]["bdata"]), dtype=np.int8).reshape(compute.GRID, compute.GRID)
    np.testing.assert_array_equal(z, sgd.labels)  # no start still going or diverged here: labels are indices
    assert len(cells["z"]["bdata"]) < 5_000  # 3,600 starts, one byte each, base64
    # The same minimum has the same colour in both maps.
    assert sgd.points[:4] == momentum.points[:4]
    assert figures.destination_colours(sgd.points)[:4] == figures.destination_colours(momentum.points)[:4]
    stars = next(trace for trace in figure["data"] if trace["name"] == compute.MINIMUM)
    assert stars["text"] == ["A", "B", "C", "D"]


@cache
def page_module():
    """The page module: it registers itself, so it can only be imported once an app exists."""
    from app.main import create_app
    from tests.dash_client import DashClient

    DashClient(create_app())
    return sys.modules["pages.optimizers"]  # Dash imported it under this name


def test_the_page_maps_basins_only_when_asked(monkeypatch):
    page = page_module()
    state = page.read_state(page.PRESETS["himmelblau"][1])[0]

    class Context:
        triggered_id = None

    monkeypatch.setattr(page, "ctx", Context())
    assert all(value is page.dash.no_update for value in page.map_basins(0, "momentum", state, None))
    Context.triggered_id = page.ID.BASIN_BUTTON
    sgd_figure, other_figure, table, summary, message, shown = page.map_basins(1, "momentum", state, None)
    assert shown == "momentum" and message == ""
    assert "Momentum" in summary and "minimum A (-3.78, -3.28)" in summary
    moved = float(
        np.mean(
            compute.basins(HIMMELBLAU, opt.SGD, HYPER[opt.SGD]).labels
            != compute.basins(HIMMELBLAU, opt.MOMENTUM, HYPER[opt.MOMENTUM]).labels
        )
    )
    assert f"{moved:.0%} of the starts end somewhere else" in summary
    # Once shown, a new choice redraws without the button; a bad choice says so and changes nothing.
    Context.triggered_id = page.ID.BASIN_CHOICE
    assert page.map_basins(1, "adam", state, "momentum")[-1] == "adam"
    bad = page.map_basins(1, ["adam"], state, "momentum")
    assert bad[4] == "Pick an optimizer to set beside plain SGD." and bad[5] is page.dash.no_update
    assert all(value is page.dash.no_update for value in bad[:4])


def test_a_link_opens_the_maps_and_a_bad_one_is_noted():
    page = page_module()

    def store(layout):
        found = []

        def walk(node):
            if getattr(node, "id", None) == page.ID.BASIN_SHOWN:
                found.append(node.data)
            for child in getattr(node, "children", None) or []:
                if not isinstance(child, str):
                    walk(child)

        walk(layout)
        return found[0]

    assert store(page.layout.__wrapped__(basins="nesterov")) == "nesterov"
    assert store(page.layout.__wrapped__()) is None
    bad = page.layout.__wrapped__(basins="sgd")  # SGD is always the left map, never the compared one
    assert store(bad) is None
    assert "basins" in str(bad.children[0])
