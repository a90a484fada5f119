"""Dates at their precision: the formatter, and every chart's text, for each precision the data use."""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re

import pandas as pd
import pytest
from test_charts import CHARTS

from manchuria import charts, data, story
from manchuria.dates import PRECISIONS, format_date, format_dates, precision_columns, when

# --- The formatter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "precision, full, short",
    [
        ("day", "9 Aug 1945", "9 Aug"),
        ("month", "Aug 1945", "Aug"),
        ("year", "1945", "1945"),
        ("approximate", "c. Aug 1945", "c. Aug"),
    ],
)
def test_each_precision_prints_only_what_is_known(precision, full, short):
    for date in (pd.Timestamp("1945-08-09"), dt.date(1945, 8, 9), "1945-08-09"):
        assert format_date(date, precision) == full
        assert format_date(date, precision, year=False) == short


def test_the_vocabulary_runs_from_most_to_least_precise():
    assert PRECISIONS == ("day", "month", "year", "approximate")


def test_when_puts_the_preposition_the_precision_takes():
    day = pd.Timestamp("1955-05-26")
    assert [when(day, precision) for precision in PRECISIONS] == [
        "on 26 May 1955",
        "in May 1955",
        "in 1955",
        "c. May 1955",
    ]


def test_a_column_of_dates_with_a_column_or_a_single_precision():
    dates = pd.Series(pd.to_datetime(["1945-08-09", "1946-03-14"]), index=[3, 7])
    labels = format_dates(dates, pd.Series(["day", "approximate"], index=[3, 7]))
    assert list(labels) == ["9 Aug 1945", "c. Mar 1946"] and list(labels.index) == [3, 7]
    assert list(format_dates(dates, "month")) == ["Aug 1945", "Mar 1946"]


def test_an_unknown_precision_names_the_value_and_the_vocabulary():
    with pytest.raises(
        ValueError,
        match=r"unknown date precision 'week' for the date 1945-08-09; expected one of day, month, year, approximate",
    ):
        format_date(pd.Timestamp("1945-08-09"), "week")


@pytest.mark.parametrize("missing", [None, pd.NaT, float("nan")])
def test_a_missing_date_says_a_date_was_expected(missing):
    with pytest.raises(ValueError, match=r"no date to format \(found .*\) at precision 'month'; expected a date"):
        format_date(missing, "month")


def test_text_that_is_not_a_date_is_named():
    with pytest.raises(ValueError, match=r"cannot read 'soon' as a date; expected a date such as 1945-08-09"):
        format_date("soon", "day")


# --- The data say which dates are less than days ----------------------------------------

# Date columns exact to the day by their nature: a document's date, a treaty's, a sum of years.
DAY_EXACT = {
    ("withdrawal", "said_on"),
    ("concessions", "granted_on"),
    ("concessions", "promised_end"),
    ("concessions", "deadline_1950"),
}


def test_every_date_column_has_a_precision_or_is_exact_by_nature():
    for item in data.read_package()["resources"]:
        dated = precision_columns(item)
        for field in item["schema"]["fields"]:
            if field.get("type") == "date":
                assert (item["name"], field["name"]) in DAY_EXACT or field["name"] in dated, (
                    f"{item['name']}.{field['name']}: say how precise it is (x-precision) or add it to DAY_EXACT"
                )


def test_precision_columns_use_the_one_vocabulary():
    for item in data.read_package()["resources"]:
        fields = {field["name"]: field for field in item["schema"]["fields"]}
        for date, column in precision_columns(item).items():
            assert column in fields, f"{item['name']}.{date}: x-precision names no column {column!r}"
            allowed = fields[column]["constraints"]["enum"]
            assert "day" in allowed and set(allowed) <= set(PRECISIONS), f"{item['name']}.{column}: {allowed}"


# --- Every chart, with every precision ----------------------------------------------------

MONTHS = {
    "Jan": 1,
    "January": 1,
    "Feb": 2,
    "February": 2,
    "Mar": 3,
    "March": 3,
    "Apr": 4,
    "April": 4,
    "May": 5,
    "Jun": 6,
    "June": 6,
    "Jul": 7,
    "July": 7,
    "Aug": 8,
    "August": 8,
    "Sep": 9,
    "Sept": 9,
    "September": 9,
    "Oct": 10,
    "October": 10,
    "Nov": 11,
    "November": 11,
    "Dec": 12,
    "December": 12,
}
DAY_MENTION = re.compile(
    r"(?<![\w.\-–])(\d{1,2}) (" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?: (\d{4}))?(?![\w])"
)
ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# A date as the spec carries a position: the stored day, not a claim (the data table leaves it out).
POSITION = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?")
# The loaders the chart registry calls; the fixtures below serve altered copies through them.
CHART_INPUTS = (
    "events",
    "control",
    "concessions",
    "removals",
    "withdrawal",
    "places",
    "arms",
    "forces",
    "claims",
    "people",
)
LOADERS = {name: getattr(data, f"load_{name}") for name in CHART_INPUTS}


def day_mentions(text: str) -> set[tuple[int | None, int, int]]:
    """Every day a text names, as (year or None, month, day): "9 Aug 1945", "9 Aug", "1945-08-09"."""
    found = {(int(year) if year else None, MONTHS[month], int(day)) for day, month, year in DAY_MENTION.findall(text)}
    found |= {(int(year), int(month), int(day)) for year, month, day in ISO_DAY.findall(text)}
    return found


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _titles(node):
    """Text a spec shows outside its data: chart, panel, axis and legend titles, and constant mark text."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "subtitle", "text") and not isinstance(value, dict) or key == "title":
                yield from _strings(value)
            elif key != "data":  # inline data: the basemap's outlines
                yield from _titles(value)
    elif isinstance(node, list):
        for item in node:
            yield from _titles(item)


def _input_strings(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Every text cell of the charts' input: copied verbatim, it is the sources' wording, not a date we format."""
    return {cell for frame in frames.values() for column in frame for cell in frame[column] if isinstance(cell, str)}


def printed_text(spec: dict, verbatim: set[str]) -> list[str]:
    """The text a chart prints that the package writes: description, titles, and data strings it derives."""
    description = spec.get("description", "")
    for cell in sorted((cell for cell in verbatim if len(cell) > 12), key=len, reverse=True):
        description = description.replace(cell, "\x1f")
    texts = [description]
    texts += list(
        _titles({key: value for key, value in spec.items() if key not in ("datasets", "description", "usermeta")})
    )
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            texts += [
                value
                for value in row.values()
                if isinstance(value, str) and value not in verbatim and not POSITION.fullmatch(value)
            ]
    return texts


def _parameter_days() -> set[pd.Timestamp]:
    """Days the chart functions take as parameters (a map's "on 1 Sep 1945"): chosen, not claimed."""
    days = set()
    for _, function in inspect.getmembers(charts, inspect.isfunction):
        for parameter in inspect.signature(function).parameters.values():
            values = parameter.default if isinstance(parameter.default, tuple) else (parameter.default,)
            days |= {pd.Timestamp(value) for value in values if isinstance(value, str) and ISO_DAY.fullmatch(value)}
    return days


def exact_days(frames: dict[str, pd.DataFrame]) -> set[pd.Timestamp]:
    """Days the input dates to the day: day-exact columns, rows of day precision, and chart parameters."""
    days = _parameter_days()
    for item in data.read_package()["resources"]:
        frame = frames.get(item["name"])
        if frame is None:
            continue
        dated = precision_columns(item)
        for field in item["schema"]["fields"]:
            if field.get("type") != "date":
                continue
            column = field["name"]
            exact = frame[column] if column not in dated else frame.loc[frame[dated[column]] == "day", column]
            days |= {pd.Timestamp(day) for day in exact.dropna()}
    return days


def _named(mention: tuple[int | None, int, int], days: set[pd.Timestamp]) -> bool:
    year, month, day = mention
    return any(stamp.month == month and stamp.day == day and year in (None, stamp.year) for stamp in days)


def _with_precision(frame: pd.DataFrame, name: str, precision: str) -> pd.DataFrame:
    """The real rows, with every precision column of the resource set to ``precision``."""
    frame = frame.copy()
    dated: dict[str, list[str]] = {}
    for date, column in precision_columns(data.resource(name)).items():
        dated.setdefault(column, []).append(date)
    for column, dates in dated.items():
        # A precision column may serve several dates (an event's start and end): empty only with all of them.
        frame[column] = [None if row.isna().all() else precision for _, row in frame[dates].iterrows()]
    return frame


@functools.cache
def _frames_at(precision: str | None) -> dict[str, pd.DataFrame]:
    """The book's data (None), or the same with every row at one precision; read only."""
    frames = {name: load() for name, load in LOADERS.items()}
    if precision is None:
        return frames
    return {name: _with_precision(frame, name, precision) for name, frame in frames.items()}


@functools.cache
def _checks_at(precision: str | None) -> tuple[set[str], set[pd.Timestamp]]:
    """The input's verbatim text and its exact days, for one version of the data."""
    frames = _frames_at(precision)
    return _input_strings(frames), exact_days(frames)


@pytest.fixture(params=[precision for precision in PRECISIONS if precision != "day"])
def every_row_at(request, monkeypatch):
    """The book's data with every row at one precision, served by the loaders the charts call."""
    frames = _frames_at(request.param)
    for name, frame in frames.items():
        monkeypatch.setattr(data, f"load_{name}", lambda frame=frame: frame.copy())
    return request.param, frames


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_no_chart_prints_a_day_for_a_less_precise_date(chart, every_row_at):
    precision, _ = every_row_at
    spec = CHARTS[chart]().to_dict()
    verbatim, allowed = _checks_at(precision)
    for text in printed_text(spec, verbatim):
        for mention in day_mentions(text):
            assert _named(mention, allowed), f"{chart} with every date at {precision} precision prints a day: {text!r}"


def test_the_day_check_can_fail():
    """With every row at day precision, the same check finds the days the charts print."""
    frames = _frames_at(None)
    spec = charts.events_timeline_chart(frames["events"], start="1945-02-01", end="1945-08-20")
    at_month = charts.events_timeline_chart(
        _with_precision(frames["events"], "events", "month"), start="1945-02-01", end="1945-08-20"
    )
    mentions = set().union(*(day_mentions(text) for text in printed_text(spec.to_dict(), _input_strings(frames))))
    assert (1945, 8, 8) in mentions  # "8 Aug 1945, USSR declares war on Japan"
    assert not _named((1945, 8, 8), _parameter_days())
    assert "Aug 1945, USSR declares war on Japan" in at_month.to_dict()["description"]
    assert (1945, 8, 8) not in set().union(
        *(day_mentions(text) for text in printed_text(at_month.to_dict(), _input_strings(frames)))
    )


def _encodings(node):
    if isinstance(node, dict):
        for channel, value in node.get("encoding", {}).items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    yield channel, item
        for key, value in node.items():
            if key != "data":  # inline data: the basemap's outlines
                yield from _encodings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _encodings(item)


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_dates_as_positions_are_labelled_and_never_printed_as_days(chart, every_row_at):
    """A stored day places a mark; the chart names the label that prints it, and no tooltip shows the raw day."""
    precision, _ = every_row_at
    spec = CHARTS[chart]().to_dict()
    labels = spec.get("usermeta", {}).get(charts.DATE_LABELS, {})
    allowed = _checks_at(precision)[1]
    for channel, encoding in _encodings(spec):
        if encoding.get("type") != "temporal":
            continue
        if channel in ("tooltip", "text"):
            assert not re.search(r"%[de]", encoding.get("format", "%d")), (
                f"{chart}: {channel} prints {encoding['field']} as a day"
            )
            continue
        values = {
            row[encoding["field"]] for rows in spec["datasets"].values() for row in rows if encoding["field"] in row
        }
        if all(pd.Timestamp(value) in allowed for value in values):
            continue  # dates exact to the day (a treaty's, a term's end)
        assert encoding["field"] in labels, f"{chart}: {encoding['field']} is a less precise date with no label named"
        label = labels[encoding["field"]]
        assert any(label in row for rows in spec["datasets"].values() for row in rows if encoding["field"] in row)
    outside_data = {key: value for key, value in spec.items() if key != "datasets"}
    expressions = [text for text in _strings(outside_data) if "Format(" in text]  # timeFormat, utcFormat
    assert not [text for text in expressions if re.search(r"%[de]", text)], f"{chart} formats a day in Vega"


def test_a_chart_missing_a_precision_column_says_which():
    removals = data.load_removals().drop(columns="date_precision")
    with pytest.raises(
        ValueError, match="the data have no column 'date_precision' saying how precisely 'date' is known"
    ):
        charts.removals_chart(removals)
    control = data.load_control().drop(columns="end_precision")
    with pytest.raises(ValueError, match="no column 'end_precision' saying how precisely 'end_date' is known"):
        charts.control_timeline_chart(control, data.load_places())


# --- The book's own data ------------------------------------------------------------------


def _less_precise_rows():
    """(resource, row, date column, precision) for every date the data give to less than a day."""
    for item in data.read_package()["resources"]:
        frame = data.load(item["name"])
        for date, column in precision_columns(item).items():
            for _, row in frame.iterrows():
                if not pd.isna(row[date]) and row[column] != "day":
                    yield item["name"], row, date, row[column]


def _row_strings(resource: str, row: pd.Series, frames: dict[str, pd.DataFrame]) -> set[str]:
    """Text cells that identify one row: found in no other row of its file nor in any other file."""
    own = set()
    for column, cell in row.items():
        if not isinstance(cell, str) or len(cell) <= 3:
            continue
        elsewhere = (frames[resource][column] == cell).sum() > 1 or any(
            (other == cell).any().any() for name, other in frames.items() if name != resource
        )
        if not elsewhere:
            own.add(cell)
    return own


def test_no_chart_of_the_book_prints_a_less_precise_date_as_a_day():
    frames = _frames_at(None)
    verbatim, allowed = _checks_at(None)
    specs = {name: make().to_dict() for name, make in CHARTS.items()}
    printed = {
        name: {text: day_mentions(text) for text in printed_text(spec, verbatim)} for name, spec in specs.items()
    }
    printed_days = {name: set().union(*texts.values()) for name, texts in printed.items()}
    rows = list(_less_precise_rows())
    assert {resource for resource, *_ in rows} >= {"events", "control", "removals", "withdrawal"}
    for resource, row, date, precision in rows:
        stamp = pd.Timestamp(row[date])
        mentions = {(stamp.year, stamp.month, stamp.day), (None, stamp.month, stamp.day)}
        shared = stamp in allowed  # another row dates this very day: look only at this row's strings
        for name, spec in specs.items():
            if not printed_days[name] & mentions:
                continue
            texts = printed[name]
            if shared:
                own = _row_strings(resource, row, frames)
                records = [
                    r for rows_ in spec.get("datasets", {}).values() for r in rows_ if own & set(map(str, r.values()))
                ]
                texts = {t: day_mentions(t) for r in records for t in printed_text({"datasets": {"_": [r]}}, verbatim)}
                texts |= {
                    part: day_mentions(part)
                    for part in spec.get("description", "").split("; ")
                    if any(s in part for s in own)
                }
            for text, found in texts.items():
                assert not (found & mentions), (
                    f"{name} prints {resource}.csv row {row['id']!r} ({date} {stamp:%Y-%m-%d}, {precision}) as a day: {text!r}"
                )


def test_glued_dates_are_text_at_their_precision():
    assert story.cell_value("control", "qiqihar-soviet", "start_date") == "Aug 1945"
    assert story.cell_value("control", "qiqihar-soviet", "end_date") == "c. Apr 1946"
    assert story.cell_value("events", "1949-01-01-gao-gang-party-chief", "start_date") == "1949"
    assert story.cell_value("withdrawal", "end-april-1946", "deadline") == "Apr 1946"
    assert story.cell_value("withdrawal", "end-april-1946", "said_on") == "22 Mar 1946"
    assert story.cell_value("arms", "gs-rifles", "value") == 2.0
    assert story.glue_values("removals", "date", "anshan-boilers-partial-pauley") == {
        "anshan_boilers_partial_pauley": "Jun 1946"
    }
