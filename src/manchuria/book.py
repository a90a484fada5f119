"""Facts about the book's own layout: which pages _toc.yml lists, and which are notebooks.

The kernels read it (explorers list the chapter's sections), and so do the
benchmark and the tests; the functions read the repository's ``_toc.yml`` unless
given another root. How ``_toc.yml`` is read has its home in
:mod:`manchuria.sphinx.toc`, which the build reads from Sphinx's source
directory. ``python -m manchuria.book`` writes the notebooks' ``.ipynb`` twins
(:func:`manchuria.sphinx.twins.write_notebook_twins`); no kernel runs that, so
the twin code is no notebook input.
"""

from __future__ import annotations

from pathlib import Path

from .sphinx import toc

REPO_ROOT = Path(__file__).resolve().parents[2]


def toc_files(root: Path = REPO_ROOT) -> list[Path]:
    """Every page listed in ``_toc.yml``, in reading order, as absolute paths."""
    return toc.toc_files(root)


def chapter_files(root: Path = REPO_ROOT) -> list[Path]:
    """The numbered sections of the chapter (the toc parts marked ``numbered``), in order."""
    return toc.chapter_files(root)


def toc_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """The pages in ``_toc.yml`` that are executable notebooks."""
    return toc.toc_notebooks(root)


def html_pages(root: Path = REPO_ROOT) -> list[str]:
    """Site-relative paths of the HTML pages built from ``_toc.yml``."""
    return toc.html_pages(root)


if __name__ == "__main__":
    # `python -m manchuria.book`, run by Binder's postBuild and `make lab` at the
    # repository root, writes the resolved notebook twins there.
    from .sphinx.twins import write_notebook_twins

    here = Path.cwd()
    for path in write_notebook_twins(here if (here / "_toc.yml").exists() else REPO_ROOT):
        print(f"wrote {path}")
