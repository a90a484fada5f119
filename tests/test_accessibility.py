"""axe-core, run in headless Chromium on every page of the built site, light and dark."""

from __future__ import annotations

import pytest
from test_browser import PAGES, PageVisit, block_other_hosts

from manchuria.browser import CHARTS_DRAWN

pytestmark = pytest.mark.browser

# Serious and critical findings block the page for some readers: the book allows none.
BLOCKING = {"serious", "critical"}
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"
COLOR_SCHEMES = ("light", "dark")
OPEN_EVERYTHING = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def blocking_violations(axe, page) -> list[str]:
    results = axe.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(browser, site_url, axe, path):
    """Checked in light mode, then in dark mode on the same page: the theme follows the reader's
    colour scheme as it changes, as it does when a reader switches their system to dark."""
    context = browser.new_context(color_scheme="light")
    block_other_hosts(context, PageVisit())
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
    # Closed parts (chart data tables, solutions, hidden code, menus) are checked open,
    # with transitions off so that no colour is measured halfway through a fade.
    page.add_style_tag(content=NO_TRANSITIONS)
    page.evaluate(OPEN_EVERYTHING)
    found = {}
    for color_scheme in COLOR_SCHEMES:
        page.emulate_media(color_scheme=color_scheme)
        page.wait_for_function(f"document.documentElement.dataset.theme === '{color_scheme}'", timeout=5_000)
        found[color_scheme] = blocking_violations(axe, page)
    context.close()
    assert found == {color_scheme: [] for color_scheme in COLOR_SCHEMES}, path
