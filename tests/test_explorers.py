"""The explorers: set the live controls as a reader would and check the rows they select.

The kernel-free charts are checked in the browser (tests/test_browser_explorers.py),
against the same filter functions over a grid of inputs.
"""

from __future__ import annotations

import inspect
import json
import re

import pytest

from manchuria import book, data, explorers
from manchuria.explorers import ExplorerInputError
from manchuria.render import VEGALITE_MIME

EXPLORERS = ["timeline", "who_held", "arms_and_forces", "names", "sources_compared"]
SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def _shows_error(explorer, text: str) -> None:
    assert text in explorer.message.value
    assert explorer.chart is None and explorer.table.value == ""


def _set(explorer, **values) -> None:
    for name, value in values.items():
        explorer.controls[explorer.names.index(name)].value = value


# --- Timeline ---------------------------------------------------------------------------


def test_timeline_filters_by_theme_person_and_years():
    explorer = explorers.timeline()
    _set(explorer, theme="diplomacy", actor=" molotov ", from_year=1945, to_year=1945)
    assert explorer.message.value == ""
    assert "Sino-Soviet Treaty of Friendship and Alliance" in explorer.table.value
    assert "Hirohito" not in explorer.table.value
    events = data.load_events()
    expected = events[
        (events["theme"] == "diplomacy")
        & events["actors"].str.contains("Molotov")
        & (events["start_date"].dt.year == 1945)
    ]
    assert f"{len(expected)} rows" in explorer.table.value
    assert explorer.chart.to_dict()["title"] == f"{len(expected)} events"


def test_filter_events_matches_the_actor_column_in_any_case():
    events = data.load_events()
    chosen = explorers.filter_events(events, actor="STALIN")
    assert len(chosen) == events["actors"].str.contains("Stalin").sum() > 0


def test_timeline_reports_reversed_years_and_no_match():
    explorer = explorers.timeline()
    _set(explorer, from_year=1950, to_year=1949)
    _shows_error(explorer, "the years are the wrong way round: from 1950 is after to 1949")
    _set(explorer, from_year=1945, actor="Napoleon")
    _shows_error(explorer, "no event matches theme &#x27;all&#x27;, person, party or state &#x27;Napoleon&#x27;")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"theme": "sport"}, "unknown theme 'sport'; expected 'all' or one of diplomacy"),
        ({"from_year": 1930}, "the year 1930 is outside the events: expected a year from 1945 to 1955"),
    ],
)
def test_filter_events_rejects_bad_input_with_what_was_expected(kwargs, message):
    with pytest.raises(ExplorerInputError, match=re.escape(message)):
        explorers.filter_events(data.load_events(), **kwargs)


def _suggestions(section: str) -> list[str]:
    """The names the explorers page tells readers to try, in one section (italics in its first paragraph)."""
    text = (book.REPO_ROOT / "book" / "explorers.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("```", 1)[0]
    return re.findall(r"\*([^*]+)\*", body)


def test_every_person_the_page_suggests_has_events():
    suggestions = _suggestions("Timeline")
    assert len(suggestions) >= 3
    for suggestion in [*suggestions, *explorers.ACTOR_EXAMPLES]:
        assert not explorers.filter_events(data.load_events(), actor=suggestion).empty, suggestion


def test_every_name_the_page_suggests_is_found():
    suggestions = _suggestions("Names")
    assert len(suggestions) >= 5
    for suggestion in suggestions:
        assert not explorers.find_names(data.load_names(), suggestion).empty, suggestion


# --- Who held -----------------------------------------------------------------------------


def test_who_held_lists_the_holder_of_each_city_on_the_day():
    explorer = explorers.who_held()
    _set(explorer, day=explorers.day_offset("1948-12-01"))
    assert "Shenyang (Mukden)" in explorer.table.value and "Communist" in explorer.table.value
    _set(explorer, day=explorers.day_offset("1946-06-01"))
    assert "Nationalist" in explorer.table.value


def test_the_day_slider_is_labelled_in_dates():
    slider = explorers.who_held().controls[0]
    assert slider.options[0][0] == "9 Aug 1945" and slider.options[-1][0] == "31 Dec 1948"
    assert slider.label == "1 Jun 1946"


def test_on_a_handover_day_only_the_new_holder_is_shown():
    control, places = data.load_control(), data.load_places()
    spells = control.sort_values("start_date")
    handover = spells[spells.duplicated("place", keep="first")].iloc[0]
    held = explorers.holders_on_day(control, places, handover["start_date"])
    city = held[held["id"] == handover["place"]]
    assert len(city) == 1
    assert city["holder_label"].iloc[0].lower() == handover["holder"]


def test_who_held_rejects_a_day_outside_the_data():
    with pytest.raises(
        ExplorerInputError, match="1 Jan 1950 is outside the period the data cover: expected a day from 9 Aug 1945"
    ):
        explorers.holders_on_day(data.load_control(), data.load_places(), "1950-01-01")
    with pytest.raises(ExplorerInputError, match="'spring' is not a date"):
        explorers.day_offset("spring")


# --- Arms ---------------------------------------------------------------------------------


def test_arms_shows_counts_or_ratios_never_both():
    explorer = explorers.arms_and_forces()
    _set(explorer, weapon="rifles")
    assert "700,000" in explorer.table.value and "Li Changlin" in explorer.table.value
    assert explorer.chart.to_dict()["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    _set(explorer, measure="ratio")
    assert "2×" in explorer.table.value and "700,000" not in explorer.table.value
    assert "type" not in explorer.chart.to_dict()["layer"][0]["encoding"]["x"]["scale"]


def test_arms_says_when_no_source_gives_a_figure():
    explorer = explorers.arms_and_forces()
    _set(explorer, weapon="tanks", measure="ratio")
    _shows_error(explorer, "no source gives ratios for tanks")


def test_static_arms_axis_is_a_log_axis_for_counts():
    spec = explorers.arms_static(data.load_arms()).to_dict()
    encoding = spec["layer"][0]["encoding"] if "encoding" not in spec else spec["encoding"]
    axis = encoding["x"]["axis"]
    assert axis["tickMinStep"] == 1 and "pow(10, datum.value)" in axis["labelExpr"]
    assert "log(datum.value) / LN10" in json.dumps(spec)


# --- Names and sources --------------------------------------------------------------------


def test_names_finds_every_form_from_any_form():
    explorer = explorers.names()
    for typed in ("Kao Kang", "高岗", "gao gang", "  KAO KANG "):
        _set(explorer, query=typed)
        assert "Gao Gang" in explorer.table.value and "Kao Kang" in explorer.table.value, typed
    _set(explorer, query="Mukden")
    assert "Shenyang" in explorer.table.value and "Mukden, Fengtian, Shen-yang" in explorer.table.value
    assert "Civil war in the Northeast" in explorer.table.value, "the sections that mention it are listed"


def test_a_query_never_matches_across_two_forms():
    names = data.load_names()
    row = names[names["id"] == "gao_gang"].iloc[0]
    straddling = row["pinyin"][-3:] + row["wade_giles"][:3]
    with pytest.raises(ExplorerInputError):
        explorers.find_names(names[names["id"] == "gao_gang"], straddling)


def test_names_reports_an_unknown_name_and_an_empty_box():
    explorer = explorers.names()
    _set(explorer, query="Napoleon")
    _shows_error(explorer, "no name matches &#x27;Napoleon&#x27;")
    _set(explorer, query="  ")
    _shows_error(explorer, "type a name in any form")


def test_sources_compared_shows_both_documents_on_the_withdrawal():
    explorer = explorers.sources_compared()
    _set(explorer, topic="withdrawal")
    assert "end of April 1946" in explorer.table.value and "3 May 1946" in explorer.table.value
    assert "Disputed" in explorer.table.value


def test_filter_claims_rejects_an_unknown_topic():
    with pytest.raises(ExplorerInputError, match="unknown topic 'weather'; expected one of yalta"):
        explorers.filter_claims(data.load_claims(), "weather")


# A grid of inputs for each explorer, keyed by its section on the explorers page: Vega parameter values,
# which are also the live form's control values (tests/test_browser_explorers.py runs the same grid in the page).
GRID = {
    "timeline": [
        {},
        {"theme": "military"},
        {"actor": "Stalin"},
        {"actor": "  lin biao "},
        {"actor": "Republic of China", "theme": "diplomacy"},
        {"from_year": 1950, "to_year": 1955},
        {"from_year": 1948, "to_year": 1946},
        {"actor": "Napoleon"},
        {"theme": "economy", "from_year": 1949, "to_year": 1955},
    ],
    "who-held-manchuria": [{"day": day} for day in (0, 10, 11, 30, 200, 298, 400, 700, 1000, explorers.DAY_SPAN)],
    "arms": [
        {},
        {"measure": "ratio"},
        {"weapon": "rifles"},
        {"weapon": "machine_guns", "measure": "ratio"},
        {"weapon": "tanks", "measure": "ratio"},
        {"weapon": "aircraft"},
    ],
    "names": [{"query": query} for query in ("Kao", "高岗", "mukden", "  Port Arthur ", "Порт", "", "Napoleon", "lin")],
    "sources-compared": [{"topic": topic} for topic in sorted(set(data.load_claims()["topic"]))],
}


def python_ids(section: str, state: dict) -> set[str]:
    """The rows the live form's filter selects for the same input (none where it reports an error)."""
    try:
        if section == "timeline":
            return set(explorers.filter_events(data.load_events(), **state)["id"])
        if section == "who-held-manchuria":
            return set(explorers.holders_on_day(data.load_control(), data.load_places(), state["day"])["id"])
        if section == "arms":
            return set(explorers.filter_arms(data.load_arms(), **state)["id"])
        if section == "names":
            return set(explorers.find_names(data.load_names(), state["query"])["id"])
        return set(explorers.filter_claims(data.load_claims(), state["topic"])["id"])
    except explorers.ExplorerInputError:
        return set()


SECTIONS = {
    "timeline": "timeline",
    "who-held-manchuria": "who_held",
    "arms": "arms_and_forces",
    "names": "names",
    "sources-compared": "sources_compared",
}


@pytest.mark.parametrize("section", list(GRID))
def test_the_live_form_lists_the_rows_its_filter_selects(section):
    explorer = getattr(explorers, SECTIONS[section])()
    for state in GRID[section]:
        _set(explorer, **state)
        expected = python_ids(section, explorer.values())
        if expected:
            assert f"<p class='manchuria-explorer-count'>{len(expected)} row" in explorer.table.value, state
        else:
            assert explorer.message.value and explorer.table.value == "", state


# --- Both forms ---------------------------------------------------------------------------


STATIC = {
    "timeline": lambda: explorers.timeline_static(data.load_events()),
    "who_held": lambda: explorers.control_static(data.load_control(), data.load_places()),
    "arms_and_forces": lambda: explorers.arms_static(data.load_arms()),
    "names": lambda: explorers.names_static(data.load_names()),
    "sources_compared": lambda: explorers.claims_static(data.load_claims()),
}
FILTERS = {
    "timeline": explorers.filter_events,
    "who_held": explorers.holders_on_day,
    "arms_and_forces": explorers.filter_arms,
    "names": explorers.find_names,
    "sources_compared": explorers.filter_claims,
}


@pytest.mark.parametrize("name", EXPLORERS)
def test_each_explorer_offers_the_live_widget_and_the_kernel_free_chart(name):
    explorer = getattr(explorers, name)()
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    spec = bundle[VEGALITE_MIME]
    json.dumps(spec, allow_nan=False)
    bound = [param["name"] for param in spec["params"] if "bind" in param]
    assert bound == explorer.names, "the page's controls are the live form's, in the same order"
    assert set(bound) <= set(inspect.signature(FILTERS[name]).parameters), "each control is a keyword of the filter"
    meta = spec["usermeta"]["manchuria"]["explorer"]
    assert meta["slug"] and meta["noun"] and meta["empty"].endswith(".")
    assert spec["title"]["subtitle"] == list(explorers.LIVE_NOTE_LINES)


@pytest.mark.parametrize("name", EXPLORERS)
def test_live_outputs_are_valid_json_and_their_tables_scroll(name):
    explorer = getattr(explorers, name)()
    if explorer.chart is not None:
        json.dumps(explorer.chart.to_dict(), allow_nan=False)
    assert f"max-height: {explorers.TABLE_HEIGHT}; overflow: auto" in explorer.table.value


@pytest.mark.parametrize("name", EXPLORERS)
def test_controls_speak_reader_words(name):
    """No row id or snake_case key in a control's label or in any option the reader sees."""
    spec = STATIC[name]().to_dict()
    ids = {str(row["id"]) for rows in spec["datasets"].values() for row in rows if "id" in row}
    for param in spec["params"]:
        bind = param.get("bind", {})
        shown = [bind.get("name", ""), *bind.get("labels", []), bind.get("placeholder", "")]
        for text in shown:
            assert not SNAKE_CASE.search(text) and text.strip() not in ids, (param["name"], text)
        if "options" in bind:
            assert len(bind["labels"]) == len(bind["options"]), param["name"]


@pytest.mark.parametrize("name", EXPLORERS)
def test_text_the_charts_show_is_reader_words(name):
    """Every field a static explorer draws as text, on an axis or in a tooltip holds no row id or snake_case key."""
    spec = STATIC[name]().to_dict()
    shown_fields = set()

    def walk(node):
        if isinstance(node, dict):
            for channel in ("text", "y", "tooltip", "color"):
                value = node.get("encoding", {}).get(channel)
                for item in value if isinstance(value, list) else [value] if value else []:
                    if item.get("type") == "nominal":
                        shown_fields.add(item["field"])
            for child in node.get("layer", []):
                walk(child)

    walk(spec)
    rows = [row for dataset in spec["datasets"].values() for row in dataset if "id" in row]
    ids = {str(row["id"]) for row in rows} | set(data.load_claims()["id"])
    mentions_an_id = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    for row in rows:
        for field in shown_fields:
            text = str(row.get(field, ""))
            assert not SNAKE_CASE.search(text), (field, text)
            assert not mentions_an_id.search(text), (field, text)


@pytest.mark.parametrize("name", list(STATIC))
def test_static_explorers_are_valid_vega_lite_with_a_description(name):
    import altair as alt
    import jsonschema

    spec = STATIC[name]().to_dict()
    schema = alt.vegalite.v5.schema.core.load_schema()
    assert [error.message for error in jsonschema.Draft7Validator(schema).iter_errors(spec)] == []
    assert len(spec.get("description", "")) > 40


# --- The book build never stalls on a widget ----------------------------------------------


@pytest.mark.parametrize("name", EXPLORERS)
def test_the_live_chart_is_the_output_widgets_state_not_captured_display(name):
    """Captured display() (`with output:`, clear_output) makes nbclient answer over the shell channel
    while it awaits the cell's execute_reply, which can stall the book build until the cell timeout
    (jupyter/nbclient#312)."""
    from manchuria import render

    explorer = getattr(explorers, name)()
    if explorer.chart is None:
        assert explorer.output.outputs == ()
    else:
        (output,) = explorer.output.outputs
        assert output["output_type"] == "display_data"
        assert output["data"] == render.mimebundle(explorer.chart.to_dict()), "what display(chart) would show"
        json.dumps(output, allow_nan=False)  # the widget's state travels to the front end as JSON


def test_executing_the_explorers_page_sends_the_kernel_no_widget_messages(monkeypatch):
    """nbclient mimics a front end's Output widget by sending comm messages on the shell channel;
    none may be sent, or the build can wait out the 120 s timeout on a lost execute_reply."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.output_widget import OutputWidget

    sent = []
    monkeypatch.setattr(OutputWidget, "send", lambda self, *args, **kwargs: sent.append(self.comm_id))
    page = next(path for path in book.toc_notebooks() if path.stem == "explorers")
    NotebookClient(
        jupytext.read(page), timeout=120, kernel_name="python3", resources={"metadata": {"path": str(page.parent)}}
    ).execute()
    assert sent == []


def test_a_name_is_found_in_either_script():
    names = data.load_names()
    for query in ("蒋介石", "蔣介石", "瀋陽", "沈阳"):
        assert not explorers.find_names(names, query).empty, query
