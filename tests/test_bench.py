"""The benchmark's measurements, and the budgets that can be held in every test run."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from manchuria import bench
from manchuria.book import REPO_ROOT, toc_notebooks

KERNEL_FRONT_MATTER = "---\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"


@pytest.fixture(scope="module")
def pages(site, browser):
    return {page.path: page for page in bench.page_figures(site, browser, runs=1)}


@pytest.mark.browser
def test_no_page_transfers_more_than_its_budget(pages):
    """Counted gzip-compressed, with every file the page loads (theme and chart JavaScript too)."""
    heavy = {path: page.bytes_gzip for path, page in pages.items() if page.bytes_gzip > bench.PAGE_BYTES_MAX}
    assert heavy == {}


@pytest.mark.browser
def test_the_measurement_sees_what_a_page_loads(pages):
    """Guard the budget test against counting nothing: a chart page loads the theme and the Vega bundle."""
    explorers = pages["book/explorers.html"]
    assert explorers.requests > 10
    assert explorers.bytes_gzip > 300_000, "the Vega bundle alone is about 300 kB compressed"
    assert explorers.charts == 5 and explorers.charts_after_start_ms is not None


@pytest.mark.browser
def test_theme_icons_draw_without_the_font_awesome_script(browser, site_url, site):
    """The site's own empty fontawesome.js stands in for the theme's 540 kB one; its CSS and web fonts draw the icons."""
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
    assert [url for url in scripts if "fontawesome.js" in url], "the theme's page template asks for it"
    assert (site / "_static" / "scripts" / "fontawesome.js").stat().st_size < 500, "the stand-in is empty"
    assert len(icons) >= 3, "the page shows theme icons"
    assert all("Font Awesome" in icon["font"] and icon["glyph"] not in ("none", "normal") for icon in icons)
    assert all(icon["width"] > 0 for icon in icons), icons


def test_report_states_each_target(monkeypatch):
    figures = bench.Bench(
        clean=bench.Build(60.0, 11), cached=bench.Build(4.4, 0), one_section=bench.Build(12.0, 1),
        bare_sphinx_s=20.0, notebooks_s={"yalta": 30.0, "treaty": 10.0},
        clean_notebooks_s={"yalta": 6.5, "treaty": 3.0, "explorers": 124.2},
        pages=[bench.PageFigures("a.html", 500_000, 20, 1, -30.0, 900.0),
               bench.PageFigures("b.html", 1_300_000, 30, 0)],
        site_bytes=10_000_000, site_bytes_gzip=3_000_000,
    )
    table = bench.report(figures)
    assert "| Clean build" in table and "<= 1.3 x 60.0 s = 78.0 s" in table
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
        check_validity=False, overwrite=True,
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
    with pytest.raises(SystemExit, match=r"_build/.jupyter_cache: no record with execution_seconds for explorers.md; "
                                         r"expected one for every notebook in _toc.yml"):
        bench.recorded_execution_times(tmp_path)
    with pytest.raises(SystemExit, match="no jupyter-cache here"):
        bench.recorded_execution_times(tmp_path / "elsewhere")


@pytest.mark.build
def test_the_book_build_records_a_time_for_every_toc_notebook(site):
    """After the test session's build, jupyter-cache holds a time for each notebook, which the report lists."""
    times = bench.recorded_execution_times(REPO_ROOT)
    assert list(times) == [path.stem for path in toc_notebooks()]
    assert all(0 < seconds < 600 for seconds in times.values()), times
    figures = bench.Bench(clean=bench.Build(1.0, 1), cached=bench.Build(1.0, 0), one_section=bench.Build(1.0, 1),
                          bare_sphinx_s=1.0, clean_notebooks_s=times, pages=[bench.PageFigures("a.html", 1, 1, 1, 0.0, 1.0)])
    table = bench.report(figures)
    assert all(f"| {name} " in table and f"{seconds:.1f} s" in table for name, seconds in times.items())
