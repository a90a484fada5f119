"""The book's data package, ``data/datapackage.json``: reading it, and the marks its fields carry.

:mod:`manchuria.data` validates and loads the CSV files it describes (with
pandas, in the kernels); the Data page's directive (:mod:`.datadictionary`)
describes them at build time. Both read the description and its vocabulary here,
so the page and the loader cannot disagree about it; this module imports no
other module of the package, and no pandas.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PACKAGE_FILE = "datapackage.json"
# A field marked "x-bibliography": true holds ";"-separated keys of references.bib.
BIBLIOGRAPHY_FLAG = "x-bibliography"
LIST_SEPARATOR = ";"


class DataError(ValueError):
    """A data file does not match its description in ``datapackage.json``."""


def read_package(data_dir: Path, shown_as: str | None = None) -> dict[str, Any]:
    """The parsed ``datapackage.json`` of ``data_dir``; an error names the file as ``shown_as`` (else its path)."""
    path = data_dir / PACKAGE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"{shown_as or path}: not valid JSON ({error})") from None
