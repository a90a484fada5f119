"""Open every page of the built site in headless Chromium with every other host blocked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

import pytest

from manchuria.book import REPO_ROOT, chapter_files, html_pages, toc_files
from manchuria.browser import CHARTS_DRAWN
from manchuria.sphinx import chartdom
from manchuria.sphinx.chartdom import CHARTS_LIVE

pytestmark = pytest.mark.browser

# Every page in _toc.yml, plus the pages Sphinx writes itself.
PAGES = [*html_pages(), "index.html", "genindex.html", "search.html"]
LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
# Pages whose source draws a chart must show one (the offline test passes on a page with none).
CHART_PAGES = [
    str(path.relative_to(REPO_ROOT).with_suffix(".html"))
    for path in toc_files()
    if "charts." in path.read_text(encoding="utf-8")
]


@dataclass
class PageVisit:
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    static_charts: list[dict] = field(default_factory=list)


def block_other_hosts(context, record: PageVisit) -> None:
    """Let requests to 127.0.0.1 through; record and abort every other one."""

    def route(request_route):
        parsed = urlparse(request_route.request.url)
        if parsed.scheme in LOCAL_SCHEMES or parsed.hostname in LOCAL_HOSTS:
            request_route.continue_()
        else:
            record.external_requests.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)


CHART_STATE = """els => els.map(el => {
    const shown = [...el.querySelectorAll('svg[role="img"]')].find(svg => svg.getBoundingClientRect().width > 0);
    return {
        rendered: el.dataset.rendered,
        drawn: shown !== undefined && shown.getBoundingClientRect().height > 0,
        label: shown ? shown.getAttribute('aria-label') : null,
        spec: (document.querySelector(`.manchuria-vega-spec a[href$="/${el.parentElement.dataset.spec}.js"]`) || {}).href,
        table: el.parentElement.querySelector('.manchuria-chart-data table') !== null};
})"""


SITE = REPO_ROOT / "_build" / "html"
SPEC_SCRIPT = re.compile(r"^\(window\.(\w+) = window\.\1 \|\| \{\}\)\[\"(\w+)\"\] = (?P<spec>.*);\s*$", re.DOTALL)


def chart_states(page) -> list[dict]:
    """Each chart's state, with the description its spec gives (read from the spec file the page links)."""
    charts = page.eval_on_selector_all(f".{chartdom.TARGET}", CHART_STATE)
    for chart in charts:
        assert chart["spec"], f"a chart without a link to its spec: {chart}"
        script = (SITE / unquote(urlparse(chart["spec"]).path).lstrip("/")).read_text(encoding="utf-8")
        chart["description"] = json.loads(SPEC_SCRIPT.match(script)["spec"])["spec"]["description"]
    return charts


def reach_for_the_charts(page) -> None:
    """What a reader does first with a chart: point at it. That brings every chart on the page to life."""
    figures = page.locator(f".{chartdom.FIGURE}")
    if figures.count():
        figures.first.scroll_into_view_if_needed()
        figures.first.hover()
        page.wait_for_function(CHARTS_LIVE, timeout=15_000)


def visit(browser, url: str, *, color_scheme: str = "light") -> PageVisit:
    """Load a page, blocking and recording any request to another host; then point at its charts."""
    record = PageVisit()
    context = browser.new_context(color_scheme=color_scheme)
    block_other_hosts(context, record)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and record.console_errors.append(message.text))
    page.on("pageerror", lambda error: record.console_errors.append(f"uncaught: {error}"))
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
    record.static_charts = chart_states(page)
    reach_for_the_charts(page)
    record.charts = chart_states(page)
    context.close()
    return record


@pytest.fixture(scope="module")
def visited(browser, site_url):
    """``visited(path, color_scheme)``: what one visit to the page saw, shared by the tests that read it."""
    visits: dict[tuple[str, str], PageVisit] = {}

    def page_visit(path: str, color_scheme: str = "light") -> PageVisit:
        if (path, color_scheme) not in visits:
            visits[path, color_scheme] = visit(browser, f"{site_url}/{path}", color_scheme=color_scheme)
        return visits[path, color_scheme]

    return page_visit


@pytest.mark.xdist_group("visited")  # on one worker, so each page is visited once per run
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(visited, path, color_scheme):
    record = visited(path, color_scheme)
    assert record.external_requests == [], f"{path} asked other hosts for {record.external_requests}"
    assert record.console_errors == [], f"{path} logged console errors: {record.console_errors}"
    assert all(chart["drawn"] for chart in record.static_charts), f"{path} has undrawn charts: {record.static_charts}"
    assert all(chart["drawn"] and chart["rendered"] == chartdom.LIVE_STATE for chart in record.charts), (
        f"{path} has charts that did not come to life: {record.charts}"
    )


@pytest.mark.xdist_group("visited")
@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_pages_draw_their_charts(visited, path):
    """Pages known to hold charts must really have some (the test above passes on none)."""
    record = visited(path)
    assert record.charts, f"{path} should hold at least one chart"
    for charts in (record.static_charts, record.charts):
        assert all(chart["label"] == chart["description"] for chart in charts), (
            "every chart's SVG, drawn or live, is an image labelled by its description"
        )
    assert all(chart["table"] for chart in record.charts), "every chart has a data-behind-this-chart table"


@pytest.mark.parametrize("path", CHART_PAGES)
def test_with_javascript_off_every_chart_is_a_labelled_svg(browser, site_url, path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="load")
    charts = chart_states(page)
    context.close()
    assert charts, f"{path} should hold at least one chart"
    assert all(chart["drawn"] and chart["label"] == chart["description"] for chart in charts), charts


def test_the_vega_runtime_loads_only_when_a_reader_reaches_for_a_chart(browser, site_url):
    """A chapter page's first paint needs no chart script beyond the small deferred one; pointing at
    a chart fetches Vega, and a tooltip then names what is under the pointer."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{site_url}/book/withdrawal.html", wait_until="networkidle")
    page.wait_for_timeout(500)
    assert not [url for url in requests if chartdom.VEGA_BUNDLE in url], "no Vega before the reader asks"
    (chart,) = page.locator(f".{chartdom.FIGURE}").all()
    chart.scroll_into_view_if_needed()
    top = chart.bounding_box()["y"]
    chart.hover()
    page.wait_for_function(CHARTS_LIVE, timeout=15_000)
    assert [url for url in requests if chartdom.VEGA_BUNDLE in url]
    assert abs(chart.bounding_box()["y"] - top) < 1, "the chart stays where it was"
    point = page.locator(f".{chartdom.LIVE} svg g.mark-symbol.role-mark path").first.bounding_box()
    page.mouse.move(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    tooltip = page.inner_text("#vg-tooltip-element")
    context.close()
    assert "Stated" in tooltip and "Source" in tooltip, tooltip


@pytest.mark.parametrize("path", CHART_PAGES)
def test_charts_are_readable_in_dark_mode_drawn_and_live(browser, site_url, path):
    """Switching the theme to dark recolours every chart at once (its text is currentColor), with no
    black text left on the dark page, before and after the chart comes to life."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site_url}/{path}", wait_until="networkidle")
    page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    visible_text = ".manchuria-vega svg text"
    fill = "nodes => nodes.filter(n => n.getBoundingClientRect().width > 0).map(n => getComputedStyle(n).fill)"
    drawn = page.eval_on_selector_all(visible_text, fill)
    reach_for_the_charts(page)
    live = page.eval_on_selector_all(visible_text, fill)
    context.close()
    assert errors == []
    assert drawn and live, "the charts have text"
    assert "rgb(0, 0, 0)" not in drawn + live, "black chart text would vanish on the dark background"


def test_saved_ipywidgets_render_with_the_shipped_manager(browser, site, serve, tmp_path):
    """myst-nb's widget loader points at the html-manager copy in the site, which works offline."""
    import json

    import ipywidgets
    from ipywidgets.embed import embed_data

    from manchuria.sphinx.extension import IPYWIDGETS_EMBED

    slider = ipywidgets.IntSlider(value=1946, min=1945, max=1955, description="Year")
    saved = embed_data(views=[slider])
    (tmp_path / "_static").symlink_to(site / "_static")
    (tmp_path / "widgets.html").write_text(
        "<!doctype html><html><head>"
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(saved["manager_state"])}</script>'
        f'<script src="_static/{IPYWIDGETS_EMBED}"></script></head><body>'
        f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(saved["view_specs"][0])}</script>'
        "</body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path) as url:
        record = PageVisit()
        context = browser.new_context()
        block_other_hosts(context, record)
        page = context.new_page()
        page.on("pageerror", lambda error: record.console_errors.append(str(error)))
        page.goto(f"{url}/widgets.html", wait_until="networkidle")
        page.wait_for_selector(".widget-slider", timeout=15_000)
        label = page.inner_text(".widget-slider")
        context.close()
    assert record.external_requests == []
    assert record.console_errors == []
    assert "Year" in label and "1946" in label


# One entry per control of the explorers page: its name, how to operate it, and a new value.
# (tests/test_browser_explorers.py checks which rows each shows.)
EXPLORER_CONTROLS = [
    ("theme", "select", "military"),
    ("actor", "text", "Stalin"),
    ("from_year", "range", "1950"),
    ("to_year", "range", "1946"),
    ("day", "range", "700"),
    ("weapon", "select", "rifles"),
    ("measure", "radio", "ratio"),
    ("query", "text", "Mukden"),
    ("topic", "select", "arms"),
]


@pytest.mark.parametrize("name, kind, value", EXPLORER_CONTROLS, ids=[c[0] for c in EXPLORER_CONTROLS])
def test_every_explorer_control_changes_its_chart(browser, site_url, name, kind, value):
    """Operate one control in the published page, offline, and the chart it belongs to redraws differently."""
    record = PageVisit()
    context = browser.new_context()
    block_other_hosts(context, record)
    page = context.new_page()
    page.on("pageerror", lambda error: record.console_errors.append(str(error)))
    page.goto(f"{site_url}/book/explorers.html", wait_until="networkidle")
    page.wait_for_function(CHARTS_LIVE, timeout=15_000)
    figure = page.locator(".manchuria-vega-figure", has=page.locator(f"[name='{name}']")).first
    control = figure.locator(f"[name='{name}']").first
    before = figure.locator(".manchuria-vega svg").first.inner_html()
    if kind == "select":
        control.select_option(value)
    elif kind == "text":
        control.fill(value)
    elif kind == "radio":
        figure.locator(f"input[name='{name}'][value='{value}']").check()
    else:
        control.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)
    handle = figure.locator(".manchuria-vega").element_handle()
    page.wait_for_function(
        "([el, old]) => el.querySelector('svg').innerHTML !== old", arg=[handle, before], timeout=5_000
    )
    context.close()
    assert record.external_requests == [] and record.console_errors == []


SHOWN = """selector => [...document.querySelectorAll(selector)].filter(el => el.getClientRects().length).length"""


@pytest.mark.parametrize("path", ["book/explorers.html", "book/index.html", "book/treaty.html"])
def test_print_wording_shows_only_in_print_and_screen_wording_only_on_screen(browser, site_url, path):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/{path}")
    on_screen = {kind: page.evaluate(SHOWN, f".manchuria-{kind}-only") for kind in ("print", "screen")}
    downloads_on_screen = page.evaluate(SHOWN, ".manchuria-downloads")
    page.emulate_media(media="print")
    in_print = {kind: page.evaluate(SHOWN, f".manchuria-{kind}-only") for kind in ("print", "screen")}
    downloads_in_print = page.evaluate(SHOWN, ".manchuria-downloads")
    context.close()
    assert on_screen["print"] == 0 and in_print["screen"] == 0 and downloads_in_print == 0
    assert in_print["print"] >= 1, "each of these pages has print wording"
    assert on_screen["screen"] + downloads_on_screen >= 1, "and wording or a box only for the screen"


def test_static_page_points_readers_to_the_live_explorers(site):
    from manchuria.explorers import LIVE_NOTE_LINES

    page = (site / "book" / "explorers.html").read_text(encoding="utf-8")
    drawings = re.findall(rf'<svg class="{chartdom.STATIC} {chartdom.STATIC_WIDE}".*?</svg>', page, flags=re.DOTALL)
    assert len(drawings) == 5
    assert all(line in drawing for drawing in drawings for line in LIVE_NOTE_LINES), "each explorer's drawing says it"


def test_a_reader_searches_from_a_chapter_page_and_finds_the_section(browser, site_url):
    """The chapter pages no longer load the search index; searching from one still finds the page."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/book/yalta.html")
    page.keyboard.press("Control+k")
    field = page.locator("#pst-search-dialog input[name='q']")
    field.wait_for(state="visible", timeout=5_000)
    field.type("Huludao")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=Huludao*", timeout=10_000)
    page.wait_for_selector("#search-results li a", timeout=20_000)
    found = page.eval_on_selector_all("#search-results li a", "links => links.map(link => link.getAttribute('href'))")
    context.close()
    assert any("under-occupation.html" in href for href in found), found


# The forms issue 15 names, each with the modern form the running text uses (data/names.csv).
NAME_FORMS = {
    "旅顺": "Lüshun",
    "Lushun": "Lüshun",
    "Port Arthur": "Lüshun",
    "Ryojun": "Lüshun",
    "Порт-Артур": "Lüshun",
    "Kao Kang": "Gao Gang",
    "高岗": "Gao Gang",
}
SEARCH_DONE = """() => /^(Search finished|Your search did not match)/.test(
    document.querySelector('#search-results p.search-summary')?.textContent ?? '')"""


def searched_pages(browser, site_url: str, query: str) -> set[str]:
    """Types ``query`` into the search page's box and presses Enter, as a reader does; the chapter's sections found."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/search.html")
    field = page.locator(".bd-search-container input[name='q']")
    field.fill(query)
    field.press("Enter")
    page.wait_for_function(SEARCH_DONE, timeout=20_000)
    found = page.eval_on_selector_all("#search-results li a", "links => links.map(link => link.pathname)")
    context.close()
    chapter = {f"/{path.relative_to(REPO_ROOT).with_suffix('.html')}" for path in chapter_files()}
    return {path for path in found if path in chapter}


MAGNIFIER_CLEARANCE = """form => {
    const icon = form.querySelector('.fa-magnifying-glass').getBoundingClientRect();
    const box = form.querySelector('input[name="q"]');
    const textStart = box.getBoundingClientRect().left + parseFloat(getComputedStyle(box).paddingLeft);
    return textStart - icon.right;
}"""


def test_the_search_box_magnifier_leaves_the_first_letter_visible(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_url}/search.html?q=Lushun")
    clearance = page.eval_on_selector(".bd-search-container form.bd-search", MAGNIFIER_CLEARANCE)
    page.goto(f"{site_url}/book/yalta.html")
    page.keyboard.press("Control+k")
    page.locator("#pst-search-dialog input[name='q']").wait_for(state="visible", timeout=5_000)
    in_dialog = page.eval_on_selector("#pst-search-dialog form.bd-search", MAGNIFIER_CLEARANCE)
    context.close()
    assert clearance >= 0 and in_dialog >= 0, f"the magnifier covers {-min(clearance, in_dialog):.0f} px of text"


@pytest.mark.parametrize("query", NAME_FORMS)
def test_a_reader_finds_a_name_by_any_of_its_forms(browser, site_url, query):
    """Every page the modern form finds, each other form finds too (search synonyms from the names data)."""
    modern = searched_pages(browser, site_url, NAME_FORMS[query])
    assert len(modern) >= 3, f"{NAME_FORMS[query]} is on several pages: {modern}"
    found = searched_pages(browser, site_url, query)
    assert modern <= found, f"{query!r} misses {sorted(modern - found)} that {NAME_FORMS[query]!r} finds"


PHONE = {"width": 390, "height": 844}
PLOT_WIDTHS = """targets => targets.map(target => {
    const svg = [...target.querySelectorAll('svg[role="img"]')].find(s => s.getBoundingClientRect().width > 0);
    const box = target.getBoundingClientRect(), drawn = svg.getBoundingClientRect();
    const scale = drawn.width / svg.width.baseVal.value;
    const plots = [...svg.querySelectorAll('g.role-frame > g > path.background, g.role-scope > g > path.background')]
        .filter(path => !path.closest('.role-legend'))
        .map(path => path.getBBox().width * scale).filter(width => width > 0);
    return {overflow: drawn.right - box.right, plots: plots.map(Math.round)};
})"""


@pytest.mark.parametrize("path", CHART_PAGES)
def test_on_a_phone_no_chart_overflows_or_squeezes_its_plot(browser, site_url, path):
    """At 390 px, as the build draws them (JavaScript off), every chart fits the column and every
    plot area keeps at least charts.PLOT_MIN_WIDTH px beside its labels."""
    from manchuria.charts import PLOT_MIN_WIDTH

    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}/{path}", wait_until="load")
    charts = page.eval_on_selector_all(f".{chartdom.TARGET}", PLOT_WIDTHS)
    context.close()
    assert charts and all(chart["plots"] for chart in charts), charts
    assert [chart for chart in charts if chart["overflow"] > 1] == []
    assert [chart for chart in charts if min(chart["plots"]) < PLOT_MIN_WIDTH] == [], charts
