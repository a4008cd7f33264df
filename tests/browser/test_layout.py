"""Layout defects seen at one width each (issue 24), checked at that width.

- 375 px: a figure's title ran past the figure's right edge on /descent and /optimizers and was cut off
  (the page itself cannot scroll sideways, html and body clip, so a check of scrollWidth alone missed it).
- 1920x1080: in the 3-D views the z tick on the box's floor sat on the x tick at the same corner ("0" over
  "−5"). plotly.js draws 3-D tick labels into WebGL, not SVG, so no element's box can be read: the test
  checks the layout that decides where they go (the ticks plotly draws, from this camera), for every
  catalogue surface on every page with a 3-D view.
- 1280 px: the nav's links pushed the classroom tools onto a second row, with no room for an eighth page.

One server and one browser serve the browser checks of this module.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
from dash.testing.application_runners import ThreadedRunner
from selenium import webdriver
from selenium.webdriver.common.by import By

from app.compute.surfaces import SURFACES
from app.figures import descent as descent_figures
from app.figures import gradient as gradient_figures
from app.figures import optimizers as optimizer_figures
from app.main import create_app
from tests.browser.helpers import wait_until
from tests.conftest import chromium_options

PHONE = (375, 740)
LAPTOP = (1280, 800)


@pytest.fixture(scope="module")
def browser():
    """(the server's URL, one Chromium) for the whole module."""
    with ThreadedRunner() as server:
        server.start(create_app())
        driver = webdriver.Chrome(options=chromium_options())
        try:
            yield server.url, driver
        finally:
            driver.quit()


def open_page(browser, path: str, size: tuple[int, int]):
    url, driver = browser
    driver.set_window_size(*size)
    driver.get(url + path)
    wait_until(lambda: driver.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg"), timeout=20)
    wait_until(
        lambda: driver.execute_script(
            "return document.querySelectorAll('.dash-graph--pending, [data-dash-is-loading]').length === 0"
        ),
        timeout=20,
    )
    return driver


# Every element of every figure whose box reaches past the figure's right edge or the viewport's, and
# whether the page (or its body, which clips) is wider than the viewport.
OVERFLOW = """
const viewport = document.documentElement.clientWidth;
const out = [];
document.querySelectorAll('.js-plotly-plot').forEach(function (gd) {
    const edge = Math.min(viewport, gd.getBoundingClientRect().right);
    if (gd.getBoundingClientRect().right > viewport + 0.5) {
        out.push('figure ' + (gd.parentElement.id || '?') + ' ends at ' + gd.getBoundingClientRect().right);
    }
    gd.querySelectorAll('*').forEach(function (element) {
        if (element.closest('.draglayer')) { return; }  // plotly's invisible drag handles, not drawing
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > edge + 1) {
            const text = (element.textContent || '').slice(0, 50);
            out.push(element.tagName + '.' + (element.getAttribute('class') || '') + ' "' + text + '" ends at '
                     + Math.round(box.right) + ' px, its figure at ' + Math.round(edge));
        }
    });
});
const page = document.documentElement, body = document.body;
if (page.scrollWidth > page.clientWidth) { out.push('page scrolls sideways: ' + page.scrollWidth); }
if (body.scrollWidth > body.clientWidth) { out.push('body wider than the viewport: ' + body.scrollWidth); }
return out;
"""


@pytest.mark.parametrize("path", ["/descent", "/optimizers"])
def test_at_phone_width_every_figure_fits_inside_itself_and_the_viewport(browser, path):
    driver = open_page(browser, path, PHONE)
    # a figure may still be drawing its first frame (3-D views wait for plotly's 3-D code)
    with contextlib.suppress(AssertionError):
        wait_until(lambda: not driver.execute_script(OVERFLOW), timeout=6)
    overflow = driver.execute_script(OVERFLOW)
    assert not overflow, f"{path} at {PHONE[0]} px:\n  " + "\n  ".join(overflow[:12])
    # and a wrapped title still says the whole thing, on lines that do not cover the plot
    titles = driver.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd.querySelector('.gtitle'))"
        ".map(gd => [gd.querySelector('.gtitle').getBoundingClientRect().bottom,"
        " gd.getBoundingClientRect().top + gd._fullLayout._size.t,"
        " gd.querySelector('.gtitle').getAttribute('data-unformatted'), gd.__presenterSource.layout.title.text])"
    )
    assert titles
    for bottom, plot_top, drawn, asked in titles:
        assert bottom <= plot_top, f"the title {drawn!r} runs into its plot"
        assert drawn.replace("<br>", " ") == asked


# ---- 3-D: the tick labels at the box's corner --------------------------------------------------------


def plotly_auto_ticks(low: float, high: float, nticks: int) -> list[float]:
    """The ticks plotly.js picks for an axis with ``nticks`` and no tick values (its autoTicks): the span
    over nticks, in units of its power of ten, goes up to the next of 2, 5 and 10 strictly above it
    (Lib.roundUp), and the ticks are the multiples of that step in range."""
    rough = (high - low) / nticks
    power = 10 ** math.floor(math.log10(rough))
    step = min(m * power for m in (2, 5, 10) if m * power > rough)
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def drawn_ticks(axis: dict, low: float, high: float) -> list[float]:
    if axis.get("tickmode") == "array":
        return [v for v in axis["tickvals"] if low <= v <= high]
    return plotly_auto_ticks(low, high, axis.get("nticks", 6))


def scene_views():
    """(page, surface, the figure's scene, the z range plotly shows) for every 3-D view."""
    for key, surface in SURFACES.items():
        grid = gradient_figures.surface_grid(surface)
        extent = float(np.nanmin(grid.z)), float(np.nanmax(grid.z))
        yield "/descent", key, descent_figures.surface_run_figure(surface, grid)["layout"]["scene"], extent
        yield "/optimizers", key, optimizer_figures.surface_race_figure(surface, grid, [])["layout"]["scene"], extent
        # /gradient lets plotly fit z to what is drawn: the surface and the tangent plane, which can reach
        # lower than the surface; the floor is then lower still, and the ticks only further from it.
        yield "/gradient", key, gradient_figures.surface_figure(surface, grid, 0.5, 0.5)["layout"]["scene"], extent


@pytest.mark.parametrize(("page", "key", "scene", "extent"), list(scene_views()))
def test_no_z_tick_sits_on_the_corner_where_the_x_ticks_start(page, key, scene, extent):
    eye = scene["camera"]["eye"]
    # From an eye at +x, −y, above, plotly.js writes the x ticks along the box's front-left edge and the z
    # ticks up its left edge: both start at the corner (x min, y min, z min).
    assert eye["x"] > 0 and eye["y"] < 0 and eye["z"] > 0
    x_low, x_high = scene["xaxis"]["range"]
    x_ticks = drawn_ticks(scene["xaxis"], x_low, x_high)  # on most surfaces the first is x_low, at the corner
    z_low, z_high = scene["zaxis"].get("range", extent)
    z_ticks = drawn_ticks(scene["zaxis"], z_low, z_high)
    assert len(z_ticks) >= 2, f"{page} {key}: the z axis needs at least two ticks, has {z_ticks}"
    # A label is about a tenth of the z axis tall at 1920x1080 (22 px of 200): the lowest z tick stays
    # that far above the floor, or its label covers the x tick there.
    clearance = (min(z_ticks) - z_low) / (z_high - z_low)
    assert clearance >= 0.1, f"{page} {key}: z tick {min(z_ticks)} on the floor ({z_low}) beside x tick {min(x_ticks)}"


# ---- the nav at a laptop's width --------------------------------------------------------------------

# The nav's nine links (/practice is the eighth, /lesson the ninth), with the longest one bold as the
# current page's link is: the widest the nav can be.
WIDEST_NAV = """
const links = [...document.querySelectorAll('.nav-links .nav-link')];
const longest = links.reduce((a, b) => (b.getBoundingClientRect().width > a.getBoundingClientRect().width ? b : a));
longest.classList.add('active');
return [links.length, longest.textContent, links[links.length - 1].getAttribute('href')];
"""
ROWS = """
const tops = sel => [...document.querySelectorAll(sel)].filter(e => e.getBoundingClientRect().width > 0)
    .map(e => e.getBoundingClientRect().top);
return {links: tops('.nav-links .nav-link'), tools: tops('.tools > button'),
        brand: tops('.nav-brand')};
"""


@pytest.mark.parametrize("path", ["/learning-rate", "/optimizers"])
def test_at_laptop_width_the_nav_and_the_classroom_tools_share_one_row_with_nine_links(browser, path):
    driver = open_page(browser, path, LAPTOP)
    count, name, last = driver.execute_script(WIDEST_NAV)
    assert count == 9 and last == "/lesson"
    rows = driver.execute_script(ROWS)
    tops = rows["links"] + rows["tools"] + rows["brand"]
    assert len(rows["links"]) == 9 and len(rows["tools"]) >= 4
    assert max(tops) - min(tops) <= 8, f"{path}: with nine links ({name!r} bold) the nav takes two rows: {rows}"
