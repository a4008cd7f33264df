"""/optimizers' basin maps in a real browser: nothing is computed until asked, the button works from the
keyboard, the two maps draw one byte per start, the table's shares are the maps' own cells counted here,
the choice beside SGD redraws the right-hand map, and the link reopens the same maps."""

from __future__ import annotations

import numpy as np
import pytest

from app import ids
from app.compute import basins as compute
from app.main import create_app
from tests.browser.helpers import css, press_with_keyboard, severe_console_errors, wait_until

OP = ids.Optimizers


@pytest.fixture
def himmelblau_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/optimizers")
    wait_until(lambda: "wins" in dash_duo.find_element(f"#{OP.SUMMARY}").text, timeout=30)
    dash_duo.find_element(css({"type": OP.PRESET, "index": "himmelblau"})).click()
    wait_until(lambda: "surface=himmelblau" in dash_duo.driver.current_url)
    return dash_duo


def cells(page, graph_id) -> np.ndarray | None:
    """The map's colour index per start, as plotly.js holds it in the browser."""
    values = page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "if (!gd || !gd._fullData || !gd._fullData.length || !gd._fullData[0].z) return null;"
        "return Array.from(gd._fullData[0].z, row => Array.from(row));",
        f"#{graph_id}",
    )
    return None if values is None else np.array(values)


def title(page, graph_id) -> str:
    return page.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return gd && gd.layout && gd.layout.title ? gd.layout.title.text : '';",
        f"#{graph_id}",
    )


def table_rows(page) -> dict[str, tuple[str, str]]:
    rows = page.find_elements(f"#{OP.BASIN_TABLE} tbody tr")
    found = {}
    for row in rows:
        name = row.find_element("css selector", "th").text.strip()
        sgd, other = (cell.text for cell in row.find_elements("css selector", "td"))
        found[name] = (sgd, other)
    return found


def test_the_maps_wait_for_the_button_then_follow_the_choice_and_the_link(himmelblau_page):
    page = himmelblau_page
    assert cells(page, OP.BASIN_SGD) is None  # opening the page computes no basins
    assert "basins=" not in page.driver.current_url
    assert press_with_keyboard(page, f"#{OP.BASIN_BUTTON}")
    wait_until(lambda: cells(page, OP.BASIN_OTHER) is not None, timeout=30)
    sgd, momentum = cells(page, OP.BASIN_SGD), cells(page, OP.BASIN_OTHER)
    assert sgd.shape == momentum.shape == (compute.GRID, compute.GRID)
    assert title(page, OP.BASIN_OTHER) == "Momentum: where each start ends"
    wait_until(lambda: "basins=momentum" in page.driver.current_url)

    # The table's shares are the maps' own cells, counted here.
    rows = table_rows(page)
    minima = [name for name in rows if name.startswith("minimum")]
    assert [name.split()[1] for name in minima] == ["A", "B", "C", "D"]
    for index, name in enumerate(minima):
        assert rows[name] == (f"{np.mean(sgd == index):.1%}", f"{np.mean(momentum == index):.1%}"), name
    assert np.mean(sgd != momentum) > 0.1  # momentum's basins visibly differ from SGD's
    summary = page.driver.execute_script(f"return document.getElementById('{OP.BASIN_SUMMARY}').textContent")
    assert f"{np.mean(sgd != momentum):.0%} of the starts end somewhere else" in summary

    # Another optimizer beside SGD redraws the right-hand map only.
    page.find_element(f"#{OP.BASIN_CHOICE} input[value=adam]").click()
    wait_until(lambda: title(page, OP.BASIN_OTHER) == "Adam: where each start ends", timeout=30)
    wait_until(lambda: "basins=adam" in page.driver.current_url)
    np.testing.assert_array_equal(cells(page, OP.BASIN_SGD), sgd)

    # The link opens the same two maps.
    adam = cells(page, OP.BASIN_OTHER)
    page.driver.get(page.driver.current_url)
    wait_until(lambda: cells(page, OP.BASIN_OTHER) is not None, timeout=30)
    np.testing.assert_array_equal(cells(page, OP.BASIN_OTHER), adam)
    assert page.find_element(f"#{OP.BASIN_CHOICE} input[value=adam]").is_selected()
    assert severe_console_errors(page) == []
