"""What a learner does in the browser, as small helpers for dash_duo tests."""

from __future__ import annotations

import time

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
