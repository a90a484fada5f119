"""Collect every MyST notebook in _toc.yml for nbval.

nbval reads .ipynb files only, so each listed ``book/*.md`` notebook is
converted with jupytext into ``_build/nbval/`` and handed to nbval's own
collector. Run with ``--nbval-lax``: every cell must execute without error.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from nbval.plugin import IPyNbFile

from manchuria.book import toc_notebooks

ROOT = Path(__file__).parent
# Small Sphinx projects for the build code's tests (tests/roots/, tests/test_sphinx_projects.py).
pytest_plugins = ["sphinx.testing.fixtures"]
collect_ignore = ["tests/roots"]
CONVERTED = ROOT / "_build" / "nbval"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config):
    # The .ipynb twins of the book's notebooks are generated for Binder; nbval runs the .md sources.
    if collection_path.suffix == ".ipynb" and collection_path.parent.name == "book":
        return True
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix != ".md" or file_path.resolve() not in toc_notebooks(ROOT):
        return None
    target = CONVERTED / file_path.relative_to(ROOT).with_suffix(".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(jupytext.read(file_path), target)
    notebook = IPyNbFile.from_parent(parent, path=target)
    # nbval runs a notebook's cells in order in one kernel: on several workers (`make test`),
    # its cells (which inherit this mark) all go to one worker (pytest-xdist's --dist loadgroup).
    notebook.add_marker(pytest.mark.xdist_group(f"nbval-{file_path.stem}"))
    return notebook
