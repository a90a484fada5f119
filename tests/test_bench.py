"""The benchmark's measurements, and the budgets that can be held in every test run."""

from __future__ import annotations

import pytest

from manchuria import bench

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(site, browser):
    return {page.path: page for page in bench.page_figures(site, browser, runs=1)}


def test_no_page_transfers_more_than_its_budget(pages):
    """Counted gzip-compressed, with every file the page loads (theme and chart JavaScript too)."""
    heavy = {path: page.bytes_gzip for path, page in pages.items() if page.bytes_gzip > bench.PAGE_BYTES_MAX}
    assert heavy == {}


def test_the_measurement_sees_what_a_page_loads(pages):
    """Guard the budget test against counting nothing: a chart page loads the theme and the Vega bundle."""
    explorers = pages["book/explorers.html"]
    assert explorers.requests > 10
    assert explorers.bytes_gzip > 300_000, "the Vega bundle alone is about 300 kB compressed"
    assert explorers.charts == 5 and explorers.charts_after_start_ms is not None


def test_theme_icons_draw_without_the_font_awesome_script(browser, site_url):
    """The pages drop the theme's 540 kB Font Awesome script; its CSS and web fonts draw the icons."""
    context = browser.new_context()
    page = context.new_page()
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url))
    page.goto(f"{site_url}/book/yalta.html", wait_until="networkidle")
    icons = page.eval_on_selector_all(
        "i.fa-solid, i.fa-brands, i.fa",
        """els => els.filter(el => el.offsetParent !== null).map(el => ({
            font: getComputedStyle(el, '::before').fontFamily,
            glyph: getComputedStyle(el, '::before').content,
            width: el.getBoundingClientRect().width}))""",
    )
    context.close()
    assert not [url for url in scripts if "fontawesome.js" in url]
    assert len(icons) >= 3, "the page shows theme icons"
    assert all("Font Awesome" in icon["font"] and icon["glyph"] not in ("none", "normal") for icon in icons)
    assert all(icon["width"] > 0 for icon in icons), icons


def test_report_states_each_target(monkeypatch):
    figures = bench.Bench(
        clean=bench.Build(60.0, 11), cached=bench.Build(4.4, 0), one_section=bench.Build(12.0, 1),
        bare_sphinx_s=20.0, notebooks_s={"yalta": 30.0, "treaty": 10.0},
        pages=[bench.PageFigures("a.html", 500_000, 20, 1, -30.0, 900.0),
               bench.PageFigures("b.html", 1_300_000, 30, 0)],
        site_bytes=10_000_000, site_bytes_gzip=3_000_000,
    )
    table = bench.report(figures)
    assert "| Clean build" in table and "<= 1.3 x 60.0 s = 78.0 s" in table
    assert "4.4 s (0 executed)" in table
    assert "1.30 MB (b.html)" in table and "MISSED" in table, "the heavy page misses its budget"
    assert "-30 ms (a.html)" in table
