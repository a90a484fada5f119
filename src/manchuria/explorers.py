"""Explorers: the evidence, filtered by the reader.

Each explorer works two ways from the same data and chart functions:

* in Jupyter or Binder, an ipywidgets form whose Python callbacks redraw the
  chart and list the matching rows; and
* in the published book (no kernel), a Vega-Lite chart whose own inputs
  (selects, sliders, a text box) filter it in the browser.

Showing an explorer in a notebook displays both: JupyterLab picks the live
widget, the HTML book the self-contained chart (see :class:`Explorer`).

Bad input never raises at the reader: the filter functions raise
:class:`ExplorerInputError` with a message naming the value and what was
expected, and the widgets show that message in place of the chart.
"""

from __future__ import annotations

import html
from typing import Any, Callable

import altair as alt
import pandas as pd

from . import book, charts, data
from .render import VEGALITE_MIME

ALL = "all"
LIVE_NOTE = "In Jupyter or Binder (the rocket icon above) this explorer is a live form with more controls."
FIRST_DAY = pd.Timestamp("1945-08-09")
LAST_DAY = pd.Timestamp("1948-12-31")
DAY_MS = 86_400_000


# The data files each explorer reads (the page offers them for download).
EXPLORER_DATA = {
    "timeline": ("events",),
    "who_held": ("control", "places"),
    "arms_and_forces": ("arms",),
    "names": ("names",),
    "sources_compared": ("claims",),
}


class ExplorerInputError(ValueError):
    """A reader's input that no row can match, with what was expected."""


# --- Filters (shared by the widgets and the tests) --------------------------------------


def filter_events(
    events: pd.DataFrame,
    *,
    theme: str = ALL,
    actor: str = "",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Events of one theme (or all), involving an actor (substring, any case), between two dates."""
    themes = sorted(set(events["theme"]))
    if theme != ALL and theme not in themes:
        raise ExplorerInputError(f"unknown theme {theme!r}; expected {ALL!r} or one of {', '.join(themes)}")
    start = pd.Timestamp(start) if start is not None else events["start_date"].min()
    end = pd.Timestamp(end) if end is not None else events["start_date"].max()
    if end < start:
        raise ExplorerInputError(f"the date range is empty: {start:%d %b %Y} is after {end:%d %b %Y}")
    chosen = events[(events["start_date"] >= start) & (events["start_date"] <= end)]
    if theme != ALL:
        chosen = chosen[chosen["theme"] == theme]
    if actor.strip():
        chosen = chosen[chosen["actors"].fillna("").str.contains(actor.strip(), case=False, regex=False)]
    if chosen.empty:
        raise ExplorerInputError(
            f"no event matches theme {theme!r}, actor {actor!r} between {start:%d %b %Y} and {end:%d %b %Y}"
        )
    return chosen


def holders_on_day(control: pd.DataFrame, places: pd.DataFrame, day: str | pd.Timestamp) -> pd.DataFrame:
    """Who held each city on one day between 9 August 1945 and 31 December 1948."""
    moment = pd.Timestamp(day)
    if not FIRST_DAY <= moment <= LAST_DAY:
        raise ExplorerInputError(
            f"{moment:%d %b %Y} is outside the period the data covers: "
            f"expected a day from {FIRST_DAY:%d %b %Y} to {LAST_DAY:%d %b %Y}"
        )
    return charts.holders_on(control, places, moment)


def filter_arms(arms: pd.DataFrame, *, category: str = ALL, measure: str = "count") -> pd.DataFrame:
    """Arms figures of one category (or all) and one measure (ratio or count)."""
    categories = sorted(set(arms["category"]))
    if category != ALL and category not in categories:
        raise ExplorerInputError(f"unknown category {category!r}; expected {ALL!r} or one of {', '.join(categories)}")
    if measure not in ("ratio", "count"):
        raise ExplorerInputError(f"unknown measure {measure!r}; expected 'ratio' or 'count'")
    chosen = arms[arms["measure"] == measure]
    if category != ALL:
        chosen = chosen[chosen["category"] == category]
    if chosen.empty:
        raise ExplorerInputError(f"no source gives a {measure} for {category!r}")
    return chosen


NAME_FORMS = ("pinyin", "wade_giles", "chinese", "russian", "japanese")


def find_names(names: pd.DataFrame, query: str) -> pd.DataFrame:
    """Every name with a form (Pinyin, Wade-Giles, characters, Russian, Japanese) containing the query."""
    text = query.strip()
    if not text:
        raise ExplorerInputError("type a name in any form, e.g. Kao Kang, 高岗, Mukden or Порт-Артур")
    forms = names[list(NAME_FORMS)].fillna("")
    hit = forms.apply(lambda column: column.str.contains(text, case=False, regex=False)).any(axis=1)
    if not hit.any():
        raise ExplorerInputError(f"no name matches {text!r}; try another spelling (Pinyin, Wade-Giles, characters)")
    return names[hit]


def filter_claims(claims: pd.DataFrame, topic: str) -> pd.DataFrame:
    """The claims of both documents on one topic."""
    topics = sorted(set(claims["topic"]))
    if topic not in topics:
        raise ExplorerInputError(f"unknown topic {topic!r}; expected one of {', '.join(topics)}")
    return claims[claims["topic"] == topic]


# --- Where names appear -----------------------------------------------------------------


def name_appearances(names: pd.DataFrame) -> pd.Series:
    """For each name, the chapter sections whose text uses any of its forms (by section title)."""
    sections = []
    for path in book.chapter_files():
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        sections.append((title, text.lower()))
    found = []
    for row in names.itertuples():
        forms = [str(getattr(row, form)).lower() for form in NAME_FORMS if isinstance(getattr(row, form), str)]
        forms = [form for form in forms if len(form) > 2]
        found.append("; ".join(title for title, text in sections if any(form in text for form in forms)))
    return pd.Series(found, index=names.index)


# --- Static (kernel-free) explorers -----------------------------------------------------


def _with_note(chart: alt.TopLevelMixin, title: str) -> alt.TopLevelMixin:
    return chart.properties(title=alt.Title(title, subtitle=[LIVE_NOTE], anchor="start"))


def timeline_static(events: pd.DataFrame) -> alt.TopLevelMixin:
    """All events, filtered in the browser by a theme menu, an actor box and a year slider."""
    chart = charts.events_timeline_chart(events, title="Timeline explorer")
    theme = alt.param(
        name="theme",
        value=ALL,
        bind=alt.binding_select(options=[ALL, *charts.THEME_COLOURS], name="Theme "),
    )
    actor = alt.param(name="actor", value="", bind=alt.binding(input="text", name="Actor contains "))
    first = alt.param(
        name="from_year", value=1945, bind=alt.binding_range(min=1945, max=1955, step=1, name="From year ")
    )
    last = alt.param(name="to_year", value=1955, bind=alt.binding_range(min=1945, max=1955, step=1, name="To year "))
    return _with_note(
        chart.add_params(theme, actor, first, last).transform_filter(
            "(theme == 'all' || datum.theme == theme)"
            " && (actor == '' || indexof(lower(datum.actors), lower(actor)) >= 0)"
            " && year(datum.start_date) >= from_year && year(datum.start_date) <= to_year"
        ),
        "Timeline explorer: choose a theme, an actor and the years",
    )


def control_static(control: pd.DataFrame, places: pd.DataFrame) -> alt.TopLevelMixin:
    """A map of who held each city, with a slider for the day."""
    frame = charts._control_frame(control, places).merge(
        places[["id", "latitude", "longitude"]], left_on="place", right_on="id", suffixes=("", "_xy")
    ).dropna(subset=["latitude", "longitude"])
    frame = frame.assign(
        first_day=((frame["start_date"] - FIRST_DAY).dt.days),
        last_day=((frame["end"] - FIRST_DAY).dt.days),
        label_side=charts._label_sides(frame),
    )[["name_pinyin", "holder_label", "latitude", "longitude", "first_day", "last_day", "start_label", "source_keys", "label_side"]]
    span = (LAST_DAY - FIRST_DAY).days
    day = alt.param(
        name="day", value=30, bind=alt.binding_range(min=0, max=span, step=1, name="Days after 9 August 1945 ")
    )
    points = charts.city_points(alt.Chart(frame).transform_filter("datum.first_day <= day && datum.last_day >= day"))
    stamp = (
        alt.Chart(pd.DataFrame({"x": [0]}))
        .transform_calculate(label=f"'On ' + timeFormat(datetime(1945, 7, 9 + day), '%d %B %Y')")
        .mark_text(align="left", baseline="top", fontSize=14, fontWeight="bold", x=5, y=5)
        .encode(text="label:N")
    )
    chart = alt.layer(
        charts._basemap_layer(charts.MANCHURIA_EXTENT),
        points.mark_circle(size=120, opacity=1, stroke="white", strokeWidth=0.8).encode(
            color=charts._colour("holder_label:N", charts.HOLDER_LABEL_COLOURS, title="Held by")
        ),
        *charts._place_labels(points, "name_pinyin", font_size=11),
        stamp,
    ).add_params(day).project(type="mercator")
    description = (
        "Interactive map of Northeast China on modern borders: a slider chooses a day between 9 August 1945 and "
        "31 December 1948, and each major city is coloured by who held it that day (Japanese, Soviet, Nationalist "
        "or Communist), from data/control.csv."
    )
    return charts.readable(
        _with_note(chart.properties(width="container", height=420, description=description),
                   "Who held Manchuria: move the slider through the days")
    )


def arms_static(arms: pd.DataFrame) -> alt.TopLevelMixin:
    """Every arms figure, filtered by weapon and measure, on a linear or log scale, with its source."""
    frame = arms.assign(
        category_label=arms["category"].map(charts.CATEGORY_LABELS),
        side_label=arms["side"].map(charts.SIDE_LABELS),
        row_label=arms["category"].map(charts.CATEGORY_LABELS) + " — " + arms["id"],
    )[["id", "category", "category_label", "side_label", "measure", "value", "basis", "source_keys", "quote", "row_label"]]
    category = alt.param(
        name="category", value=ALL, bind=alt.binding_select(options=[ALL, *sorted(set(arms["category"]))], name="Weapon ")
    )
    measure = alt.param(name="measure", value="count", bind=alt.binding_radio(options=["count", "ratio"], name="Measure "))
    scale = alt.param(name="scale", value="linear", bind=alt.binding_radio(options=["linear", "log"], name="Scale "))
    description = (
        "Interactive bar chart of every figure for the captured Japanese arms in data/arms.csv: menus choose the "
        "weapon, whether to show counts (Soviet and Chinese figures for the Communist side) or ratios "
        "(GlobalSecurity.org's Nationalist-to-Communist multiples), and a linear or logarithmic scale."
    )
    chart = (
        alt.Chart(frame)
        .add_params(category, measure, scale)
        .transform_filter("(category == 'all' || datum.category == category) && datum.measure == measure")
        .transform_calculate(shown="scale == 'log' ? log(datum.value) / LN10 : datum.value")
        .mark_bar(color="#0072B2")
        .encode(
            y=alt.Y("row_label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=280)),
            x=alt.X("shown:Q", title="Value as stated (log₁₀ of it on the log scale)"),
            tooltip=[
                alt.Tooltip("category_label:N", title="Weapon"),
                alt.Tooltip("side_label:N", title="Side"),
                alt.Tooltip("value:Q", title="Value", format=","),
                alt.Tooltip("basis:N", title="What it is"),
                alt.Tooltip("source_keys:N", title="Source"),
                alt.Tooltip("quote:N", title="Source text"),
            ],
        )
        .properties(width="container", height=alt.Step(20), description=description)
    )
    return charts.readable(_with_note(chart, "Arms explorer: choose a weapon, a measure and a scale"))


def names_static(names: pd.DataFrame) -> alt.TopLevelMixin:
    """Type any form of a name; every matching entry is listed with all its forms and its role."""
    appear = name_appearances(names)
    frame = names.assign(
        forms=names[list(NAME_FORMS)].fillna("").agg(" · ".join, axis=1).str.replace(r"( · )+", " · ", regex=True).str.strip(" ·"),
        search=names[list(NAME_FORMS)].fillna("").agg(" ".join, axis=1).str.lower(),
        sections=appear.replace("", "no section"),
    )[["id", "forms", "role", "search", "sections"]]
    query = alt.param(name="query", value="Kao", bind=alt.binding(input="text", name="Name in any form "))
    base = (
        alt.Chart(frame)
        .add_params(query)
        .transform_filter("query != '' && indexof(datum.search, lower(query)) >= 0")
        .transform_window(row="row_number()")
    )
    forms = base.mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", x=0).encode(
        y=alt.Y("row:O", axis=None), text="forms:N"
    )
    role = base.mark_text(align="left", baseline="top", fontSize=12, x=0, dy=16).encode(
        y=alt.Y("row:O", axis=None), text="role:N"
    )
    where = base.mark_text(align="left", baseline="top", fontSize=11, x=0, dy=31, opacity=0.8).encode(
        y=alt.Y("row:O", axis=None), text=alt.Text("sections:N")
    )
    description = (
        "Name finder: a text box filters the people, places, armies, institutions and treaties of data/names.csv "
        "by any of their forms (Pinyin, Wade-Giles, Chinese characters, Russian, Japanese) and lists each match "
        "with all its forms, its role and the sections that mention it."
    )
    chart = alt.layer(forms, role, where).properties(width="container", height=alt.Step(50), description=description)
    return charts.readable(_with_note(chart, "Names explorer: type a name in any form"))


def claims_static(claims: pd.DataFrame) -> alt.TopLevelMixin:
    """Pick a topic: each document's claims on it, with the verdict and the evidence."""
    frame = claims.assign(
        document=claims["source_key"].map(charts.DOCUMENT_LABELS),
        headline=claims["source_key"].map(charts.DOCUMENT_LABELS) + ": " + claims["stated_value"].str.slice(0, 90),
        evidence_short=claims["evidence"].str.slice(0, 150),
    )[["topic", "document", "headline", "verdict", "evidence_short", "evidence", "confirmed_by", "disputed_by"]].fillna("")
    topics = sorted(set(claims["topic"]))
    topic = alt.param(name="topic", value="withdrawal", bind=alt.binding_select(options=topics, name="Topic "))
    base = (
        alt.Chart(frame)
        .add_params(topic)
        .transform_filter("datum.topic == topic")
        .transform_window(row="row_number()")
        .encode(
            y=alt.Y("row:O", axis=None),
            tooltip=[
                alt.Tooltip("document:N", title="Document"),
                alt.Tooltip("verdict:N", title="Verdict"),
                alt.Tooltip("evidence:N", title="Evidence"),
                alt.Tooltip("confirmed_by:N", title="Confirmed by"),
                alt.Tooltip("disputed_by:N", title="Disputed by"),
            ],
        )
    )
    verdict = base.mark_text(align="left", baseline="top", fontSize=12, fontWeight="bold", x=0).encode(
        text="verdict:N", color=charts._colour("verdict:N", charts.VERDICT_COLOURS, title="Verdict")
    )
    headline = base.mark_text(align="left", baseline="top", fontSize=12, x=90).encode(text="headline:N")
    evidence = base.mark_text(align="left", baseline="top", fontSize=11, x=90, dy=16, opacity=0.85).encode(
        text="evidence_short:N"
    )
    description = (
        "Sources compared: a menu chooses a topic, and the chart lists what GlobalSecurity.org and Wikipedia claim "
        "about it, each claim with its verdict and the start of the evidence (hover for all of it), from "
        "data/claims.csv."
    )
    chart = alt.layer(verdict, headline, evidence).properties(width="container", height=alt.Step(40), description=description)
    return charts.readable(_with_note(chart, "Sources compared: choose a topic"))


# --- Live (ipywidgets) explorers --------------------------------------------------------


def _rows_html(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    head = "".join(f"<th>{html.escape(title)}</th>" for title in columns.values())
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(row[column]) if pd.notna(row[column]) else '')}</td>" for column in columns) + "</tr>"
        for _, row in frame.iterrows()
    )
    return f"<table class='manchuria-explorer-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Explorer:
    """A live ipywidgets form plus the kernel-free chart, shown as one output.

    JupyterLab renders the widget (its mime type ranks first there); the HTML
    book renders the Vega-Lite chart (our myst-nb plugin ranks it first there).
    """

    def __init__(self, controls: list, update: Callable[..., tuple[alt.TopLevelMixin | None, str]], static: alt.TopLevelMixin):
        import ipywidgets as widgets

        self.controls = controls
        self.message = widgets.HTML()
        self.table = widgets.HTML()
        self.output = widgets.Output()
        self._update = update
        self.static = static
        self.widget = widgets.VBox([widgets.HBox(controls), self.message, self.output, self.table])
        for control in controls:
            control.observe(lambda _change: self.refresh(), names="value")
        self.chart: alt.TopLevelMixin | None = None
        self.refresh()

    def refresh(self) -> None:
        """Re-run the filter for the controls' current values; show the chart, or the reason there is none."""
        try:
            chart, table = self._update(*[control.value for control in self.controls])
        except ExplorerInputError as error:
            self.chart = None
            self.message.value = f"<p class='manchuria-explorer-message'>{html.escape(str(error))}</p>"
            self.table.value = ""
            self.output.clear_output()
            return
        self.chart = chart
        self.message.value = ""
        self.table.value = table
        self.output.clear_output(wait=True)
        if chart is not None:
            with self.output:
                from IPython.display import display

                display(chart)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle[VEGALITE_MIME] = self.static.to_dict()
        return bundle


def timeline(events: pd.DataFrame | None = None) -> Explorer:
    """The timeline explorer: theme, actor and date range; each event's summary and sources."""
    import ipywidgets as widgets

    events = data.load_events() if events is None else events
    theme = widgets.Dropdown(options=[ALL, *charts.THEME_COLOURS], value=ALL, description="Theme")
    actor = widgets.Text(value="", description="Actor", placeholder="e.g. Stalin, Lin Biao")
    start = widgets.DatePicker(value=events["start_date"].min().date(), description="From")
    end = widgets.DatePicker(value=events["start_date"].max().date(), description="To")

    def update(theme_value, actor_value, start_value, end_value):
        if start_value is None or end_value is None:
            raise ExplorerInputError("choose both a start and an end date")
        chosen = filter_events(events, theme=theme_value, actor=actor_value, start=start_value, end=end_value)
        chart = charts.events_timeline_chart(chosen, title=f"{len(chosen)} events")
        table = _rows_html(chosen, {"start_date": "Date", "title": "Event", "summary": "What happened", "source_keys": "Sources"})
        return chart, table

    return Explorer([theme, actor, start, end], update, timeline_static(events))


def who_held(control: pd.DataFrame | None = None, places: pd.DataFrame | None = None) -> Explorer:
    """The map explorer: a day between August 1945 and 1948; who held each city then."""
    import ipywidgets as widgets

    control = data.load_control() if control is None else control
    places = data.load_places() if places is None else places
    day = widgets.DatePicker(value=pd.Timestamp("1946-06-01").date(), description="Day")

    def update(day_value):
        if day_value is None:
            raise ExplorerInputError("choose a day")
        held = holders_on_day(control, places, day_value)
        chart = charts.control_map(control, places, dates=(str(day_value),))
        return chart, _rows_html(held, {"name_pinyin": "City", "holder_label": "Held by", "start_label": "Since", "source_keys": "Sources"})

    return Explorer([day], update, control_static(control, places))


def arms_and_forces(arms: pd.DataFrame | None = None) -> Explorer:
    """The arms explorer: weapon, ratio or count, linear or log scale; the source of each figure."""
    import ipywidgets as widgets

    arms = data.load_arms() if arms is None else arms
    category = widgets.Dropdown(options=[ALL, *sorted(set(arms["category"]))], value=ALL, description="Weapon")
    measure = widgets.ToggleButtons(options=["count", "ratio"], value="count", description="Measure")
    scale = widgets.ToggleButtons(options=["linear", "log"], value="linear", description="Scale")

    def update(category_value, measure_value, scale_value):
        chosen = filter_arms(arms, category=category_value, measure=measure_value)
        chart = (
            alt.Chart(chosen.assign(label=chosen["category"] + " — " + chosen["id"]))
            .mark_bar(color="#0072B2")
            .encode(
                y=alt.Y("label:N", title=None, sort="-x"),
                x=alt.X("value:Q", scale=alt.Scale(type=scale_value), title="Value as stated"),
                tooltip=["value:Q", "basis:N", "source_keys:N"],
            )
            .properties(title=f"{len(chosen)} figures", description=f"Bar chart of {len(chosen)} arms figures ({measure_value}).")
        )
        return chart, _rows_html(chosen, {"category": "Weapon", "value": "Value", "basis": "What it is", "source_keys": "Source", "quote": "Source text"})

    return Explorer([category, measure, scale], update, arms_static(arms))


def names(names_frame: pd.DataFrame | None = None) -> Explorer:
    """The names explorer: any form in, every form out, with role and sections."""
    import ipywidgets as widgets

    names_frame = data.load_names() if names_frame is None else names_frame
    appear = name_appearances(names_frame)
    query = widgets.Text(value="Kao Kang", description="Name", placeholder="any form: Kao Kang, 高岗, Mukden")

    def update(query_value):
        found = find_names(names_frame, query_value).assign(sections=lambda f: appear.loc[f.index])
        columns = {"pinyin": "Pinyin", "wade_giles": "Wade-Giles / period", "chinese": "Chinese", "russian": "Russian",
                   "japanese": "Japanese", "role": "Role", "sections": "Appears in"}
        return None, _rows_html(found, columns)

    return Explorer([query], update, names_static(names_frame))


def sources_compared(claims: pd.DataFrame | None = None) -> Explorer:
    """The claims explorer: a topic; what each document claims, the verdict and the evidence."""
    import ipywidgets as widgets

    claims = data.load_claims() if claims is None else claims
    topic = widgets.Dropdown(options=sorted(set(claims["topic"])), value="withdrawal", description="Topic")

    def update(topic_value):
        chosen = filter_claims(claims, topic_value)
        chart = charts.claims_verdict_chart(chosen)
        columns = {"source_key": "Document", "stated_value": "Claim", "verdict": "Verdict", "evidence": "Evidence",
                   "confirmed_by": "Confirmed by", "disputed_by": "Disputed by"}
        return chart, _rows_html(chosen, columns)

    return Explorer([topic], update, claims_static(claims))
