"""Shared fixtures: the built site, a local web server for it, and headless Chromium."""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from manchuria.book import REPO_ROOT
from manchuria.pdf import CHROMIUM_FLAGS, find_chromium

BUILD_LOG = REPO_ROOT / "_build" / "test-build.log"
SITE = REPO_ROOT / "_build" / "html"


@dataclass(frozen=True)
class Build:
    returncode: int
    log: str
    site: Path


@pytest.fixture(scope="session")
def book_build() -> Build:
    """Build the whole book once per test session, as `make book` does, re-reading every page.

    ``--all`` makes Sphinx read every page again, so every warning is seen even
    when nothing changed; jupyter-cache still spares notebooks that have not changed.
    """
    command = [
        str(Path(sys.executable).with_name("jupyter-book")), "build", str(REPO_ROOT),
        "--all", "--warningiserror", "--keep-going",
    ]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    log = result.stdout + result.stderr
    BUILD_LOG.parent.mkdir(exist_ok=True)
    BUILD_LOG.write_text(log, encoding="utf-8")
    return Build(result.returncode, log, SITE)


@pytest.fixture(scope="session")
def site(book_build: Build) -> Path:
    """The built HTML site; tests that need it fail if the build failed."""
    if book_build.returncode != 0:
        pytest.fail(f"the book did not build; see {BUILD_LOG}")
    return book_build.site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass


@contextlib.contextmanager
def serving(directory: Path):
    """Serve a directory on 127.0.0.1 on a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(site: Path):
    """The built site, served for the whole session."""
    with serving(site) as url:
        yield url


@pytest.fixture
def serve():
    """`with serve(folder) as url:` serves any folder on 127.0.0.1."""
    return serving


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Required in CI; skipped with advice elsewhere."""
    executable = find_chromium()
    if executable is None:
        message = "Chromium not found: install it with `apt-get install chromium` (or set CHROMIUM=/path)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()
