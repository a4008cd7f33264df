"""What every page downloads: no MathJax, only the app's plotly.js (its 3-D part only where a page draws 3-D), and every
figure still drawn."""

from __future__ import annotations

import json
import threading

from flask import request
from selenium import webdriver

from app.main import create_app
from tests.browser.helpers import wait_until
from tests.conftest import chromium_options
from tests.unit.test_plotly_bundle import PLOTLY_CORE, PLOTLY_SCENES, scene_traces

# Each page's figures by the trace types plotly.js drew in them (gd._fullData), in page order.
FIGURES = {
    "/": [],
    "/derivative": [{"scatter"}, {"scatter"}],
    "/gradient": [{"contour", "scatter"}, {"surface", "scatter3d"}, {"scatter"}],
    "/descent": [{"scatter"}, {"scatter"}, {"surface", "scatter3d"}, {"contour", "scatter"}, {"scatter"}],
    "/learning-rate": [{"scatter"}, {"scatter"}, {"contour", "scatter"}, {"scatter"}, {"scatter"}],
    "/autograd": [{"scatter"}, {"contour", "scatter"}],
}
DRAWN = """
// The figures a learner sees: a closed question panel's figure is hidden (display: none), so not shown.
return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(function (gd) {
    return gd.offsetParent !== null;
}).map(function (gd) {
    return {
        types: Array.from(new Set((gd._fullData || []).map(function (trace) { return trace.type; }))),
        svg: Boolean(gd.querySelector('.main-svg')),
        webgl: !gd._fullLayout || !gd._fullLayout.scene || Boolean(gd._fullLayout.scene._scene.glplot),
    };
});
"""


def requested_urls(driver) -> list[str]:
    """Every URL the page asked for since the last call (Chromium's performance log, drained)."""
    return [
        message["params"]["request"]["url"]
        for message in (json.loads(entry["message"])["message"] for entry in driver.get_log("performance"))
        if message["method"] == "Network.requestWillBeSent"
    ]


def test_every_page_draws_every_figure_with_the_partial_bundle_and_no_mathjax(dash_thread_server):
    dash_thread_server(create_app())
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        for path, figures in FIGURES.items():
            driver.get(dash_thread_server.url + path)
            wait_until(lambda: driver.find_elements("css selector", "h1"), timeout=15)

            def drawn(expected=figures):
                shown = driver.execute_script(DRAWN)
                return len(shown) == len(expected) and all(f["svg"] and f["types"] for f in shown)

            wait_until(drawn, timeout=20)
            shown = driver.execute_script(DRAWN)
            assert [set(figure["types"]) for figure in shown] == figures, path
            assert all(figure["webgl"] for figure in shown), f"{path}: a 3-D scene has no WebGL plot"

            requested = requested_urls(driver)
            assert not [url for url in requested if "mathjax" in url.lower()], path
            plotly = sorted(url.split("?")[0].rsplit("/", 1)[-1] for url in requested if "plotly" in url.lower())
            has_scene = any(types & scene_traces() for types in figures)
            assert plotly == sorted([PLOTLY_CORE] + [PLOTLY_SCENES] * has_scene), (path, plotly)
            assert not [url for url in requested if "polyfill" in url], path
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            assert errors == [], (path, errors)
    finally:
        driver.quit()


def test_a_page_with_3d_figures_reached_by_the_nav_fetches_the_3d_traces_once_and_draws(dash_thread_server):
    """No reload: /derivative loads no 3-D code, then the nav link to /gradient fetches it and draws the scene."""
    dash_thread_server(create_app())
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options)

    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.get(dash_thread_server.url + "/derivative")
        wait_until(lambda: len(driver.execute_script(DRAWN)) == len(FIGURES["/derivative"]), timeout=15)
        assert [url for url in requested_urls(driver) if PLOTLY_SCENES in url] == []
        driver.execute_script("window.__samePage = true")
        driver.find_element("css selector", 'a[href="/gradient"]').click()

        def scene_drawn():
            shown = driver.execute_script(DRAWN)
            return [set(figure["types"]) for figure in shown] == FIGURES["/gradient"] and all(
                figure["webgl"] and figure["svg"] for figure in shown
            )

        wait_until(scene_drawn, timeout=20)
        assert driver.execute_script("return window.__samePage === true"), "the nav link reloaded the page"
        assert len([url for url in requested_urls(driver) if PLOTLY_SCENES in url]) == 1
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()


def test_a_slow_plotly_js_holds_back_only_the_graphs_and_never_brings_dccs_full_bundle(dash_thread_server):
    """plotly.js is deferred: the page renders while it downloads, and graphs that mount first wait for it."""
    app = create_app()
    release = threading.Event()

    @app.server.before_request
    def hold_plotly_back():
        if request.path.endswith(PLOTLY_CORE):
            release.wait(timeout=20)

    dash_thread_server(app)
    options = chromium_options()
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.page_load_strategy = "none"  # the page is not loaded (DOMContentLoaded) while plotly.js is held
    driver = webdriver.Chrome(options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.get(dash_thread_server.url + "/derivative")
        wait_until(lambda: driver.execute_script("return document.querySelectorAll('h1, button').length > 3"), 15)
        assert driver.execute_script("return window.Plotly instanceof Promise"), "plotly.js has not run yet"
        assert driver.execute_script("return document.querySelectorAll('.main-svg').length") == 0
        release.set()
        wait_until(lambda: len(driver.execute_script(DRAWN)) == len(FIGURES["/derivative"]), timeout=15)
        wait_until(lambda: all(figure["svg"] for figure in driver.execute_script(DRAWN)), timeout=15)
        requested = requested_urls(driver)
        assert [url for url in requested if "plotly" in url.lower()] == [
            url for url in requested if PLOTLY_CORE in url
        ], "dcc's own plotly.min.js was never asked for"
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
    finally:
        release.set()
        driver.quit()
