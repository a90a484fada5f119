"""Helpers for the chapter's pages: bring data values into the prose with myst-nb glue."""

from __future__ import annotations

import pandas as pd

from . import data
from .dates import format_date, precision_columns


def glue_name(row_id: str) -> str:
    """The glue name for a row id: ``soviet-v1-rifles`` becomes ``soviet_v1_rifles``."""
    return row_id.replace("-", "_")


def cell_value(resource: str, row_id: str, column: str) -> object:
    """One cell as the prose shows it: a date as text at its row's precision ("Aug 1945"), else the value.

    A date column's precision column is the one ``datapackage.json`` names in
    its ``x-precision``; a date column without one is exact to the day.
    """
    value = data.value(resource, row_id, column)
    description = data.resource(resource)
    field = next(field for field in description["schema"]["fields"] if field["name"] == column)
    if field.get("type") != "date" or value is None or pd.isna(value):
        return value
    precision_column = precision_columns(description).get(column)
    precision = "day" if precision_column is None else data.value(resource, row_id, precision_column)
    return format_date(value, precision)


def glue_values(resource: str, column: str, *row_ids: str) -> dict[str, object]:
    """Glue one column of several rows of ``data/<resource>.csv``, each under its row's glue name.

    In the text: {glue:text}`soviet_v1_rifles:,.0f`. A date is glued as text at
    its precision (see :func:`cell_value`): {glue:text}`qiqihar_soviet` reads
    "Aug 1945". Returns the glued values.
    """
    from myst_nb import glue

    values = {glue_name(row_id): cell_value(resource, row_id, column) for row_id in row_ids}
    for name, value in values.items():
        glue(name, value, display=False)
    return values


def glue_every_row(resource: str, column: str) -> dict[str, object]:
    """Glue one column of every row of ``data/<resource>.csv``: for a page whose prose quotes most of a file.

    The names are the row ids as :func:`glue_values` makes them, so a row added to the file
    can be quoted without touching the page's code.
    """
    return glue_values(resource, column, *data.load(resource)["id"])


VERDICTS = ("confirmed", "misleading", "disputed", "unverified", "wrong")
DOCUMENTS = {"gs": "globalsecurity_northeast", "wp": "wikipedia_occupation"}


def glue_verdict_counts() -> dict[str, int]:
    """Glue how many claims each commissioning document makes, and how many get each verdict.

    Names: ``gs_claims``, ``gs_confirmed``, … for GlobalSecurity.org; ``wp_…`` for
    Wikipedia; ``all_…`` for both together.
    """
    from myst_nb import glue

    claims = data.load_claims()
    groups = {prefix: claims[claims["source_key"] == key] for prefix, key in DOCUMENTS.items()}
    groups["all"] = claims
    counts: dict[str, int] = {}
    for prefix, rows in groups.items():
        counts[f"{prefix}_claims"] = len(rows)
        for verdict in VERDICTS:
            counts[f"{prefix}_{verdict}"] = int((rows["verdict"] == verdict).sum())
    for name, count in counts.items():
        glue(name, count, display=False)
    return counts
