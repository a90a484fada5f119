"""Show the book's Altair charts with no network, in JupyterLab and in the built site.

Altair's default output loads require.js and Vega from public CDNs, which fails
offline and wherever those CDNs are blocked. Instead the ``manchuria`` Altair
renderer emits the plain Vega-Lite mimebundle, which JupyterLab (and so Binder)
draws with the Vega it ships itself; the book's chart plugin
(:mod:`manchuria.sphinx.charts`) turns that same output into an SVG drawn at
build time. Why the notebook form has fixed sizes: :mod:`manchuria.sphinx.specs`.
"""

from __future__ import annotations

from typing import Any

from .sphinx.chartdom import VEGALITE_MIME
from .sphinx.specs import notebook_spec, title_text

RENDERER_NAME = "manchuria"


def mimebundle(spec: dict[str, Any], **_metadata: Any) -> dict[str, Any]:
    """Altair renderer: the notebook form of the spec, plus a text fallback naming the chart.

    ``Explorer._repr_mimebundle_`` and anything else that puts a spec into a
    bundle by hand must pass it through :func:`notebook_spec` (or this) too.
    """
    return {VEGALITE_MIME: notebook_spec(spec), "text/plain": chart_text(spec)}


def chart_text(spec: dict[str, Any]) -> str:
    """A one-line plain-text stand-in for a chart: its title and description."""
    title = title_text(spec.get("title"))
    description = spec.get("description", "")
    return f"Chart: {title}. {description}".strip()


def enable() -> None:
    """Make Altair in this kernel use the offline renderer."""
    import altair as alt

    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, mimebundle)
    alt.renderers.enable(RENDERER_NAME)
