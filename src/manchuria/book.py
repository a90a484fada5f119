"""Facts about the book's own layout: which pages _toc.yml lists, and which are notebooks."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def toc_files(root: Path = REPO_ROOT) -> list[Path]:
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


def chapter_files(root: Path = REPO_ROOT) -> list[Path]:
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


def toc_notebooks(root: Path = REPO_ROOT) -> list[Path]:
    """The pages in ``_toc.yml`` that are executable notebooks."""
    return [path for path in toc_files(root) if is_notebook(path)]


def html_pages(root: Path = REPO_ROOT) -> list[str]:
    """Site-relative paths of the HTML pages built from ``_toc.yml``."""
    return [str(path.relative_to(root).with_suffix(".html")) for path in toc_files(root)]


def write_notebook_twins(root: Path = REPO_ROOT) -> list[Path]:
    """Write ``page.ipynb`` beside each MyST notebook ``page.md`` in the toc (when missing or older).

    The theme's launch buttons then open the ``.ipynb`` in Binder or JupyterHub,
    which every Jupyter front end opens as a notebook. The twins are generated
    (git ignores them) by the Sphinx extension at build time and by Binder's
    ``postBuild``.
    """
    import jupytext

    written = []
    for source in toc_notebooks(root):
        twin = source.with_suffix(".ipynb")
        if source.suffix == ".md" and (not twin.exists() or twin.stat().st_mtime < source.stat().st_mtime):
            jupytext.write(jupytext.read(source), twin)
            written.append(twin)
    return written


if __name__ == "__main__":
    # `python -m manchuria.book`, run by Binder's postBuild at the repository root,
    # writes the notebook twins there.
    here = Path.cwd()
    for path in write_notebook_twins(here if (here / "_toc.yml").exists() else REPO_ROOT):
        print(f"wrote {path}")
