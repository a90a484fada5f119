"""Notebooks the execution cache lacks run in parallel before Sphinx reads them (issue 14, point 5).

A small Sphinx project (tests/roots/test-exec: two notebooks and a plain page, myst-nb
in "cache" mode as the book's _config.yml sets it) is built with `manchuria.sphinx.execution`'s
handler connected as the book's extension connects it. Each build starts real kernels.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from jupyter_cache import get_cache

from manchuria.sphinx import execution
from manchuria.sphinx.execution import pre_execute

pytestmark = pytest.mark.build

NOTEBOOKS = ("slow", "quick")
MYST_NB_EXECUTED = "Executing notebook using"
MYST_NB_CACHED = "Using cached notebook"
BROKEN = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# Broken

```{code-cell} ipython3
print("before")
1 / 0
```
"""


def project(rootdir: Path, tmp_path: Path, name: str = "book") -> Path:
    srcdir = tmp_path / name
    shutil.copytree(rootdir / "test-exec", srcdir)
    return srcdir


def build(make_app, srcdir: Path, pre_execution: bool = True):
    app = make_app("html", srcdir=srcdir, freshenv=True)
    if pre_execution:
        app.connect("env-before-read-docs", pre_execute)
    try:
        app.build()
    finally:
        app.cleanup()  # unregisters the extensions' nodes and directives, so the next app starts clean
    return app


def cached_uris(app) -> dict[str, dict]:
    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    return {Path(record.uri).stem: record.data for record in cache.list_cache_records()}


def test_missing_notebooks_are_executed_before_reading_and_myst_nb_executes_none(
    make_app, rootdir, tmp_path, monkeypatch
):
    srcdir = project(rootdir, tmp_path)
    app = build(make_app, srcdir)
    status = app.status.getvalue()
    assert not app.warning.getvalue()
    assert f"pre-executing 2 notebooks on {execution.workers_for(2)} workers" in status
    assert MYST_NB_EXECUTED not in status
    assert status.count(MYST_NB_CACHED) == len(NOTEBOOKS)
    records = cached_uris(app)
    assert sorted(records) == sorted(NOTEBOOKS)
    assert all(data["execution_seconds"] > 0 for data in records.values())
    page = (app.outdir / "slow.html").read_text(encoding="utf-8")
    assert "slow 42" in page
    assert f"cwd {srcdir.name}" in page  # the kernel ran in the notebook's folder, as myst-nb runs it

    # Everything cached: a second build, re-reading every page, starts no worker.
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started with every notebook cached")

    monkeypatch.setattr(execution.multiprocessing, "get_context", no_pool)
    again = build(make_app, srcdir)
    status = again.status.getvalue()
    assert not again.warning.getvalue()
    assert "pre-executing" not in status and MYST_NB_EXECUTED not in status
    assert status.count(MYST_NB_CACHED) == len(NOTEBOOKS)


def normalized(text: str, srcdir: Path) -> str:
    return re.sub(r"ipykernel_\d+", "ipykernel_N", text.replace(str(srcdir), "SRCDIR"))


def test_a_failing_notebook_is_left_uncached_and_reported_as_without_pre_execution(make_app, rootdir, tmp_path):
    srcdir = project(rootdir, tmp_path)
    (srcdir / "broken.md").write_text(BROKEN, encoding="utf-8")
    index = srcdir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("plain\n", "plain\nbroken\n"), encoding="utf-8")

    app = build(make_app, srcdir)
    status = app.status.getvalue()
    assert "pre-executing 3 notebooks" in status
    assert "pre-executing broken failed (CellExecutionError)" in status
    # Not cached, so myst-nb ran it again as it read the page, and reported it.
    assert status.count(MYST_NB_EXECUTED) == 1
    assert sorted(cached_uris(app)) == sorted(NOTEBOOKS)
    reported = normalized(app.warning.getvalue(), srcdir)
    assert "Executing notebook failed: CellExecutionError" in reported
    assert "ZeroDivisionError" in reported

    # The same build without pre-execution (the two good notebooks now come from the cache)
    # reports the failure word for word the same.
    plain = build(make_app, srcdir, pre_execution=False)
    assert plain.status.getvalue().count(MYST_NB_EXECUTED) == 1
    assert normalized(plain.warning.getvalue(), srcdir) == reported
