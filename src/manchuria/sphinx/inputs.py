"""What the notebooks read besides their own cells: the data and the package modules their kernels run.

jupyter-cache keys a notebook on its own code only; the extension keys the
whole execution cache on :func:`inputs_digest` of these, so a corrected CSV row
or an edited chart function re-executes the notebooks, and editing the build
code (this package's modules no kernel imports) re-executes none.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

# The manchuria package, which this one is part of.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
NOTEBOOK_IMPORT = re.compile(
    r"^\s*from manchuria(?:\.(\w+))? import ([\w, ]+)|^\s*import manchuria\.(\w+)", re.MULTILINE
)
NOTEBOOK_INPUT_SUFFIXES = {".csv", ".json", ".py", ".js"}


def kernel_modules(root: Path) -> list[str]:
    """The package modules a notebook's kernel can run, as dotted names below the package
    (``"charts"``, ``"sphinx.specs"``): those the pages in ``root/book`` import, and every package
    module those import in turn, imports inside functions and the packages on the way included (so
    the list errs on the safe side). A module's ``if __name__ == "__main__":`` block is left out:
    importing the module never runs it."""
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
        for node in imported_on_import(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join([*base, node.module] if node.module else base)
                wanted += [prefix] if node.module else []
                wanted += [f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names]
    return sorted(found)


def imported_on_import(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of a module, inside functions too, but not in its ``__main__`` block."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [node for node in tree.body if not _is_main_block(node)]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _is_main_block(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
        and len(node.test.comparators) == 1
        and isinstance(node.test.comparators[0], ast.Constant)
        and node.test.comparators[0].value == "__main__"
    )


def module_path(module: str) -> Path | None:
    """The file of a package module given as a dotted name below the package, or None if there is none."""
    base = PACKAGE_DIR.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def notebook_inputs(root: Path) -> list[Path]:
    """What the notebooks of the book at ``root`` read besides their own cells: the data and the
    kernel modules; not the benchmark, the browser helpers, the page scripts or the Sphinx code
    the kernel does not import."""
    return [root / "data", PACKAGE_DIR / "__init__.py", *(module_path(module) for module in kernel_modules(root))]


def inputs_digest(inputs: Iterable[Path]) -> str:
    """One sha256 over the names and contents of every input file (a folder stands for the files in it)."""
    digest = hashlib.sha256()
    for item in inputs:
        base, files = (item, sorted(item.rglob("*"))) if item.is_dir() else (item.parent, [item])
        for path in files:
            if path.is_file() and path.suffix in NOTEBOOK_INPUT_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
