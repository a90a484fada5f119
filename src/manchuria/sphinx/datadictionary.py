"""The ``data-dictionary`` directive: the book's Data page, generated from ``datapackage.json``.

For each CSV file it shows the title, the description, a download link and a
table of its columns (type, required, constraints, meaning), so the page can
never drift from the files it describes. The files are those in the ``data``
folder of Sphinx's source directory, read through :mod:`.datapackage` (no pandas).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from .datapackage import BIBLIOGRAPHY_FLAG, LIST_SEPARATOR, PACKAGE_FILE, read_package

HEADERS = ("Column", "Type", "Required", "Allowed values", "Meaning")


def describe_constraints(field: dict[str, Any]) -> str:
    """Constraints of one field in words, e.g. ``one of: day, month``."""
    constraints = field.get("constraints", {})
    parts = []
    if "enum" in constraints:
        parts.append("one of: " + ", ".join(map(str, constraints["enum"])))
    if "minimum" in constraints:
        parts.append(f"at least {constraints['minimum']}")
    if "maximum" in constraints:
        parts.append(f"at most {constraints['maximum']}")
    if "pattern" in constraints:
        parts.append(f"pattern {constraints['pattern']}")
    if constraints.get("unique"):
        parts.append("unique")
    if field.get(BIBLIOGRAPHY_FLAG):
        parts.append(f"keys of the Bibliography, separated by {LIST_SEPARATOR}")
    return "; ".join(parts)


def _table(rows: list[tuple[str, ...]]) -> nodes.table:
    table = nodes.table(classes=["data-dictionary"])
    group = nodes.tgroup(cols=len(HEADERS))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in HEADERS)
    head = nodes.thead()
    body = nodes.tbody()
    group += head
    group += body
    for section, cells in ((head, [HEADERS]), (body, rows)):
        for cells_of_row in cells:
            row = nodes.row()
            for text in cells_of_row:
                entry = nodes.entry()
                entry += nodes.paragraph(text=text)
                row += entry
            section += row
    return table


class DataDictionary(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        data_dir = Path(self.env.srcdir) / "data"
        self.env.note_dependency(str(data_dir / PACKAGE_FILE))
        output: list[nodes.Node] = []
        for resource in read_package(data_dir, shown_as=f"data/{PACKAGE_FILE}")["resources"]:
            self.env.note_dependency(str(data_dir / resource["path"]))
            rubric = nodes.rubric(text=f"{resource['path']}: {resource.get('title', '')}")
            rubric["ids"].append(f"data-{resource['name']}")
            output.append(rubric)
            output.append(nodes.paragraph(text=resource.get("description", "")))
            link = addnodes.download_reference(
                "",
                "",
                nodes.literal(text=f"Download {resource['path']}"),
                reftarget=f"/data/{resource['path']}",
                refdoc=self.env.docname,
                refdomain="",
                reftype="download",
                refexplicit=True,
                refwarn=False,
            )
            output.append(nodes.paragraph("", "", link))
            fields = resource["schema"]["fields"]
            output.append(
                _table(
                    [
                        (
                            field["name"],
                            field.get("type", "string"),
                            "yes" if field.get("constraints", {}).get("required") else "no",
                            describe_constraints(field),
                            field.get("description", ""),
                        )
                        for field in fields
                    ]
                )
            )
        return output
