"""Print the whole chapter to one PDF with headless Chromium.

``make pdf`` builds the single-page HTML edition of the book, serves it on
127.0.0.1, waits until every chart is drawn (as SVG, so it prints sharp), and
prints it. Usage: ``python -m manchuria.pdf SITE_DIR OUTPUT.pdf``.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS_DRAWN = """() => [...document.querySelectorAll('.manchuria-vega')]
    .every(el => el.dataset.rendered === 'yes' || el.dataset.rendered === 'error')"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


def find_chromium() -> str | None:
    """Debian's Chromium (or $CHROMIUM), as the tests and `make pdf` use it."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def chromium() -> str:
    found = find_chromium()
    if not found:
        raise SystemExit("Chromium not found: install it with `apt-get install chromium` (or set CHROMIUM=/path)")
    return found


def print_site(site: Path, output: Path) -> Path:
    """Print ``site/index.html`` (the single-page book) to ``output``."""
    from playwright.sync_api import sync_playwright

    if not (site / "index.html").exists():
        raise SystemExit(f"{site / 'index.html'} not found: build the single-page book first (make pdf does)")
    # Jupyter Book writes the single page to book/index.html but links its assets
    # as if it sat at the root; point book/_static at the real folder.
    for name in ("_static", "_downloads"):
        link = site / "book" / name
        if (site / "book").is_dir() and not link.exists():
            link.symlink_to(Path("..") / name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: route.continue_()
                if urlparse(route.request.url).hostname in (None, "127.0.0.1")
                else route.abort(),
            )
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html", wait_until="networkidle")
            page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
            page.emulate_media(media="print")
            page.pdf(path=str(output), format="A4", print_background=True,
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return output


if __name__ == "__main__":
    site_dir, pdf_path = map(Path, sys.argv[1:3])
    print(f"wrote {print_site(site_dir, pdf_path)}")
