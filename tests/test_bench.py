"""The benchmark's measurements, and the budgets that can be held in every test run."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from manchuria import bench
from manchuria.book import REPO_ROOT, toc_notebooks
from manchuria.browser import serving

KERNEL_FRONT_MATTER = "---\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"


@pytest.fixture(scope="module")
def pages(site_held, browser):
    return {page.path: page for page in bench.page_figures(site_held, browser, runs=1)}


@pytest.mark.browser
@pytest.mark.xdist_group("bench-pages")  # on one worker, so the pages are measured once per run
def test_no_page_transfers_more_than_its_budget(pages):
    """Counted gzip-compressed, with every file the page loads (theme and chart JavaScript too)."""
    heavy = {path: page.bytes_gzip for path, page in pages.items() if page.bytes_gzip > bench.PAGE_BYTES_MAX}
    assert heavy == {}


@pytest.mark.browser
@pytest.mark.xdist_group("bench-pages")
def test_the_measurement_sees_what_a_page_loads(pages):
    """Guard the budget test against counting nothing: a chart page loads the theme and the Vega bundle."""
    explorers = pages["book/explorers.html"]
    assert explorers.requests > 10
    assert explorers.bytes_gzip > 300_000, "the Vega bundle alone is about 300 kB compressed"
    assert explorers.charts == 5 and explorers.charts_after_start_ms is not None


def _get(url: str, encoding: str | None) -> tuple[str | None, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    with urllib.request.urlopen(request) as response:
        return response.headers.get("Content-Encoding"), response.read()


def test_the_compressing_server_sends_text_gzipped_as_a_static_host_does(tmp_path):
    text = "<!DOCTYPE html><p>" + "Port Arthur and Dalny, leased again. " * 400 + "</p>"
    (tmp_path / "page.html").write_text(text, encoding="utf-8")
    (tmp_path / "chart.svg").write_text("<svg>" + "<rect/>" * 300 + "</svg>", encoding="utf-8")
    (tmp_path / "font.woff2").write_bytes(b"wOF2" * 500)
    with serving(tmp_path, compress=True) as url:
        encoding, body = _get(f"{url}/page.html", "gzip, deflate, br")
        assert encoding == "gzip" and len(body) < len(text) / 10
        assert gzip.decompress(body).decode("utf-8") == text
        assert _get(f"{url}/chart.svg", "gzip")[0] == "gzip"
        assert _get(f"{url}/font.woff2", "gzip") == (None, b"wOF2" * 500), "fonts are compressed already"
        assert _get(f"{url}/page.html", None) == (None, text.encode("utf-8")), "only to a client that accepts gzip"
    with serving(tmp_path) as url:
        assert _get(f"{url}/page.html", "gzip") == (None, text.encode("utf-8")), "the plain server stays plain"


@pytest.mark.browser
def test_the_throttled_profile_measures_a_chart_page_as_a_phone_loads_it(site, browser):
    """One load of a chart page and of the bare page, slowed down, from the compressing server."""
    [page], bare = bench.throttled_profile(site, browser, ["book/withdrawal.html"], runs=1)
    html = (site / "book" / "withdrawal.html").stat().st_size
    assert page.chapter and page.runs == 1
    assert page.bytes > 30_000 and page.requests > 10, "the page, its theme files and fonts"
    assert page.files["book/withdrawal.html"] < html / 2, "the HTML came gzip-compressed"
    assert page.bytes < html + sum(size for name, size in page.files.items() if name != "book/withdrawal.html")
    assert page.fcp_ms and page.fcp_ms > bench.THROTTLED_NETWORK["latency"], "a paint after the emulated latency"
    assert page.charts == 1 and page.charts_visible_ms is not None and page.charts_visible_ms > 0
    assert page.charts_at_fcp is (page.charts_visible_ms <= page.fcp_ms)
    assert page.live_ms is None, "withdrawal's chart goes live only when a reader reaches for it"
    assert bare.path == bench.BARE_PAGE and bare.requests == 1 and bare.bytes < 2_000
    assert bench.THROTTLED_NETWORK["latency"] < bare.fcp_ms < page.fcp_ms
    assert bench.goes_live_by_itself((site / "book" / "explorers.html").read_text(encoding="utf-8"))
    assert not bench.goes_live_by_itself((site / "book" / "withdrawal.html").read_text(encoding="utf-8"))


def test_report_states_the_throttled_targets():
    figures = bench.Bench(
        clean=bench.Build(40.0, 11),  # 0.8 x the yardstick: met
        cached=bench.Build(4.4, 0),
        one_section=bench.Build(12.0, 1),
        bare_sphinx_s=20.0,
        notebooks_s={"yalta": 30.0},
        clean_notebooks_s={"yalta": 6.5},
        pages=[bench.PageFigures("a.html", 500_000, 20, 1, -30.0, 900.0)],
        throttled=[
            bench.ThrottledPage(
                "book/a.html",
                3,
                150_000,
                25,
                800.0,
                charts=1,
                charts_visible_ms=700.0,
                charts_at_fcp_runs=3,
                chapter=True,
            ),
            bench.ThrottledPage(
                "book/b.html",
                3,
                260_000,
                30,
                1_900.0,
                charts=2,
                charts_visible_ms=2_300.0,
                charts_at_fcp_runs=1,
                chapter=True,
            ),
            bench.ThrottledPage(
                "book/x.html",
                3,
                600_000,
                33,
                900.0,
                charts=5,
                charts_visible_ms=850.0,
                charts_at_fcp_runs=3,
                live_ms=9_000.0,
            ),
        ],
        bare=bench.ThrottledPage(bench.BARE_PAGE, 3, 560, 1, 600.0),
    )
    table = bench.report(figures)
    assert "2 of 3 chart pages (not: book/b.html)" in table
    assert "1,900 ms (book/b.html) = 3.2 x bare; 1 of 3 over" in table and "<= 1.5 x bare = 900 ms" in table
    assert "260 kB (book/b.html); 1 of 2 over" in table, "the explorers page is not a chapter page"
    assert table.count("MISSED") == 3
    row = next(line for line in table.splitlines() if line.startswith("| book/b.html (chapter) "))
    assert [cell.strip() for cell in row.strip("|").split("|")] == [
        "book/b.html (chapter)",
        "260.0 kB",
        "30",
        "1,900 ms",
        "3.17",
        "2",
        "2,300 ms",
        "NO (1/3)",
        "",
    ]
    assert "yes (3/3)" in table
    assert "9,000 ms" in table and "600 ms (median of 3)" in table


ICON_PROBE = """() => {
    const shown = [...document.querySelectorAll('i[class*="fa-"], .admonition-title')]
        .filter(el => el.offsetParent !== null && (el.matches('i') || (
            getComputedStyle(el, '::after').fontFamily.includes('Font Awesome')
            && getComputedStyle(el, '::after').content !== 'none')));
    shown.forEach((el, i) => el.setAttribute('data-icon-probe', i));
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    return shown.map(el => {
        const style = getComputedStyle(el, el.matches('i') ? '::before' : '::after');
        // Ink of the glyph drawn alone in the icon's font: a glyph the font lacks draws its empty .notdef.
        ctx.clearRect(0, 0, 64, 64);
        ctx.font = `${style.fontWeight} 40px ${style.fontFamily}`;
        ctx.fillText(style.content.slice(1, -1), 8, 48);
        const inked = ctx.getImageData(0, 0, 64, 64).data.filter((value, i) => i % 4 === 3 && value > 0).length;
        return {name: el.className, glyph: style.content, width: el.getBoundingClientRect().width, inked};
    });
}"""


def _fonts_drawing_icons(page) -> dict[str, list[dict]]:
    """For each probed element, the fonts Chromium drew its ::before or ::after with (CDP)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    drawn, stack = {}, [cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]]
    while stack:
        node = stack.pop()
        stack += node.get("children", [])
        attributes = dict(zip(node.get("attributes", [])[::2], node.get("attributes", [])[1::2]))
        for pseudo in node.get("pseudoElements", []) if "data-icon-probe" in attributes else []:
            if pseudo.get("pseudoType") in ("before", "after"):
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": pseudo["nodeId"]})["fonts"]
                if fonts:
                    drawn[f"{attributes.get('class')} #{attributes['data-icon-probe']}"] = fonts
    return drawn


@pytest.mark.browser
def test_theme_icons_draw_without_the_font_awesome_script(browser, site_url, site):
    """The site's own empty fontawesome.js stands in for the theme's 540 kB one; the theme's CSS draws
    the icons with Font Awesome fonts cut to the book's icons (manchuria.icons), under 10 kB in all."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("requestfinished", lambda request: requests.append(request.url))
    page.goto(f"{site_url}/book/yalta.html", wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    icons = page.evaluate(ICON_PROBE)
    drawn = _fonts_drawing_icons(page)
    context.close()
    paths = [urlsplit(url).path.lstrip("/") for url in requests if url.startswith(site_url)]
    # The icon fonts only: a chart page may also load the charts' own font (manchuria.sphinx.charts).
    woff2 = {
        Path(path).name: (site / path).stat().st_size
        for path in paths
        if path.endswith(".woff2") and Path(path).name.startswith("fa-")
    }
    assert [path for path in paths if path.endswith("fontawesome.js")], "the theme's page template asks for it"
    assert (site / "_static" / "scripts" / "fontawesome.js").stat().st_size < 500, "the stand-in is empty"
    assert len([icon for icon in icons if "fa-" in icon["name"]]) >= 8, "the page shows theme icons"
    assert len([icon for icon in icons if "admonition-title" in icon["name"]]) >= 4, "the tip's and exercises' icons"
    assert all(icon["glyph"] not in ("none", "normal") and icon["width"] > 0 for icon in icons), icons
    assert [icon for icon in icons if icon["inked"] < 20] == [], "icons whose glyph the fonts lack"
    assert len(drawn) >= 12, "the header's and sidebars' icons, and the tip's and exercises' title icons"
    not_font_awesome = {
        name: fonts
        for name, fonts in drawn.items()
        if not all(f["isCustomFont"] and f["familyName"].startswith("Font Awesome") for f in fonts)
    }
    assert not_font_awesome == {}, "a glyph missing from the cut fonts is drawn by a fallback font"
    assert {"fa-solid-900.woff2", "fa-brands-400.woff2"} <= set(woff2), woff2
    assert sum(woff2.values()) < 10_000, woff2


def test_report_states_each_target(monkeypatch):
    figures = bench.Bench(
        clean=bench.Build(60.0, 11),
        cached=bench.Build(4.4, 0),
        one_section=bench.Build(12.0, 1),
        bare_sphinx_s=20.0,
        notebooks_s={"yalta": 30.0, "treaty": 10.0},
        clean_notebooks_s={"yalta": 6.5, "treaty": 3.0, "explorers": 124.2},
        pages=[
            bench.PageFigures("a.html", 500_000, 20, 1, -30.0, 900.0),
            bench.PageFigures("b.html", 1_300_000, 30, 0),
        ],
        site_bytes=10_000_000,
        site_bytes_gzip=3_000_000,
    )
    table = bench.report(figures)
    assert "| Clean build" in table and "<= 0.85 x 60.0 s = 51.0 s" in table
    assert "4.4 s (0 executed)" in table
    assert "1.30 MB (b.html)" in table and "MISSED" in table, "the heavy page misses its budget"
    assert "-30 ms (a.html)" in table
    assert "| Slowest notebook in the clean build | 124.2 s (explorers)" in table
    assert "<= 20 s" in table
    assert "| yalta     | 6.5 s" in table and "| explorers | 124.2 s" in table and "| -" in table, (
        "each notebook's clean-build time, and a dash where the bare run has none"
    )


def _mini_book(root: Path, notebooks: list[str], pages: list[str]) -> None:
    chapters = "".join(f"  - file: {name}\n" for name in [*notebooks, *pages])
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: index\nchapters:\n{chapters}", encoding="utf-8")
    (root / "index.md").write_text("# Home\n", encoding="utf-8")
    for name in notebooks:
        (root / f"{name}.md").write_text(f"{KERNEL_FRONT_MATTER}# {name}\n", encoding="utf-8")
    for name in pages:
        (root / f"{name}.md").write_text(f"# {name}\n", encoding="utf-8")


def _record(root: Path, name: str, seconds: float, code: str) -> None:
    """Cache an executed notebook as myst-nb does: uri = the page's path, data = its execution time."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    get_cache(str(root / bench.EXECUTION_CACHE)).cache_notebook_bundle(
        CacheBundleIn(notebook, str(root / f"{name}.md"), data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )


def test_clean_build_times_are_read_from_jupyter_cache(tmp_path):
    _mini_book(tmp_path, ["yalta", "explorers"], ["glossary"])
    _record(tmp_path, "explorers", 124.2, "1 + 1")
    _record(tmp_path, "yalta", 6.5, "2 + 2")
    _record(tmp_path, "explorers", 5.1, "1 + 2")  # a later run of the edited page: its time counts
    assert bench.recorded_execution_times(tmp_path) == {"yalta": 6.5, "explorers": 5.1}


def test_a_notebook_missing_from_the_cache_is_named(tmp_path):
    _mini_book(tmp_path, ["yalta", "explorers"], [])
    _record(tmp_path, "yalta", 6.5, "2 + 2")
    with pytest.raises(
        SystemExit,
        match=r"_build/.jupyter_cache: no record with execution_seconds for explorers.md; "
        r"expected one for every notebook in _toc.yml",
    ):
        bench.recorded_execution_times(tmp_path)
    with pytest.raises(SystemExit, match="no jupyter-cache here"):
        bench.recorded_execution_times(tmp_path / "elsewhere")


@pytest.mark.build
def test_the_book_build_records_a_time_for_every_toc_notebook(site):
    """After the test session's build, jupyter-cache holds a time for each notebook, which the report lists."""
    times = bench.recorded_execution_times(REPO_ROOT)
    assert list(times) == [path.stem for path in toc_notebooks()]
    assert all(0 < seconds < 600 for seconds in times.values()), times
    figures = bench.Bench(
        clean=bench.Build(1.0, 1),
        cached=bench.Build(1.0, 0),
        one_section=bench.Build(1.0, 1),
        bare_sphinx_s=1.0,
        clean_notebooks_s=times,
        pages=[bench.PageFigures("a.html", 1, 1, 1, 0.0, 1.0)],
    )
    table = bench.report(figures)
    assert all(f"| {name} " in table and f"{seconds:.1f} s" in table for name, seconds in times.items())
