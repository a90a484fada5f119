"""Print the whole chapter to one PDF with headless Chromium.

``make pdf`` builds the single-page HTML edition of the book, serves it on
127.0.0.1, waits until every chart is drawn (as SVG, so it prints sharp), and
prints it. Usage: ``python -m manchuria.pdf SITE_DIR OUTPUT.pdf``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

from .browser import CHARTS_DRAWN, CHROMIUM_FLAGS, chromium, serving


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
    output.parent.mkdir(parents=True, exist_ok=True)
    with serving(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if urlparse(route.request.url).hostname in (None, "127.0.0.1") else route.abort()
            ),
        )
        page.goto(f"{url}/index.html", wait_until="networkidle")
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
        page.emulate_media(media="print")
        page.pdf(
            path=str(output),
            format="A4",
            print_background=True,
            margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
        )
        browser.close()
    return output


if __name__ == "__main__":
    site_dir, pdf_path = map(Path, sys.argv[1:3])
    print(f"wrote {print_site(site_dir, pdf_path)}")
