"""Show the book's Altair charts with no network, in JupyterLab and in the built site.

Altair's default output loads require.js and Vega from public CDNs, which fails
offline and wherever those CDNs are blocked. Instead:

* the ``manchuria`` Altair renderer emits the plain Vega-Lite mimebundle, which
  JupyterLab (and so Binder) draws with the Vega it ships itself; and
* :class:`VegaLiteHTML`, a myst-nb mime-render plugin, turns that same output
  into a chart container in the HTML book, drawn by ``manchuria-charts.js``
  with the Vega bundle that :mod:`manchuria.sphinxext` puts into the site.
"""

from __future__ import annotations

import html
import json
from typing import Any

import altair as alt

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
RENDERER_NAME = "manchuria"
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")


def mimebundle(spec: dict[str, Any], **_metadata: Any) -> dict[str, Any]:
    """Altair renderer: the Vega-Lite spec, plus a text fallback naming the chart."""
    return {VEGALITE_MIME: spec, "text/plain": chart_text(spec)}


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
    plus the source keys where the data carry them; a dataset with no text
    column (a helper such as a single rule position) gets no table.
    """
    fields = encoded_fields(spec)
    tables = []
    for rows in spec.get("datasets", {}).values():
        present = {column for row in rows for column in row}
        columns = [field for field in fields if field in present]
        if "source_keys" in present and "source_keys" not in columns:
            columns.append("source_keys")
        if not rows or not any(isinstance(row.get(column), str) for row in rows for column in columns):
            continue
        head = "".join(
            f'<th scope="col">{html.escape(_column_title(column, fields))}</th>' for column in columns
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell_text(row.get(column), column))}</td>" for column in columns) + "</tr>"
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
        return [nodes.raw("", chart_html(spec), format="html", classes=["output", "vega-lite"])]


def enable() -> None:
    """Make Altair in this kernel use the offline renderer."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, mimebundle)
    alt.renderers.enable(RENDERER_NAME)
