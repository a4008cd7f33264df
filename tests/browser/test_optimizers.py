"""/optimizers in a real browser: the race opens, plays with no server request, a click on the map sets
the start, contestants switch on and off, bad settings are refused with nothing else changing, a typed
L(x, y) races, and a shared link opens the same race."""

from __future__ import annotations

import pytest

from app import ids
from app.components import optimizers as parts
from app.components.player import figure_id, player_id
from app.compute import optimizers as opt
from app.compute.custom import Window, custom_surface
from app.compute.surfaces import SURFACES
from app.figures.gradient import GRID_POINTS
from app.main import create_app
from tests.browser.helpers import RECORD_REQUESTS, click_plot, css, severe_console_errors, type_into, wait_until

OP, P = ids.Optimizers, ids.Player
SECTION = OP.RACE


def readout(page) -> str:
    return page.find_element(css(player_id(P.READOUT, SECTION))).text


def results(page) -> str:
    return page.find_element(f"#{OP.RESULTS}").text


def click(page, kind):
    page.find_element(css(player_id(kind, SECTION))).click()


def balls(page, view="contour") -> list:
    """Every contestant's ball as drawn in the browser's figure, in race order."""
    return page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd.data.filter(t => t.meta && t.meta.startsWith('ball')).map(t => [t.x[0], t.y[0]]);",
        css(figure_id(SECTION, view)),
    )


def hyper_box(name: str) -> str:
    return css({"type": OP.HYPER, "index": name})


@pytest.fixture
def race_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/optimizers")
    wait_until(lambda: "wins" in page_summary(dash_duo), timeout=30)
    return dash_duo


def page_summary(page) -> str:
    return page.find_element(f"#{OP.SUMMARY}").text


def test_opens_on_the_default_race_and_plays_it_in_the_browser(race_page):
    page = race_page
    race = opt.race(
        opt.RaceSettings("bowl", (4.0, 3.0), 300, tuple((k, opt.hyper_for("bowl")[k]) for k in opt.EVERYONE))
    )
    table = results(page)
    for run in race.runs:
        assert f"Arrived at step {run.arrived_at} " in table
    page.driver.execute_script(RECORD_REQUESTS, "unused")
    click(page, P.RESET)
    wait_until(lambda: readout(page).startswith("step 0:"))
    assert balls(page) == [pytest.approx([4.0, 3.0])] * len(race.runs)
    click(page, P.FORWARD)
    wait_until(lambda: readout(page).startswith("step 1:"))
    assert balls(page) == [pytest.approx(run.positions[1].tolist()) for run in race.runs]
    assert balls(page, "surface") == [pytest.approx(run.positions[1].tolist()) for run in race.runs]
    sgd = race.run(opt.SGD)
    assert f"SGD L = {sgd.losses[1]:.4f}" in readout(page)
    page.find_element(css(player_id(P.SPEED, SECTION))).click()
    page.find_element(".dash-dropdown-option:last-child, [role=option]:last-child").click()
    click(page, P.PLAY)
    last = max(len(run.losses) for run in race.runs) - 1
    wait_until(lambda: readout(page).startswith(f"step {last}:"), timeout=20)
    assert balls(page) == [pytest.approx(run.final_position.tolist()) for run in race.runs]
    assert page.driver.execute_script("return window.__callbackRequests.length") == 0
    assert severe_console_errors(page) == []


def test_a_click_on_the_map_starts_the_race_there(race_page):
    page = race_page
    x, y = click_plot(page, figure_id(SECTION, "contour"), 0.3, 0.7)
    # The contour map reports the grid point under the pointer: within one grid cell of the spot.
    surface = SURFACES["bowl"]
    cell = max(surface.view_x[1] - surface.view_x[0], surface.view_y[1] - surface.view_y[0]) / (GRID_POINTS - 1)

    def start():
        return float(page.find_element(f"#{OP.X0_INPUT}").get_attribute("value")), float(
            page.find_element(f"#{OP.Y0_INPUT}").get_attribute("value")
        )

    wait_until(lambda: start() != (4.0, 3.0))
    assert start() == pytest.approx((x, y), abs=cell)
    click(page, P.RESET)
    wait_until(lambda: readout(page).startswith("step 0:") and balls(page)[0] == pytest.approx(list(start())))
    assert "x0=" in page.driver.current_url
    assert severe_console_errors(page) == []


def test_switching_optimizers_off_and_on(race_page):
    page = race_page
    before = results(page)
    assert "Adam" in before and "RMSprop" in before
    boxes = page.driver.find_elements("css selector", f"#{OP.CONTESTANTS} input[type=checkbox]")
    adam = boxes[opt.EVERYONE.index(opt.ADAM)]
    adam.click()
    wait_until(lambda: "Adam" not in results(page))
    assert len(balls(page)) == len(opt.EVERYONE) - 1
    assert "RMSprop" in results(page)
    adam.click()
    wait_until(lambda: "Adam" in results(page))
    assert len(balls(page)) == len(opt.EVERYONE)
    for box in boxes:  # switching every one off is refused, and the boxes show the race still running
        box.click()
    wait_until(lambda: "at least one optimizer" in page.find_element(f"#{OP.MESSAGE}").text)
    wait_until(lambda: sum(box.is_selected() for box in boxes) == 1)
    wait_until(lambda: "Newton" in results(page) and "SGD" not in results(page))
    assert severe_console_errors(page) == []


@pytest.mark.parametrize(
    ("where", "text", "words"),
    [
        (hyper_box("sgd_lr"), "-1", "greater than 0"),
        (hyper_box("momentum_beta1"), "1", "less than 1"),
        (hyper_box("adam_eps"), "nan", "NaN"),
        (f"#{OP.STEPS_INPUT}", "1e6", "capped at 5,000"),
        (f"#{OP.NOISE_INPUT}", "1e400", "finite"),
    ],
)
def test_bad_input_is_refused_and_nothing_else_changes(race_page, where, text, words):
    page = race_page
    before, url = results(page), page.driver.current_url
    type_into(page, where, text)
    message = f"#{OP.HYPER_MESSAGE}" if "opt-hyper" in where else f"#{OP.MESSAGE}"
    wait_until(lambda: words in page.find_element(message).text)
    assert results(page) == before
    assert page.driver.current_url == url
    assert severe_console_errors(page) == []


def test_an_optimizer_that_diverges_says_so_and_the_others_run_on(race_page):
    page = race_page
    type_into(page, hyper_box("sgd_lr"), "0.4")
    wait_until(lambda: "Diverged at step" in results(page))
    assert results(page).count("Arrived at step") == len(opt.EVERYONE) - 1
    assert severe_console_errors(page) == []


def test_the_shared_link_opens_the_same_race(race_page):
    page = race_page
    page.find_element(f"#{OP.SURFACE} input[value=ravine]").click()
    wait_until(lambda: "ravine" in page.driver.current_url)
    type_into(page, hyper_box("adam_lr"), "0.05")
    wait_until(lambda: "adam_lr=0.05" in page.driver.current_url)
    type_into(page, f"#{OP.NOISE_INPUT}", "0.5")
    wait_until(lambda: "noise=0.5" in page.driver.current_url)
    wait_until(lambda: "0.05" in results(page) and "σ" not in results(page))
    table = results(page)
    page.driver.get(page.driver.current_url)
    wait_until(lambda: results(page) == table, timeout=30)
    assert page.find_element(hyper_box("adam_lr")).get_attribute("value") == "0.05"
    assert page.find_element(f"#{OP.NOISE_INPUT}").get_attribute("value") == "0.5"
    assert severe_console_errors(page) == []


def test_the_noisy_preset_and_momentum_at_its_best(race_page):
    page = race_page
    page.find_element(css({"type": OP.PRESET, "index": "noisy"})).click()
    wait_until(lambda: page.find_element(f"#{OP.NOISE_INPUT}").get_attribute("value") == "2")
    wait_until(lambda: "the noise keeps it moving" in results(page))
    assert "noise=2" in page.driver.current_url
    page.find_element(css({"type": OP.PRESET, "index": "ravine"})).click()
    wait_until(lambda: "κ = λ_max/λ_min = 10" in page.find_element(f"#{OP.THEORY}").text)
    page.find_element(css({"type": OP.PRESET, "index": "best-momentum"})).click()
    # Independently, for x² + 10y² (λ = 2 and 20): η* = 4/(√20 + √2)², β* = ((√10 − 1)/(√10 + 1))².
    lr = 4 / (20**0.5 + 2**0.5) ** 2
    beta = ((10**0.5 - 1) / (10**0.5 + 1)) ** 2
    wait_until(lambda: page.find_element(hyper_box("momentum_lr")).get_attribute("value") == f"{lr:.4g}")
    assert page.find_element(hyper_box("momentum_beta1")).get_attribute("value") == f"{beta:.4g}"
    theory = page.find_element(f"#{OP.THEORY}").text
    wait_until(lambda: f"Momentum with η = {lr:.4g}, β = {beta:.4g}" in page.find_element(f"#{OP.THEORY}").text)
    assert "(κ − 1)/(κ + 1) = 0.8182" in theory
    assert severe_console_errors(page) == []


def test_a_typed_loss_races_a_refused_one_says_where_and_the_link_reopens_it(race_page):
    page = race_page
    type_into(page, f"#{OP.FORMULA}", "(x - 1)^2 + 2*(y + 1)^2")
    # The page's own race, computed here: the typed surface on the bowl's window, from its own start.
    surface = custom_surface("(x - 1)^2 + 2 * (y + 1)^2", Window((-5.0, 5.0), (-4.0, 4.0)))
    hyper = opt.DEFAULT_HYPER
    race = opt.race(opt.RaceSettings(surface, surface.start, 300, tuple((k, hyper[k]) for k in opt.EVERYONE)))
    verdict = parts.summary(race)
    wait_until(lambda: page_summary(page) == verdict, timeout=15)
    table = results(page)
    assert f"Arrived at step {race.run(opt.SGD).arrived_at} " in table
    assert page.find_element(f"#{OP.X0_INPUT}").get_attribute("value") == f"{surface.start[0]:g}"
    assert not any(box.is_selected() for box in page.driver.find_elements("css selector", f"#{OP.SURFACE} input"))
    click(page, P.RESET)
    wait_until(lambda: readout(page).startswith("step 0:"))
    assert balls(page) == [pytest.approx(list(surface.start))] * len(race.runs)

    type_into(page, f"#{OP.FORMULA}", "x + z")
    page.wait_for_contains_text(f"#{OP.FORMULA_MESSAGE}", "Unknown name 'z' (use x, y, pi or e) at column 5")
    type_into(page, f"#{OP.WINDOW_Y_FROM}", "9")
    page.wait_for_contains_text(f"#{OP.WINDOW_MESSAGE}", "greater than")
    assert page_summary(page) == verdict and results(page) == table, "the last good race stays"

    url = wait_until(lambda: "f=" in page.driver.current_url and page.driver.current_url)
    assert "surface=custom" in url and "window=-5,5,-4,4" in url
    page.driver.get(url)
    wait_until(lambda: page_summary(page) == verdict and results(page) == table, timeout=30)
    assert page.find_element(f"#{OP.FORMULA}").get_attribute("value") == "(x - 1)^2 + 2 * (y + 1)^2"
    assert [page.find_element(f"#{box}").get_attribute("value") for box in (OP.WINDOW_X_FROM, OP.WINDOW_Y_TO)] == [
        "-5",
        "4",
    ]
    assert severe_console_errors(page) == []


def test_a_hand_written_link_with_f_opens_that_race(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/optimizers?f=x%5E4%20%2B%202*y%5E2&window=-2,2,-1,3&steps=150")
    surface = custom_surface("x^4 + 2 * y^2", Window((-2.0, 2.0), (-1.0, 3.0)))
    hyper = opt.DEFAULT_HYPER
    race = opt.race(opt.RaceSettings(surface, surface.start, 150, tuple((k, hyper[k]) for k in opt.EVERYONE)))
    wait_until(lambda: page_summary(dash_duo) == parts.summary(race), timeout=30)
    assert dash_duo.find_element(f"#{OP.FORMULA}").get_attribute("value") == "x^4 + 2 * y^2"
    assert "x⁴ + 2y²" in dash_duo.find_element(f"#{OP.MAP_SUMMARY}").get_attribute("textContent")
    assert severe_console_errors(dash_duo) == []


def test_a_link_naming_only_a_surface_opens_that_surfaces_own_race(race_page):
    """Settings a link leaves out are the surface's own suggestions, as choosing the surface sets them:
    ?surface=rosenbrock races with Rosenbrock's small η, and no one diverges. The mirror leaves those
    suggestions out of the link, and keeps a setting that differs from them even when it equals the
    bowl's."""
    page = race_page
    page.driver.get(page.server_url + "/optimizers?surface=rosenbrock")
    suggested = opt.hyper_for("rosenbrock")
    contestants = tuple((k, suggested[k]) for k in opt.EVERYONE)
    race = opt.race(opt.RaceSettings("rosenbrock", SURFACES["rosenbrock"].start, 300, contestants))
    assert not any(run.verdict == "diverged" for run in race.runs)
    wait_until(lambda: page_summary(page) == parts.summary(race), timeout=30)
    assert "Diverged" not in results(page)
    assert page.find_element(hyper_box("sgd_lr")).get_attribute("value") == f"{suggested[opt.SGD].lr:g}"
    # The surface's suggestions stay out of the link; the bowl's Adam η on Rosenbrock goes in.
    assert "sgd_lr" not in page.driver.current_url and "adam_lr" not in page.driver.current_url
    bowl_adam = opt.hyper_for("bowl")[opt.ADAM].lr
    assert bowl_adam != suggested[opt.ADAM].lr
    type_into(page, hyper_box("adam_lr"), f"{bowl_adam:g}")
    wait_until(lambda: f"adam_lr={bowl_adam:g}" in page.driver.current_url)
    wait_until(lambda: f"{bowl_adam:g}" in results(page))
    table = results(page)
    page.driver.get(page.driver.current_url)
    wait_until(lambda: results(page) == table, timeout=30)
    assert page.find_element(hyper_box("adam_lr")).get_attribute("value") == f"{bowl_adam:g}"
    assert severe_console_errors(page) == []
