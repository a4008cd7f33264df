"""/gradient in a real browser: click the map, switch surfaces, turn the direction, make mistakes."""

from __future__ import annotations

import math

import pytest
from selenium.webdriver.common.keys import Keys

from app import ids
from app.compute.surfaces import SURFACES
from app.main import create_app
from tests.browser.helpers import click_plot, severe_console_errors, text_of, type_into, wait_until

G = ids.Gradient


def bowl(x, y):
    return x * x + 3 * y * y, (2 * x, 6 * y)


def plot_js(dash_duo, figure_id: str, expression: str):
    return dash_duo.driver.execute_script(
        f"const gd = document.querySelector('#{figure_id} .js-plotly-plot'); return {expression};"
    )


@pytest.fixture
def gradient_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/gradient")
    dash_duo.wait_for_text_to_equal(f"#{G.READ_F}", f"{bowl(2, 1)[0]:.4f}", timeout=15)
    for figure in (G.CONTOUR, G.SURFACE_3D, G.DIRECTIONAL):
        dash_duo.wait_for_element(f"#{figure} .js-plotly-plot .main-svg", timeout=15)
    return dash_duo


def test_opens_on_the_chapters_numbers(gradient_page):
    page = gradient_page
    f, (dx, dy) = bowl(2.0, 1.0)
    assert text_of(page, f"#{G.READ_DX}") == f"{dx:.4f}" and text_of(page, f"#{G.READ_DY}") == f"{dy:.4f}"
    assert text_of(page, f"#{G.READ_NORM}") == f"{math.hypot(dx, dy):.4f}"
    assert text_of(page, f"#{G.READ_ANGLE}") == "90.000°"
    table = text_of(page, f"#{G.VERIFY_TABLE}")
    assert table.count(f"{dx:.6f}") == 3 and table.count(f"{dy:.6f}") == 3, "closed form, difference, autograd"
    assert severe_console_errors(page) == []


def test_a_click_on_the_map_moves_the_point_everywhere(gradient_page):
    page = gradient_page
    expected = click_plot(page, G.CONTOUR, 0.3, 0.7)
    wait_until(lambda: page.find_element(f"#{G.X_INPUT}").get_attribute("value") != "2")
    x = float(page.find_element(f"#{G.X_INPUT}").get_attribute("value"))
    y = float(page.find_element(f"#{G.Y_INPUT}").get_attribute("value"))
    # The contour's hover snaps to its grid: within one grid cell of where the click landed.
    assert x == pytest.approx(expected[0], abs=0.11) and y == pytest.approx(expected[1], abs=0.11)
    f, (dx, dy) = bowl(x, y)
    page.wait_for_text_to_equal(f"#{G.READ_F}", f"{f:.4f}")
    assert text_of(page, f"#{G.READ_DX}") == f"{dx:.4f}" and text_of(page, f"#{G.READ_DY}") == f"{dy:.4f}"
    wait_until(lambda: plot_js(page, G.SURFACE_3D, "gd.data[1].x[0]") == pytest.approx(x))
    assert plot_js(page, G.SURFACE_3D, "gd.data[1].z[0]") == pytest.approx(f)
    assert plot_js(page, G.CONTOUR, "gd.data[3].x[0]") == pytest.approx(x)
    assert severe_console_errors(page) == []


def test_switching_surfaces(gradient_page):
    page = gradient_page
    page.find_element(f"#{G.SURFACE} input[value=rosenbrock]").click()
    # Rosenbrock's example point (-1, 1): f = (1 − x)² + 100(y − x²)², ∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²)).
    x, y = -1.0, 1.0
    page.wait_for_text_to_equal(f"#{G.READ_F}", f"{(1 - x) ** 2 + 100 * (y - x * x) ** 2:.4f}")
    assert text_of(page, f"#{G.READ_DX}") == f"{-2 * (1 - x) - 400 * x * (y - x * x):.4f}"
    assert "banana" in text_of(page, f"#{G.DESCRIPTION}")
    assert "Rosenbrock" in plot_js(page, G.CONTOUR, "gd.layout.title.text")
    # The map's frame follows the new surface (plotly.js kept the old one's; assets/presenter.js).
    rosenbrock = SURFACES["rosenbrock"]
    wait_until(
        lambda: (
            plot_js(page, G.CONTOUR, "[gd._fullLayout.xaxis.range, gd._fullLayout.yaxis.range]")
            == [list(rosenbrock.view_x), list(rosenbrock.view_y)]
        )
    )
    page.find_element(f"#{G.SURFACE} input[value=saddle]").click()
    page.wait_for_text_to_equal(f"#{G.READ_DY}", f"{-2 * 0.5:.4f}")
    assert severe_console_errors(page) == []


def test_direction_control_from_input_and_keyboard(gradient_page):
    page = gradient_page
    type_into(page, f"#{G.ANGLE_INPUT}", "90")
    page.wait_for_text_to_equal(f"#{G.READ_DIRECTIONAL}", f"{6.0:.4f}")
    handle = page.find_element(f"#{G.ANGLE_SLIDER} [role=slider]")
    handle.click()
    handle.send_keys(Keys.ARROW_RIGHT)
    wait_until(lambda: page.find_element(f"#{G.ANGLE_INPUT}").get_attribute("value") == "91")
    expected = 4 * math.cos(math.radians(91)) + 6 * math.sin(math.radians(91))
    page.wait_for_text_to_equal(f"#{G.READ_DIRECTIONAL}", f"{expected:.4f}")
    u_marker = plot_js(page, G.DIRECTIONAL, "gd.data[3].x[0]")
    assert u_marker == 91
    assert severe_console_errors(page) == []


def test_descent_arrow_toggle(gradient_page):
    page = gradient_page
    count = plot_js(page, G.CONTOUR, "gd.layout.annotations.length")
    page.find_element(f"#{G.SHOW_DESCENT} input").click()
    wait_until(lambda: plot_js(page, G.CONTOUR, "gd.layout.annotations.length") == count + 2)
    assert "−∇f" in plot_js(page, G.CONTOUR, "gd.layout.annotations.map(a => a.text).join(' ')")


def test_bad_input_shows_a_message_and_keeps_the_view(gradient_page):
    page = gradient_page
    for box, typed, fragment in (
        (G.X_INPUT, "abc", "not a number"),
        (G.Y_INPUT, "nan", "NaN"),
        (G.X_INPUT, "100", "outside the map"),
        (G.Y_INPUT, "-inf", "finite"),
    ):
        type_into(page, f"#{box}", typed)
        page.wait_for_contains_text(f"#{G.POINT_MESSAGE}", fragment)
        assert text_of(page, f"#{G.READ_F}") == f"{7.0:.4f}", "the last good view stays"
        type_into(page, f"#{box}", "2" if box == G.X_INPUT else "1")
        wait_until(lambda: text_of(page, f"#{G.POINT_MESSAGE}") == "")
    type_into(page, f"#{G.ANGLE_INPUT}", "400")
    page.wait_for_contains_text(f"#{G.ANGLE_MESSAGE}", "between 0 and 360")
    type_into(page, f"#{G.X_INPUT}", "-3")
    page.wait_for_text_to_equal(f"#{G.READ_F}", f"{bowl(-3, 1)[0]:.4f}")
    assert severe_console_errors(page) == []


def test_a_typed_function_a_refused_one_a_bad_window_and_the_link(gradient_page):
    page = gradient_page
    # x² + y² on the bowl's window is the round preset: its radio lights up, and ∇f = (2x, 2y).
    type_into(page, f"#{G.FORMULA}", "x^2 + y^2")
    page.wait_for_text_to_equal(f"#{G.READ_F}", f"{2.0**2 + 1.0**2:.4f}")
    assert text_of(page, f"#{G.READ_DX}") == f"{2 * 2.0:.4f}" and text_of(page, f"#{G.READ_DY}") == f"{2 * 1.0:.4f}"
    assert page.find_element(f"#{G.SURFACE} input[value=round]").is_selected()
    # A formula no preset has: ∂/∂x (x·y² + sin x) = y² + cos x, ∂/∂y = 2xy.
    type_into(page, f"#{G.FORMULA}", "x*y^2 + sin(x)")
    x, y = 2.0, 1.0
    page.wait_for_text_to_equal(f"#{G.READ_F}", f"{x * y * y + math.sin(x):.4f}")
    assert text_of(page, f"#{G.READ_DX}") == f"{y * y + math.cos(x):.4f}"
    assert text_of(page, f"#{G.READ_DY}") == f"{2 * x * y:.4f}"
    assert not any(box.is_selected() for box in page.find_elements(f"#{G.SURFACE} input"))
    table = text_of(page, f"#{G.VERIFY_TABLE}")
    assert table.count(f"{y * y + math.cos(x):.6f}") == 3, "closed form, difference, autograd"
    title = plot_js(page, G.CONTOUR, "gd.layout.title.text")
    # A refused text says where, and the view stays.
    type_into(page, f"#{G.FORMULA}", "x + z")
    page.wait_for_contains_text(f"#{G.FORMULA_MESSAGE}", "Unknown name 'z'")
    assert "column" in text_of(page, f"#{G.FORMULA_MESSAGE}")
    assert text_of(page, f"#{G.READ_F}") == f"{x * y * y + math.sin(x):.4f}"
    assert plot_js(page, G.CONTOUR, "gd.layout.title.text") == title
    type_into(page, f"#{G.FORMULA}", "x*y^2 + sin(x)")
    wait_until(lambda: text_of(page, f"#{G.FORMULA_MESSAGE}") == "")
    # A window whose right edge is left of its left edge is refused beside the boxes.
    type_into(page, f"#{G.WINDOW_X_TO}", "-9")
    page.wait_for_contains_text(f"#{G.WINDOW_MESSAGE}", "greater than")
    type_into(page, f"#{G.WINDOW_X_TO}", "3")
    wait_until(lambda: text_of(page, f"#{G.WINDOW_MESSAGE}") == "")
    # The map is drawn on the new window: its grid now ends at x = 3.
    wait_until(lambda: plot_js(page, G.CONTOUR, "gd._fullData[0].x[gd._fullData[0].x.length - 1]") == 3)
    # The link carries the formula and the window; opening it shows the same view.
    url = wait_until(lambda: "window=" in page.driver.current_url and page.driver.current_url)
    assert "f=" in url
    page.driver.get(url)
    page.wait_for_text_to_equal(f"#{G.READ_F}", f"{x * y * y + math.sin(x):.4f}", timeout=15)
    assert page.find_element(f"#{G.FORMULA}").get_attribute("value") == "x * y^2 + sin(x)"
    assert page.find_element(f"#{G.WINDOW_X_TO}").get_attribute("value") == "3"
    assert severe_console_errors(page) == []
