"""What a learner does in the browser, as small helpers for dash_duo tests."""

from __future__ import annotations

import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

# Counts callback requests from the page's own fetches (Dash posts every callback with fetch).
RECORD_REQUESTS = """
window.__callbackRequests = [];
const readH = () => (document.getElementById(arguments[0]) || {}).textContent;
const originalFetch = window.fetch;
window.fetch = function (resource, init) {
    const url = String((resource && resource.url) || resource);
    if (url.indexOf('_dash-update-component') >= 0) {
        window.__callbackRequests.push({h: readH(), t: performance.now()});
    }
    return originalFetch.apply(this, arguments);
};
"""


def type_into(dash_duo, selector: str, text: str) -> None:
    """Select what is in a text box, type over it and press Enter, as a learner would."""
    box = dash_duo.find_element(selector)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text, Keys.ENTER)


def text_of(dash_duo, selector: str) -> str:
    return dash_duo.find_element(selector).text


def wait_until(condition, timeout: float = 8.0, interval: float = 0.05):
    """Poll until condition() is truthy; return its value, or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def severe_console_errors(dash_duo) -> list:
    return [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]


def click_plot(dash_duo, figure_id: str, share_x: float, share_y: float) -> tuple[float, float]:
    """Hover, then click, at a spot of a Plotly figure's plotting area, as a mouse would.

    Returns the data coordinates of that spot, read from the figure's own axes. Plotly only reports a
    click on a point it is hovering, so the pointer moves there first.
    """
    plot = dash_duo.find_element(f"#{figure_id} .nsewdrag")
    offset = (int(plot.size["width"] * share_x), int(plot.size["height"] * share_y))
    ActionChains(dash_duo.driver).move_to_element_with_offset(plot, offset[0] - 1, offset[1] - 1).perform()
    ActionChains(dash_duo.driver).move_by_offset(1, 1).perform()
    wait_until(
        lambda: dash_duo.driver.execute_script(
            "return !!document.querySelector(arguments[0] + ' .js-plotly-plot')._hoverdata", f"#{figure_id}"
        )
    )
    ActionChains(dash_duo.driver).click().perform()
    return dash_duo.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return [gd._fullLayout.xaxis.p2l(arguments[1]), gd._fullLayout.yaxis.p2l(arguments[2])];",
        f"#{figure_id}",
        offset[0],
        offset[1],
    )
