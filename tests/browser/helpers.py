"""What a learner does in the browser, as small helpers for dash_duo tests."""

from __future__ import annotations

import json
import os
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


def click_plot(dash_duo, figure_id, share_x: float, share_y: float) -> tuple[float, float]:
    """Hover, then click, at a spot of a Plotly figure's plotting area, as a mouse would.

    Returns the data coordinates of that spot, read from the figure's own axes. Plotly only reports a
    click on a point it is hovering, so the pointer moves there first.
    """
    plot = dash_duo.find_element(f"{css(figure_id)} .nsewdrag")
    offset = (int(plot.size["width"] * share_x), int(plot.size["height"] * share_y))
    dash_duo.driver.execute_script(
        "window.__hovered = false; document.querySelector(arguments[0] + ' .js-plotly-plot')"
        ".on('plotly_hover', () => { window.__hovered = true; });",
        css(figure_id),
    )
    for nudge in range(20):  # wiggle by a pixel until plotly reports the hover
        ActionChains(dash_duo.driver).move_to_element_with_offset(plot, offset[0] - nudge % 2, offset[1]).perform()
        if dash_duo.driver.execute_script("return window.__hovered"):
            break
        time.sleep(0.1)
    ActionChains(dash_duo.driver).move_to_element_with_offset(plot, *offset).click().perform()
    return dash_duo.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return [gd._fullLayout.xaxis.p2l(arguments[1]), gd._fullLayout.yaxis.p2l(arguments[2])];",
        css(figure_id),
        offset[0],
        offset[1],
    )


def css(component_id) -> str:
    """A CSS selector for a Dash id; dict ids are rendered as compact JSON with sorted keys."""
    if isinstance(component_id, dict):
        return "[id='" + json.dumps(component_id, sort_keys=True, separators=(",", ":")) + "']"
    return f"#{component_id}"


def allow_downloads(dash_duo) -> None:
    """Headless Chromium saves downloads only where it is told to: dash_duo's download folder."""
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dash_duo.download_path}
    )


def downloaded_text(dash_duo, filename: str, timeout: float = 10.0) -> str:
    """The text of a file the page saved, once Chromium has finished writing it."""
    target = os.path.join(dash_duo.download_path, filename)
    wait_until(lambda: os.path.exists(target) and os.path.getsize(target) > 0, timeout=timeout)
    previous = -1
    while os.path.getsize(target) != previous:  # written in one go, but make sure it is complete
        previous = os.path.getsize(target)
        time.sleep(0.1)
    with open(target, encoding="utf-8") as handle:
        return handle.read()


def press_with_keyboard(dash_duo, selector: str) -> bool:
    """Reach a control with Tab, as a keyboard user does, and press Enter; True if it showed a focus ring."""
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script("arguments[0].focus()", element)
    ActionChains(dash_duo.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    ActionChains(dash_duo.driver).send_keys(Keys.TAB).perform()
    wait_until(lambda: dash_duo.driver.execute_script("return document.activeElement === arguments[0]", element))
    ring = dash_duo.driver.execute_script(
        "const e = arguments[0]; const s = getComputedStyle(e);"
        "return e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
        element,
    )
    ActionChains(dash_duo.driver).send_keys(Keys.ENTER).perform()
    return ring
