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
    assert 'data-label="A chart about &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; things"' in html
    assert "http" not in html.replace(SPEC["$schema"], "")


def test_myst_nb_plugin_handles_only_vega_lite():
    data = SimpleNamespace(mime_type=render.VEGALITE_MIME, content=SPEC)
    nodes = render.VegaLiteHTML.handle_mime(None, data, False)
    assert len(nodes) == 1 and "manchuria-vega-figure" in nodes[0].astext()
    other = SimpleNamespace(mime_type="text/html", content="<p>")
    assert render.VegaLiteHTML.handle_mime(None, other, False) is None
    assert ("html", render.VEGALITE_MIME, 5) in render.VegaLiteHTML.mime_priority_overrides


def test_chart_html_has_no_role_that_would_wrap_the_chart_menu():
    """An element with role="img" may not contain vega-embed's menu (axe: nested-interactive)."""
    assert 'role="img"' not in render.chart_html(SPEC)


TABLE_SPEC = {
    "title": {"text": "Deadlines"},
    "layer": [
        {"mark": "point", "encoding": {
            "x": {"field": "deadline", "type": "temporal", "title": "Deadline"},
            "tooltip": [{"field": "said_by", "type": "nominal", "title": "Said by"},
                        {"field": "deadline", "type": "temporal"}]}},
        {"mark": "rule", "data": {"name": "helper"}, "encoding": {"x": {"field": "x", "type": "quantitative"}}},
    ],
    "datasets": {
        "rows": [{"deadline": "1945-11-30T00:00:00", "said_by": "Soviet <press>", "internal": 1,
                  "source_keys": "frus1945v07d764"},
                 {"deadline": "1946-01-03T00:00:00", "said_by": "Malinovsky", "internal": 2,
                  "source_keys": "key_b;key_c"}],
        "helper": [{"x": 0}],
    },
}


def test_data_table_shows_the_encoded_fields_with_their_titles_and_sources():
    table = render.data_table_html(TABLE_SPEC)
    assert table.startswith('<details class="manchuria-chart-data"><summary>Data behind this chart')
    assert "Deadlines" in table
    headers = table.split("<thead>")[1].split("</thead>")[0]
    assert headers == ('<tr><th scope="col">Deadline</th><th scope="col">Said by</th>'
                       '<th scope="col">Sources (bibliography keys)</th></tr>')
    assert table.count("<table>") == 1, "a helper dataset with no text gets no table"
    assert "<td>1945-11-30</td><td>Soviet &lt;press&gt;</td><td>frus1945v07d764</td>" in table
    assert "<td>key_b; key_c</td>" in table
    assert table.count("<tr>") == 3, "every row is shown"
    assert "internal" not in table


def test_a_chart_without_inline_data_has_no_table():
    assert render.data_table_html(SPEC) == ""
    assert "<details" not in render.chart_html(SPEC)


def test_data_table_shows_date_labels_not_the_stored_day():
    """A month-precision date is stored as the 1st; the table shows "Aug 1945", never 1945-08-01."""
    from manchuria import charts, data

    table = render.data_table_html(charts.control_timeline_chart(data.load_control(), data.load_places()).to_dict())
    assert "Aug 1945" in table and "1945-08-01" not in table
