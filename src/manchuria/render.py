"""Show the book's Altair charts with no network, in JupyterLab and in the built site.

Altair's default output loads require.js and Vega from public CDNs, which fails
offline and wherever those CDNs are blocked. Instead:

* the ``manchuria`` Altair renderer emits the plain Vega-Lite mimebundle, which
  JupyterLab (and so Binder) draws with the Vega it ships itself; and
* :class:`VegaLiteHTML`, a myst-nb mime-render plugin, turns that same output
  into a chart container in the HTML book, drawn by ``manchuria-charts.js``
  with the Vega bundle that :mod:`manchuria.sphinxext` puts into the site.

Why notebooks never get ``width: "container"``: JupyterLab's Vega renderer
(``@jupyterlab/vega5-extension``) draws a chart, exports it to PNG and stores
the PNG in the output, which redraws the output; it stops only once the output
holds a non-empty PNG. A container-sized chart is measured inside vega-embed's
shrink-to-fit wrapper, so the export canvas is 0 px wide and the PNG is empty
(``data:,``): the output redraws itself forever and the tab's memory climbs
until it freezes. :func:`notebook_spec` gives such charts a fixed width for
notebooks and records what it changed in the spec's ``usermeta``;
:func:`book_spec` undoes it, so in the book they still fill the text column.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

import altair as alt

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
RENDERER_NAME = "manchuria"
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")


# A notebook chart's whole width (axes, labels and legend included), in px: close to
# the book's text column (about 630-740 px) and readable in JupyterLab's output area.
NOTEBOOK_WIDTH = 640
NOTEBOOK_HEIGHT = 360
NOTEBOOK_SIZES = {"width": NOTEBOOK_WIDTH, "height": NOTEBOOK_HEIGHT}
# Where notebook_spec records what it changed, inside the spec's usermeta.
USERMETA_KEY = "manchuria_container_sizes"
# Keys whose values are data, not view properties: never rewritten.
_DATA_KEYS = frozenset({"data", "datasets"})
# The autosize Vega-Lite gives a view whose width and/or height is "container".
_CONTAINER_AUTOSIZE = {
    frozenset({"width"}): "fit-x",
    frozenset({"height"}): "fit-y",
    frozenset({"width", "height"}): "fit",
}


def mimebundle(spec: dict[str, Any], **_metadata: Any) -> dict[str, Any]:
    """Altair renderer: the notebook form of the spec, plus a text fallback naming the chart.

    ``Explorer._repr_mimebundle_`` and anything else that puts a spec into a
    bundle by hand must pass it through :func:`notebook_spec` (or this) too.
    """
    return {VEGALITE_MIME: notebook_spec(spec), "text/plain": chart_text(spec)}


def notebook_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as notebooks should receive it: no ``"container"`` width or height.

    Each ``"container"`` size becomes :data:`NOTEBOOK_SIZES`' fixed size (a
    top-level one with the ``fit`` autosize Vega-Lite gives container views,
    so the whole chart, labels included, is that wide) and its place is
    recorded in ``usermeta`` for :func:`book_spec`. A spec with no container
    size comes back as it is. The input is not modified; data are shared, not copied.
    """
    changed: list[list[str | int]] = []
    fixed = _fix_container_sizes(spec, [], changed)
    if not changed:
        return spec
    record: dict[str, Any] = {"paths": changed}
    top_level = frozenset(path[0] for path in changed if len(path) == 1)
    if top_level and "autosize" not in spec:
        fixed["autosize"] = {"type": _CONTAINER_AUTOSIZE[top_level], "contains": "padding"}
        record["added_autosize"] = True
    usermeta = dict(spec.get("usermeta") or {})
    usermeta[USERMETA_KEY] = record
    fixed["usermeta"] = usermeta
    return fixed


def book_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Undo :func:`notebook_spec`: the ``"container"`` sizes come back, so book charts fill the column."""
    usermeta = spec.get("usermeta")
    if not isinstance(usermeta, dict) or USERMETA_KEY not in usermeta:
        return spec
    record = usermeta[USERMETA_KEY]
    restored = dict(spec)
    for path in record.get("paths", []):
        restored = _set_path(restored, path, "container")
    if record.get("added_autosize"):
        restored.pop("autosize", None)
    rest = {key: value for key, value in usermeta.items() if key != USERMETA_KEY}
    if rest:
        restored["usermeta"] = rest
    else:
        restored.pop("usermeta")
    return restored


def _fix_container_sizes(node: Any, path: list[str | int], changed: list[list[str | int]]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _DATA_KEYS:
                out[key] = value
            elif key in NOTEBOOK_SIZES and value == "container":
                out[key] = NOTEBOOK_SIZES[key]
                changed.append([*path, key])
            else:
                out[key] = _fix_container_sizes(value, [*path, key], changed)
        return out
    if isinstance(node, list):
        return [_fix_container_sizes(value, [*path, index], changed) for index, value in enumerate(node)]
    return node


def _set_path(node: Any, path: Iterable[str | int], value: Any) -> Any:
    """A copy of ``node`` with ``value`` at ``path`` (copying only the containers on the way)."""
    key, *rest = path
    copy: Any = list(node) if isinstance(node, list) else dict(node)
    copy[key] = _set_path(node[key], rest, value) if rest else value
    return copy


def chart_text(spec: dict[str, Any]) -> str:
    """A one-line plain-text stand-in for a chart: its title and description."""
    title = _title_text(spec.get("title"))
    description = spec.get("description", "")
    return f"Chart: {title}. {description}".strip()


def chart_html(spec: dict[str, Any]) -> str:
    """The HTML the book shows for one chart: container, spec, data table and no-script text.

    The spec travels as inert JSON; ``manchuria-charts.js`` finds every
    ``.manchuria-vega-figure`` on the page and draws it with vegaEmbed, then
    labels the SVG with the chart's description. The container itself has no
    role: it also holds vega-embed's menu, and an image may not contain controls.
    """
    spec_json = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    # JSON inside <script> must not be able to close the element early.
    spec_json = spec_json.replace("</", "<\\/")
    label = html.escape(spec.get("description", "") or chart_text(spec), quote=True)
    return (
        '<div class="manchuria-vega-figure">'
        f'<script type="application/json" class="manchuria-vega-spec">{spec_json}</script>'
        f'<div class="manchuria-vega" data-label="{label}"></div>'
        f'<noscript><p class="manchuria-vega-noscript">{label}</p></noscript>'
        f"{data_table_html(spec)}"
        "</div>"
    )


def _title_text(title: Any) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title or "")


def encoded_fields(spec: Any) -> dict[str, str]:
    """Every field a chart encodes, in the order the spec first names it, with its axis or tooltip title."""
    fields: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            field = node.get("field")
            if isinstance(field, str) and "type" in node:
                title = _title_text(node.get("title"))
                if not fields.get(field):
                    fields[field] = title
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({key: value for key, value in spec.items() if key != "datasets"})
    return fields


def _cell_text(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if column == "source_keys":
        return text.replace(";", "; ")  # lets a long list of keys wrap
    # Dates reach the spec as midnight timestamps; the day is what the data say.
    return text.removesuffix("T00:00:00")


def data_table_html(spec: dict[str, Any]) -> str:
    """A "data behind this chart" table for each inline dataset, for screen readers and for checking.

    Columns are the fields the chart encodes (titled as the chart titles them)
    plus the source keys where the data carry them, less the date positions the
    spec's ``usermeta["date_labels"]`` names (their labels, which state each date
    only as precisely as the sources do, are shown instead); a dataset with no text
    column (a helper such as a single rule position) gets no table.
    """
    fields = encoded_fields(spec)
    # Dates that only place marks; the chart prints each as a label at its precision (manchuria.charts.DATE_LABELS).
    positions = set((spec.get("usermeta") or {}).get("date_labels", {}))
    tables = []
    for rows in spec.get("datasets", {}).values():
        present = {column for row in rows for column in row}
        columns = [field for field in fields if field in present and field not in positions]
        if "source_keys" in present and "source_keys" not in columns:
            columns.append("source_keys")
        if not rows or not any(isinstance(row.get(column), str) for row in rows for column in columns):
            continue
        head = "".join(
            f'<th scope="col">{html.escape(_column_title(column, fields))}</th>' for column in columns
        )
        body = "".join(
            _row_start(row) + "".join(f"<td>{html.escape(_cell_text(row.get(column), column))}</td>" for column in columns) + "</tr>"
            for row in rows
        )
        tables.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if not tables:
        return ""
    title = html.escape(_title_text(spec.get("title")) or "this chart")
    return (
        '<details class="manchuria-chart-data">'
        f"<summary>Data behind this chart<span class=\"visually-hidden\">: {title}</span></summary>"
        # A region that scrolls sideways on a phone must be reachable by keyboard.
        f'<div class="manchuria-chart-data-tables" tabindex="0" role="region" aria-label="Data: {title}">'
        f'{"".join(tables)}</div>'
        "</details>"
    )


def _row_start(row: dict[str, Any]) -> str:
    # A row's id lets an explorer's script list in the table only the rows its chart shows.
    row_id = row.get("id")
    return f'<tr data-row-id="{html.escape(str(row_id), quote=True)}">' if row_id is not None else "<tr>"


def _column_title(column: str, fields: dict[str, str]) -> str:
    if column == "source_keys":
        return "Sources (bibliography keys)"
    return fields.get(column) or column.replace("_", " ").capitalize()


class VegaLiteHTML:
    """myst-nb mime-render plugin: Vega-Lite outputs become offline chart containers."""

    mime_priority_overrides = [(builder, VEGALITE_MIME, 5) for builder in HTML_BUILDERS]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list | None:
        # Only the HTML builders rank this mime type (see mime_priority_overrides),
        # so other builders never hand it here.
        if data.mime_type != VEGALITE_MIME:
            return None
        from docutils import nodes

        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        # The notebook output has fixed sizes (see notebook_spec); the book's charts fill the column.
        return [nodes.raw("", chart_html(book_spec(spec)), format="html", classes=["output", "vega-lite"])]


def enable() -> None:
    """Make Altair in this kernel use the offline renderer."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, mimebundle)
    alt.renderers.enable(RENDERER_NAME)
