"""Every chart: a valid Vega-Lite spec, with a title and description, encoding only real fields."""

from __future__ import annotations

import inspect

import altair as alt
import jsonschema
import pytest

from manchuria import charts, data

# Each public chart function, drawn from the book's own data as the chapter draws it.
CHARTS = {
    "arms_ratio_chart": lambda: charts.arms_ratio_chart(data.load_arms()),
    "events_timeline_chart": lambda: charts.events_timeline_chart(
        data.load_events(), start="1945-02-01", end="1945-08-20", title="From Yalta"
    ),
    "events_strip_chart": lambda: charts.events_strip_chart(data.load_events()),
    "forces_chart": lambda: charts.forces_chart(data.load_forces()),
    "offensive_map": lambda: charts.offensive_map(data.load_places(), data.load_events()),
    "concessions_chart": lambda: charts.concessions_chart(data.load_concessions(), show="returns"),
    "withdrawal_deadlines_chart": lambda: charts.withdrawal_deadlines_chart(data.load_withdrawal(), data.load_events()),
    "removals_chart": lambda: charts.removals_chart(data.load_removals()),
    "control_timeline_chart": lambda: charts.control_timeline_chart(data.load_control(), data.load_places()),
    "control_map": lambda: charts.control_map(data.load_control(), data.load_places()),
    "claims_verdict_chart": lambda: charts.claims_verdict_chart(data.load_claims()),
}


def test_every_chart_function_is_tested():
    public = {
        name
        for name, member in inspect.getmembers(charts, inspect.isfunction)
        if name.endswith(("_chart", "_map")) and member.__module__ == charts.__name__
    }
    assert public == set(CHARTS)


def _nodes(node):
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def _derived_fields(spec: dict) -> set[str]:
    """Fields a spec's transforms create (calculate ... as ...)."""
    return {
        transform["as"]
        for node in _nodes(spec)
        for transform in node.get("transform", [])
        if isinstance(transform.get("as"), str)
    }


def _encoded_fields(spec: dict) -> set[str]:
    """Every `field` named in any encoding, in any layer, of a spec."""
    found: set[str] = set()
    for node in _nodes(spec):
        for channel in node.get("encoding", {}).values():
            for item in channel if isinstance(channel, list) else [channel]:
                if isinstance(item, dict) and "field" in item:
                    found.add(item["field"])
    return found


def _title_text(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else text


@pytest.fixture(params=sorted(CHARTS))
def spec(request) -> dict:
    chart = CHARTS[request.param]()
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
    columns = _derived_fields(spec)
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


def test_timeline_rejects_an_unknown_theme_and_an_empty_range():
    events = data.load_events()
    with pytest.raises(ValueError, match="unknown theme"):
        charts.events_timeline_chart(events, themes=["sport"])
    with pytest.raises(ValueError, match="no events between 1960-01-01 and 1961-01-01"):
        charts.events_timeline_chart(events, start="1960-01-01", end="1961-01-01")


def test_holders_on_a_day_take_the_newer_holder_at_a_hand_over():
    holders = charts.holders_on(data.load_control(), data.load_places(), "1948-11-02")
    shenyang = holders[holders["place"] == "shenyang"]["holder"]
    assert list(shenyang) == ["communist"]


def test_offensive_map_marks_only_places_inside_manchuria():
    spec = charts.offensive_map(data.load_places(), data.load_events()).to_dict()
    assert "Moscow" not in spec["description"] and "Harbin" in spec["description"]
    assert "modern borders" in spec["description"].lower()


def test_concessions_chart_rejects_an_unknown_view():
    with pytest.raises(ValueError, match="show must be 'terms' or 'returns'"):
        charts.concessions_chart(data.load_concessions(), show="both")


def test_specs_are_strict_json():
    """NaN in a spec breaks the kernel's JSON messages (and JupyterLab's renderer)."""
    import json

    for name, make in CHARTS.items():
        json.dumps(make().to_dict(), allow_nan=False)
