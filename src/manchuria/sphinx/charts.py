"""The book's chart plugin: each Vega-Lite output becomes an SVG drawn at build time.

A chart is there at first paint, with JavaScript off, from ``file://``, in print
and in ``make pdf``: vl-convert (already pinned; no browser, no network) draws
the spec to SVG while Sphinx reads the page, and the SVG goes inline into the
page, labelled as one image with the chart's ``description``. It is drawn with
``currentColor`` and no background, so one drawing serves light and dark mode.
A chart that fills the column gets a second drawing for phones, shown by a
container query. ``manchuria-charts.js``, which the plugin registers on exactly
the pages with charts (:meth:`VegaLiteSVG.handle_mime` calls myst-nb's
``add_js_file``), swaps in the live Vega chart only when a reader reaches for it
(tooltips, explorers' controls).

Drawings are cached under the build folder by a hash of the spec, the width
and :data:`RENDER_DIGEST`, so a cached build draws nothing. The digest is also a
Sphinx config value that rebuilds the environment when it changes (see
:func:`setup`): the plugin runs only when Sphinx reads a page, so without it an
edit to this module would leave old drawings in cached doctrees.

Only docutils, myst-nb and this package's protocol modules are imported here;
vl-convert is imported on a cache miss.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

from docutils import nodes
from myst_nb.core.render import MimeData, MimeRenderPlugin, NbElementRenderer
from sphinx import addnodes

from . import chartdom
from .specs import (
    NARROW_WIDTH,
    NARROW_WIDTH_MAX,
    at_width,
    book_spec,
    has_container_width,
    narrow_overrides,
    title_text,
)

HTML_BUILDERS = ("html", "dirhtml", "singlehtml")
# The width a chart that fills the column is drawn at for a desktop reader (the column is 640-740 px).
WIDE_WIDTH = 700
# The font the charts are measured and drawn in (fonts/README.md): registered with vl-convert,
# served to browsers by manchuria.css's @font-face rules.
CHART_FONT = "Manchuria Chart Sans"
FONT_DIR = Path(__file__).parent / "fonts"
# Default colours for everything the spec leaves uncoloured: the page's text colour, no backdrop.
# Vega-Lite merges this under the spec's own config, so a chart's explicit colours win.
INK = "currentColor"
RENDER_CONFIG: dict[str, Any] = {
    "background": None,
    "font": CHART_FONT,
    "title": {"color": INK, "subtitleColor": INK},
    "axis": {
        "labelColor": INK,
        "titleColor": INK,
        "domainColor": INK,
        "tickColor": INK,
        "gridColor": INK,
        "gridOpacity": 0.2,
    },
    "legend": {"labelColor": INK, "titleColor": INK},
    "header": {"labelColor": INK, "titleColor": INK},
    "text": {"color": INK},
    "view": {"stroke": None},
}
RENDER_DIGEST = hashlib.sha256(
    json.dumps(RENDER_CONFIG, sort_keys=True).encode()
    + Path(__file__).read_bytes()
    + b"".join(path.read_bytes() for path in sorted(FONT_DIR.glob("*.ttf")))
    + version("vl-convert-python").encode()
).hexdigest()[:16]
SCHEMA_VERSION = re.compile(r"/vega-lite/v(\d+)\.(\d+)")
SVG_ID = re.compile(r'\bid="([^"]+)"')
# Attributes of a drawing that hold coordinates; vl-convert writes them with up to 15 decimals.
SVG_GEOMETRY = re.compile(r'(\s(?:d|transform|points|x|y|x1|x2|y1|y2|cx|cy|r|width|height)=")([^"]*)"')
DECIMAL = re.compile(r"-?\d+\.\d{2,}")


def vegalite_version(spec: dict[str, Any]) -> str:
    """The Vega-Lite version a spec was written for, from its ``$schema`` (e.g. ``"5.20"``)."""
    match = SCHEMA_VERSION.search(spec.get("$schema", ""))
    if not match:
        raise ValueError(f"chart spec has no Vega-Lite $schema with a version: {spec.get('$schema')!r}")
    return f"{match[1]}.{match[2]}"


def draw_svg(spec: dict[str, Any], width: int, cache_dir: Path) -> str:
    """The spec drawn ``width`` px wide by vl-convert, cached under ``cache_dir``."""
    sized = at_width(spec, width)
    key = hashlib.sha256(json.dumps(sized, sort_keys=True).encode() + RENDER_DIGEST.encode()).hexdigest()[:24]
    cached = cache_dir / f"{key}.svg"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    svg = rounded_geometry(
        _vl_convert().vegalite_to_svg(
            sized, vl_version=vegalite_version(spec), config=RENDER_CONFIG, allowed_base_urls=[]
        )
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    cached.write_text(svg, encoding="utf-8")
    return svg


def rounded_geometry(svg: str) -> str:
    """The drawing with its coordinates to a tenth of a pixel, which no screen or printer shows
    apart; a map's outlines then weigh about a fifth less. Text and labels are left alone."""

    def tenth(found: re.Match[str]) -> str:
        value = f"{float(found[0]):.1f}".rstrip("0").rstrip(".")
        return "0" if value == "-0" else value

    return SVG_GEOMETRY.sub(lambda found: f'{found[1]}{DECIMAL.sub(tenth, found[2])}"', svg)


@functools.cache
def _vl_convert() -> Any:
    """vl-convert, with the chart font registered (once per process: the registry is global)."""
    import vl_convert

    vl_convert.register_font_directory(str(FONT_DIR))
    return vl_convert


def labelled_svg(svg: str, *, label: str, prefix: str, classes: str) -> str:
    """One drawing as an inline image: named by ``label``, its marks hidden from the accessibility
    tree, scaled to the column, and every internal id prefixed so two drawings on a page never
    point at each other's clip paths."""
    ids = SVG_ID.findall(svg)
    for old in sorted(set(ids), key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    opening, rest = svg.split(">", 1)
    inner, closing = rest.rsplit("</svg>", 1)
    if opening.startswith("<?xml"):
        raise ValueError("vl-convert's SVG has an XML prolog; it cannot go inline")
    opening = opening.replace("<svg", f'<svg class="{classes}" role="img" aria-label="{label}" focusable="false"', 1)
    return f'{opening}><g aria-hidden="true">{inner}</g></svg>{closing}'


def _live_json(spec: dict[str, Any]) -> str:
    return json.dumps({"spec": spec, "config": RENDER_CONFIG}, ensure_ascii=False, sort_keys=True)


def _name_of(live_json: str) -> str:
    return "c" + hashlib.sha256(live_json.encode()).hexdigest()[:10]


def spec_id(spec: dict[str, Any]) -> str:
    """A name that changes whenever the spec's script does: it names the script's file and the drawing's ids."""
    return _name_of(_live_json(spec))


def spec_script(spec: dict[str, Any]) -> str:
    """The script that hands the spec to ``manchuria-charts.js`` when the chart goes live, with
    the drawing's defaults (:data:`RENDER_CONFIG`), so the live chart looks like the drawing.

    A script rather than JSON, so that it loads from ``file://`` too (fetch() would not).
    """
    live = _live_json(spec)
    return f"(window.{chartdom.SPEC_GLOBAL} = window.{chartdom.SPEC_GLOBAL} || {{}})[{json.dumps(_name_of(live))}] = {live};\n"


def chart_html(spec: dict[str, Any], cache_dir: Path) -> str:
    """The HTML the book shows for one chart: the drawing(s) and the data table.

    ``manchuria-charts.js`` finds every figure and, when a reader reaches for it, loads
    the spec's script (:func:`spec_script`, named by ``data-spec``) and replaces the
    drawing with the live chart drawn from the spec.
    """
    label = html.escape(spec.get("description", "") or title_text(spec.get("title")), quote=True)
    prefix = spec_id(spec)
    drawings = [
        labelled_svg(
            draw_svg(spec, WIDE_WIDTH, cache_dir),
            label=label,
            prefix=f"{prefix}w",
            classes=f"{chartdom.STATIC} {chartdom.STATIC_WIDE}",
        )
    ]
    # A phone gets its own drawing where the chart fills the column or has a phone layout.
    if has_container_width(spec) or narrow_overrides(spec):
        drawings.append(
            labelled_svg(
                draw_svg(spec, NARROW_WIDTH, cache_dir),
                label=label,
                prefix=f"{prefix}n",
                classes=f"{chartdom.STATIC} {chartdom.STATIC_NARROW}",
            )
        )
    explorer = bool(((spec.get("usermeta") or {}).get("manchuria") or {}).get("explorer"))
    waiting = (
        f'<p class="{chartdom.EXPLORER_WAITING}">This explorer shows its starting view. Its controls'
        " need JavaScript; the table under the chart lists every row.</p>"
        if explorer
        else ""
    )
    return (
        f'<div class="{chartdom.FIGURE}" data-spec="{prefix}"{" data-explorer" if explorer else ""}>'
        f"{waiting}"
        f'<div class="{chartdom.TARGET}" data-rendered="{chartdom.STATIC_STATE}" data-narrow-max="{NARROW_WIDTH_MAX}">'
        f"{''.join(drawings)}</div>"
        f"{data_table_html(spec)}"
        "</div>"
    )


def encoded_fields(spec: Any) -> dict[str, str]:
    """Every field a chart encodes, in the order the spec first names it, with its axis or tooltip title."""
    fields: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            field = node.get("field")
            if isinstance(field, str) and "type" in node:
                title = title_text(node.get("title"))
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
        head = "".join(f'<th scope="col">{html.escape(_column_title(column, fields))}</th>' for column in columns)
        body = "".join(
            _row_start(row)
            + "".join(f"<td>{html.escape(_cell_text(row.get(column), column))}</td>" for column in columns)
            + "</tr>"
            for row in rows
        )
        tables.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if not tables:
        return ""
    title = html.escape(title_text(spec.get("title")) or "this chart")
    return (
        f'<details class="{chartdom.DATA_TABLE}">'
        f'<summary>Data behind this chart<span class="visually-hidden">: {title}</span></summary>'
        # A region that scrolls sideways on a phone must be reachable by keyboard.
        f'<div class="{chartdom.DATA_TABLE}-tables" tabindex="0" role="region" aria-label="Data: {title}">'
        f"{''.join(tables)}</div>"
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


class VegaLiteSVG(MimeRenderPlugin):
    """myst-nb mime-render plugin: a Vega-Lite output becomes an inline SVG, with its page's script.

    myst-nb calls it while Sphinx reads a page, for whichever builder; the HTML
    builders rank the Vega-Lite mime type first (``mime_priority_overrides``),
    the others fall back to the output's plain text.
    """

    mime_priority_overrides = [(builder, chartdom.VEGALITE_MIME, 5) for builder in HTML_BUILDERS]

    @staticmethod
    def handle_mime(renderer: NbElementRenderer, data: MimeData, inline: bool) -> list[nodes.Element] | None:
        if data.mime_type != chartdom.VEGALITE_MIME:
            return None
        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        cache_dir = Path(renderer.config.output_folder).parent / "manchuria-svg"
        # The notebook output has fixed sizes (see specs.notebook_spec); the book's charts fill the column.
        shown = book_spec(spec)
        figure = chart_html(shown, cache_dir)
        # myst-nb adds the script to exactly the pages that called this, incremental builds included.
        renderer.add_js_file("manchuria-charts", chartdom.CHARTS_JS, {"priority": 600, "defer": "defer"})
        # The spec stays out of the page, which every reader loads; Sphinx copies it with the
        # page's downloads, and the page script loads it when a reader reaches for the chart.
        script = renderer.write_file(
            [chartdom.SPEC_FOLDER, f"{spec_id(shown)}.js"], spec_script(shown).encode("utf-8"), exists_ok=True
        )
        link = addnodes.download_reference("", "", nodes.Text("Vega-Lite spec"), reftarget=script, refexplicit=True)
        return [
            nodes.inline("", "", link, classes=[chartdom.SPEC]),
            nodes.raw("", figure, format="html", classes=["output", "vega-lite"]),
        ]


def setup(app: Any) -> dict[str, Any]:
    # Pages are re-read (their drawings redrawn) when the drawing code, its config or vl-convert change.
    app.add_config_value("manchuria_chart_render_digest", RENDER_DIGEST, "env")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
