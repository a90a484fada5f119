"""Shared fixtures: the built site, a local web server for it, and headless Chromium."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from manchuria.book import REPO_ROOT
from manchuria.browser import CHROMIUM_FLAGS, find_chromium, serving

BUILD_LOG = REPO_ROOT / "_build" / "test-build.log"
# Which test run built the book, and how it went: `make test` runs on every core (pytest-xdist),
# and the worker that builds first tells the others, so the book is built once per run.
BUILD_RECORD = REPO_ROOT / "_build" / "test-build.json"
# Held shared by every test that reads the built book and exclusively by the build and by the
# tests that build again in place (marked `rebuilds`), so no test reads a page while it is written.
BUILD_LOCK = REPO_ROOT / "_build" / "test-build.lock"
SITE = REPO_ROOT / "_build" / "html"


@contextlib.contextmanager
def build_lock(mode: int):
    """``fcntl.LOCK_SH`` to read the built book, ``fcntl.LOCK_EX`` to write it; released on exit."""
    BUILD_LOCK.parent.mkdir(exist_ok=True)
    with open(BUILD_LOCK, "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the small projects: ``testroot="pages"`` is ``tests/roots/test-pages``."""
    return Path(__file__).parent / "roots"


@dataclass(frozen=True)
class Build:
    returncode: int
    log: str
    site: Path


@pytest.fixture(scope="session")
def book_build(testrun_uid: str) -> Build:
    """Build the whole book once per test run, as `make book` does, re-reading every page.

    ``--all`` makes Sphinx read every page again, so every warning is seen even
    when nothing changed; jupyter-cache still spares notebooks that have not changed.
    With several workers, the first to get the lock builds and the others read its record.
    """
    with build_lock(fcntl.LOCK_EX):
        if BUILD_RECORD.exists():
            record = json.loads(BUILD_RECORD.read_text(encoding="utf-8"))
            if record["run"] == testrun_uid:
                return Build(record["returncode"], BUILD_LOG.read_text(encoding="utf-8"), SITE)
        build = _build_the_book()
        BUILD_RECORD.write_text(json.dumps({"run": testrun_uid, "returncode": build.returncode}), encoding="utf-8")
        return build


def _build_the_book() -> Build:
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(REPO_ROOT),
        "--all",
        "--warningiserror",
        "--keep-going",
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


@pytest.fixture(scope="module")
def site_held(site: Path):
    """The built site, for a module-scoped fixture that reads it: held shared for the module's life
    (a test's own hold starts only after the module's fixtures are set up)."""
    with build_lock(fcntl.LOCK_SH):
        yield site


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


# Fixtures that need the whole book built (or a browser on it): a test that uses one is in the
# third layer, whether or not it carries a marker, so `make test-fast` leaves it out.
WHOLE_BOOK_FIXTURES = {"book_build", "site", "site_url", "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if WHOLE_BOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)


@pytest.fixture(autouse=True)
def _built_book_held(request):
    """While a test reads the built book no other builds it; a test that builds in place has it alone."""
    if request.node.get_closest_marker("rebuilds"):
        with build_lock(fcntl.LOCK_EX):
            yield
    elif WHOLE_BOOK_FIXTURES & set(request.fixturenames):
        with build_lock(fcntl.LOCK_SH):
            yield
    else:
        yield
