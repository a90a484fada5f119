"""Every chart: a valid Vega-Lite spec, with a title and description, encoding only real fields."""

from __future__ import annotations

import inspect

import altair as alt
import jsonschema
import pytest

from manchuria import charts, data

# Each public chart function with the loader of the data it draws.
CHARTS = {
    "arms_ratio_chart": (charts.arms_ratio_chart, data.load_arms),
}


def test_every_chart_function_is_tested():
    public = {
        name
        for name, member in inspect.getmembers(charts, inspect.isfunction)
        if name.endswith("_chart") and member.__module__ == charts.__name__
    }
    assert public == set(CHARTS)


def _encoded_fields(node) -> set[str]:
    """Every `field` named in any encoding, in any layer, of a spec."""
    found: set[str] = set()
    if isinstance(node, dict):
        encoding = node.get("encoding", {})
        for channel in encoding.values():
            for item in channel if isinstance(channel, list) else [channel]:
                if isinstance(item, dict) and "field" in item:
                    found.add(item["field"])
        for value in node.values():
            found |= _encoded_fields(value)
    elif isinstance(node, list):
        for item in node:
            found |= _encoded_fields(item)
    return found


def _title_text(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else text


@pytest.fixture(params=sorted(CHARTS))
def spec(request) -> dict:
    function, loader = CHARTS[request.param]
    chart = function(loader())
    assert isinstance(chart, alt.TopLevelMixin)
    return chart.to_dict()


def test_spec_is_valid_vega_lite(spec):
    schema = alt.vegalite.v5.schema.core.load_schema()
    # Validate the chart, not the published schema (whose own $refs trip jsonschema's format check).
    errors = [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(spec)]
    assert errors == []


def test_spec_has_title_and_description(spec):
    assert _title_text(spec).strip()
    assert len(spec.get("description", "")) > 40, "the description is what a screen reader reads"


def test_every_encoded_field_exists_in_the_data(spec):
    columns = set()
    for rows in spec["datasets"].values():
        for row in rows:
            columns |= set(row)
    fields = _encoded_fields(spec)
    assert fields, "the chart should encode some data"
    assert fields <= columns, f"fields missing from the data: {fields - columns}"


def test_arms_chart_shows_only_the_ratios_the_source_states():
    arms = data.load_arms()
    frame = charts.arms_ratio_frame(arms, source="globalsecurity_northeast")
    nationalist = frame[frame["side"] == "Nationalists"].set_index("category")["multiple"]
    assert nationalist.to_dict() == {"Rifles": 2.0, "Machine guns": 6.0, "Artillery pieces": 10.0}
    assert set(frame[frame["side"] == "Communists"]["multiple"]) == {1.0}


def test_arms_chart_description_states_the_ratios():
    description = charts.arms_ratio_chart(data.load_arms()).to_dict()["description"]
    for text in ("rifles 2×", "machine guns 6×", "artillery pieces 10×", "ratios only"):
        assert text in description


def test_arms_chart_rejects_a_source_with_no_ratios():
    with pytest.raises(ValueError, match="no Nationalist-to-Communist ratio rows cite the source 'nobody'"):
        charts.arms_ratio_chart(data.load_arms(), source="nobody")
