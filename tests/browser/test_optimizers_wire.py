"""/optimizers' race on the wire, read back in a real browser: the player (assets/player.js) decodes the
packed float32 trajectories to exactly the race's values rounded to float32, values beyond float32's range
included, and plotly draws the step-size chart from float32 typed arrays with steps it counts itself."""

from __future__ import annotations

import numpy as np

from app import ids
from app.components.player import figure_id, packed, player_id
from app.compute import optimizers as opt
from app.main import create_app
from tests.browser.helpers import css, severe_console_errors, wait_until

OP, P = ids.Optimizers, ids.Player
SECTION = OP.RACE
# JSON has no NaN or infinity: the browser names them, and so does _as_json.
DECODE = "return Array.from(window.dash_clientside.player.floats(arguments[0]), v => isFinite(v) ? v : String(v));"


def _as_json(values: np.ndarray) -> list:
    """float32 values as the browser returns them: doubles, and NaN and ±inf by their JavaScript names."""
    names = {np.inf: "Infinity", -np.inf: "-Infinity"}
    return ["NaN" if np.isnan(v) else names.get(v, float(v)) for v in values.astype(np.float64)]


def traces(page, view: str, kind: str) -> list:
    """[x, y] of each contestant's trace of this kind (path, ball, line) as the browser's figure holds it."""
    return page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd.data.filter(t => t.meta && t.meta.startsWith(arguments[1] + ':'))"
        "    .map(t => [Array.from(t.x), Array.from(t.y)]);",
        css(figure_id(SECTION, view)),
        kind,
    )


def test_the_player_decodes_the_race_exactly_and_the_step_chart_draws(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/optimizers")
    page = dash_duo
    wait_until(lambda: "wins" in page.find_element(f"#{OP.SUMMARY}").text, timeout=30)
    page.find_element(css({"type": OP.PRESET, "index": "rosenbrock"})).click()
    wait_until(lambda: "2000 steps" in page.find_element(f"#{OP.SUMMARY}").text, timeout=30)
    race = opt.race(opt.suggested_settings("rosenbrock", 2000))

    # Values beyond float32's range, decoded by the browser's own code: clipped, never 0 or inf by accident.
    edges = np.array([1e300, 1e-60, -1e-60, 0.0, np.inf, -np.inf, np.nan, 0.1, 4.0, -2.5])
    expected = np.array(
        [(2 - 2.0**-23) * 2.0**127, 2.0**-126, -(2.0**-126), 0.0, np.inf, -np.inf, np.nan, np.float32(0.1), 4, -2.5]
    )
    assert page.driver.execute_script(DECODE, packed(edges)) == _as_json(expected)

    # A new race is shown whole: every trail and every loss curve is the whole run, exactly float32 of the
    # race's float64 values.
    last = max(len(run.losses) for run in race.runs) - 1
    wait_until(lambda: page.find_element(css(player_id(P.READOUT, SECTION))).text.startswith(f"step {last}:"))
    trails = traces(page, "contour", "path")
    curves = traces(page, "loss", "line")
    for (x, y), (steps, loss), run in zip(trails, curves, race.runs, strict=True):
        assert x == _as_json(run.positions[:, 0].astype(np.float32))
        assert y == _as_json(run.positions[:, 1].astype(np.float32))
        assert loss == _as_json(run.losses.astype(np.float32)) and steps == list(range(len(run.losses)))

    # What is drawn at step 1: every ball at exactly float32 of the race's position.
    page.find_element(css(player_id(P.RESET, SECTION))).click()
    wait_until(lambda: page.find_element(css(player_id(P.READOUT, SECTION))).text.startswith("step 0:"))
    page.find_element(css(player_id(P.FORWARD, SECTION))).click()
    wait_until(lambda: page.find_element(css(player_id(P.READOUT, SECTION))).text.startswith("step 1:"))
    assert traces(page, "contour", "ball") == [
        [[float(np.float32(x))], [float(np.float32(y))]] for x, y in (run.positions[1] for run in race.runs)
    ]

    # The step-size chart: plotly numbers the steps from x0 = 1, dx = 1, and reads the float32 moves.
    drawn = page.driver.execute_script(
        "const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return gd.calcdata.map(trace => [trace.length, trace[0].x, trace[trace.length - 1].x]);",
        OP.ADAM_RATES,
    )
    sgd, adam = race.run(opt.SGD), race.run(opt.ADAM)
    assert drawn == [[len(run.positions) - 1, 1, len(run.positions) - 1] for run in (sgd, sgd, adam, adam)]
    assert severe_console_errors(page) == []
