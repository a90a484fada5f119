"""Every chart: a valid Vega-Lite spec, with a title and description, encoding only real fields."""

from __future__ import annotations

import functools
import inspect
import json

import altair as alt
import jsonschema
import pytest
import readerwords

from manchuria import book, charts, data, sources

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
    "people_ranges_chart": lambda: charts.people_ranges_chart(data.load_people()),
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


def _derived_fields(spec: dict) -> set[str]:
    """Fields a spec's transforms create (calculate ... as ...)."""
    return {
        transform["as"]
        for node in readerwords.nodes(spec)
        for transform in node.get("transform", [])
        if isinstance(transform.get("as"), str)
    }


def _encoded_fields(spec: dict) -> set[str]:
    """Every `field` named in any encoding, in any layer, of a spec."""
    found: set[str] = set()
    for node in readerwords.nodes(spec):
        for channel in node.get("encoding", {}).values():
            for item in channel if isinstance(channel, list) else [channel]:
                if isinstance(item, dict) and "field" in item:
                    found.add(item["field"])
    return found


def _title_text(spec: dict) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else text


@functools.cache
def _built_spec(name: str) -> str:
    chart = CHARTS[name]()
    assert isinstance(chart, alt.TopLevelMixin)
    return json.dumps(chart.to_dict())


def chart_spec(name: str) -> dict:
    """The spec of one of the book's charts: built once per session, a fresh copy for each test."""
    return json.loads(_built_spec(name))


@pytest.fixture(params=sorted(CHARTS))
def spec(request) -> dict:
    return chart_spec(request.param)


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

    for make in CHARTS.values():
        json.dumps(make().to_dict(), allow_nan=False)


# --- Reader words -------------------------------------------------------------------------

# Every row id of every data file a chart reads: none may show (a superset of each chart's own).
LOADERS = (
    data.load_events,
    data.load_places,
    data.load_arms,
    data.load_forces,
    data.load_removals,
    data.load_people,
    data.load_withdrawal,
    data.load_control,
    data.load_claims,
    data.load_concessions,
)


def _package_fields() -> list[tuple[str, dict]]:
    import json

    package = json.loads((book.REPO_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    return [(resource["name"], field) for resource in package["resources"] for field in resource["schema"]["fields"]]


@pytest.fixture(scope="module")
def row_ids() -> set[str]:
    return {str(row_id) for load in LOADERS for row_id in load()["id"]}


@pytest.fixture(scope="module")
def enum_keys() -> set[str]:
    """Every key an enum column of the data allows ("confirmed", "troops"...): charts show its label instead."""
    return {key for _, field in _package_fields() for key in field.get("constraints", {}).get("enum", [])}


def test_text_the_charts_show_is_reader_words(spec, row_ids, enum_keys):
    """No snake_case token, bibliography key, row id, raw list or bare data key in any axis, legend,
    header, text mark, title, tooltip or description a chart shows, nor in any row's value of a field it shows."""
    assert readerwords.shown_fields(spec), "the chart should show some field as text"
    texts = [
        *(("drawn", text) for text in readerwords.drawn_texts(spec)),
        *(("tooltip title", title) for title in readerwords.tooltip_titles(spec)),
        *readerwords.shown_values(spec),
        ("description", spec["description"]),
    ]
    assert len(texts) > 10
    assert readerwords.not_reader_words(texts, keys=sources.labels(), ids=row_ids, enum_keys=enum_keys) == []


def test_charts_show_sources_as_their_citations():
    """A tooltip naming sources shows the book's author-year labels; the data table keeps the keys."""
    spec = charts.withdrawal_deadlines_chart(data.load_withdrawal(), data.load_events()).to_dict()
    [rows] = [rows for rows in spec["datasets"].values() if rows and "sources" in rows[0]]
    first = rows[0]
    assert first["sources"] == sources.source_labels(first["source_keys"])
    assert "frus1945v07d764" in first["source_keys"] and "frus1945v07d764" not in first["sources"]
    assert "source_keys" not in readerwords.shown_fields(spec)


@pytest.mark.parametrize(
    ("labels", "resource", "column"),
    [
        (charts.CATEGORY_LABELS, "arms", "category"),
        (charts.SIDE_LABELS, "arms", "side"),
        (charts.SIDE_NAMES, "forces", "side"),
        (charts.FORCE_MEASURE_LABELS, "forces", "measure"),
        (charts.THEME_LABELS, "events", "theme"),
        (charts.HOLDER_LABELS, "control", "holder"),
        (charts.VERDICT_LABELS, "claims", "verdict"),
        (charts.DOCUMENT_LABELS, "claims", "source_key"),
    ],
)
def test_each_label_vocabulary_names_every_key_its_column_allows(labels, resource, column):
    [field] = [field for name, field in _package_fields() if name == resource and field["name"] == column]
    assert set(labels) == set(field["constraints"]["enum"])
    for label in labels.values():
        assert label.strip() and not readerwords.SNAKE_CASE.search(label), label


def test_readerwords_finds_keys_ids_and_snake_case():
    """The checker itself: each kind of leak is caught, reader words pass."""
    found = readerwords.not_reader_words(
        [
            ("a", "Machine guns, 6×"),
            ("b", "machine_guns"),
            ("c", "see frus1945v07d764"),
            ("d", "Rifles — soviet-v1-rifles"),
            ("e", "soviet-v1-rifles-extra"),
            ("f", "Mukden;Fengtian"),
            ("g", "Mukden, Fengtian; Shenyang"),
            ("h", "confirmed"),
            ("i", "Confirmed by two sources"),
        ],
        keys=["frus1945v07d764"],
        ids=["soviet-v1-rifles"],
        enum_keys=["confirmed"],
    )
    assert [where for where, _, _ in found] == ["b", "c", "d", "f", "h"]
    spec = {
        "encoding": {
            "y": {"field": "category", "type": "nominal"},
            "x": {"field": "n", "type": "quantitative"},
            "tooltip": [{"field": "n", "type": "quantitative", "title": "Number"}],
        },
        "facet": {"row": {"field": "measure", "type": "nominal"}},
    }
    assert readerwords.shown_fields(spec) == {"category", "n", "measure"}


def test_forces_chart_rejects_an_unknown_measure():
    with pytest.raises(ValueError, match="unknown measure"):
        charts.forces_chart(data.load_forces(), measures=("horses",))


def test_every_people_measure_the_data_allow_has_a_reader_label():
    allowed = next(field for name, field in _package_fields() if name == "people" and field["name"] == "measure")[
        "constraints"
    ]["enum"]
    assert sorted(set(allowed) - set(charts.PEOPLE_MEASURES)) == []


def test_the_people_chart_names_a_measure_it_has_no_words_for():
    people = data.load_people().head(1).assign(measure="counted_somehow")
    with pytest.raises(ValueError, match="counted_somehow.*PEOPLE_MEASURES"):
        charts.people_ranges_chart(people)


def test_the_people_chart_lists_rows_in_the_order_the_measures_are_asked_for():
    chart = charts.people_ranges_chart(data.load_people(), measures=["repatriated", "to_repatriate"])
    rows = chart.to_dict()["layer"][0]["encoding"]["y"]["sort"]
    whats = [row.split(" ", 1)[1].split("\n")[0] for row in rows]
    assert whats[0].startswith("repatriated") and whats[-1].startswith("to be repatriated"), whats
