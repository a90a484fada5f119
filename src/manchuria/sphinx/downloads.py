"""The ``data-downloads`` directive: a page declares the data files it offers for download.

    :::{data-downloads} events forces figures
    :::

Each name is a resource of ``data/datapackage.json``; the directive lists its file
with a download link and its title, and records the package as a dependency of the
page (``env.note_dependency``), so a retitled file rebuilds the pages that offer it.
``tests/test_classroom.py`` checks each page's declaration against what its code loads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.util.docutils import SphinxDirective

PACKAGE = Path("data") / "datapackage.json"


class DataDownloads(SphinxDirective):
    required_arguments = 1
    optional_arguments = 30
    has_content = False

    def run(self) -> list[Any]:
        package_path = Path(self.env.srcdir) / PACKAGE
        self.env.note_dependency(str(package_path))
        resources = {item["name"]: item for item in json.loads(package_path.read_text(encoding="utf-8"))["resources"]}
        unknown = [name for name in self.arguments if name not in resources]
        if unknown:
            raise self.error(
                f"data-downloads: no resource named {', '.join(map(repr, unknown))} in {PACKAGE}; "
                f"expected one of: {', '.join(resources)}"
            )
        lines = [
            f"- {{download}}`{resources[name]['path']} </data/{resources[name]['path']}>`: {resources[name].get('title', '')}"
            for name in self.arguments
        ]
        # Jupyter Book passes _config.yml's repository.url to the theme.
        repository = self.config.html_theme_options.get("repository_url", "")
        where = f"the book's repository, <{repository}>" if repository else "the book's repository"
        files = ", ".join(f"`{resources[name]['path']}`" for name in self.arguments)
        # On paper there is nothing to click: the print wording says where the files are.
        text = (
            ":::{admonition} Download the data used on this page\n:class: tip manchuria-downloads\n\n"
            + "\n".join(lines)
            + "\n\nEach file is described on the [Data](data.md) page. The notebook itself can be downloaded"
            " from the download button at the top of the page.\n:::\n\n"
            ":::{admonition} The data used on this page\n:class: tip manchuria-print-only\n\n"
            f"This page uses {files}, in the `data` folder of {where}; each file is described on the"
            " [Data](data.md) page.\n:::\n"
        )
        return self.parse_text_to_nodes(text)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("data-downloads", DataDownloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
