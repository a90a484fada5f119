"""The published explorers, used as a reader uses them: in headless Chromium, offline.

Each check reads the rows a chart actually draws (its marks' data, through
``window.manchuriaExplorers``) and compares them with what the package's Python
filter selects for the same input, so a filter that reads a missing column, or
a suggestion that matches nothing, fails here.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from test_browser import PageVisit, block_other_hosts
from test_explorers import GRID, python_ids

from manchuria import explorers
from manchuria.sphinx import chartdom
from manchuria.sphinx.chartdom import CHARTS_LIVE

pytestmark = pytest.mark.browser

PAGE = "book/explorers.html"


@pytest.fixture
def reader(browser, site_url):
    """A fresh page on the explorers, with every other host blocked and errors recorded."""
    record = PageVisit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    block_other_hosts(context, record)
    page = context.new_page()
    page.set_default_timeout(5_000)
    page.on("console", lambda message: message.type == "error" and record.console_errors.append(message.text))
    page.on("pageerror", lambda error: record.console_errors.append(f"uncaught: {error}"))

    def open_page(query: str = "", *, width: int = 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{site_url}/{PAGE}{query}", wait_until="networkidle", timeout=30_000)
        page.wait_for_function(CHARTS_LIVE, timeout=15_000)
        # A marker that a reload would wipe out.
        page.evaluate("window.__notReloaded = true")
        return page

    yield open_page, record
    context.close()
    assert record.external_requests == [] and record.console_errors == []


def figure(page, section: str):
    return page.locator(f"section#{section} .manchuria-vega-figure").first


def shown(page, section: str) -> set[str]:
    return set(figure(page, section).evaluate("el => window.manchuriaExplorers.shownIds(el)"))


def status(page, section: str) -> str:
    return figure(page, section).locator(".manchuria-explorer-status").inner_text()


def settle(page, section: str) -> None:
    page.wait_for_timeout(150)  # Vega re-runs its dataflow after the input event


@pytest.mark.parametrize("section", list(GRID))
def test_the_page_and_the_live_form_select_the_same_rows(reader, section):
    open_page, _ = reader
    page = open_page()
    for state in GRID[section]:
        full = (
            {**{"actor": "", "theme": "all", "from_year": 1945, "to_year": 1955}, **state}
            if section == "timeline"
            else state
        )
        if section == "arms":
            full = {"weapon": "all", "measure": "count", **state}
        got = set(figure(page, section).evaluate("(el, state) => window.manchuriaExplorers.set(el, state)", full))
        expected = python_ids(section, full)
        assert got == expected, (section, state)
        text = status(page, section)
        if expected:
            assert text.startswith(f"{len(expected)} "), text
        else:
            assert text.startswith("No "), text


def test_typing_a_suggested_name_and_pressing_enter_filters_without_reloading(reader):
    open_page, _ = reader
    page = open_page()
    box = figure(page, "timeline").locator("input[name='actor']")
    box.click()
    box.type("Stalin")
    box.press("Enter")
    settle(page, "timeline")
    assert page.evaluate("window.__notReloaded") is True
    assert shown(page, "timeline") == python_ids("timeline", {"actor": "Stalin"})
    page.wait_for_function("() => location.search.includes('timeline.actor=Stalin')", timeout=5_000)
    for section, name in (("names", "query"),):
        other = figure(page, section).locator(f"input[name='{name}']")
        other.fill("Mukden")
        other.press("Enter")
        settle(page, section)
        assert page.evaluate("window.__notReloaded") is True
        assert "shenyang" in shown(page, section)


def test_no_key_submits_or_reloads(reader):
    open_page, _ = reader
    page = open_page()
    for name in ("theme", "actor", "from_year", "day", "weapon", "measure", "query", "topic"):
        control = page.locator(f".manchuria-explorer-controls [name='{name}']").first
        control.focus()
        for key in ("Enter", "Space", "ArrowRight", "ArrowLeft", "Tab"):
            page.keyboard.press(key)
        assert page.evaluate("window.__notReloaded") is True, name
    assert urlparse(page.url).path.endswith(PAGE)


# Holds the page where a slow phone keeps it for seconds: the idle moment that loads the controls never comes.
NEVER_IDLE = "window.requestIdleCallback = () => 0;"
ACTIVE = "() => { const el = document.activeElement; return [el.className, el.tagName]; }"


def test_a_reader_turns_on_the_controls_by_keyboard_before_they_load(browser, site_url):
    """Until Vega has loaded, each explorer's controls are a button; Tab reaches it, Enter turns the
    controls on, and focus lands on the first of them, so a keyboard reader is never left waiting."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    record = PageVisit()
    block_other_hosts(context, record)
    context.add_init_script(NEVER_IDLE)
    page = context.new_page()
    page.on("pageerror", lambda error: record.console_errors.append(f"uncaught: {error}"))
    try:
        page.goto(f"{site_url}/{PAGE}", wait_until="networkidle", timeout=30_000)
        buttons = page.locator(f".{chartdom.EXPLORER_TURN_ON}")
        assert buttons.count() == page.locator(f".{chartdom.FIGURE}[data-explorer]").count() > 0
        assert page.evaluate(CHARTS_LIVE) is False, "the controls went live without being asked"
        for _ in range(400):
            page.keyboard.press("Tab")
            if page.evaluate(ACTIVE)[0] == chartdom.EXPLORER_TURN_ON:
                break
        else:
            pytest.fail("Tab never reached a 'Turn on the controls' button")
        assert page.evaluate("document.activeElement.textContent") == "Turn on the controls"
        which = page.evaluate(
            f"[...document.querySelectorAll('.{chartdom.EXPLORER_TURN_ON}')].indexOf(document.activeElement)"
        )
        page.keyboard.press("Enter")
        page.wait_for_function(CHARTS_LIVE, timeout=15_000)
        page.wait_for_function(f"() => document.activeElement.closest('.{chartdom.EXPLORER_CONTROLS}') !== null")
        _, tag = page.evaluate(ACTIVE)
        assert tag in ("INPUT", "SELECT"), f"focus went to a {tag}, not a control"
        explorer = page.evaluate(
            f"[...document.querySelectorAll('.{chartdom.FIGURE}[data-explorer]')]"
            f".indexOf(document.activeElement.closest('.{chartdom.FIGURE}'))"
        )
        assert explorer == which, "focus went to another explorer's controls"
        assert buttons.count() == 0, "the buttons stayed after the controls went live"
        assert record.console_errors == [] and record.external_requests == []
    finally:
        context.close()


def test_choosing_from_a_menu_shows_the_rows_it_names(reader):
    open_page, _ = reader
    page = open_page()
    select = figure(page, "sources-compared").locator("select[name='topic']")
    assert "The treaty of 1945" in select.inner_text(), "menus show reader words, not keys"
    select.select_option(label="The treaty of 1945")
    settle(page, "sources-compared")
    assert shown(page, "sources-compared") == python_ids("sources-compared", {"topic": "treaty_1945"})
    weapon = figure(page, "arms").locator("select[name='weapon']")
    weapon.select_option(label="Machine guns")
    figure(page, "arms").get_by_label("Ratios (Nationalist haul ÷ Communist haul)").check()
    settle(page, "arms")
    assert shown(page, "arms") == {"gs-machine-guns"}


def test_the_day_slider_moves_by_days_and_months_and_reads_as_a_date(reader):
    open_page, _ = reader
    page = open_page()
    slider = figure(page, "who-held-manchuria").locator("input[name='day']")
    start = int(slider.input_value())
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageUp")
    settle(page, "who-held-manchuria")
    assert int(slider.input_value()) == start + 31
    day = explorers.FIRST_DAY + dt.timedelta(days=start + 31)
    label = f"{day.day} {day:%b %Y}"
    assert figure(page, "who-held-manchuria").locator(".manchuria-explorer-day").inner_text() == label
    assert slider.get_attribute("aria-valuetext") == label
    assert shown(page, "who-held-manchuria") == python_ids("who-held-manchuria", {"day": start + 31})


def test_the_address_keeps_the_view_and_back_returns_to_the_last_one(reader):
    open_page, _ = reader
    page = open_page()
    topic = figure(page, "sources-compared").locator("select[name='topic']")
    topic.select_option("yalta")
    page.wait_for_function("() => location.search.includes('sources.topic=yalta')", timeout=5_000)
    topic.select_option("purge")
    page.wait_for_function("() => location.search.includes('sources.topic=purge')", timeout=5_000)
    page.go_back()
    page.wait_for_function("() => location.search.includes('sources.topic=yalta')", timeout=5_000)
    settle(page, "sources-compared")
    assert topic.input_value() == "yalta"
    assert shown(page, "sources-compared") == python_ids("sources-compared", {"topic": "yalta"})
    page.go_forward()
    page.wait_for_function("() => location.search.includes('sources.topic=purge')", timeout=5_000)
    settle(page, "sources-compared")
    assert topic.input_value() == "purge"
    assert page.evaluate("window.__notReloaded") is True, "Back and Forward stay on the page"


def test_a_copied_link_reopens_the_same_view(reader):
    open_page, _ = reader
    page = open_page()
    section = figure(page, "who-held-manchuria")
    section.evaluate("el => window.manchuriaExplorers.set(el, {day: 200})")
    section.get_by_role("button", name="Copy link to this view").click()
    address = section.locator(".manchuria-explorer-address")
    address.wait_for(state="visible")
    link = address.input_value()
    assert parse_qs(urlparse(link).query) == {
        "who-held.day": [(explorers.FIRST_DAY + dt.timedelta(days=200)).strftime("%Y-%m-%d")]
    }
    assert urlparse(link).fragment == "who-held-manchuria"
    assert "Link copied" in status(page, "who-held-manchuria")
    page = open_page("?" + urlparse(link).query)
    assert figure(page, "who-held-manchuria").locator("input[name='day']").input_value() == "200"
    assert shown(page, "who-held-manchuria") == python_ids("who-held-manchuria", {"day": 200})


def test_a_bad_address_says_what_was_expected(reader):
    open_page, _ = reader
    page = open_page("?timeline.theme=sport&who-held.day=1950-01-01")
    assert "timeline.theme=\u201csport\u201d: expected one of all, diplomacy" in status(page, "timeline")
    assert "expected a day from 1945-08-09 to 1948-12-31" in status(page, "who-held-manchuria")
    assert shown(page, "timeline") == python_ids("timeline", {})


def test_an_empty_result_says_so_in_words(reader):
    open_page, _ = reader
    page = open_page()
    box = figure(page, "names").locator("input[name='query']")
    box.fill("Napoleon")
    settle(page, "names")
    assert shown(page, "names") == set()
    assert status(page, "names").startswith("No name matches.")
    rows = figure(page, "names").locator(".manchuria-chart-data tr[data-row-id]")
    assert rows.count() > 0 and all(row.is_hidden() for row in rows.all()), "the data table lists only the rows shown"


def test_the_timeline_is_as_tall_as_its_rows_and_its_controls_come_first(reader):
    open_page, _ = reader
    page = open_page()
    timeline = figure(page, "timeline")
    tall = timeline.locator("svg").first.bounding_box()["height"]
    timeline.locator("input[name='actor']").fill("Stalin")
    settle(page, "timeline")
    short = timeline.locator("svg").first.bounding_box()["height"]
    assert short < tall / 3
    controls = timeline.locator(".manchuria-explorer-controls").bounding_box()
    assert controls["y"] < timeline.locator("svg").first.bounding_box()["y"]


def test_nothing_overflows_on_a_phone(reader):
    open_page, _ = reader
    page = open_page(width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    widths = page.eval_on_selector_all(
        ".manchuria-vega-figure", "els => els.map(el => [el.scrollWidth, el.clientWidth])"
    )
    assert widths and all(scroll <= client + 1 for scroll, client in widths), widths
