"""/optimizers' pieces: the numbers the table, verdicts, theory, CSV and code panel show, each against an
independent computation, and the link's round trip and refusals."""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import subprocess
import sys
from functools import cache

import numpy as np
import pytest

from app import codegen
from app.components import optimizers as parts
from app.components.downloads import csv_text
from app.components.player import packed, unpacked
from app.compute import optimizers as opt
from app.compute.surfaces import SURFACES
from app.figures.style import untyped


@cache
def page():
    """The page module: it registers itself, so it can only be imported once an app exists."""
    from app.main import create_app
    from tests.dash_client import DashClient

    DashClient(create_app())  # the first request finishes the app's setup, as every test's app gets
    return sys.modules["pages.optimizers"]  # Dash imported it under this name


def default_race():
    state, _ = page().read_state(page().DEFAULT_STATE)
    return opt.race(page().race_settings(state))


def _text(component) -> str:
    """All the text in a Dash component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _text(children)


def first_arrival_on_bowl(lr: float) -> int:
    """Independently: plain GD on x² + 3y² from (4, 3) is x_k = 4(1 − 2η)^k, y_k = 3(1 − 6η)^k."""
    for k in range(10_000):
        x, y = 4 * (1 - 2 * lr) ** k, 3 * (1 - 6 * lr) ** k
        if math.hypot(2 * x, 6 * y) < opt.TOLERANCE:
            return k
    raise AssertionError


def test_the_page_opens_on_the_race_warm_up_memoises():
    assert page().race_settings(page().read_state(page().DEFAULT_STATE)[0]) == opt.suggested_settings("bowl", 300)


def test_the_results_table_shows_the_race_in_order():
    race = default_race()
    table = parts.results_table(race, SURFACES["bowl"])
    rows = [_text(row.children) for row in table.children[1].children]
    sgd_row = next(row for row in rows if row.split()[1] == "SGD")
    assert f" {first_arrival_on_bowl(0.05)} " in sgd_row
    assert "(0.0000, 0.0000)" in sgd_row
    arrivals = [int(re.search(r"Arrived at step (\d+)", row).group(1)) for row in rows[:-1]]
    assert arrivals == sorted(arrivals)  # best first
    assert rows[-1].split()[1] == "Newton" and "Arrived at step 1 " in rows[-1]  # a quadratic: one Newton step
    summary = parts.summary(race)
    assert summary.startswith(
        f"{parts.NAMES[parts.ranking(race)[0].key]} wins: it arrived first, at step {arrivals[0]}."
    )


def test_a_diverging_optimizer_gets_its_step_and_the_rest_race_on():
    state, _ = page().read_state(page().DEFAULT_STATE | {"sgd_lr": 0.4})
    race = opt.race(page().race_settings(state))
    sgd = race.run(opt.SGD)
    # Independently: y_k = 3(−1.4)^k; the run stops at the first k whose loss x² + 3y² passes 1e8.
    k = next(k for k in range(200) if (4 * 0.2**k) ** 2 + 3 * (3 * (-1.4) ** k) ** 2 > 1e8)
    assert parts.verdict(sgd, SURFACES["bowl"], 0.0).startswith(f"Diverged at step {k}:")
    assert all(run.verdict == "converged" for run in race.runs if run.key != opt.SGD)


def test_the_theory_numbers_come_from_the_hessian():
    race = default_race()
    text = " ".join(_text(p.children) for p in parts.theory(race, SURFACES["bowl"]))
    kappa = 6 / 2
    assert f"κ = λ_max/λ_min = {kappa:.4g}" in text
    assert f"{(kappa - 1) / (kappa + 1):.4f} per step" in text
    assert f"{4 / (math.sqrt(6) + math.sqrt(2)) ** 2:.4g}" in text
    # Momentum η = 0.05, β = 0.8 on eigenvalue 2: r² − (1.8 − 0.1)r + 0.8 = 0 has complex roots, |r| = √0.8.
    assert f"factor of {math.sqrt(0.8):.4f} per step" in text
    assert "negative eigenvalue" in _text(parts.theory(race, SURFACES["saddle"])[0].children)


def test_the_csv_holds_every_step_of_every_optimizer_bit_for_bit():
    race = default_race()
    rows = list(csv.reader(io.StringIO(csv_text(parts.CSV_HEADER, parts.csv_rows(race)))))
    assert tuple(rows[0]) == parts.CSV_HEADER
    assert len(rows) - 1 == sum(len(run.positions) for run in race.runs)
    for run in race.runs:
        mine = [row for row in rows[1:] if row[0] == run.key]
        assert [int(row[1]) for row in mine] == list(range(len(run.positions)))
        np.testing.assert_array_equal(np.array([[float(v) for v in row[2:4]] for row in mine]), run.positions)
        np.testing.assert_array_equal(np.array([float(row[4]) for row in mine]), run.losses)


def test_the_player_payload_is_the_runs_and_their_longest_length():
    race = default_race()
    payload = parts.player_payload(race)
    assert payload["last"] == max(len(run.losses) for run in race.runs) - 1
    assert payload["log_axis"] is True
    for sent, run in zip(payload["runs"], race.runs, strict=True):
        # Only drawn, so float32: exactly the race's values rounded to float32 (all in float32's range here).
        for name, values in (("x", run.positions[:, 0]), ("y", run.positions[:, 1]), ("loss", run.losses)):
            got = unpacked(sent[name])
            assert got.dtype == np.float32
            np.testing.assert_array_equal(got.view(np.uint32), values.astype(np.float32).view(np.uint32))


def test_the_csv_keeps_float64_where_the_player_gets_float32():
    race = opt.race(opt.suggested_settings("rosenbrock", 2000))
    payload = parts.player_payload(race)
    rows = list(parts.csv_rows(race))
    for sent, run in zip(payload["runs"], race.runs, strict=True):
        mine = np.array([row[2:5] for row in rows if row[0] == run.key])
        np.testing.assert_array_equal(mine, np.column_stack([run.positions, run.losses]))  # the race's float64
        drawn = np.column_stack([unpacked(sent[name]) for name in ("x", "y", "loss")])
        # float32 is within half a unit in its 24th bit of every value: rounding, nothing more.
        np.testing.assert_allclose(drawn, mine, rtol=2.0**-24, atol=0)
        assert (drawn != mine).any()  # and the CSV really is finer than what is drawn


def test_floats_beyond_float32s_range_still_draw_on_a_log_axis():
    # Written out from IEEE 754 single precision: the largest finite value and the smallest normal one.
    largest, smallest = (2 - 2.0**-23) * 2.0**127, 2.0**-126
    values = np.array([1e300, 1e-60, -1e-60, -1e300, 0.0, np.inf, -np.inf, np.nan, 0.1, 1e-40])
    got = unpacked(packed(values))
    assert got.dtype == np.float32
    expected = [largest, smallest, -smallest, -largest, 0.0, np.inf, -np.inf, np.nan, np.float32(0.1), smallest]
    np.testing.assert_array_equal(got.astype(np.float64), np.array(expected, dtype=np.float64))
    # A positive finite loss stays positive and finite (a log axis draws it); 0, inf and NaN stay gaps, as before.
    positive = np.isfinite(values) & (values > 0)
    assert (got[positive] > 0).all() and np.isfinite(got[positive]).all()
    assert got[4] == 0 and np.isnan(got[7]) and np.isinf(got[5:7]).all()


def test_the_race_answer_is_under_150_kb_on_the_wire():
    """Issue 24: a new η on the 2,000-step Rosenbrock race of seven (its figures drawn) costs at most 150 KB
    compressed as flask-compress sends it at the app's levels. bench/race_bytes.py measures the real answer."""
    import brotli
    from backports import zstd
    from dash import no_update

    from app.serialisation import to_json

    state, _ = page().read_state(page().PRESETS["rosenbrock"][1])
    answer = page().run_race(state, {"surface": "rosenbrock", "keys": list(opt.EVERYONE)})
    sent = [value for value in answer if value is not no_update]
    assert len(sent) == len(answer) - 3  # the map, the 3-D view and the loss chart are already drawn
    body = to_json(sent).encode()
    for name, size in (
        ("zstd", len(zstd.compress(body, 1))),
        ("br", len(brotli.compress(body, quality=1))),
        ("gzip", len(gzip.compress(body, compresslevel=1))),
    ):
        assert size < 150_000, (name, size)


@pytest.mark.parametrize(
    ("surface", "steps", "noise"), [("bowl", 300, 0.0), ("rosenbrock", 2000, 0.0), ("bowl", 300, 2.0)]
)
def test_the_generated_code_reproduces_the_race(surface, steps, noise, tmp_path):
    hyper = opt.hyper_for(surface)
    settings = opt.RaceSettings(
        surface, SURFACES[surface].start, steps, tuple((k, hyper[k]) for k in opt.EVERYONE), noise
    )
    code = codegen.optimizers_code(SURFACES[surface], settings)
    path = tmp_path / code.filename
    path.write_text(code.source)
    printed = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    race = opt.race(settings)
    for run in race.runs:
        line = next(line for line in printed.splitlines() if line.startswith(f"{run.key}:"))
        x, y = run.final_position
        if run.arrived_at is not None:
            assert f"arrived at step {run.arrived_at} at ({x:.4f}, {y:.4f})" in line
        elif run.verdict == "diverged":
            assert f"diverged at step {run.stopped_at}" in line
        else:
            assert f"after {steps} steps at ({x:.4f}, {y:.4f}), L = {run.final_loss:.3e}" in line


def test_a_link_round_trips_and_bad_values_are_noted():
    module = page()
    state = module.DEFAULT_STATE | {"surface": "ravine", "x0": -3.0, "y0": 1.0, "steps": 77, "noise": 0.5}
    state |= {"on": "sgd,adam,newton", "adam_lr": 0.03, "momentum_beta1": 0.95, "rmsprop_eps": 1e-6}
    # A preset's formula and window are empty, and its link leaves them out (typed links: test_optimizers_formula.py).
    query = {key: str(value) for key, value in state.items() if key not in ("formula", "window")}
    read, step, speed, notes = module.state_from_query(query | {"step": "5"})
    assert notes == [] and step == 5 and read == module.read_state(state)[0]
    bad = {"sgd_lr": "-1", "adam_beta1": "1", "steps": "1e6", "noise": "nan", "on": "sgd,bogus"}
    read, _, _, notes = module.state_from_query(bad)
    assert read == module.DEFAULT_STATE
    assert len(notes) == len(bad)
    assert any("greater than 0" in note for note in notes)
    assert any("must be less than 1" in note for note in notes)
    assert any("between 1 and 5000" in note for note in notes)


def _mirrored(module, state: dict) -> dict:
    """The query assets/share.js writes for a race's state: each value of the state store, left out where
    it equals its default, which for a setting is the default its surface picks (Mirror.default_by)."""
    query = {}
    for mirror in module.URL_MIRRORS:
        if mirror.component != module.ID.STATE:
            continue
        value = state[mirror.field]
        default = mirror.default
        if mirror.default_by is not None:
            default = mirror.defaults.get(state[mirror.default_by], mirror.default)
        if value != default:
            query[mirror.key] = repr(value) if isinstance(value, float) else str(value)
    return query


@pytest.mark.parametrize("surface", ["bowl", "ravine", "round", "saddle", "rosenbrock", "himmelblau"])
def test_a_link_naming_only_a_surface_races_with_that_surfaces_suggestions(surface):
    module = page()
    read, _, _, notes = module.state_from_query({"surface": surface})
    assert notes == []
    for key in opt.CONTESTANTS:
        for field in opt.USES[key]:
            assert read[f"{key}_{field}"] == getattr(opt.hyper_for(surface)[key], field), (key, field)
    if surface != "saddle":  # a saddle has no minimum: leaving along its downhill axis is the lesson there
        race = opt.race(module.race_settings(read))
        assert not any(run.verdict == "diverged" for run in race.runs), "the suggestions keep every contestant in"


@pytest.mark.parametrize("surface", ["bowl", "ravine", "rosenbrock", "himmelblau"])
def test_the_mirrors_link_round_trips_on_every_surface(surface):
    """Settings at the surface's suggestion leave the link; one set to the bowl's value (not this surface's
    suggestion) stays in it, and the link reads back as the same race."""
    module = page()
    state = module.DEFAULT_STATE | module._hyper_fields(surface) | {"surface": surface}
    state["x0"], state["y0"] = SURFACES[surface].start
    state["sgd_lr"] = 0.0123
    state["adam_lr"] = module.DEFAULT_STATE["adam_lr"]
    query = _mirrored(module, state)
    assert query["sgd_lr"] == "0.0123"
    assert ("adam_lr" in query) == (module.DEFAULT_STATE["adam_lr"] != opt.hyper_for(surface)[opt.ADAM].lr)
    assert "momentum_lr" not in query, "a suggestion leaves the link"
    read, _, _, notes = module.state_from_query(query)
    assert notes == [] and read == module.read_state(state)[0]


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("sgd_lr", "0", "greater than 0"),
        ("sgd_lr", "-0.1", "greater than 0"),
        ("adam_beta1", "1", "less than 1"),
        ("momentum_beta1", "1.5", "between 0 and 1"),
        ("adam_eps", "nan", "NaN"),
        ("rmsprop_lr", "1e400", "finite"),
        ("adagrad_lr", "abc", "not a number"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(name, text, words):
    value, message = page()._read_hyper(name, text)
    assert value is None and words in message


def test_momentum_at_its_best_beats_plain_gd_as_the_theory_says():
    """The preset's (η*, β*) on the ravine x² + 10y² (κ = 10): momentum's measured factor per step is near
    (√κ − 1)/(√κ + 1), far below plain GD's best (κ − 1)/(κ + 1)."""
    lr, beta = page().best_momentum(SURFACES["ravine"])
    assert lr == pytest.approx(4 / (math.sqrt(20) + math.sqrt(2)) ** 2, rel=1e-3)
    assert beta == pytest.approx(((math.sqrt(10) - 1) / (math.sqrt(10) + 1)) ** 2, rel=1e-3)
    race = opt.race(opt.RaceSettings("ravine", (4.0, 1.5), 300, ((opt.MOMENTUM, opt.Hyper(lr, beta1=beta)),)))
    measured = opt.measured_rate(race.run(opt.MOMENTUM), tail=10)
    assert measured < (10 - 1) / (10 + 1)
    # At β* both eigen-directions have a double root: the factor is √β*, up to a polynomial factor k·r^k.
    assert measured == pytest.approx(math.sqrt(beta), rel=0.1)
    assert page().best_momentum(SURFACES["rosenbrock"]) is None
    assert page().best_momentum(SURFACES["saddle"]) is None


def test_the_map_in_words_names_every_end_point():
    race = default_race()
    text = parts.map_summary(race, SURFACES["bowl"])
    assert text.startswith("Contour map of L = x² + 3y². Every optimizer starts at (4, 3).")
    for run in race.runs:
        x, y = run.final_position
        assert f"{parts.NAMES[run.key]} ends at ({x:.4f}, {y:.4f})".replace("-0.0000", "0.0000") in text


def test_the_step_size_chart_shows_each_coordinates_moves():
    from app.figures import optimizers as figures

    race = opt.race(opt.suggested_settings("ravine", 300))
    sgd, adam = race.run(opt.SGD), race.run(opt.ADAM)
    traces = untyped(figures.step_size_figure([sgd, adam])["data"])
    assert [t["name"] for t in traces] == ["SGD, x", "SGD, y", "Adam, x", "Adam, y"]
    # Independently: SGD with η = 0.05 on x² + 10y² moves y by 1 − 20η = 0, all the way, in its first step,
    # and then y stays at 0 (no moves left to draw); x moves by 0.1·x_k = 0.4·0.9^k.
    sgd_x, sgd_y = np.asarray(traces[0]["y"]), np.asarray(traces[1]["y"])
    # Drawn as float32: within float32's rounding (half a unit in the 24th bit) of the exact moves.
    assert all(np.asarray(t["y"]).dtype == np.float32 for t in traces)
    np.testing.assert_allclose(sgd_x, [0.4 * 0.9**k for k in range(len(sgd_x))], rtol=2.0**-24)
    assert sgd_y[0] == 1.5 and np.isnan(sgd_y[1:]).all()
    # Step k's move is drawn at x = k, counted by plotly from x0 and dx: no step numbers are sent.
    assert all((t["x0"], t["dx"]) == (1, 1) and "x" not in t for t in traces)
    for trace in traces:
        shown = np.asarray(trace["y"])
        assert not (shown[np.isfinite(shown)] < figures.SMALLEST_MOVE).any()
