"""Every page loads cleanly, the nav works, and nothing is fetched from another host."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app import ids
from app.main import create_app
from tests.browser.helpers import severe_console_errors, text_of, wait_until
from tests.conftest import chromium_options


@pytest.mark.parametrize(
    ("path", "expected_heading"),
    [("/", "How neural networks learn"), ("/derivative", "The derivative"), ("/no-such-page", "doesn’t exist")],
)
def test_every_page_loads_without_console_errors(dash_duo, path, expected_heading):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + path)
    dash_duo.wait_for_contains_text("h1", expected_heading, timeout=10)
    nav_links = [a.text for a in dash_duo.find_elements(f"#{ids.Shell.NAV} a")]
    assert nav_links[:2] == ["Home", "Derivative"], "the nav is on every page, in teaching order"
    expected_active = {"/": ["Home"], "/derivative": ["Derivative"]}.get(path, [])
    wait_until(lambda: [a.text for a in dash_duo.find_elements(f"#{ids.Shell.NAV} a.active")] == expected_active)
    assert severe_console_errors(dash_duo) == []


def test_home_card_leads_to_the_derivative_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_element(".card")
    dash_duo.find_element(".card").click()
    dash_duo.wait_for_contains_text("h1", "The derivative", timeout=10)
    assert dash_duo.driver.current_url.endswith("/derivative")
    assert severe_console_errors(dash_duo) == []


def test_keys_typed_on_a_busy_page_stay_in_order(dash_duo):
    """A phone drawing a figure runs its timers late, behind the learner's keys. Dash's text box put the
    caret back from such a timer after every key, so later keys landed mid-text ("-1.25" became "-.521")."""
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/autograd")
    dash_duo.wait_for_text_to_equal(f"#{ids.Autograd.READ_XGRAD}", f"{2 * 2.0:.4f}", timeout=15)
    box = dash_duo.find_element(f"#{ids.Autograd.X_INPUT}")
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    dash_duo.driver.execute_script(
        "const onTime = window.setTimeout;"
        "window.setTimeout = function (run, delay) { return onTime(run, (delay || 0) + 30); };"
    )
    keys = ActionChains(dash_duo.driver)
    for key in "-1.25":
        keys.send_keys(key).pause(0.02)  # a key every 20 ms: each timer runs after the next key
    keys.send_keys(Keys.ENTER).perform()
    dash_duo.wait_for_text_to_equal(f"#{ids.Autograd.READ_XGRAD}", f"{2 * -1.25:.4f}")
    assert box.get_attribute("value") == "-1.25"
    box.send_keys(Keys.HOME, Keys.RIGHT, "0")  # the caret still goes where the learner puts it
    assert box.get_attribute("value") == "-01.25"
    assert text_of(dash_duo, f"#{ids.Autograd.READ_XGRAD}") == f"{2 * -1.25:.4f}", "no commit before Enter"
    assert severe_console_errors(dash_duo) == []


def test_pages_fetch_nothing_from_another_host(dash_thread_server):
    """The offline check: every request a page makes, from Chromium's own network log."""
    dash_thread_server(create_app())
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    try:
        requested = []
        # Each page with something that shows it has fully rendered: the home page's cards, and a
        # figure plotly.js has drawn on /derivative.
        for path, rendered in (("/", ".card"), ("/derivative", ".js-plotly-plot .main-svg")):
            driver.get(dash_thread_server.url + path)
            wait_until(lambda selector=rendered: driver.find_elements("css selector", selector), timeout=15)
            for entry in driver.get_log("performance"):
                message = json.loads(entry["message"])["message"]
                if message["method"] == "Network.requestWillBeSent":
                    requested.append(message["params"]["request"]["url"])
        hosts = {urlparse(url).hostname for url in requested if urlparse(url).scheme in ("http", "https", "ws")}
        assert len(requested) > 10, "the log saw the page's own requests"
        assert hosts == {urlparse(dash_thread_server.url).hostname}, hosts
        assert any("/assets/vendor/plotly-" in url for url in requested), "plotly.js came from the app itself"
    finally:
        driver.quit()
