"""The code panel in a real browser: it follows the settings, runs and traces, copies and downloads."""

from __future__ import annotations

import math
import os
import re
import time

import pytest

from app import ids
from app.main import create_app
from app.tracing.service import TraceService, TraceSettings
from tests.browser.helpers import severe_console_errors, text_of, type_into, wait_until

D, A = ids.Derivative, ids.Autograd


def open_panel(page, name):
    panel = page.find_element(".code-panel summary")
    panel.click()
    wait_until(lambda: page.find_element(f"#{ids.CodePanel(name).source}").is_displayed())


def test_a_closed_panel_builds_no_code_and_opening_it_shows_the_current_settings(dash_duo):
    """Changes while the panel is closed cost the server nothing; opening it brings the code up to date."""
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/derivative")
    panel = ids.CodePanel("derivative")
    dash_duo.wait_for_element(".code-panel summary", timeout=15)
    type_into(dash_duo, f"#{D.X0_INPUT}", "1.5")
    dash_duo.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{2 * 1.5:.6f}", timeout=15)  # f(x) = x²
    source = dash_duo.driver.execute_script("return document.getElementById(arguments[0]).textContent", panel.source)
    assert source == "", "no code was built while the panel was closed"
    open_panel(dash_duo, "derivative")
    dash_duo.wait_for_contains_text(f"#{panel.source}", "x0 = 1.5", timeout=15)
    dash_duo.find_element(".code-panel summary").click()  # closed again: the next change builds nothing
    type_into(dash_duo, f"#{D.X0_INPUT}", "0.5")
    dash_duo.wait_for_text_to_equal(f"#{D.READ_TRUE}", f"{2 * 0.5:.6f}", timeout=15)
    time.sleep(0.5)  # time enough for a request the panel should not have made
    assert "x0 = 1.5" in dash_duo.driver.execute_script(
        "return document.getElementById(arguments[0]).textContent", panel.source
    )
    open_panel(dash_duo, "derivative")
    dash_duo.wait_for_contains_text(f"#{panel.source}", "x0 = 0.5")
    assert severe_console_errors(dash_duo) == []


def test_code_follows_the_settings_runs_copies_and_downloads(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/derivative")
    panel = ids.CodePanel("derivative")
    dash_duo.wait_for_element(".code-panel summary", timeout=15)
    open_panel(dash_duo, "derivative")  # text inside a closed <details> is hidden, so open it first
    dash_duo.wait_for_contains_text(f"#{panel.source}", "x0 = 2.0", timeout=15)
    type_into(dash_duo, f"#{D.X0_INPUT}", "1.5")
    dash_duo.wait_for_contains_text(f"#{panel.source}", "x0 = 1.5")
    dash_duo.find_element(f"#{D.FUNCTION} input[value=sin]").click()
    dash_duo.wait_for_contains_text(f"#{panel.source}", "np.sin(x)")

    dash_duo.find_element(f"#{panel.run}").click()
    dash_duo.wait_for_contains_text(f"#{panel.trace}", "What it printed", timeout=30)
    trace = text_of(dash_duo, f"#{panel.trace}")
    # The traced numbers against an independent computation from the code's own x0 and h, and the page.
    h = float(re.search(r"^h = (.+)$", text_of(dash_duo, f"#{panel.source}"), re.MULTILINE).group(1))
    slope = (math.sin(1.5 + h) - math.sin(1.5)) / h
    assert f"secant slope = {slope:.6f}" in trace and f"slope = {slope:.6g}" in trace
    assert f"secant slope = {text_of(dash_duo, f'#{D.READ_SLOPE}')}" in trace, "the run printed the page's slope"
    assert "slope = " in trace and "rise over run" in trace, "values and notes, line by line"
    assert text_of(dash_duo, f"#{panel.status}") == "", "nothing left in the status line once the trace is shown"

    dash_duo.driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"], "origin": dash_duo.server_url},
    )
    dash_duo.find_element(f"#{panel.copy}").click()
    copied = wait_until(
        lambda: dash_duo.driver.execute_async_script(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, () => done(''));"
        )
    )
    assert copied.strip() == text_of(dash_duo, f"#{panel.source}").strip() and "def f(x):" in copied

    # Headless Chromium saves downloads only where it is told to.
    dash_duo.driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dash_duo.download_path}
    )
    dash_duo.find_element(f"#{panel.download_button}").click()
    target = os.path.join(dash_duo.download_path, "derivative.py")
    wait_until(lambda: os.path.exists(target) and os.path.getsize(target) > 0, timeout=10)
    time.sleep(0.2)
    with open(target, encoding="utf-8") as handle:
        assert handle.read().strip() == copied.strip()
    assert severe_console_errors(dash_duo) == []


def test_a_queued_trace_shows_its_state_and_can_be_cancelled(dash_duo):
    """Every slot busy (held here, as other traces would): the learner sees the wait, cancels, runs again."""
    queue = TraceService(TraceSettings.from_env()).queue
    held = [queue.try_slot() for _ in range(queue.slots)]
    assert None not in held
    try:
        dash_duo.start_server(create_app())
        dash_duo.wait_for_page(url=dash_duo.server_url + "/gradient")
        panel = ids.CodePanel("gradient")
        dash_duo.wait_for_element(".code-panel summary", timeout=15)
        open_panel(dash_duo, "gradient")
        dash_duo.find_element(f"#{panel.run}").click()
        dash_duo.wait_for_contains_text(f"#{panel.status}", "Starting your trace", timeout=15)
        cancel = dash_duo.find_element(f"#{panel.cancel}")
        assert cancel.is_displayed() and cancel.get_attribute("aria-label") == "Cancel the trace"
        assert not dash_duo.find_element(f"#{panel.run}").is_enabled(), "one trace at a time per panel"
        cancel.click()
        wait_until(lambda: not dash_duo.find_element(f"#{panel.cancel}").is_displayed())
        wait_until(lambda: dash_duo.find_element(f"#{panel.run}").is_enabled())
        assert text_of(dash_duo, f"#{panel.status}") == ""
        assert queue.length() == 0, "the cancelled job left the queue"
    finally:
        for descriptor in held:
            if descriptor is not None:
                os.close(descriptor)
    dash_duo.find_element(f"#{panel.run}").click()
    dash_duo.wait_for_contains_text(f"#{panel.trace}", "What it printed", timeout=30)
    assert severe_console_errors(dash_duo) == []


def test_autograd_page(dash_duo):
    dash_duo.start_server(create_app())
    dash_duo.wait_for_page(url=dash_duo.server_url + "/autograd")
    dash_duo.wait_for_text_to_equal(f"#{A.READ_XGRAD}", f"{2 * 2.0:.4f}", timeout=15)
    assert text_of(dash_duo, f"#{A.READ_GRADIENT}") == f"[{2 * 2.0:.4f}, {6 * 1.0:.4f}]"
    type_into(dash_duo, f"#{A.X_INPUT}", "-1.25")
    dash_duo.wait_for_text_to_equal(f"#{A.READ_XGRAD}", f"{2 * -1.25:.4f}")
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#' + arguments[0] + ' .js-plotly-plot').data[0].text.join(' ')", A.GRAPH
    )
    for node in ("AddBackward0", "PowBackward0", "MulBackward0", "AccumulateGrad"):
        assert node in names
    assert "differs from it by at most 0.00e+00" in text_of(dash_duo, f"#{A.MATCH}")
    table = text_of(dash_duo, f"#{A.LOOP_TABLE}")
    assert "[7.2000, 12.6000]" in table and "[15.2000, 30.6000]" not in table
    dash_duo.find_element(f"#{A.FORGET} input").click()
    dash_duo.wait_for_contains_text(f"#{A.LOOP_TABLE}", "[15.2000, 30.6000]")
    open_panel(dash_duo, "autograd")
    dash_duo.wait_for_contains_text(f"#{ids.CodePanel('autograd').source}", "never zeroed")
    type_into(dash_duo, f"#{A.LR_INPUT}", "0")
    dash_duo.wait_for_contains_text(f"#{A.MESSAGE}", "greater than 0")
    assert "[15.2000, 30.6000]" in text_of(dash_duo, f"#{A.LOOP_TABLE}")
    type_into(dash_duo, f"#{A.LR_INPUT}", "0.1")
    # x² + 3y² from (4, 3): each step multiplies x by (1 − 2η) and y by (1 − 6η), independent of the app.
    expected = (4 * (1 - 0.2) ** 8, 3 * (1 - 0.6) ** 8)

    def pitfall_paths():
        return dash_duo.driver.execute_script(
            # _fullData holds the arrays plotly.js decoded (data keeps the typed-array specs as sent).
            "const d = document.querySelector('#' + arguments[0] + ' .js-plotly-plot')._fullData;"
            "return [d[0].type, Array.from(d[1].x).slice(-1)[0], Array.from(d[1].y).slice(-1)[0], d.length];",
            A.PITFALL,
        )

    wait_until(lambda: pitfall_paths()[1:3] == pytest.approx(expected, abs=1e-9))
    assert pitfall_paths()[0] == "contour" and pitfall_paths()[3] == 3, "the patch left the contours in place"
    assert severe_console_errors(dash_duo) == []
