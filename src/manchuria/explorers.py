"""Explorers: the evidence, filtered by the reader.

Each explorer works two ways from one description of its controls
(:class:`Control`) and one filter function:

* in Jupyter or Binder, an ipywidgets form whose Python callbacks redraw the
  chart and list the matching rows; and
* in the published book (no kernel), a Vega-Lite chart whose own inputs
  (selects, sliders, a text box) filter it in the browser, with the same
  labels, the same choices and an expression that selects the same rows as the
  Python filter (a browser test compares the two over a grid of inputs).

Showing an explorer in a notebook displays both: JupyterLab picks the live
widget, the HTML book the self-contained chart (see :class:`Explorer`). In the
book, ``manchuria-charts.js`` reads each explorer's ``usermeta`` (its slug, the
noun for its rows, its empty-result message, its date sliders) to say how many
rows are shown, keep the view in the page's address and offer a link to it.

Bad input never raises at the reader: the filter functions raise
:class:`ExplorerInputError` with a message naming the value and what was
expected, and the widgets show that message in place of the chart.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from . import book, charts, data, render, sources
from .dates import format_date
from .render import VEGALITE_MIME, notebook_spec
from .sources import source_labels
from .sphinx.specs import BOOK_BUILD_ENV

ALL = "all"
# Two short lines, so the note fits a phone's width.
# Says nothing of the page around it ("the rocket icon above"): the same drawing is printed.
LIVE_NOTE_LINES = ("Opened as a notebook in Jupyter or Binder,", "this explorer is a live form with more controls.")
# Bottom legends wrap into two columns on a phone, so the legend never widens the chart past the screen.
LEGEND_COLUMNS = {"expr": "containerSize()[0] < 480 ? 2 : 5"}
FIRST_DAY = pd.Timestamp("1945-08-09")
LAST_DAY = charts.END_OF_PERIOD
DAY_SPAN = (LAST_DAY - FIRST_DAY).days
# Live tables scroll inside the output instead of making it thousands of pixels tall.
TABLE_HEIGHT = "22em"


# The data files each explorer reads (the page offers them for download).
EXPLORER_DATA = {
    "timeline": ("events",),
    "who_held": ("control", "places"),
    "arms_and_forces": ("arms",),
    "names": ("names",),
    "sources_compared": ("claims",),
}

MEASURE_LABELS = {"count": "Counts", "ratio": "Ratios (Nationalist haul ÷ Communist haul)"}
TOPIC_LABELS = {
    "yalta": "Yalta",
    "invasion": "The Soviet invasion",
    "surrender": "The Japanese surrender",
    "treaty_1945": "The treaty of 1945",
    "occupation": "The occupation",
    "removals": "Soviet removals of industry",
    "arms": "Captured Japanese arms",
    "withdrawal": "The Soviet withdrawal",
    "civil_war": "The civil war in the Northeast",
    "gao_gang": "Gao Gang",
    "korean_war": "The Korean War",
    "purge": "The fall of Gao Gang and Rao Shushi",
    "concessions": "Returning the concessions",
    "other": "Other claims",
}
NAME_FORMS = ("pinyin", "wade_giles", "chinese", "chinese_traditional", "russian", "japanese")
NAME_FORM_LABELS = {
    "pinyin": "Pinyin",
    "wade_giles": "Wade-Giles / period",
    "chinese": "Chinese",
    "chinese_traditional": "Chinese (traditional)",
    "russian": "Russian",
    "japanese": "Japanese",
}


class ExplorerInputError(ValueError):
    """A reader's input that no row can match, with what was expected."""


# --- Controls: one description for the live widget and the kernel-free chart ----------


@dataclass(frozen=True)
class Control:
    """One input of an explorer, as the reader sees it in both forms.

    ``name`` is the Vega-Lite parameter and the filter's keyword, so both forms
    pass the same value to the same question. ``kind`` is ``select``,
    ``radio``, ``text``, ``range`` (whole numbers) or ``day`` (days after
    :data:`FIRST_DAY`, shown to the reader as dates).
    """

    name: str
    label: str
    kind: str
    default: Any
    options: tuple[tuple[str, Any], ...] = ()
    low: int = 0
    high: int = 0
    placeholder: str = ""

    def param(self) -> alt.Parameter:
        """The Vega-Lite parameter, bound to an HTML input that vega-embed draws."""
        name = f"{self.label} "
        if self.kind in ("select", "radio"):
            labels = [label for label, _ in self.options]
            values = [value for _, value in self.options]
            binder = alt.binding_select if self.kind == "select" else alt.binding_radio
            bind = binder(options=values, labels=labels, name=name)
        elif self.kind == "text":
            bind = alt.binding(input="text", placeholder=self.placeholder, name=name, autocomplete="off")
        elif self.kind in ("range", "day"):
            bind = alt.binding_range(min=self.low, max=self.high, step=1, name=name)
        else:
            raise ValueError(f"unknown control kind {self.kind!r}; expected select, radio, text, range or day")
        return alt.param(name=self.name, value=self.default, bind=bind)

    def widget(self) -> Any:
        """The ipywidgets control for the live form."""
        import ipywidgets as widgets

        common = {"description": self.label, "style": {"description_width": "initial"}}
        if self.kind == "select":
            return widgets.Dropdown(options=list(self.options), value=self.default, **common)
        if self.kind == "radio":
            return widgets.ToggleButtons(options=list(self.options), value=self.default, **common)
        if self.kind == "text":
            return widgets.Text(value=self.default, placeholder=self.placeholder, **common)
        if self.kind == "range":
            return widgets.IntSlider(value=self.default, min=self.low, max=self.high, continuous_update=False, **common)
        if self.kind == "day":
            days = [
                (format_date(FIRST_DAY + pd.Timedelta(days=offset), "day"), offset)
                for offset in range(self.low, self.high + 1)
            ]
            return widgets.SelectionSlider(
                options=days, value=self.default, continuous_update=False, layout={"width": "32em"}, **common
            )
        raise ValueError(f"unknown control kind {self.kind!r}; expected select, radio, text, range or day")


def _explorer_meta(
    slug: str, *, noun: str, empty: str, controls: list[Control], phone: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the page script needs to know about an explorer (see ``manchuria-charts.js``), and the
    properties it asks for on a phone (``phone``, see :func:`manchuria.charts.phone_layout`)."""
    meta: dict[str, Any] = {
        "explorer": {
            "slug": slug,
            "noun": noun,
            "empty": empty,
            "dates": {control.name: f"{FIRST_DAY:%Y-%m-%d}" for control in controls if control.kind == "day"},
        }
    }
    if phone:
        meta |= charts.phone_layout(**phone)["manchuria"]
    return {"manchuria": meta}


def _with_note(chart: alt.TopLevelMixin, title: str | dict) -> alt.TopLevelMixin:
    return chart.properties(title=alt.Title(title, subtitle=list(LIVE_NOTE_LINES), anchor="start"))


def _colour(field: str, colours: dict[str, str], *, title: str) -> alt.Color:
    """The book's fixed palette, with the legend wrapped by :data:`LEGEND_COLUMNS`."""
    colour = charts._colour(field, colours, title=title)
    colour.legend = alt.Legend(orient="bottom", columns=LEGEND_COLUMNS)
    return colour


# --- Timeline -----------------------------------------------------------------------------

ACTOR_EXAMPLES = ("Stalin", "Lin Biao", "Republic of China")


def timeline_controls(events: pd.DataFrame) -> list[Control]:
    first, last = int(events["start_date"].dt.year.min()), int(events["start_date"].dt.year.max())
    return [
        Control(
            "theme",
            "Theme",
            "select",
            ALL,
            (("All themes", ALL), *((label, theme) for theme, label in charts.THEME_LABELS.items())),
        ),
        Control("actor", "Person, party or state", "text", "", placeholder="e.g. " + ", ".join(ACTOR_EXAMPLES)),
        Control("from_year", "From", "range", first, low=first, high=last),
        Control("to_year", "To", "range", last, low=first, high=last),
    ]


def filter_events(
    events: pd.DataFrame, *, theme: str = ALL, actor: str = "", from_year: int | None = None, to_year: int | None = None
) -> pd.DataFrame:
    """Events of one theme (or all), whose actors include the text (any case), begun in the years chosen."""
    themes = list(charts.THEME_COLOURS)
    if theme != ALL and theme not in themes:
        raise ExplorerInputError(f"unknown theme {theme!r}; expected {ALL!r} or one of {', '.join(themes)}")
    years = events["start_date"].dt.year
    first, last = int(years.min()), int(years.max())
    from_year = first if from_year is None else from_year
    to_year = last if to_year is None else to_year
    for year in (from_year, to_year):
        if not first <= year <= last:
            raise ExplorerInputError(f"the year {year} is outside the events: expected a year from {first} to {last}")
    if to_year < from_year:
        raise ExplorerInputError(f"the years are the wrong way round: from {from_year} is after to {to_year}")
    chosen = events[(years >= from_year) & (years <= to_year)]
    if theme != ALL:
        chosen = chosen[chosen["theme"] == theme]
    text = actor.strip().lower()
    if text:
        chosen = chosen[chosen["actors"].fillna("").str.lower().str.contains(text, regex=False)]
    if chosen.empty:
        raise ExplorerInputError(
            f"no event matches theme {charts.THEME_LABELS.get(theme, 'all')!r}, person, party or state {actor.strip()!r}, "
            f"from {from_year} to {to_year}; try another name or more years"
        )
    return chosen


def timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The events as both timeline forms show them: reader labels, dates at their precision."""
    return events.sort_values("start_date").assign(
        year=lambda f: f["start_date"].dt.year,
        date_label=lambda f: charts._date_labels(f, "start_date", "date_precision"),
        theme_label=lambda f: f["theme"].map(charts.THEME_LABELS),
        actors_label=lambda f: f["actors"].map(charts.listed),
        actors=lambda f: f["actors"].fillna(""),
        sources=charts._sources,
    )[
        [
            "id",
            "start_date",
            "year",
            "date_label",
            "title",
            "summary",
            "theme",
            "theme_label",
            "actors",
            "actors_label",
            "sources",
        ]
    ]


def _timeline_chart(frame: pd.DataFrame) -> alt.Chart:
    """One row per event in date order, a dot at its date coloured by theme; as tall as the rows shown."""
    return (
        alt.Chart(frame)
        .mark_circle(size=90, opacity=1)
        .encode(
            y=alt.Y(
                "title:N",
                sort=alt.EncodingSortField("start_date", op="min"),
                title=None,
                axis=charts.row_label_axis(330, labelExpr="datum.label"),
            ),
            x=alt.X("start_date:T", title=None, axis=alt.Axis(format="%Y", tickMinStep=31_536_000_000)),
            color=_colour("theme_label:N", charts.THEME_LABEL_COLOURS, title="Theme"),
            tooltip=[
                alt.Tooltip("date_label:N", title="Date"),
                alt.Tooltip("title:N", title="Event"),
                alt.Tooltip("summary:N", title="What happened"),
                alt.Tooltip("actors_label:N", title="Who"),
                alt.Tooltip("sources:N", title="Sources"),
            ],
        )
    )


def timeline_static(events: pd.DataFrame) -> alt.TopLevelMixin:
    """All events, filtered in the browser by a theme menu, a name box and two year sliders."""
    controls = timeline_controls(events)
    frame = timeline_frame(events)
    description = (
        f"Interactive timeline of the chapter's {len(frame)} events, one row per event in date order, coloured by "
        "theme: a menu chooses the theme, a text box keeps the events whose actors include a person, party or state, "
        "and two sliders choose the years; from data/events.csv."
    )
    chart = (
        _timeline_chart(frame)
        .add_params(*(control.param() for control in controls))
        .transform_filter(
            "(theme == 'all' || datum.theme == theme)"
            " && (trim(actor) == '' || indexof(lower(datum.actors), lower(trim(actor))) >= 0)"
            " && datum.year >= from_year && datum.year <= to_year"
        )
        .properties(
            width="container",
            height=alt.Step(22),
            description=description,
            usermeta={
                **_explorer_meta(
                    "timeline",
                    noun="events",
                    controls=controls,
                    empty="No event matches these choices: try another name, another theme or more years.",
                ),
                charts.DATE_LABELS: {"start_date": "date_label"},
            },
        )
    )
    return charts.readable(_with_note(chart, "Timeline explorer"))


# --- Who held the cities -------------------------------------------------------------------


def day_offset(day: Any) -> int:
    """Days after 9 August 1945 for a date (or an offset already), checked against the period the data cover."""
    if isinstance(day, (int,)) and not isinstance(day, bool):
        offset = day
    else:
        try:
            offset = (pd.Timestamp(day) - FIRST_DAY).days
        except (TypeError, ValueError) as error:
            raise ExplorerInputError(f"{day!r} is not a date; expected a day such as 1946-06-01") from error
    if not 0 <= offset <= DAY_SPAN:
        shown = format_date(FIRST_DAY + pd.Timedelta(days=offset), "day")
        raise ExplorerInputError(
            f"{shown} is outside the period the data cover: expected a day from "
            f"{format_date(FIRST_DAY, 'day')} to {format_date(LAST_DAY, 'day')}"
        )
    return offset


def who_held_controls() -> list[Control]:
    return [Control("day", "Day", "day", day_offset("1946-06-01"), low=0, high=DAY_SPAN)]


def control_spells(control: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Each located city's spells of control as day offsets: ``first_day`` to ``until_day``, both shown.

    On a hand-over day the newer holder is shown, so a spell ends the day
    before the next one of the same city begins.
    """
    frame = (
        charts._control_frame(control, places)
        .merge(places[["id", "latitude", "longitude"]], left_on="place", right_on="id", suffixes=("", "_xy"))
        .dropna(subset=["latitude", "longitude"])
        .sort_values(["place", "start_date"])
    )
    first = (frame["start_date"] - FIRST_DAY).dt.days.clip(lower=0)
    last = (frame["end"] - FIRST_DAY).dt.days
    next_first = first.groupby(frame["place"]).shift(-1)
    until = last.where(next_first.isna() | (next_first > last), next_first - 1).astype(int)
    return frame.assign(
        id=frame["place"],
        first_day=first.astype(int),
        until_day=until,
        label_side=charts._label_sides(frame),
    )[
        [
            "id",
            "name_pinyin",
            "city",
            "holder_label",
            "latitude",
            "longitude",
            "first_day",
            "until_day",
            "start_label",
            "sources",
            "label_side",
        ]
    ]


def holders_on_day(control: pd.DataFrame, places: pd.DataFrame, day: Any) -> pd.DataFrame:
    """Who held each city on one day (a date, or days after 9 August 1945) up to 31 December 1948."""
    offset = day_offset(day)
    spells = control_spells(control, places)
    held = spells[(spells["first_day"] <= offset) & (offset <= spells["until_day"])]
    if held.empty:
        raise ExplorerInputError(
            f"no source dates who held any city on {format_date(FIRST_DAY + pd.Timedelta(days=offset), 'day')}"
        )
    return held


def control_static(control: pd.DataFrame, places: pd.DataFrame) -> alt.TopLevelMixin:
    """A map of who held each city, with a slider for the day."""
    controls = who_held_controls()
    points = charts.city_points(
        alt.Chart(control_spells(control, places)).transform_filter("datum.first_day <= day && day <= datum.until_day")
    )
    stamp = (
        alt.Chart(pd.DataFrame({"x": [0]}))
        # Vega's datetime() counts months from 0, so 7 is August: the day after 8 August 1945 plus the offset.
        .transform_calculate(label="'On ' + timeFormat(datetime(1945, 7, 9 + day), '%-d %B %Y')")
        .mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold", x=5, y=5)
        .encode(text="label:N")
    )
    chart = (
        alt.layer(
            charts._basemap_layer(charts.MANCHURIA_EXTENT),
            points.mark_circle(size=120, opacity=1, stroke="white", strokeWidth=0.8).encode(
                color=_colour("holder_label:N", charts.HOLDER_LABEL_COLOURS, title="Held by")
            ),
            *charts._place_labels(points, "name_pinyin", font_size=11),
            stamp,
        )
        .add_params(*(c.param() for c in controls))
        .project(type="mercator")
    )
    description = (
        "Interactive map of Northeast China on modern borders: a slider chooses a day between 9 August 1945 and "
        "31 December 1948, and each major city is coloured by who held it that day (Japanese, Soviet, Nationalist "
        "or Communist), from data/control.csv."
    )
    return charts.readable(
        _with_note(
            chart.properties(
                width="container",
                height=420,
                description=description,
                usermeta=_explorer_meta(
                    "who-held",
                    noun="cities",
                    controls=controls,
                    empty="No source dates who held any city on this day.",
                ),
            ),
            "Who held Manchuria, day by day",
        )
    )


# --- Arms ---------------------------------------------------------------------------------


def arms_controls(arms: pd.DataFrame) -> list[Control]:
    weapons = [category for category in charts.CATEGORY_LABELS if category in set(arms["category"])]
    return [
        Control(
            "weapon",
            "Weapon",
            "select",
            ALL,
            (("All weapons", ALL), *((charts.CATEGORY_LABELS[w], w) for w in weapons)),
        ),
        Control(
            "measure", "Show", "radio", "count", tuple((label, measure) for measure, label in MEASURE_LABELS.items())
        ),
    ]


def filter_arms(arms: pd.DataFrame, *, weapon: str = ALL, measure: str = "count") -> pd.DataFrame:
    """Arms figures for one weapon (or all) and one measure: counts, or ratios, never both."""
    weapons = list(charts.CATEGORY_LABELS)
    if weapon != ALL and weapon not in weapons:
        raise ExplorerInputError(f"unknown weapon {weapon!r}; expected {ALL!r} or one of {', '.join(weapons)}")
    if measure not in MEASURE_LABELS:
        raise ExplorerInputError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURE_LABELS)}")
    chosen = arms[arms["measure"] == measure]
    if weapon != ALL:
        chosen = chosen[chosen["category"] == weapon]
    if chosen.empty:
        raise ExplorerInputError(
            f"no source gives {MEASURE_LABELS[measure].split(' (')[0].lower()} for {charts.CATEGORY_LABELS[weapon].lower()}"
        )
    return chosen


def arms_frame(arms: pd.DataFrame) -> pd.DataFrame:
    """The arms figures in reader words, with no empty cell (JSON has no NaN)."""
    return arms.assign(
        weapon=arms["category"].map(charts.CATEGORY_LABELS),
        side_label=arms["side"].map(charts.SIDE_LABELS),
        value_label=[
            f"{value:,.0f}" if measure == "count" else f"{value:g}×"
            for value, measure in zip(arms["value"], arms["measure"])
        ],
        sources=charts._sources(arms),
        period=arms["period"].fillna(""),
    )[
        [
            "id",
            "category",
            "weapon",
            "label",
            "side_label",
            "measure",
            "value",
            "value_label",
            "basis",
            "period",
            "sources",
            "quote",
        ]
    ]


ARMS_TOOLTIP = [
    alt.Tooltip("weapon:N", title="Weapon"),
    alt.Tooltip("side_label:N", title="Whose haul"),
    alt.Tooltip("value_label:N", title="Figure"),
    alt.Tooltip("basis:N", title="What it is"),
    alt.Tooltip("sources:N", title="Sources"),
    alt.Tooltip("quote:N", title="Source text"),
]


def arms_static(arms: pd.DataFrame) -> alt.TopLevelMixin:
    """Every arms figure, filtered by weapon and measure: counts on a log axis, ratios on a linear one."""
    controls = arms_controls(arms)
    description = (
        "Interactive bar chart of every figure for the captured Japanese arms in data/arms.csv: a menu chooses the "
        "weapon, and a switch shows either counts (Soviet and Chinese figures for the Communist side) on a "
        "logarithmic axis, or ratios (GlobalSecurity.org's Nationalist-to-Communist multiples) on a linear axis."
    )
    counts = "measure == 'count'"
    chart = (
        alt.Chart(arms_frame(arms))
        .add_params(*(control.param() for control in controls))
        .transform_filter("(weapon == 'all' || datum.category == weapon) && datum.measure == measure")
        # A log axis drawn by hand: Vega-Lite cannot switch a scale's type with a parameter, so counts are
        # plotted as powers of ten, with ticks on whole powers labelled in the numbers themselves.
        .transform_calculate(position=f"{counts} ? log(datum.value) / LN10 : datum.value")
        .encode(
            # Each bar's value is printed to its right.
            y=alt.Y("label:N", title=None, sort="-x", axis=charts.row_label_axis(330, beside=60, least=70)),
            x=alt.X(
                "position:Q",
                title=None,
                scale=alt.Scale(domainMin=0),
                axis=alt.Axis(
                    tickMinStep=1,
                    labelExpr=f"{counts} ? format(pow(10, datum.value), ',') : datum.value + '×'",
                ),
            ),
            tooltip=ARMS_TOOLTIP,
        )
    )
    bars = chart.mark_bar(color="#0072B2")
    labels = chart.mark_text(align="left", dx=4, fontSize=12).encode(text="value_label:N")
    title = {"expr": f"{counts} ? 'Arms: counts (log scale)' : 'Arms: ratios'"}
    layered = alt.layer(bars, labels).properties(
        width="container",
        height=alt.Step(22),
        description=description,
        usermeta=_explorer_meta(
            "arms",
            noun="figures",
            controls=controls,
            empty="No source gives this measure for this weapon.",
            # On a phone a row's label takes up to three lines (charts.row_label_axis).
            phone={"height": {"step": 40}},
        ),
    )
    return charts.readable(_with_note(layered, title))


def arms_live_chart(chosen: pd.DataFrame, measure: str) -> alt.LayerChart:
    """The live form's chart: a real log scale for counts, a linear one for ratios."""
    frame = arms_frame(chosen)
    scale = alt.Scale(type="log") if measure == "count" else alt.Scale(domainMin=0)
    axis_title = "Weapons counted (log scale)" if measure == "count" else "Multiple of the Communist haul"
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
        x=alt.X("value:Q", scale=scale, title=axis_title),
        tooltip=ARMS_TOOLTIP,
    )
    return charts.readable(
        alt.layer(
            base.mark_bar(color="#0072B2"), base.mark_text(align="left", dx=4).encode(text="value_label:N")
        ).properties(
            width=420,
            height=alt.Step(22),
            title=f"{len(frame)} figures: {MEASURE_LABELS[measure].lower()}",
            description=f"Bar chart of {len(frame)} arms figures ({MEASURE_LABELS[measure].lower()}): "
            + "; ".join(f"{row.label} {row.value_label}" for row in frame.itertuples())
            + ".",
        )
    )


# --- Names --------------------------------------------------------------------------------


def name_appearances(names: pd.DataFrame) -> pd.Series:
    """For each name, the chapter sections whose text uses any of its forms (by section title)."""
    sections = []
    for path in book.chapter_files():
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        sections.append((title, text.lower()))
    found = []
    for row in names.itertuples():
        forms = [
            form.lower()
            for column in NAME_FORMS
            if isinstance(getattr(row, column), str)
            for form in getattr(row, column).split(data.LIST_SEPARATOR)
        ]
        forms = [form for form in forms if len(form) > 2]
        found.append("; ".join(title for title, text in sections if any(form in text for form in forms)))
    return pd.Series(found, index=names.index)


def names_controls() -> list[Control]:
    return [Control("query", "Name in any form", "text", "Kao", placeholder="Kao Kang, 高岗, Mukden, Порт-Артур")]


def _name_search_text(names: pd.DataFrame) -> pd.Series:
    # A newline cannot be typed into the box, so no query can match across two forms.
    return names[list(NAME_FORMS)].fillna("").agg("\n".join, axis=1).str.lower()


def find_names(names: pd.DataFrame, query: str) -> pd.DataFrame:
    """Every name with a form (Pinyin, Wade-Giles, characters, Russian, Japanese) containing the query, any case."""
    text = query.strip().lower()
    if not text:
        raise ExplorerInputError("type a name in any form, e.g. Kao Kang, 高岗, Mukden or Порт-Артур")
    found = names[_name_search_text(names).str.contains(text, regex=False)]
    if found.empty:
        raise ExplorerInputError(
            f"no name matches {query.strip()!r}; try another spelling (Pinyin, Wade-Giles, characters)"
        )
    return found


def name_rows(names: pd.DataFrame, appearances: pd.Series | None = None) -> pd.DataFrame:
    """Each name with all its forms in one line, its role, and the sections that use it."""
    appearances = name_appearances(names) if appearances is None else appearances
    forms = names[list(NAME_FORMS)].apply(lambda column: column.map(charts.listed))
    return names.assign(
        forms=forms.agg(lambda row: " · ".join(form for form in row if form), axis=1),
        search=_name_search_text(names),
        sections=appearances.replace("", "not named in the chapter's sections").map(lambda text: f"In: {text}"),
        **{column: forms[column] for column in NAME_FORMS},
    )


def names_static(names: pd.DataFrame, appearances: pd.Series | None = None) -> alt.TopLevelMixin:
    """Type any form of a name; every matching entry is listed with all its forms and its role."""
    controls = names_controls()
    frame = name_rows(names, appearances)[["id", "forms", "role", "search", "sections"]]
    base = (
        alt.Chart(frame)
        .add_params(*(control.param() for control in controls))
        .transform_filter("trim(query) != '' && indexof(datum.search, lower(trim(query))) >= 0")
        .transform_window(row="row_number()")
        .encode(
            y=alt.Y("row:O", axis=None),
            tooltip=[alt.Tooltip("forms:N", title="Forms"), alt.Tooltip("role:N", title="Role")],
        )
    )
    # Text marks do not wrap: each line stops, with an ellipsis, at the chart's edge (the table has it all).
    fits = {"expr": "width"}
    forms = base.mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", x=0, limit=fits).encode(
        text="forms:N"
    )
    role = base.mark_text(align="left", baseline="top", fontSize=12, x=0, dy=16, limit=fits).encode(text="role:N")
    where = base.mark_text(align="left", baseline="top", fontSize=11, x=0, dy=31, opacity=0.8, limit=fits).encode(
        text="sections:N"
    )
    description = (
        "Name finder: a text box filters the people, places, armies, institutions and treaties of data/names.csv "
        "by any of their forms (Pinyin, Wade-Giles, Chinese characters, Russian, Japanese) and lists each match "
        "with all its forms, its role and the sections that mention it."
    )
    chart = alt.layer(forms, role, where).properties(
        width="container",
        height=alt.Step(50),
        description=description,
        usermeta=_explorer_meta(
            "names",
            noun="names",
            controls=controls,
            empty="No name matches. Try another spelling: Pinyin, Wade-Giles, characters or Russian.",
        ),
    )
    return charts.readable(_with_note(chart, "Names explorer"))


# --- Sources compared ---------------------------------------------------------------------


def claims_controls(claims: pd.DataFrame) -> list[Control]:
    topics = [topic for topic in TOPIC_LABELS if topic in set(claims["topic"])]
    return [Control("topic", "Topic", "select", "withdrawal", tuple((TOPIC_LABELS[topic], topic) for topic in topics))]


def filter_claims(claims: pd.DataFrame, topic: str) -> pd.DataFrame:
    """The claims of both documents on one topic."""
    topics = [topic for topic in TOPIC_LABELS if topic in set(claims["topic"])]
    if topic not in topics:
        raise ExplorerInputError(f"unknown topic {topic!r}; expected one of {', '.join(topics)}")
    return claims[claims["topic"] == topic]


def claims_frame(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims in reader words: where the evidence names a claim or a source by its key, it names the claim,
    or gives the source's author-year label."""
    document = claims["source_key"].map(charts.DOCUMENT_LABELS)
    named = {
        **sources.labels(),
        **{
            row.id: f"{document[index]}'s claim “{row.stated_value}”"
            for index, row in zip(claims.index, claims.itertuples())
        },
    }
    mention = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(named, key=len, reverse=True))) + r")(?![\w-])"
    )
    evidence = claims["evidence"].map(lambda text: mention.sub(lambda found: named[found.group(1)], text))
    return claims.assign(
        document=document,
        headline=document + ": " + claims["stated_value"].str.slice(0, 90),
        evidence=evidence,
        evidence_short=evidence.str.slice(0, 150),
        verdict_label=claims["verdict"].map(charts.VERDICT_LABELS),
        confirmed=claims["confirmed_by"].fillna("").map(source_labels),
        disputed=claims["disputed_by"].fillna("").map(source_labels),
    )[
        [
            "id",
            "topic",
            "document",
            "stated_value",
            "headline",
            "verdict",
            "verdict_label",
            "evidence_short",
            "evidence",
            "confirmed",
            "disputed",
        ]
    ].fillna("")


def claims_static(claims: pd.DataFrame) -> alt.TopLevelMixin:
    """Pick a topic: each document's claims on it, with the verdict and the evidence."""
    controls = claims_controls(claims)
    base = (
        alt.Chart(claims_frame(claims))
        .add_params(*(control.param() for control in controls))
        .transform_filter("datum.topic == topic")
        .transform_window(row="row_number()")
        .encode(
            y=alt.Y("row:O", axis=None),
            tooltip=[
                alt.Tooltip("document:N", title="Document"),
                alt.Tooltip("stated_value:N", title="Claim"),
                alt.Tooltip("verdict_label:N", title="Verdict"),
                alt.Tooltip("evidence:N", title="Evidence"),
                alt.Tooltip("confirmed:N", title="Confirmed by"),
                alt.Tooltip("disputed:N", title="Disputed by"),
            ],
        )
    )
    verdict = base.mark_text(align="left", baseline="top", fontSize=12, fontWeight="bold", x=0).encode(
        text="verdict_label:N", color=_colour("verdict_label:N", charts.VERDICT_LABEL_COLOURS, title="Verdict")
    )
    # Text marks do not wrap: each line stops, with an ellipsis, at the chart's edge (the table has it all).
    fits = {"expr": "width - 90"}
    headline = base.mark_text(align="left", baseline="top", fontSize=12, x=90, limit=fits).encode(text="headline:N")
    evidence = base.mark_text(align="left", baseline="top", fontSize=11, x=90, dy=16, opacity=0.85, limit=fits).encode(
        text="evidence_short:N"
    )
    description = (
        "Sources compared: a menu chooses a topic, and the chart lists what GlobalSecurity.org and Wikipedia claim "
        "about it, each claim with its verdict and the start of the evidence (the data table below the chart has "
        "all of it), from data/claims.csv."
    )
    chart = alt.layer(verdict, headline, evidence).properties(
        width="container",
        height=alt.Step(40),
        description=description,
        usermeta=_explorer_meta("sources", noun="claims", controls=controls, empty="No claim on this topic."),
    )
    return charts.readable(_with_note(chart, "Sources compared"))


# --- Live (ipywidgets) explorers --------------------------------------------------------


def _rows_html(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """The matching rows as a table that scrolls inside the output, with the count above it."""
    head = "".join(f"<th>{html.escape(title)}</th>" for title in columns.values())
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(str(row[column]) if pd.notna(row[column]) else '')}</td>" for column in columns)
        + "</tr>"
        for _, row in frame.iterrows()
    )
    rows = "row" if len(frame) == 1 else "rows"
    return (
        f"<p class='manchuria-explorer-count'>{len(frame)} {rows}</p>"
        f"<div class='manchuria-explorer-rows' style='max-height: {TABLE_HEIGHT}; overflow: auto'>"
        f"<table class='manchuria-explorer-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _display_data(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as one output of an Output widget, in the mime bundle display(chart) would send."""
    bundle = chart._repr_mimebundle_()
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    return {"output_type": "display_data", "data": data, "metadata": metadata}


class Explorer:
    """A live ipywidgets form plus the kernel-free chart, shown as one output.

    JupyterLab renders the widget (its mime type ranks first there); the HTML
    book renders the Vega-Lite chart (our myst-nb plugin ranks it first there).
    ``update`` takes the controls' values by name and returns the chart (or
    None) and the rows as HTML.
    """

    def __init__(
        self,
        controls: list[Control],
        update: Callable[..., tuple[alt.TopLevelMixin | None, str]],
        static: alt.TopLevelMixin,
    ):
        self.static = static
        self.chart: alt.TopLevelMixin | None = None
        self.widget = None
        if os.environ.get(BOOK_BUILD_ENV) == "1":
            # The book shows the kernel-free chart; widgets made here would only put their
            # state, and so myst-nb's 2 MB widget manager, into the built page.
            return
        import ipywidgets as widgets

        self.names = [control.name for control in controls]
        self.controls = [control.widget() for control in controls]
        self.message = widgets.HTML()
        self.table = widgets.HTML()
        self.output = widgets.Output()
        self._update = update
        self.widget = widgets.VBox(
            [widgets.HBox(self.controls, layout={"flex_flow": "row wrap"}), self.message, self.output, self.table]
        )
        for control in self.controls:
            control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in zip(self.names, self.controls)}

    def refresh(self) -> None:
        """Re-run the filter for the controls' current values; show the chart, or the reason there is none."""
        try:
            chart, table = self._update(**self.values())
        except ExplorerInputError as error:
            self.chart = None
            self.message.value = f"<p class='manchuria-explorer-message'>{html.escape(str(error))}</p>"
            self.table.value = ""
            self.output.outputs = ()
            return
        self.chart = chart
        self.message.value = ""
        self.table.value = table
        # Set the Output widget's state; never capture display() with `with self.output:` or
        # clear_output(). Captured output makes nbclient (the book build) reply over the shell
        # channel while it awaits the cell's execute_reply there, which can lose the reply's
        # wake-up until the 120 s cell timeout (jupyter/nbclient#312).
        self.output.outputs = () if chart is None else (_display_data(chart),)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        if self.widget is None:
            return render.mimebundle(self.static.to_dict())
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        # As the renderer does for every chart: no "container" width in a notebook (see manchuria.render).
        bundle[VEGALITE_MIME] = notebook_spec(self.static.to_dict())
        return bundle


def timeline(events: pd.DataFrame | None = None) -> Explorer:
    """The timeline explorer: theme, person, party or state, and years; each event's summary and sources."""
    events = data.load_events() if events is None else events
    frame = timeline_frame(events)

    def update(theme, actor, from_year, to_year):
        chosen = frame.loc[filter_events(events, theme=theme, actor=actor, from_year=from_year, to_year=to_year).index]
        chart = charts.readable(
            _timeline_chart(chosen).properties(
                width=360,
                height=alt.Step(22),
                title=f"{len(chosen)} events",
                usermeta={charts.DATE_LABELS: {"start_date": "date_label"}},
                description=f"Timeline of {len(chosen)} events: "
                + "; ".join(f"{r.date_label}, {r.title}" for r in chosen.itertuples())
                + ".",
            )
        )
        table = _rows_html(
            chosen,
            {
                "date_label": "Date",
                "title": "Event",
                "summary": "What happened",
                "actors_label": "Who",
                "sources": "Sources",
            },
        )
        return chart, table

    return Explorer(timeline_controls(events), update, timeline_static(events))


def who_held(control: pd.DataFrame | None = None, places: pd.DataFrame | None = None) -> Explorer:
    """The map explorer: a day between August 1945 and 1948; who held each city then."""
    control = data.load_control() if control is None else control
    places = data.load_places() if places is None else places

    def update(day):
        held = holders_on_day(control, places, day)
        moment = FIRST_DAY + pd.Timedelta(days=day_offset(day))
        chart = charts.control_map(control, places, dates=(f"{moment:%Y-%m-%d}",))
        return chart, _rows_html(
            held, {"city": "City", "holder_label": "Held by", "start_label": "Since", "sources": "Sources"}
        )

    return Explorer(who_held_controls(), update, control_static(control, places))


def arms_and_forces(arms: pd.DataFrame | None = None) -> Explorer:
    """The arms explorer: weapon, counts or ratios; the source of each figure."""
    arms = data.load_arms() if arms is None else arms

    def update(weapon, measure):
        chosen = filter_arms(arms, weapon=weapon, measure=measure)
        table = _rows_html(
            arms_frame(chosen),
            {
                "label": "Figure",
                "value_label": "Value",
                "basis": "What it is",
                "sources": "Sources",
                "quote": "Source text",
            },
        )
        return arms_live_chart(chosen, measure), table

    return Explorer(arms_controls(arms), update, arms_static(arms))


def names(names_data: pd.DataFrame | None = None) -> Explorer:
    """The names explorer: any form in, every form out, with role and sections."""
    names_data = data.load_names() if names_data is None else names_data
    appearances = name_appearances(names_data)
    shown = name_rows(names_data, appearances)

    def update(query):
        found = shown.loc[find_names(names_data, query).index]
        columns = {**NAME_FORM_LABELS, "role": "Role", "sections": "Appears"}
        return None, _rows_html(found, columns)

    return Explorer(names_controls(), update, names_static(names_data, appearances))


def sources_compared(claims: pd.DataFrame | None = None) -> Explorer:
    """The claims explorer: a topic; what each document claims, the verdict and the evidence."""
    claims = data.load_claims() if claims is None else claims
    frame = claims_frame(claims)

    def update(topic):
        chosen = filter_claims(claims, topic)
        columns = {
            "document": "Document",
            "stated_value": "Claim",
            "verdict_label": "Verdict",
            "evidence": "Evidence",
            "confirmed": "Confirmed by",
            "disputed": "Disputed by",
        }
        return charts.claims_verdict_chart(chosen), _rows_html(frame.loc[chosen.index], columns)

    return Explorer(claims_controls(claims), update, claims_static(claims))
