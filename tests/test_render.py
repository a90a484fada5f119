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


# --- Notebook outputs never carry width "container" (JupyterLab would redraw them forever) ---

CONTAINER_SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.20.1.json",
    "title": "Claims", "description": "Bars.", "width": "container", "height": 120,
    "usermeta": {"embedOptions": {"renderer": "svg"}},
    "mark": "bar", "data": {"name": "rows"},
    "encoding": {"x": {"field": "n", "type": "quantitative"}, "y": {"field": "doc", "type": "nominal"}},
    # Data are never rewritten, even a column that happens to be called "width".
    "datasets": {"rows": [{"doc": "A", "n": 1, "width": "container"}]},
}


def test_notebook_spec_gives_container_charts_a_fixed_width_that_fits_the_whole_chart():
    spec = render.notebook_spec(CONTAINER_SPEC)
    assert spec["width"] == render.NOTEBOOK_WIDTH and spec["height"] == 120
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}, "labels and legend inside the width, as in the book"
    assert spec["usermeta"]["embedOptions"] == {"renderer": "svg"}, "other usermeta is kept"
    assert spec["usermeta"][render.USERMETA_KEY] == {"paths": [["width"]], "added_autosize": True}
    assert spec["datasets"] is CONTAINER_SPEC["datasets"], "data are shared, not copied or rewritten"
    assert CONTAINER_SPEC["width"] == "container" and "autosize" not in CONTAINER_SPEC, "the input is untouched"
    assert '"container"' not in json.dumps({k: v for k, v in spec.items() if k != "datasets"})


def test_the_book_gets_back_exactly_the_container_spec():
    assert render.book_spec(render.notebook_spec(CONTAINER_SPEC)) == CONTAINER_SPEC
    data = SimpleNamespace(mime_type=render.VEGALITE_MIME, content=json.dumps(render.notebook_spec(CONTAINER_SPEC)))
    (node,) = render.VegaLiteHTML.handle_mime(None, data, False)
    assert node.astext() == render.chart_html(CONTAINER_SPEC), "book charts still fill the text column"


def test_the_mimebundle_the_notebooks_emit_has_no_container_size():
    bundle = render.mimebundle(CONTAINER_SPEC)
    assert bundle[render.VEGALITE_MIME]["width"] == render.NOTEBOOK_WIDTH
    assert bundle["text/plain"] == render.chart_text(CONTAINER_SPEC)


def test_nested_container_sizes_are_fixed_and_restored_without_touching_autosize():
    spec = {"vconcat": [{"mark": "bar", "width": "container", "height": "container"}, {"mark": "point", "width": 200}],
            "autosize": "pad"}
    fixed = render.notebook_spec(spec)
    assert fixed["vconcat"][0]["width"] == render.NOTEBOOK_WIDTH
    assert fixed["vconcat"][0]["height"] == render.NOTEBOOK_HEIGHT
    assert fixed["autosize"] == "pad", "a spec's own autosize is left alone"
    assert fixed["usermeta"][render.USERMETA_KEY] == {"paths": [["vconcat", 0, "width"], ["vconcat", 0, "height"]]}
    assert render.book_spec(json.loads(json.dumps(fixed))) == spec
    both = render.notebook_spec({"mark": "bar", "width": "container", "height": "container"})
    assert both["autosize"]["type"] == "fit"


def test_specs_without_container_sizes_pass_through_unchanged():
    assert render.notebook_spec(SPEC) is SPEC
    assert render.book_spec(SPEC) is SPEC
    fixed_width = {**SPEC, "width": 600, "usermeta": {"embedOptions": {}}}
    assert render.book_spec(fixed_width) is fixed_width


def test_every_container_chart_of_the_package_reaches_notebooks_with_a_valid_fixed_width():
    import jsonschema

    from manchuria import charts, data

    made = [charts.claims_verdict_chart(data.load_claims()), charts.removals_chart(data.load_removals()),
            charts.events_strip_chart(data.load_events())]
    schema = alt.vegalite.v5.schema.core.load_schema()
    for chart in made:
        original = chart.to_dict()
        assert original["width"] == "container"
        bundle = chart._repr_mimebundle_()
        spec = (bundle[0] if isinstance(bundle, tuple) else bundle)[render.VEGALITE_MIME]
        assert spec["width"] == render.NOTEBOOK_WIDTH
        errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(spec)]
        assert errors == [], errors
        assert render.book_spec(spec) == original
