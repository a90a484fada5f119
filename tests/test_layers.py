"""The package's layers: the build code (``manchuria.sphinx``) sits below the kernel modules.

The kernel modules may import the build package's protocol and shared-fact modules;
the build package imports nothing of ``manchuria`` outside itself but the version,
so the extension cannot reach for the repository's layout or pandas, and editing
the build code re-executes no notebook.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from manchuria.book import REPO_ROOT
from manchuria.sphinx.inputs import PACKAGE_DIR, imported_on_import, kernel_modules, module_path

SPHINX_DIR = PACKAGE_DIR / "sphinx"
# The one name the build code may take from outside its package: __init__.py imports nothing.
ALLOWED_OUTSIDE = {"manchuria.__version__"}
BUILD_ONLY = {"extension", "charts", "downloads", "execution", "icons", "workarounds", "bibstyle", "datadictionary"}


def imported_names(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a module of ``package``, inside functions too, relative
    imports resolved: ``from .. import data`` in ``manchuria.sphinx`` is ``manchuria.data``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def outside_imports(directory: Path, package: str) -> list[str]:
    """Every import in the modules of ``directory`` (the package ``package``) of a manchuria
    module outside it, as "file, line N: name"."""
    wrong = []
    for path in sorted(directory.rglob("*.py")):
        here = ".".join([package, *path.relative_to(directory).parent.parts])
        for line, name in imported_names(path, here):
            inside = name == package or name.startswith(f"{package}.")
            if (name == "manchuria" or name.startswith("manchuria.")) and not inside and name not in ALLOWED_OUTSIDE:
                wrong.append(f"{package.replace('.', '/')}/{path.relative_to(directory)}, line {line}: imports {name}")
    return wrong


def test_the_sphinx_package_imports_no_manchuria_module_outside_it():
    modules = sorted(SPHINX_DIR.rglob("*.py"))
    assert {"extension.py", "bibstyle.py", "datadictionary.py", "twins.py", "inputs.py"} <= {p.name for p in modules}
    assert outside_imports(SPHINX_DIR, "manchuria.sphinx") == []
    # And each import inside it names one of its modules (a stale ``from .sources import`` would not).
    missing = [
        f"{path.name}, line {line}: {name}"
        for path in modules
        for line, name in imported_names(path, "manchuria.sphinx")
        if name.startswith("manchuria.sphinx.")
        and module_path(name.removeprefix("manchuria.")) is None
        and module_path(name.removeprefix("manchuria.").rpartition(".")[0]) is None
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("from .. import data\n", "manchuria.data"),
        ("def f():\n    from ..book import REPO_ROOT\n", "manchuria.book.REPO_ROOT"),
        ("import manchuria.sources\n", "manchuria.sources"),
        ("from manchuria import charts\n", "manchuria.charts"),
    ],
)
def test_an_import_from_outside_the_sphinx_package_is_named_with_its_line(tmp_path, source, name):
    (tmp_path / "fine.py").write_text("from .. import __version__\nfrom . import specs\nfrom .specs import A\n")
    (tmp_path / "wrong.py").write_text("import os\n\n" + source)
    found = outside_imports(tmp_path, "manchuria.sphinx")
    line = 3 if "def f" not in source else 4
    assert found == [f"manchuria/sphinx/wrong.py, line {line}: imports {name}"]


def test_no_kernel_imports_the_build_only_modules():
    kernel = set(kernel_modules(REPO_ROOT))
    assert {"charts", "data", "sources", "sphinx.specs", "sphinx.chartdom"} <= kernel
    assert {f"sphinx.{module}" for module in BUILD_ONLY} & kernel == set()
    # The twins import the bibliography style, so no kernel may import them either.
    assert "sphinx.twins" not in kernel and "sphinx.inputs" not in kernel


def test_a_modules_main_block_is_not_what_importing_it_runs():
    source = (
        "from . import toc\n"
        "def f():\n    from . import specs\n"
        'if __name__ == "__main__":\n    from .sphinx import twins\n'
        "if __name__ == 'x':\n    from . import data\n"
    )
    found = {alias.name for node in imported_on_import(ast.parse(source)) for alias in node.names}
    assert found == {"toc", "specs", "data"}
