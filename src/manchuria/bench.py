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
* time from page load to all charts drawn, in headless Chromium on 127.0.0.1.
"""

from __future__ import annotations

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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .book import REPO_ROOT, html_pages, toc_notebooks
from .browser import CHARTS_DRAWN, CHROMIUM_FLAGS, chromium, serving
from .sphinx import chartdom

# Targets from issue 7, for a 2-core machine.
CACHED_REBUILD_MAX_S = 5.0
CLEAN_BUILD_FACTOR_MAX = 1.3
CHARTS_AFTER_LOAD_MAX_MS = 500
PAGE_BYTES_MAX = 1_200_000
# Target from issue 11: no notebook stalls in a clean build.
NOTEBOOK_CLEAN_MAX_S = 20.0
# Where myst-nb keeps its jupyter-cache (`execute.cache` unset in _config.yml: jupyter-book's default).
EXECUTION_CACHE = Path("_build") / ".jupyter_cache"
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
            fetched: set[Path] = set()
            after_load, after_start, charts = [], [], 0
            for _ in range(runs):
                context = browser.new_context()
                context.add_init_script(CHART_CLOCK)
                page = context.new_page()
                page.on("requestfinished", lambda request, fetched=fetched: fetched.add(_local_file(site, request.url)))
                page.goto(f"{url}/{path}", wait_until="networkidle")
                page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
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
    return "\n".join(lines)


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
