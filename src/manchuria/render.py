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
    title = spec.get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    description = spec.get("description", "")
    return f"Chart: {title}. {description}".strip()


def chart_html(spec: dict[str, Any]) -> str:
    """The HTML the book shows for one chart: container, spec and no-script text.

    The spec travels as inert JSON; ``manchuria-charts.js`` finds every
    ``.manchuria-vega-figure`` on the page and draws it with vegaEmbed.
    """
    spec_json = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    # JSON inside <script> must not be able to close the element early.
    spec_json = spec_json.replace("</", "<\\/")
    label = html.escape(spec.get("description", "") or chart_text(spec), quote=True)
    return (
        '<div class="manchuria-vega-figure">'
        f'<script type="application/json" class="manchuria-vega-spec">{spec_json}</script>'
        f'<div class="manchuria-vega" role="img" aria-label="{label}"></div>'
        f'<noscript><p class="manchuria-vega-noscript">{label}</p></noscript>'
        "</div>"
    )


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
