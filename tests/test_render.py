"""Charts reach readers with no network: a plain mimebundle in Jupyter, a container in the book."""

from __future__ import annotations

import json
from types import SimpleNamespace

import altair as alt

from manchuria import render

SPEC = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "title": "T",
        "description": "A chart about </script><b>bold</b> things", "mark": "bar"}


def test_renderer_is_enabled_by_importing_charts():
    import manchuria.charts  # noqa: F401

    assert alt.renderers.active == render.RENDERER_NAME


def test_mimebundle_carries_the_spec_and_a_text_fallback():
    bundle = render.mimebundle(SPEC)
    assert bundle[render.VEGALITE_MIME] is SPEC
    assert bundle["text/plain"].startswith("Chart: T.")
    assert not any(key == "text/html" for key in bundle), "no CDN-loading HTML in notebooks"


def test_chart_html_keeps_the_spec_inert_and_labelled():
    html = render.chart_html(SPEC)
    assert html.count("</script>") == 1, "a spec must not be able to close its script element"
    payload = html.split('class="manchuria-vega-spec">', 1)[1].split("</script>", 1)[0]
    assert json.loads(payload.replace("<\\/", "</")) == SPEC
    assert 'aria-label="A chart about &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; things"' in html
    assert "http" not in html.replace(SPEC["$schema"], "")


def test_myst_nb_plugin_handles_only_vega_lite():
    data = SimpleNamespace(mime_type=render.VEGALITE_MIME, content=SPEC)
    nodes = render.VegaLiteHTML.handle_mime(None, data, False)
    assert len(nodes) == 1 and "manchuria-vega-figure" in nodes[0].astext()
    other = SimpleNamespace(mime_type="text/html", content="<p>")
    assert render.VegaLiteHTML.handle_mime(None, other, False) is None
    assert ("html", render.VEGALITE_MIME, 5) in render.VegaLiteHTML.mime_priority_overrides
