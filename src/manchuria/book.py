"""Facts about the book's own layout: which pages _toc.yml lists, and which are notebooks."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from . import twins

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOK_IMPORT = re.compile(
    r"^\s*from manchuria(?:\.(\w+))? import ([\w, ]+)|^\s*import manchuria\.(\w+)", re.MULTILINE
)
NOTEBOOK_INPUT_SUFFIXES = {".csv", ".json", ".py", ".js"}


def kernel_modules(root: Path = REPO_ROOT) -> list[str]:
    """The package modules a notebook's kernel can run, as dotted names below the package
    (``"charts"``, ``"sphinx.specs"``): those the pages import, and every package module those
    import in turn, imports inside functions and the packages on the way included (so the list
    errs on the safe side)."""
    wanted: list[str] = []
    for page in sorted((root / "book").glob("*.md")):
        for match in NOTEBOOK_IMPORT.finditer(page.read_text(encoding="utf-8")):
            module, names, plain = match.groups()
            wanted += [module] if module else [plain] if plain else [name.strip() for name in names.split(",")]
    found: set[str] = set()
    while wanted:
        module = wanted.pop()
        path = module_path(module)
        if module in found or path is None:
            continue
        found.add(module)
        package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
        if len(package):
            wanted.append(".".join(package))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join([*base, node.module] if node.module else base)
                wanted += [prefix] if node.module else []
                wanted += [f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names]
    return sorted(found)


def module_path(module: str) -> Path | None:
    """The file of a package module given as a dotted name below the package, or None if there is none."""
    base = PACKAGE_DIR.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def notebook_inputs(root: Path = REPO_ROOT) -> list[Path]:
    """What the notebooks read besides their own cells: the data and the kernel modules; not the
    benchmark, the browser helpers, the page scripts or the Sphinx code the kernel does not import."""
    return [root / "data", PACKAGE_DIR / "__init__.py", *(module_path(module) for module in kernel_modules(root))]


def inputs_digest(inputs: Iterable[Path] | None = None) -> str:
    """One sha256 over the names and contents of every input file (a folder stands for the files in it)."""
    digest = hashlib.sha256()
    for item in notebook_inputs() if inputs is None else inputs:
        base, files = (item, sorted(item.rglob("*"))) if item.is_dir() else (item.parent, [item])
        for path in files:
            if path.is_file() and path.suffix in NOTEBOOK_INPUT_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


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


GLUE_ROLE = re.compile(r"\{glue(?::\w*)?\}`")
TWINS_SOURCE = Path(__file__).with_name("twins.py")


def book_pages(root: Path = REPO_ROOT) -> list[twins.Page]:
    """Every toc page as the twins need it: title, section number, targets, figures."""
    sections = {path: number for number, path in enumerate(chapter_files(root), start=1)}
    return [
        twins.read_page(path.stem, path.read_text(encoding="utf-8"), sections.get(path))
        for path in toc_files(root)
        if path.suffix == ".md"
    ]


def book_index(root: Path = REPO_ROOT, pages: list[twins.Page] | None = None) -> twins.BookIndex:
    """The book's pages and its citation style, read from ``_config.yml`` and ``references.bib``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    citations = twins.Citations(
        root / config["bibtex_bibfiles"][0],
        reference_style=sphinx_config.get("bibtex_reference_style", "label"),
        entry_style=sphinx_config.get("bibtex_default_style", "alpha"),
    )
    return twins.BookIndex(pages or book_pages(root), citations, citations.full_entries)


def executed_glue(source: Path) -> dict[str, dict]:
    """Run a MyST notebook once (in its folder, as the book does) and return what it glues."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = jupytext.read(source)
    kernel = notebook.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(
        notebook, timeout=120, kernel_name=kernel, resources={"metadata": {"path": str(source.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise RuntimeError(f"{source}: a cell failed while executing it for its glued values:\n{error}") from None
    return twins.glue_outputs(notebook)


def built_glue_folder(root: Path = REPO_ROOT) -> Path | None:
    """myst-nb's executed-notebook folder from the last `make book`, if its outputs are still current.

    They are when the extension's stamp says the data and package have not
    changed since; a page edited after the build is caught by its mtime.
    """
    build = root / "_build"
    stamp = build / "manchuria-inputs.sha256"
    if stamp.exists() and stamp.read_text() == inputs_digest(notebook_inputs(root)):
        return build / "jupyter_execute"
    return None


def page_glue(source: Path, root: Path, glue_folder: Path | None, report=print) -> dict[str, dict]:
    """The values a page glues: none if it uses no glue role; else from the build, else by running it."""
    if not GLUE_ROLE.search(source.read_text(encoding="utf-8")):
        return {}
    if glue_folder is not None:
        built = glue_folder / source.relative_to(root).with_suffix(".glue.json")
        if built.exists() and built.stat().st_mtime >= source.stat().st_mtime:
            return twins.glue_from_json(built.read_text(encoding="utf-8"))
    report(f"running {source.relative_to(root)} once for its glued values")
    return executed_glue(source)


def twin_digest(source: Path, glue: dict, shared: bytes) -> str:
    """One sha256 over everything a twin is made from, stored in it to skip unchanged rewrites."""
    digest = hashlib.sha256(shared)
    digest.update(source.read_bytes())
    digest.update(json.dumps(glue, sort_keys=True).encode())
    return digest.hexdigest()


def write_notebook_twins(root: Path = REPO_ROOT, glue_folder: Path | None = None, report=print) -> list[Path]:
    """Write ``page.ipynb`` beside each MyST notebook ``page.md`` in the toc, resolved for JupyterLab.

    The theme's launch buttons open the ``.ipynb`` in Binder or JupyterHub, and
    ``make lab`` opens them locally. Their markdown reads as the book does:
    glued values, citations, figure numbers and cross-references are resolved
    (:mod:`manchuria.twins`). The glued values come from ``glue_folder`` (the
    ``jupyter_execute`` folder of a Sphinx build, as the extension passes it),
    or, without one, from the last build when still current, else from running
    the notebook. A twin is rewritten only when its page, the book's other pages,
    the bibliography, its glued values or the twin code changed. The twins are
    generated (git ignores them) by the Sphinx extension and by Binder's
    ``postBuild``. ``report`` is told when a notebook must be run. Returns the
    twins written.
    """
    if glue_folder is None:
        glue_folder = built_glue_folder(root)
    # What every twin depends on: the other pages only through their titles,
    # labels and figures, so editing one page's prose rewrites only its twin.
    pages = book_pages(root)
    shared = hashlib.sha256(repr(pages).encode())
    for path in (root / "_toc.yml", root / "_config.yml", root / "references.bib", TWINS_SOURCE):
        shared.update(path.read_bytes())
    index = None
    written = []
    for source in toc_notebooks(root):
        if source.suffix != ".md":
            continue
        twin = source.with_suffix(".ipynb")
        glue = page_glue(source, root, glue_folder, report)
        digest = twin_digest(source, glue, shared.digest())
        if twin.exists() and _twin_digest_of(twin) == digest:
            continue
        import jupytext
        import nbformat

        index = index or book_index(root, pages)
        page_source = source.read_text(encoding="utf-8")
        context = twins.Context(str(source.relative_to(root)), source.stem, glue, index)
        notebook = twins.resolve_notebook(jupytext.reads(page_source, fmt="md:myst"), page_source, context)
        notebook["metadata"][twins.TWIN_METADATA] = {"twin_of": source.name, "inputs_sha256": digest}
        nbformat.write(nbformat.from_dict(notebook), twin)
        written.append(twin)
    return written


def _twin_digest_of(twin: Path) -> str | None:
    try:
        return json.loads(twin.read_text(encoding="utf-8"))["metadata"][twins.TWIN_METADATA]["inputs_sha256"]
    except (ValueError, KeyError, TypeError):
        return None


if __name__ == "__main__":
    # `python -m manchuria.book`, run by Binder's postBuild and `make lab` at the
    # repository root, writes the resolved notebook twins there.
    here = Path.cwd()
    for path in write_notebook_twins(here if (here / "_toc.yml").exists() else REPO_ROOT):
        print(f"wrote {path}")
