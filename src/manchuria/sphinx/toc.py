"""The book's layout as ``_toc.yml`` gives it: which pages it lists, in what order, and which are notebooks.

Every function takes the book's root (Sphinx's source directory, the folder of
``_toc.yml``): the extension passes ``app.srcdir``, :mod:`manchuria.book` the repository.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def toc_files(root: Path) -> list[Path]:
    """Every page listed in ``_toc.yml``, in reading order, as absolute paths."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(node: dict) -> None:
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                if "file" in child:
                    entries.append(child["file"])
                walk(child)

    walk(toc)
    return [_resolve(root, entry) for entry in entries]


def chapter_files(root: Path) -> list[Path]:
    """The numbered sections of the chapter (the toc parts marked ``numbered``), in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [
        _resolve(root, chapter["file"])
        for part in toc.get("parts", [])
        if part.get("numbered")
        for chapter in part.get("chapters", [])
    ]


def _resolve(root: Path, entry: str) -> Path:
    for suffix in (".md", ".ipynb"):
        candidate = root / f"{entry}{suffix}"
        if candidate.exists():
            return candidate.resolve()
    raise FileNotFoundError(f"_toc.yml lists '{entry}', but neither {entry}.md nor {entry}.ipynb exists")


def is_notebook(path: Path) -> bool:
    """A MyST page is a notebook when its front matter names a Jupyter kernel."""
    if path.suffix == ".ipynb":
        return True
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front_matter = text.split("---", 2)[1]
    return "kernelspec" in (yaml.safe_load(front_matter) or {})


def toc_notebooks(root: Path) -> list[Path]:
    """The pages in ``_toc.yml`` that are executable notebooks."""
    return [path for path in toc_files(root) if is_notebook(path)]


def html_pages(root: Path) -> list[str]:
    """Site-relative paths of the HTML pages built from ``_toc.yml``."""
    return [str(path.relative_to(root).with_suffix(".html")) for path in toc_files(root)]
