"""The live explorers: set the controls as a reader would and check what they show."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from manchuria import data, explorers
from manchuria.explorers import ExplorerInputError
from manchuria.render import VEGALITE_MIME


def _shows_error(explorer, text: str) -> None:
    assert text in explorer.message.value
    assert explorer.chart is None and explorer.table.value == ""


def test_timeline_filters_by_theme_actor_and_dates():
    explorer = explorers.timeline()
    theme, actor, start, end = explorer.controls
    theme.value = "diplomacy"
    actor.value = "molotov"
    start.value, end.value = dt.date(1945, 8, 1), dt.date(1945, 8, 31)
    assert explorer.message.value == ""
    assert "Sino-Soviet Treaty of Friendship and Alliance" in explorer.table.value
    assert "Hirohito" not in explorer.table.value
    assert "wikipedia_treaty1945" in explorer.table.value, "each event's sources are listed"


def test_timeline_reports_an_empty_date_range_and_no_match():
    explorer = explorers.timeline()
    _, actor, start, end = explorer.controls
    start.value, end.value = dt.date(1950, 1, 1), dt.date(1949, 1, 1)
    _shows_error(explorer, "the date range is empty: 01 Jan 1950 is after 01 Jan 1949")
    start.value = dt.date(1945, 2, 1)
    actor.value = "Napoleon"
    _shows_error(explorer, "no event matches theme &#x27;all&#x27;, actor &#x27;Napoleon&#x27;")


def test_filter_events_rejects_an_unknown_theme():
    with pytest.raises(ExplorerInputError, match="unknown theme 'sport'; expected 'all' or one of diplomacy"):
        explorers.filter_events(data.load_events(), theme="sport")


def test_who_held_lists_the_holder_of_each_city_on_the_day():
    explorer = explorers.who_held()
    (day,) = explorer.controls
    day.value = dt.date(1948, 12, 1)
    assert "Shenyang" in explorer.table.value and "Communist" in explorer.table.value
    day.value = dt.date(1946, 6, 1)
    assert "Nationalist" in explorer.table.value


def test_who_held_rejects_a_day_outside_the_data():
    explorer = explorers.who_held()
    explorer.controls[0].value = dt.date(1950, 1, 1)
    _shows_error(explorer, "01 Jan 1950 is outside the period the data covers: expected a day from 09 Aug 1945")


def test_arms_switches_between_counts_and_ratios_and_scales():
    explorer = explorers.arms_and_forces()
    category, measure, scale = explorer.controls
    category.value = "rifles"
    assert "700000" in explorer.table.value.replace(",", "") and "li_changlin2006" in explorer.table.value
    measure.value = "ratio"
    assert "globalsecurity_northeast" in explorer.table.value and "li_changlin2006" not in explorer.table.value
    scale.value = "log"
    assert explorer.chart.to_dict()["encoding"]["x"]["scale"]["type"] == "log"


def test_arms_says_when_no_source_gives_a_figure():
    explorer = explorers.arms_and_forces()
    category, measure, _ = explorer.controls
    category.value = "tanks"
    measure.value = "ratio"
    _shows_error(explorer, "no source gives a ratio for &#x27;tanks&#x27;")


def test_names_finds_every_form_from_any_form():
    explorer = explorers.names()
    (query,) = explorer.controls
    for typed in ("Kao Kang", "高岗", "gao gang"):
        query.value = typed
        assert "Gao Gang" in explorer.table.value and "Kao Kang" in explorer.table.value, typed
    query.value = "Mukden"
    assert "Shenyang" in explorer.table.value
    assert "Civil war in the Northeast" in explorer.table.value, "the sections that mention it are listed"


def test_names_reports_an_unknown_name_and_an_empty_box():
    explorer = explorers.names()
    explorer.controls[0].value = "Napoleon"
    _shows_error(explorer, "no name matches &#x27;Napoleon&#x27;")
    explorer.controls[0].value = "  "
    _shows_error(explorer, "type a name in any form")


def test_sources_compared_shows_both_documents_on_the_withdrawal():
    explorer = explorers.sources_compared()
    explorer.controls[0].value = "withdrawal"
    assert "end of April 1946" in explorer.table.value and "3 May 1946" in explorer.table.value
    assert "disputed" in explorer.table.value


def test_filter_claims_rejects_an_unknown_topic():
    with pytest.raises(ExplorerInputError, match="unknown topic 'weather'; expected one of arms"):
        explorers.filter_claims(data.load_claims(), "weather")


@pytest.mark.parametrize("name", ["timeline", "who_held", "arms_and_forces", "names", "sources_compared"])
def test_each_explorer_offers_the_live_widget_and_the_kernel_free_chart(name):
    bundle = getattr(explorers, name)()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    spec = bundle[VEGALITE_MIME]
    json.dumps(spec, allow_nan=False)
    assert spec.get("params"), "the static chart carries its own controls"
    assert all("bind" in param for param in spec["params"])
    assert explorers.LIVE_NOTE in json.dumps(spec, ensure_ascii=False)


@pytest.mark.parametrize("name", ["timeline_static", "control_static", "arms_static", "names_static", "claims_static"])
def test_static_explorers_are_valid_vega_lite_with_a_description(name):
    import altair as alt
    import jsonschema

    loaders = {
        "timeline_static": lambda: (data.load_events(),),
        "control_static": lambda: (data.load_control(), data.load_places()),
        "arms_static": lambda: (data.load_arms(),),
        "names_static": lambda: (data.load_names(),),
        "claims_static": lambda: (data.load_claims(),),
    }
    spec = getattr(explorers, name)(*loaders[name]()).to_dict()
    schema = alt.vegalite.v5.schema.core.load_schema()
    assert [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(spec)] == []
    assert len(spec.get("description", "")) > 40
