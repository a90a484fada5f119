"""Helpers for the chapter's pages: bring data values into the prose with myst-nb glue."""

from __future__ import annotations

from . import data


def glue_name(row_id: str) -> str:
    """The glue name for a row id: ``soviet-v1-rifles`` becomes ``soviet_v1_rifles``."""
    return row_id.replace("-", "_")


def glue_values(resource: str, column: str, *row_ids: str) -> dict[str, object]:
    """Glue one column of several rows of ``data/<resource>.csv``, each under its row's glue name.

    In the text: {glue:text}`soviet_v1_rifles:,.0f`. Returns the glued values.
    """
    from myst_nb import glue

    values = {glue_name(row_id): data.value(resource, row_id, column) for row_id in row_ids}
    for name, value in values.items():
        glue(name, value, display=False)
    return values
