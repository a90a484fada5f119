"""Charts reach readers with no network: a plain mimebundle in Jupyter, an SVG drawn at build time in the book."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import altair as alt
import pytest

from manchuria import render
from manchuria.sphinx import chartdom, specs
from manchuria.sphinx import charts as plugin

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.20.1.json",
    "title": "T",
    "description": "A chart about </script><b>bold</b> things",
    "mark": "bar",
}


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "svg"


class FakeRenderer:
    """What the plugin uses of myst-nb's NbElementRenderer: its output folder, add_js_file and write_file."""

    def __init__(self, build: Path):
        self.config = SimpleNamespace(output_folder=str(build / "jupyter_execute"))
        self.js_files: dict[str, tuple] = {}

    def add_js_file(self, key, uri, kwargs):
        self.js_files[key] = (uri, kwargs)

    def write_file(self, path, content, overwrite=False, exists_ok=False):
        target = Path(self.config.output_folder).joinpath(*path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return "/" + "/".join(["jupyter_execute", *path])


def test_renderer_is_enabled_by_importing_charts():
    import manchuria.charts  # noqa: F401

    assert alt.renderers.active == render.RENDERER_NAME


def test_mimebundle_carries_the_spec_and_a_text_fallback():
    bundle = render.mimebundle(SPEC)
    assert bundle[render.VEGALITE_MIME] is SPEC
    assert bundle["text/plain"].startswith("Chart: T.")
    assert not any(key == "text/html" for key in bundle), "no CDN-loading HTML in notebooks"


def test_chart_html_names_its_spec_and_keeps_it_out_of_the_page(cache):
    html = plugin.chart_html(SPEC, cache)
    assert "<script" not in html, "the spec is loaded only when the chart goes live"
    assert f'data-spec="{plugin.spec_id(SPEC)}"' in html
    assert 'aria-label="A chart about &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; things"' in html
    namespaces = re.compile(r"http://www.w3.org/(?:2000/svg|1999/xlink)")
    assert "http" not in namespaces.sub("", html.replace(SPEC["$schema"], "")), "no address the page would fetch"


def test_the_spec_script_hands_over_exactly_the_spec_under_its_id():
    script = plugin.spec_script(SPEC)
    prefix = f'(window.{chartdom.SPEC_GLOBAL} = window.{chartdom.SPEC_GLOBAL} || {{}})["{plugin.spec_id(SPEC)}"] = '
    assert script.startswith(prefix) and script.endswith(";\n")
    assert json.loads(script[len(prefix) : -2]) == {"spec": SPEC, "config": plugin.RENDER_CONFIG}
    assert plugin.spec_id({**SPEC, "title": "Another"}) != plugin.spec_id(SPEC), "a changed spec gets a new file"


def test_myst_nb_plugin_handles_only_vega_lite_and_registers_its_script_on_the_page(tmp_path):
    renderer = FakeRenderer(tmp_path)
    other = SimpleNamespace(mime_type="text/html", content="<p>")
    assert plugin.VegaLiteSVG.handle_mime(renderer, other, False) is None
    assert renderer.js_files == {}, "a page without a chart gets no chart script"
    data = SimpleNamespace(mime_type=chartdom.VEGALITE_MIME, content=SPEC)
    (link, node) = plugin.VegaLiteSVG.handle_mime(renderer, data, False)
    assert chartdom.FIGURE in node.astext() and "<svg" in node.astext()
    assert link["classes"] == [chartdom.SPEC]
    (reference,) = link.children
    spec_file = tmp_path / "jupyter_execute" / chartdom.SPEC_FOLDER / f"{plugin.spec_id(SPEC)}.js"
    assert reference["reftarget"] == f"/jupyter_execute/{chartdom.SPEC_FOLDER}/{spec_file.name}"
    assert spec_file.read_text(encoding="utf-8") == plugin.spec_script(SPEC), "Sphinx copies it with the downloads"
    assert renderer.js_files == {"manchuria-charts": (chartdom.CHARTS_JS, {"priority": 600, "defer": "defer"})}
    assert ("html", chartdom.VEGALITE_MIME, 5) in plugin.VegaLiteSVG.mime_priority_overrides
    assert list((tmp_path / "manchuria-svg").glob("*.svg")), "drawings are cached beside myst-nb's output folder"


def test_the_plugin_is_a_myst_nb_mime_render_plugin_registered_by_entry_point():
    from importlib.metadata import entry_points

    from myst_nb.core.render import MimeRenderPlugin

    assert MimeRenderPlugin in plugin.VegaLiteSVG.__mro__, (
        "subclasses the protocol, as myst-nb's own example plugin does"
    )
    (point,) = [point for point in entry_points(group="myst_nb.mime_renderers") if point.name == "manchuria_vegalite"]
    assert point.load() is plugin.VegaLiteSVG


def test_the_plugin_module_loads_neither_altair_nor_vl_convert():
    """myst-nb imports every plugin on each page it writes; a cached build must stay light."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, manchuria.sphinx.charts; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not {"altair", "vl_convert", "pandas"} & set(loaded)


def test_chart_html_has_no_role_that_would_wrap_the_chart_menu(cache):
    """An element with role="img" may not contain vega-embed's menu (axe: nested-interactive): only the drawings are images."""
    html = plugin.chart_html(SPEC, cache)
    assert html.count('role="img"') == html.count("<svg")
    assert re.search(r'<div class="manchuria-vega"[^>]*role=', html) is None


# --- The drawing: there at first paint, with JavaScript off, in print --------------------

BARS = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.20.1.json",
    "title": "Bars",
    "description": "Two bars, A and B.",
    "width": "container",
    "height": 80,
    "mark": {"type": "bar", "clip": True},
    "data": {"name": "rows"},
    "encoding": {"x": {"field": "n", "type": "quantitative"}, "y": {"field": "doc", "type": "nominal"}},
    "datasets": {"rows": [{"doc": "A", "n": 1}, {"doc": "B", "n": 3}]},
}


def _drawings(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)


def test_a_chart_is_an_svg_labelled_with_its_description_with_its_marks_hidden(cache):
    html = plugin.chart_html(BARS, cache)
    wide, narrow = _drawings(html)
    for drawing in (wide, narrow):
        opening = drawing.split(">", 1)[0]
        assert 'role="img"' in opening and 'aria-label="Two bars, A and B."' in opening
        assert drawing.split(">", 2)[1].startswith('<g aria-hidden="true"'), "the marks are not read out one by one"
        assert "<text" in drawing, "labels stay text: selectable, searchable, printable"
    assert f"{chartdom.STATIC_WIDE}" in wide and f"{chartdom.STATIC_NARROW}" in narrow
    assert f'data-rendered="{chartdom.STATIC_STATE}"' in html
    assert "<?xml" not in html


def test_one_drawing_serves_light_and_dark_mode(cache):
    """No painted background, and the chart's own text and axes in the page's text colour."""
    (wide, _) = _drawings(plugin.chart_html(BARS, cache))
    assert 'fill="currentColor"' in wide and 'stroke="currentColor"' in wide
    assert not re.search(r'<rect[^>]*fill="(?:white|#fff|#ffffff)"', wide), "no white backdrop"
    assert "#000" not in wide and 'fill="black"' not in wide


def test_two_drawings_on_a_page_never_share_an_id(cache):
    html = plugin.chart_html(BARS, cache) + plugin.chart_html({**BARS, "title": "Other"}, cache)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert ids, "clip paths are drawn with ids (mark clip=True)"
    assert len(ids) == len(set(ids))
    for reference in re.findall(r"url\(#([^)]+)\)", html):
        assert reference in ids, f"url(#{reference}) points at no drawing's id"


def test_a_chart_of_fixed_width_has_one_drawing_unless_it_asks_for_a_phone_layout(cache):
    fixed = {**BARS, "width": 200}
    assert len(_drawings(plugin.chart_html(fixed, cache))) == 1
    phone = {**fixed, "usermeta": {"manchuria": {specs.NARROW_KEY: {"height": 40}}}}
    wide, narrow = _drawings(plugin.chart_html(phone, cache))
    assert wide != narrow


def test_the_phone_drawing_is_drawn_at_the_phone_width(cache):
    (wide, narrow) = _drawings(plugin.chart_html(BARS, cache))
    assert 'width="700"' in wide.split(">", 1)[0]
    assert f'width="{specs.NARROW_WIDTH}"' in narrow.split(">", 1)[0]


def test_a_cached_drawing_is_not_drawn_again(cache, monkeypatch):
    first = plugin.chart_html(BARS, cache)

    def no_drawing():
        raise AssertionError("vl-convert was called for a cached drawing")

    monkeypatch.setattr(plugin, "_vl_convert", no_drawing)
    assert plugin.chart_html(BARS, cache) == first


def test_the_render_digest_rereads_pages_when_the_drawing_changes():
    """The plugin runs only when Sphinx reads a page: its digest is an "env" config value."""
    registered = {}
    app = SimpleNamespace(add_config_value=lambda name, default, rebuild: registered.update({name: (default, rebuild)}))
    plugin.setup(app)
    assert registered == {"manchuria_chart_render_digest": (plugin.RENDER_DIGEST, "env")}


def test_a_spec_without_a_vega_lite_version_is_a_clear_error():
    with pytest.raises(ValueError, match=r"no Vega-Lite \$schema with a version: 'https://example.org/x.json'"):
        plugin.vegalite_version({"$schema": "https://example.org/x.json"})


def test_the_page_script_uses_the_class_names_of_chartdom():
    script = (Path(plugin.__file__).parents[1] / "static" / chartdom.CHARTS_JS).read_text()
    for name in (
        chartdom.FIGURE,
        chartdom.SPEC,
        chartdom.SPEC_GLOBAL,
        chartdom.TARGET,
        chartdom.STATIC,
        chartdom.EXPLORER_WAITING,
        chartdom.EXPLORER_CONTROLS,
        chartdom.EXPLORER_TURN_ON,
        chartdom.LIVE,
        chartdom.VEGA_BUNDLE,
    ):
        assert name in script, name
    for state in (chartdom.PENDING_STATE, chartdom.LIVE_STATE, chartdom.ERROR_STATE):
        assert f'"{state}"' in script, state


TABLE_SPEC = {
    "title": {"text": "Deadlines"},
    "layer": [
        {
            "mark": "point",
            "encoding": {
                "x": {"field": "deadline", "type": "temporal", "title": "Deadline"},
                "tooltip": [
                    {"field": "said_by", "type": "nominal", "title": "Said by"},
                    {"field": "deadline", "type": "temporal"},
                ],
            },
        },
        {"mark": "rule", "data": {"name": "helper"}, "encoding": {"x": {"field": "x", "type": "quantitative"}}},
    ],
    "datasets": {
        "rows": [
            {
                "deadline": "1945-11-30T00:00:00",
                "said_by": "Soviet <press>",
                "internal": 1,
                "source_keys": "frus1945v07d764",
            },
            {"deadline": "1946-01-03T00:00:00", "said_by": "Malinovsky", "internal": 2, "source_keys": "key_b;key_c"},
        ],
        "helper": [{"x": 0}],
    },
}


def test_data_table_shows_the_encoded_fields_with_their_titles_and_sources():
    table = plugin.data_table_html(TABLE_SPEC)
    assert table.startswith('<details class="manchuria-chart-data"><summary>Data behind this chart')
    assert "Deadlines" in table
    headers = table.split("<thead>")[1].split("</thead>")[0]
    assert headers == (
        '<tr><th scope="col">Deadline</th><th scope="col">Said by</th>'
        '<th scope="col">Sources (bibliography keys)</th></tr>'
    )
    assert table.count("<table>") == 1, "a helper dataset with no text gets no table"
    assert "<td>1945-11-30</td><td>Soviet &lt;press&gt;</td><td>frus1945v07d764</td>" in table
    assert "<td>key_b; key_c</td>" in table
    assert table.count("<tr>") == 3, "every row is shown"
    assert "internal" not in table


def test_a_chart_without_inline_data_has_no_table(cache):
    assert plugin.data_table_html(SPEC) == ""
    assert "<details" not in plugin.chart_html(SPEC, cache)


def test_data_table_shows_date_labels_not_the_stored_day():
    """A month-precision date is stored as the 1st; the table shows "Aug 1945", never 1945-08-01."""
    from manchuria import charts, data

    table = plugin.data_table_html(charts.control_timeline_chart(data.load_control(), data.load_places()).to_dict())
    assert "Aug 1945" in table and "1945-08-01" not in table


# --- Notebook outputs never carry width "container" (JupyterLab would redraw them forever) ---

CONTAINER_SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.20.1.json",
    "title": "Claims",
    "description": "Bars.",
    "width": "container",
    "height": 120,
    "usermeta": {"embedOptions": {"renderer": "svg"}},
    "mark": "bar",
    "data": {"name": "rows"},
    "encoding": {"x": {"field": "n", "type": "quantitative"}, "y": {"field": "doc", "type": "nominal"}},
    # Data are never rewritten, even a column that happens to be called "width".
    "datasets": {"rows": [{"doc": "A", "n": 1, "width": "container"}]},
}


def test_notebook_spec_gives_container_charts_a_fixed_width_that_fits_the_whole_chart():
    spec = specs.notebook_spec(CONTAINER_SPEC)
    assert spec["width"] == specs.NOTEBOOK_WIDTH and spec["height"] == 120
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}, (
        "labels and legend inside the width, as in the book"
    )
    assert spec["usermeta"]["embedOptions"] == {"renderer": "svg"}, "other usermeta is kept"
    assert spec["usermeta"][specs.USERMETA_KEY] == {"paths": [["width"]], "added_autosize": True}
    assert spec["datasets"] is CONTAINER_SPEC["datasets"], "data are shared, not copied or rewritten"
    assert CONTAINER_SPEC["width"] == "container" and "autosize" not in CONTAINER_SPEC, "the input is untouched"
    assert '"container"' not in json.dumps({k: v for k, v in spec.items() if k != "datasets"})


def test_the_book_gets_back_exactly_the_container_spec(tmp_path):
    assert specs.book_spec(specs.notebook_spec(CONTAINER_SPEC)) == CONTAINER_SPEC
    data = SimpleNamespace(mime_type=chartdom.VEGALITE_MIME, content=json.dumps(specs.notebook_spec(CONTAINER_SPEC)))
    (_, node) = plugin.VegaLiteSVG.handle_mime(FakeRenderer(tmp_path), data, False)
    assert node.astext() == plugin.chart_html(CONTAINER_SPEC, tmp_path / "manchuria-svg"), (
        "book charts still fill the text column"
    )


def test_the_mimebundle_the_notebooks_emit_has_no_container_size():
    bundle = render.mimebundle(CONTAINER_SPEC)
    assert bundle[render.VEGALITE_MIME]["width"] == specs.NOTEBOOK_WIDTH
    assert bundle["text/plain"] == render.chart_text(CONTAINER_SPEC)


def test_nested_container_sizes_are_fixed_and_restored_without_touching_autosize():
    spec = {
        "vconcat": [{"mark": "bar", "width": "container", "height": "container"}, {"mark": "point", "width": 200}],
        "autosize": "pad",
    }
    fixed = specs.notebook_spec(spec)
    assert fixed["vconcat"][0]["width"] == specs.NOTEBOOK_WIDTH
    assert fixed["vconcat"][0]["height"] == specs.NOTEBOOK_HEIGHT
    assert fixed["autosize"] == "pad", "a spec's own autosize is left alone"
    assert fixed["usermeta"][specs.USERMETA_KEY] == {"paths": [["vconcat", 0, "width"], ["vconcat", 0, "height"]]}
    assert specs.book_spec(json.loads(json.dumps(fixed))) == spec
    both = specs.notebook_spec({"mark": "bar", "width": "container", "height": "container"})
    assert both["autosize"]["type"] == "fit"


def test_specs_without_container_sizes_pass_through_unchanged():
    assert specs.notebook_spec(SPEC) is SPEC
    assert specs.book_spec(SPEC) is SPEC
    fixed_width = {**SPEC, "width": 600, "usermeta": {"embedOptions": {}}}
    assert specs.book_spec(fixed_width) is fixed_width


def test_every_container_chart_of_the_package_reaches_notebooks_with_a_valid_fixed_width():
    import jsonschema

    from manchuria import charts, data

    made = [
        charts.claims_verdict_chart(data.load_claims()),
        charts.removals_chart(data.load_removals()),
        charts.events_strip_chart(data.load_events()),
    ]
    schema = alt.vegalite.v5.schema.core.load_schema()
    for chart in made:
        original = chart.to_dict()
        assert original["width"] == "container"
        bundle = chart._repr_mimebundle_()
        spec = (bundle[0] if isinstance(bundle, tuple) else bundle)[render.VEGALITE_MIME]
        assert spec["width"] == specs.NOTEBOOK_WIDTH
        errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(spec)]
        assert errors == [], errors
        assert specs.book_spec(spec) == original


def test_expressions_that_read_the_page_box_read_the_width_drawn_at():
    """vl-convert has no container: a label limit written as a share of containerSize() must still hold."""
    spec = {
        **BARS,
        "encoding": {
            **BARS["encoding"],
            "y": {"field": "doc", "type": "nominal", "axis": {"labelLimit": {"expr": "containerSize()[0] * 0.45"}}},
        },
    }
    narrow = specs.at_width(spec, specs.NARROW_WIDTH)
    assert narrow["encoding"]["y"]["axis"]["labelLimit"] == {
        "expr": f"[{specs.NARROW_WIDTH}, {specs.NOTEBOOK_HEIGHT}][0] * 0.45"
    }
    assert spec["encoding"]["y"]["axis"]["labelLimit"]["expr"].startswith("containerSize()"), "the input is untouched"
    assert narrow["datasets"] is BARS["datasets"], "data are never rewritten"


def test_drawings_keep_coordinates_to_a_tenth_of_a_pixel_and_leave_text_alone():
    svg = (
        '<svg width="700" height="372"><path d="M12.3456,7.04L-0.04,3Z" transform="translate(0.5,10.25)"/>'
        '<text x="1.25" y="3">12.345 km</text></svg>'
    )
    assert plugin.rounded_geometry(svg) == (
        '<svg width="700" height="372"><path d="M12.3,7L0,3Z" transform="translate(0.5,10.2)"/>'
        '<text x="1.2" y="3">12.345 km</text></svg>'
    )
