"""`make bench`: how long the book takes to build and how heavy and quick its pages are.

Works on a copy of the repository in a temporary folder, so the working tree and
its ``_build`` are left alone. Prints one table, compared with the targets of
issues 7 and 11, and writes the figures to ``_build/bench.json``.

Measured:

* clean build (empty ``_build``, every notebook executed), as ``make book`` runs it,
  and each notebook's execution time in it, as jupyter-cache recorded it;
* cached rebuild with nothing changed;
* rebuild after editing one section's code (only that notebook may re-execute);
* each notebook's bare execution time (nbclient, no Sphinx) and a bare Sphinx
  build with execution off, the yardstick for the clean build;
* bytes each page transfers, gzip-compressed as a static host serves them,
  counting every file the page loads (theme, chart and widget JavaScript included);
* time from page load to all charts drawn, in headless Chromium on 127.0.0.1;
* the throttled profile, what a reader on a phone feels: every page loaded in Chromium
  with the network slowed to 1.44 Mbit/s down, 675 kbit/s up and 150 ms latency, the CPU
  slowed 4x, the cache off and a fresh browser context per load, from a server that
  gzip-compresses as a static host does. For each page: bytes transferred, first
  contentful paint, whether its charts were visible at that paint, and the time to live
  charts on pages that go live by themselves; a bare text page, loaded in the same run,
  is the yardstick for the paint.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .book import REPO_ROOT, chapter_files, html_pages, toc_notebooks
from .browser import CHARTS_DRAWN, CHROMIUM_FLAGS, chromium, serving
from .sphinx import chartdom

# Targets from issue 7, for a 2-core machine; the clean build's from issue 14 (the notebooks
# run in parallel before Sphinx reads them, so the build beats the serial sum).
CACHED_REBUILD_MAX_S = 5.0
CLEAN_BUILD_FACTOR_MAX = 0.85
CHARTS_AFTER_LOAD_MAX_MS = 500
PAGE_BYTES_MAX = 1_200_000
# Target from issue 11: no notebook stalls in a clean build.
NOTEBOOK_CLEAN_MAX_S = 20.0
# Where myst-nb keeps its jupyter-cache (`execute.cache` unset in _config.yml: jupyter-book's default).
EXECUTION_CACHE = Path("_build") / ".jupyter_cache"
# Targets from issue 14, on the throttled profile: charts at first paint, that paint
# within 1.5x a bare text page's, and at most 200 kB for a page of the chapter.
FCP_FACTOR_MAX = 1.5
CHAPTER_PAGE_BYTES_MAX = 200_000
EDITED_SECTION = "book/treaty.md"
# What the build reads from the source folder (the package is the installed one; data/ for the downloads).
COPIED = ("_config.yml", "_toc.yml", "references.bib", "book", "data")
FIRST_CODE_CELL = re.compile(r"(?P<cell>```\{code-cell\}[^\n]*\n.*?)(?P<fence>\n```)", re.DOTALL)
# myst-nb executing a notebook while reading its page, or the parallel step before it (sphinx.execution).
EXECUTED = re.compile(r"Executing notebook|pre-executed \S+ in ")
# Records when every chart on the page was first visible (the build's drawing arrives with the HTML).
CHART_CLOCK = f"""
new MutationObserver(() => {{
  const charts = document.querySelectorAll('.{chartdom.TARGET}');
  if (charts.length && ({chartdom.CHARTS_VISIBLE})()) {{
    window.__chartsDrawnAt = window.__chartsDrawnAt || performance.now();
  }}
}}).observe(document, {{subtree: true, childList: true, attributes: true}});
"""


# The throttled profile: Lighthouse's mobile figures (1.44 Mbit/s, 675 kbit/s, 150 ms, CPU 4x slower).
THROTTLED_NETWORK = {
    "offline": False,
    "latency": 150,  # ms, added to every request
    "downloadThroughput": 180_000,  # bytes/s: 1.44 Mbit/s
    "uploadThroughput": 675_000 / 8,  # bytes/s: 675 kbit/s
}
CPU_SLOWDOWN = 4
PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
THROTTLED_RUNS = 3
LOAD_TIMEOUT_MS = 60_000
BROWSER_OWN_REQUEST = "/favicon.ico"  # not the page's: not counted
QUIET_MS = 500  # no request in flight for this long: the page has fetched all it fetches by itself
# The yardstick: a text page with nothing to fetch but itself (no CSS, no JavaScript, no fonts).
BARE_PAGE = "manchuria-bench-bare.html"
BARE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A bare text page</title></head>
<body><p>In August 1945 the Soviet Red Army crossed into Manchuria and within weeks the Japanese
Kwantung Army had surrendered; for the next ten years the region's railways, ports and factories
passed between Soviet, Chinese Nationalist and Chinese Communist hands.</p></body></html>
"""
# Records, from the first byte of the page, when all the charts then in the page were first
# visible (in the DOM with nonzero size) and when they were all live. Checked on every DOM change
# and before every frame until the page has loaded; kept per chart count, so a page whose later
# charts are still being parsed is not taken for done. The layout-forcing check waits until each
# chart has an SVG, so the clock slows the page it times as little as it can.
THROTTLED_CLOCK = f"""
(() => {{
  const visible = {chartdom.CHARTS_VISIBLE};
  const live = {chartdom.CHARTS_LIVE};
  const shown = window.__chartsVisible = {{}};
  const alive = window.__chartsLive = {{}};
  const check = () => {{
    const charts = document.querySelectorAll('.{chartdom.TARGET}');
    const count = charts.length;
    if (!count) return;
    if (!(count in shown) && [...charts].every(chart => chart.querySelector('svg')) && visible()) {{
      shown[count] = performance.now();
    }}
    if (!(count in alive) && live()) alive[count] = performance.now();
  }};
  new MutationObserver(check).observe(document, {{subtree: true, childList: true, attributes: true}});
  const frame = () => {{
    check();
    if (document.readyState !== 'complete') requestAnimationFrame(frame);
  }};
  requestAnimationFrame(frame);
}})();
"""
THROTTLED_TIMES = f"""() => {{
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const count = document.querySelectorAll('.{chartdom.TARGET}').length;
  return {{
    fcp: paint ? paint.startTime : null,
    charts: count,
    visible: (window.__chartsVisible || {{}})[count] ?? null,
    live: (window.__chartsLive || {{}})[count] ?? null,
  }};
}}"""


@dataclass
class Build:
    seconds: float
    executed: int


@dataclass
class PageFigures:
    path: str
    bytes_gzip: int
    requests: int
    charts: int = 0
    charts_after_load_ms: float | None = None
    charts_after_start_ms: float | None = None


@dataclass
class ThrottledPage:
    """One page on the throttled profile: medians over the runs."""

    path: str
    runs: int
    bytes: int  # transferred (encodedDataLength, headers and gzip bodies), until network idle
    requests: int
    fcp_ms: float | None  # first contentful paint, from navigation start
    charts: int = 0
    charts_visible_ms: float | None = None
    # Runs in which every chart was visible by the first contentful paint.
    charts_at_fcp_runs: int = 0
    live_ms: float | None = None  # pages that go live by themselves (explorers): all charts live
    chapter: bool = False  # a numbered section of the chapter: the 200 kB budget applies
    # Each file the page fetched and the bytes it took (one run), biggest first.
    files: dict[str, int] = field(default_factory=dict)

    @property
    def charts_at_fcp(self) -> bool | None:
        return None if not self.charts else self.charts_at_fcp_runs == self.runs


@dataclass
class Bench:
    clean: Build | None = None
    cached: Build | None = None
    one_section: Build | None = None
    bare_sphinx_s: float = 0.0
    notebooks_s: dict[str, float] = field(default_factory=dict)
    # Each notebook's execution in the clean build (kernel start to shutdown), from jupyter-cache.
    clean_notebooks_s: dict[str, float] = field(default_factory=dict)
    pages: list[PageFigures] = field(default_factory=list)
    site_bytes: int = 0
    site_bytes_gzip: int = 0
    throttled: list[ThrottledPage] = field(default_factory=list)
    bare: ThrottledPage | None = None


def _timed_build(root: Path, *options: str) -> tuple[float, subprocess.CompletedProcess]:
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(root), *options]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    return time.perf_counter() - start, result


def jupyter_book(root: Path) -> Build:
    """Run `jupyter-book build` as `make book` does; count the notebooks it executed."""
    seconds, result = _timed_build(root, "--warningiserror", "--keep-going")
    log = result.stdout + result.stderr
    if result.returncode != 0:
        raise SystemExit(f"build failed ({' '.join(result.args)}):\n{log[-3000:]}")
    return Build(seconds, len(EXECUTED.findall(log)))


def recorded_execution_times(root: Path) -> dict[str, float]:
    """Each toc notebook's execution time, in toc order, as jupyter-cache last recorded it.

    With ``execute_notebooks: cache`` myst-nb runs each notebook through jupyter-cache, which
    stores the run with ``execution_seconds``: nbclient's time from kernel start to shutdown.
    Read right after a clean build, these are that build's times.
    """
    from jupyter_cache import get_cache

    folder = root / EXECUTION_CACHE
    if not (folder / "global.db").is_file():
        raise SystemExit(
            f"{folder}: no jupyter-cache here; expected the one a build with `execute_notebooks: cache` leaves"
        )
    latest: dict[Path, Any] = {}
    for record in sorted(get_cache(str(folder)).list_cache_records(), key=lambda record: record.pk):
        latest[Path(record.uri).resolve()] = record
    times, missing = {}, []
    for path in toc_notebooks(root):
        record = latest.get(path.resolve())
        seconds = (record.data or {}).get("execution_seconds") if record else None
        if isinstance(seconds, (int, float)):
            times[path.stem] = float(seconds)
        else:
            missing.append(str(path.relative_to(root)))
    if missing:
        raise SystemExit(
            f"{folder}: no record with execution_seconds for {', '.join(missing)}; "
            "expected one for every notebook in _toc.yml after a build"
        )
    return times


def copy_repository(destination: Path) -> Path:
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def edit_one_section(root: Path) -> None:
    """Change the code of one section's first cell, so its notebook must run again."""
    page = root / EDITED_SECTION
    text = page.read_text(encoding="utf-8")
    edited, count = FIRST_CODE_CELL.subn(r"\g<cell>\n# edited by make bench\g<fence>", text, count=1)
    if not count:
        raise SystemExit(f"{EDITED_SECTION}: no code cell to edit")
    page.write_text(edited, encoding="utf-8")


def bare_sphinx_build(root: Path) -> float:
    """The same build with notebook execution off: what Sphinx alone costs."""
    config = root / "_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"execute_notebooks: *\w+", "execute_notebooks: 'off'", text), encoding="utf-8")
    seconds, _ = _timed_build(root, "--path-output", str(root / "bare"))  # glue-less pages warn; timing only
    config.write_text(text, encoding="utf-8")
    return seconds


def notebook_times(root: Path) -> dict[str, float]:
    """Execute each notebook once with nbclient, as a kernel would, and time it."""
    import jupytext
    from nbclient import NotebookClient

    times = {}
    for path in toc_notebooks(root):
        notebook = jupytext.read(path)
        start = time.perf_counter()
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
        times[path.stem] = time.perf_counter() - start
    return times


@functools.cache
def gzip_size(path: Path) -> int:
    # Every page loads the same theme files: compress each once.
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def page_figures(site: Path, browser: Any, runs: int = 3) -> list[PageFigures]:
    """Load every page in a Playwright Chromium; add up what it fetched and time its charts."""
    pages = [*html_pages(), "genindex.html", "search.html"]
    figures = []
    with serving(site) as url:
        for path in pages:
            live = goes_live_by_itself((site / path).read_text(encoding="utf-8"))
            fetched: set[Path] = set()
            after_load, after_start, charts = [], [], 0
            for _ in range(runs):
                context = browser.new_context()
                context.add_init_script(CHART_CLOCK)
                page = context.new_page()
                page.on("requestfinished", lambda request, fetched=fetched: fetched.add(_local_file(site, request.url)))
                page.goto(f"{url}/{path}", wait_until="networkidle")
                page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
                if live:
                    # It fetches Vega and the specs when the browser is idle, which may come after
                    # "networkidle" on a busy machine: wait for them, so every run counts them.
                    page.wait_for_function(chartdom.CHARTS_LIVE, timeout=30_000)
                    page.wait_for_load_state("networkidle")
                timing = page.evaluate("""() => ({
                    charts: document.querySelectorAll('.manchuria-vega').length,
                    drawn: window.__chartsDrawnAt || null,
                    load: performance.getEntriesByType('navigation')[0].loadEventEnd})""")
                context.close()
                charts = timing["charts"]
                if charts and timing["drawn"] is not None:
                    after_start.append(timing["drawn"])
                    # Negative when the charts were drawn before the load event ended.
                    after_load.append(timing["drawn"] - timing["load"])
            fetched.discard(None)
            figures.append(
                PageFigures(
                    path=path,
                    bytes_gzip=sum(gzip_size(file) for file in fetched),
                    requests=len(fetched),
                    charts=charts,
                    charts_after_load_ms=statistics.median(after_load) if after_load else None,
                    charts_after_start_ms=statistics.median(after_start) if after_start else None,
                )
            )
    return figures


def _local_file(site: Path, url: str) -> Path | None:
    path = unquote(urlsplit(url).path).lstrip("/")
    file = site / path
    if file.is_dir():
        file = file / "index.html"
    return file if file.is_file() else None


def goes_live_by_itself(html: str) -> bool:
    """A page with an explorer loads Vega when the browser is idle (manchuria-charts.js), unasked."""
    return f'class="{chartdom.EXPLORER_WAITING}"' in html


@contextlib.contextmanager
def with_bare_page(site: Path) -> Iterator[Path]:
    """The site, plus the bare text page, in a temporary folder (links to the site's files; the site is left alone)."""
    with tempfile.TemporaryDirectory(prefix="manchuria-bench-site-") as folder:
        root = Path(folder)
        for entry in site.iterdir():
            (root / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
        (root / BARE_PAGE).write_text(BARE_HTML, encoding="utf-8")
        yield root


def throttled_load(browser: Any, url: str, live: bool = False) -> dict[str, Any]:
    """Load one page once on the throttled profile, in a fresh context; its times and the bytes of each file.

    Waits for the load event, for live charts if the page goes live by itself, then until
    no request has been in flight for ``QUIET_MS``, so late fetches (fonts) are counted.
    (Playwright's own "networkidle" never came on some pages under CDP throttling.)
    """
    context = browser.new_context(**PHONE)
    try:
        context.add_init_script(THROTTLED_CLOCK)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        urls: dict[str, str] = {}
        sizes: dict[str, int] = {}
        last = [time.monotonic()]

        def sent(event: dict) -> None:
            # Chromium asks for /favicon.ico by itself, sometimes within the quiet time, sometimes not.
            if urlsplit(event["request"]["url"]).path != BROWSER_OWN_REQUEST:
                urls[event["requestId"]] = event["request"]["url"]
                last[0] = time.monotonic()

        def ended(event: dict) -> None:
            if event["requestId"] in urls:
                sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))
                last[0] = time.monotonic()

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.loadingFinished", ended)
        cdp.on("Network.loadingFailed", ended)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", THROTTLED_NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        if live:
            page.wait_for_function(chartdom.CHARTS_LIVE, timeout=LOAD_TIMEOUT_MS)
        deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
        while (set(urls) - set(sizes) or time.monotonic() - last[0] < QUIET_MS / 1000) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        times = page.evaluate(THROTTLED_TIMES)
    finally:
        context.close()
    files: dict[str, int] = {}
    for request, size in sizes.items():
        name = urlsplit(urls.get(request, "?")).path.lstrip("/") or "/"
        files[name] = files.get(name, 0) + size
    return {**times, "files": dict(sorted(files.items(), key=lambda item: -item[1]))}


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def throttled_profile(
    site: Path, browser: Any, pages: list[str] | None = None, runs: int = THROTTLED_RUNS
) -> tuple[list[ThrottledPage], ThrottledPage]:
    """Every page, and the bare text page, on the throttled profile; medians of ``runs`` loads each.

    The pages are loaded in turn, then again, so each run meets the same machine; the bare
    page is loaded in every round, so its paint is the yardstick of the same run.
    """
    pages = [*html_pages(), "genindex.html", "search.html"] if pages is None else pages
    loads: dict[str, list[dict[str, Any]]] = {path: [] for path in [*pages, BARE_PAGE]}
    with with_bare_page(site) as root, serving(root, compress=True) as url:
        live = {path: goes_live_by_itself((root / path).read_text(encoding="utf-8")) for path in loads}
        for _ in range(runs):
            for path, results in loads.items():
                results.append(throttled_load(browser, f"{url}/{path}", live=live[path]))
    chapter = {str(path.relative_to(REPO_ROOT).with_suffix(".html")) for path in chapter_files()}
    figures = {}
    for path, results in loads.items():
        at_fcp = [
            result["visible"] is not None and result["fcp"] is not None and result["visible"] <= result["fcp"]
            for result in results
        ]
        totals = [sum(result["files"].values()) for result in results]
        median_run = results[totals.index(sorted(totals)[(len(totals) - 1) // 2])]
        figures[path] = ThrottledPage(
            path=path,
            runs=len(results),
            bytes=round(statistics.median(totals)),
            requests=len(median_run["files"]),
            fcp_ms=_median([result["fcp"] for result in results]),
            charts=results[-1]["charts"],
            charts_visible_ms=_median([result["visible"] for result in results]),
            charts_at_fcp_runs=sum(at_fcp),
            live_ms=_median([result["live"] for result in results]) if live[path] else None,
            files=median_run["files"],
            chapter=path in chapter,
        )
    bare = figures.pop(BARE_PAGE)
    return list(figures.values()), bare


def run() -> Bench:
    from playwright.sync_api import sync_playwright

    bench = Bench()
    with tempfile.TemporaryDirectory(prefix="manchuria-bench-") as folder:
        root = copy_repository(Path(folder))
        print("clean build ...", flush=True)
        bench.clean = jupyter_book(root)
        bench.clean_notebooks_s = recorded_execution_times(root)
        print("cached rebuild ...", flush=True)
        bench.cached = jupyter_book(root)
        print(f"rebuild after editing {EDITED_SECTION} ...", flush=True)
        edit_one_section(root)
        bench.one_section = jupyter_book(root)
        site = root / "_build" / "html"
        files = [file for file in site.rglob("*") if file.is_file()]
        bench.site_bytes = sum(file.stat().st_size for file in files)
        bench.site_bytes_gzip = sum(gzip_size(file) for file in files)
        print("pages in Chromium ...", flush=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
            bench.pages = page_figures(site, browser)
            print("pages on the throttled profile ...", flush=True)
            bench.throttled, bench.bare = throttled_profile(site, browser)
            browser.close()
        print("bare Sphinx build (execution off) ...", flush=True)
        bench.bare_sphinx_s = bare_sphinx_build(root)
        print("bare notebook execution ...", flush=True)
        bench.notebooks_s = notebook_times(root)
    return bench


def report(bench: Bench) -> str:
    """The table `make bench` prints: each figure, its target and whether it is met."""
    yardstick = sum(bench.notebooks_s.values()) + bench.bare_sphinx_s
    factor = bench.clean.seconds / yardstick
    heaviest = max(bench.pages, key=lambda page: page.bytes_gzip)
    timed = [page for page in bench.pages if page.charts_after_load_ms is not None]
    slowest = max(timed, key=lambda page: page.charts_after_load_ms)
    longest = max(bench.clean_notebooks_s.items(), key=lambda item: item[1], default=None)

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    rows = [
        (
            "Clean build",
            f"{bench.clean.seconds:.1f} s ({bench.clean.executed} notebooks executed)",
            f"<= {CLEAN_BUILD_FACTOR_MAX} x {yardstick:.1f} s = {CLEAN_BUILD_FACTOR_MAX * yardstick:.1f} s",
            verdict(factor <= CLEAN_BUILD_FACTOR_MAX),
        ),
        ("  bare notebook execution, sum", f"{sum(bench.notebooks_s.values()):.1f} s", "", ""),
        ("  bare Sphinx build, execution off", f"{bench.bare_sphinx_s:.1f} s", "", ""),
        (
            "Cached rebuild, nothing changed",
            f"{bench.cached.seconds:.1f} s ({bench.cached.executed} executed)",
            f"< {CACHED_REBUILD_MAX_S:.0f} s, 0 executed",
            verdict(bench.cached.seconds < CACHED_REBUILD_MAX_S and bench.cached.executed == 0),
        ),
        (
            f"Rebuild after editing {Path(EDITED_SECTION).name}",
            f"{bench.one_section.seconds:.1f} s ({bench.one_section.executed} executed)",
            "1 executed",
            verdict(bench.one_section.executed == 1),
        ),
        (
            "Heaviest page (gzip, all files)",
            f"{heaviest.bytes_gzip / 1e6:.2f} MB ({heaviest.path})",
            f"<= {PAGE_BYTES_MAX / 1e6:.1f} MB",
            verdict(heaviest.bytes_gzip <= PAGE_BYTES_MAX),
        ),
        ("Whole site", f"{bench.site_bytes / 1e6:.1f} MB ({bench.site_bytes_gzip / 1e6:.1f} MB gzip)", "", ""),
        (
            "Charts drawn, latest vs load event",
            f"{slowest.charts_after_load_ms:+.0f} ms ({slowest.path})",
            f"<= {CHARTS_AFTER_LOAD_MAX_MS} ms",
            verdict(slowest.charts_after_load_ms <= CHARTS_AFTER_LOAD_MAX_MS),
        ),
        (
            "Slowest notebook in the clean build",
            f"{longest[1]:.1f} s ({longest[0]})" if longest else "not recorded",
            f"<= {NOTEBOOK_CLEAN_MAX_S:.0f} s",
            verdict(longest is not None and longest[1] <= NOTEBOOK_CLEAN_MAX_S),
        ),
    ]
    if bench.throttled and bench.bare:
        rows += throttled_targets(bench.throttled, bench.bare)
    lines = _table(("Figure", "Measured", "Target", ""), rows)

    def seconds(times: dict[str, float], name: str) -> str:
        return f"{times[name]:.1f} s" if name in times else "-"

    names = list(dict.fromkeys([*bench.clean_notebooks_s, *bench.notebooks_s]))
    lines += [
        "",
        *_table(
            ("Notebook", "Clean build (jupyter-cache)", "Bare execution"),
            [(name, seconds(bench.clean_notebooks_s, name), seconds(bench.notebooks_s, name)) for name in names],
        ),
    ]
    page_rows = [
        (
            page.path,
            f"{page.bytes_gzip / 1e3:,.0f} kB",
            str(page.requests),
            str(page.charts),
            "" if page.charts_after_load_ms is None else f"{page.charts_after_load_ms:+.0f} ms",
            "" if page.charts_after_start_ms is None else f"{page.charts_after_start_ms:.0f} ms",
        )
        for page in bench.pages
    ]
    lines += [
        "",
        *_table(
            ("Page", "Transferred (gzip)", "Files", "Charts", "Drawn vs load event", "Drawn after navigation start"),
            page_rows,
        ),
    ]
    if bench.throttled and bench.bare:
        lines += ["", *throttled_table(bench.throttled, bench.bare)]
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def throttled_targets(pages: list[ThrottledPage], bare: ThrottledPage) -> list[tuple[str, str, str, str]]:
    """Issue 14's page-speed targets, on the throttled profile, as rows of the report."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    runs = f"median of {bare.runs}" if bare.runs > 1 else "1 run"
    chart_pages = [page for page in pages if page.charts]
    late = [page.path for page in chart_pages if not page.charts_at_fcp]
    slowest = max(chart_pages, key=lambda page: page.fcp_ms or float("inf"), default=None)
    limit = FCP_FACTOR_MAX * bare.fcp_ms if bare.fcp_ms else None
    chapters = [page for page in pages if page.chapter]
    heaviest = max(chapters, key=lambda page: page.bytes, default=None)
    rows = [
        ("Throttled: bare text page's first paint", f"{_ms(bare.fcp_ms)} ({runs})", "", ""),
        (
            "Throttled: charts visible at first paint",
            f"{len(chart_pages) - len(late)} of {len(chart_pages)} chart pages"
            + (f" (not: {', '.join(late)})" if 0 < len(late) <= 4 else ""),
            "every chart page",
            verdict(not late),
        ),
    ]
    if slowest is not None:
        over = [page.path for page in chart_pages if limit is None or page.fcp_ms is None or page.fcp_ms > limit]
        factor = f" = {slowest.fcp_ms / bare.fcp_ms:.1f} x bare" if slowest.fcp_ms and bare.fcp_ms else ""
        rows.append(
            (
                "Throttled: latest first paint of a chart page",
                f"{_ms(slowest.fcp_ms)} ({slowest.path}){factor}; {len(over)} of {len(chart_pages)} over",
                f"<= {FCP_FACTOR_MAX} x bare = {_ms(limit)}",
                verdict(not over),
            )
        )
    if heaviest is not None:
        too_heavy = [page for page in chapters if page.bytes > CHAPTER_PAGE_BYTES_MAX]
        rows.append(
            (
                "Throttled: heaviest chapter page, transferred",
                f"{heaviest.bytes / 1e3:,.0f} kB ({heaviest.path}); {len(too_heavy)} of {len(chapters)} over",
                f"<= {CHAPTER_PAGE_BYTES_MAX / 1e3:.0f} kB",
                verdict(heaviest.bytes <= CHAPTER_PAGE_BYTES_MAX),
            )
        )
    return rows


def throttled_table(pages: list[ThrottledPage], bare: ThrottledPage) -> list[str]:
    """Each page on the throttled profile, the bare text page last."""

    def at_fcp(page: ThrottledPage) -> str:
        return (
            ""
            if not page.charts
            else f"{'yes' if page.charts_at_fcp else 'NO'} ({page.charts_at_fcp_runs}/{page.runs})"
        )

    rows = [
        (
            page.path + (" (chapter)" if page.chapter else ""),
            f"{page.bytes / 1e3:,.1f} kB",
            str(page.requests),
            _ms(page.fcp_ms),
            f"{page.fcp_ms / bare.fcp_ms:.2f}" if page.fcp_ms and bare.fcp_ms else "-",
            str(page.charts),
            _ms(page.charts_visible_ms) if page.charts else "",
            at_fcp(page),
            _ms(page.live_ms) if page.live_ms is not None else "",
        )
        for page in [*pages, bare]
    ]
    return _table(
        (
            "Page (throttled)",
            "Transferred",
            "Files",
            "First paint",
            "x bare",
            "Charts",
            "Charts visible",
            "Visible at first paint",
            "Live",
        ),
        rows,
    )


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A Markdown table, so the output can be pasted into README.md as it is."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)) + " |"

    return [line(header), "|" + "|".join("-" * (width + 2) for width in widths) + "|", *map(line, rows)]


def main() -> None:
    bench = run()
    print()
    print(report(bench))
    output = REPO_ROOT / "_build" / "bench.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(asdict(bench), indent=2), encoding="utf-8")
    print(f"\nwrote {output}")


if __name__ == "__main__":
    main()
