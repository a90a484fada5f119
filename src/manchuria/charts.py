"""The book's charts. Each is a pure function ``(data, *, options) -> alt.Chart``.

Every chart carries a title and a ``description`` (read aloud by screen
readers), and encodes only columns its data has. Every date a chart prints
(label, tooltip, description) is written by :func:`manchuria.dates.format_date`
at the precision the data give it; the stored day only places and sorts marks.
Each chart names, in its ``usermeta`` under :data:`DATE_LABELS`, the date
fields it encodes as positions and the label field that prints each, so the
data table under the chart can show the label instead of the stored day.
Nothing a chart shows (axis, legend, text, tooltip) is a row id or a data key:
enum keys go through the label vocabularies below, bibliography keys through
:func:`manchuria.sources.source_labels` (a ``sources`` column; ``source_keys``
stays in the data only for the "data behind this chart" table).
Importing this module turns on the offline renderer (:mod:`manchuria.render`),
so a chart shown in a notebook draws in JupyterLab and in the built book
without any CDN.
"""

from __future__ import annotations

import textwrap
from typing import Any, NamedTuple

import altair as alt
import pandas as pd

from . import render
from .data import LIST_SEPARATOR
from .dates import PRECISIONS, format_date, format_dates, when
from .sources import source_labels
from .sphinx.specs import NARROW_KEY

render.enable()

# Reader words for the data's enum keys: what every chart and explorer shows in their place
# (a test checks each vocabulary covers its column's enum in data/datapackage.json).
CATEGORY_LABELS = {
    "rifles": "Rifles",
    "machine_guns": "Machine guns",
    "artillery": "Artillery pieces",
    "mortars": "Mortars",
    "tanks": "Tanks",
    "aircraft": "Aircraft",
}
SIDE_LABELS = {"nationalist": "Nationalists", "communist": "Communists"}
# Colour-blind-safe pair (Okabe–Ito blue and vermilion) that reads on light and dark.
SIDE_COLOURS = {"Nationalists": "#0072B2", "Communists": "#D55E00"}


def arms_ratio_frame(arms: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """The ratio rows one source gives, with the Communist haul as the unit (= 1).

    Each source ratio row states the Nationalist haul as a multiple of the
    Communist one; the matching Communist bar of 1 is the ratio's definition,
    not a figure of its own.
    """
    rows = arms[
        (arms["measure"] == "ratio")
        & (arms["side"] == "nationalist")
        & arms["source_keys"].str.split(LIST_SEPARATOR).apply(lambda keys: source in keys)
    ]
    if rows.empty:
        raise ValueError(f"no Nationalist-to-Communist ratio rows cite the source {source!r}")
    records = []
    for row in rows.itertuples():
        category = CATEGORY_LABELS[row.category]
        for side, value in (("Nationalists", row.value), ("Communists", 1.0)):
            records.append(
                {
                    "category": category,
                    "side": side,
                    "multiple": value,
                    "label": f"{value:g}×",
                    "period": row.period,
                    "quote": row.quote,
                }
            )
    return pd.DataFrame.from_records(records)


def arms_ratio_chart(
    arms: pd.DataFrame,
    *,
    source: str = "globalsecurity_northeast",
    source_label: str | None = None,
    width: int | str = "container",
) -> alt.LayerChart:
    """Grouped bars: each side's captured Japanese arms as a multiple of the Communist haul.

    Shows ratios only: the source gives no absolute counts, and none are invented.
    ``source_label`` names the source in the subtitle (by default its author-year label).
    """
    frame = arms_ratio_frame(arms, source=source)
    source_label = source_label or source_labels(source)
    categories = list(dict.fromkeys(frame["category"]))
    summary = "; ".join(
        f"{row.category.lower()} {row.label}" for row in frame[frame["side"] == "Nationalists"].itertuples()
    )
    period = frame["period"].iloc[0].replace("-", "–")
    description = (
        f"Bar chart of one source's claim about captured Japanese arms in {period}: "
        f"the Nationalists acquired, relative to the Communists (= 1), {summary}. "
        "The source gives ratios only, not counts."
    )
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=categories, title=None),
            yOffset=alt.YOffset("side:N", sort=["Nationalists", "Communists"]),
            x=alt.X(
                "multiple:Q",
                title="Multiple (Communist haul = 1)",
                scale=alt.Scale(domainMin=0),
            ),
            color=_colour("side:N", SIDE_COLOURS),
            tooltip=[
                alt.Tooltip("category:N", title="Weapon"),
                alt.Tooltip("side:N", title="Side"),
                alt.Tooltip("label:N", title="Multiple"),
                alt.Tooltip("quote:N", title="Source text"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=3).encode(text=alt.Text("label:N"))
    return readable(
        alt.layer(bars, labels).properties(
            width=width,
            title=alt.Title(
                [f"Captured Japanese arms, {period}:", "one source's ratios"],
                subtitle=[f"Source: {source_label}.", "Ratios only: the source gives no counts."],
                anchor="start",
            ),
            description=description,
        )
    )


#: How many characters of a chart's title and subtitle fit on one line of a phone (15 px bold, 12 px).
PHONE_TITLE_CHARS = 36
PHONE_SUBTITLE_CHARS = 52


def _phone_lines(text: Any, width: int) -> Any:
    """A title's lines as a phone shows them: each line wrapped at ``width`` characters."""
    if not isinstance(text, (str, list)):
        return text
    lines = [text] if isinstance(text, str) else text
    wrapped = [part for line in lines for part in (textwrap.wrap(line, width) or [line])]
    return wrapped if len(wrapped) > 1 else wrapped[0]


def _with_phone_title(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart, asking (through :func:`phone_layout`) for its title wrapped onto lines a phone can show."""
    title = getattr(chart, "title", alt.Undefined)
    if title is alt.Undefined:
        return chart
    text, subtitle = (title, alt.Undefined) if isinstance(title, str) else (title.text, title.subtitle)
    phone = {"text": _phone_lines(text, PHONE_TITLE_CHARS)}
    if subtitle is not alt.Undefined:
        phone["subtitle"] = _phone_lines(subtitle, PHONE_SUBTITLE_CHARS)
    if phone == {"text": text, **({"subtitle": subtitle} if subtitle is not alt.Undefined else {})}:
        return chart
    usermeta = getattr(chart, "usermeta", alt.Undefined)
    usermeta = dict(usermeta) if isinstance(usermeta, dict) else {}
    meta = dict(usermeta.get("manchuria") or {})
    meta[NARROW_KEY] = {**meta.get(NARROW_KEY, {}), "title": phone}
    usermeta["manchuria"] = meta
    return chart.properties(usermeta=usermeta)


def readable(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The book's chart styling: text sizes close to the page's, no frame, and a title a phone can show.

    Colours of text and axes are left to the page (the book draws them in currentColor),
    so that the site's dark mode restyles them.
    """
    return (
        _with_phone_title(chart)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, titleFontSize=12)
        .configure_title(fontSize=15, subtitleFontSize=12)
    )


# --- Row labels that leave the plot room on a phone ------------------------------------

#: The narrowest plot a chart leaves beside its row labels, on a phone as on a desktop (px).
PLOT_MIN_WIDTH = 200
#: What the axis takes besides its labels (ticks, padding), and the chart's own padding (px).
AXIS_ROOM = 30
#: Below this container width (a phone) a long row label breaks onto up to three lines, in a smaller size
#: (manchuria.sphinx.specs.NARROW_WIDTH_MAX).
WRAP_BELOW = 520
#: Row labels on a phone: 11 px text, whose characters are about 5.5 px wide (so a line's length
#: follows the label limit).
PHONE_LABEL_SIZE = 11
PHONE_CHAR_WIDTH = 5.5


def _cut(text: str, chars: str) -> str:
    """Vega: where ``text`` breaks, the last space before ``chars`` (-1 if it needs no break or has none)."""
    return f"(length({text}) <= {chars} ? -1 : lastindexof(slice({text}, 0, {chars} + 1), ' '))"


def _wrapped_label(chars: str) -> str:
    """A Vega expression that breaks ``datum.label`` onto up to three lines at spaces on a phone;
    a third line that is still too long is cut short by the axis's label limit."""
    label = "datum.label"
    first = _cut(label, chars)
    rest = f"slice({label}, {first} + 1)"
    second = _cut(rest, chars)
    return (
        f"containerSize()[0] >= {WRAP_BELOW} || {first} < 1 ? {label}"
        f" : {second} < 1 ? [slice({label}, 0, {first}), {rest}]"
        f" : [slice({label}, 0, {first}), slice({rest}, 0, {second}), slice({rest}, {second} + 1)]"
    )


def _wrapped_two_line_label(chars: str) -> str:
    """For a label already written as two lines (``LABEL_LINE_BREAK``): on a phone, each line breaks
    once more at a space, so a row has up to four lines; on a wide page, the two lines as written."""
    first, second = "split(datum.label, '\\n')[0]", "split(datum.label, '\\n')[1]"
    a, b = _cut(first, chars), _cut(second, chars)
    head = f"slice({first}, 0, {a}), slice({first}, {a} + 1)"
    tail = f"slice({second}, 0, {b}), slice({second}, {b} + 1)"
    return (
        f"containerSize()[0] >= {WRAP_BELOW} ? split(datum.label, '\\n')"
        f" : {a} < 1 && {b} < 1 ? [{first}, {second}]"
        f" : {a} < 1 ? [{first}, {tail}]"
        f" : {b} < 1 ? [{head}, {second}]"
        f" : [{head}, {tail}]"
    )


def row_label_axis(ceiling: int, *, beside: int = 0, least: int = 80, lines: str = "wrap", **axis: Any) -> alt.Axis:
    """A row axis whose labels take up to ``ceiling`` px but never leave the plot less than
    :data:`PLOT_MIN_WIDTH` (nor less than ``beside`` px more, for what a chart draws to the plot's
    right, such as value labels), and never less than ``least`` px themselves. On a phone a long label breaks at spaces onto up to three
    smaller lines (``lines="wrap"``; ``"two-line"`` for labels written as two lines, each of which
    may break once more) rather than being cut short; where a line breaks follows the limit.
    Read from ``containerSize()``, not the plot's ``width``: with a container width, Vega fits the
    plot to what the labels leave, so a limit read from the plot would feed back into itself."""
    limit = f"clamp(containerSize()[0] - {PLOT_MIN_WIDTH + AXIS_ROOM + beside}, {least}, {ceiling})"
    chars = f"floor(({limit}) / {PHONE_CHAR_WIDTH})"
    axis.setdefault("labelExpr", _wrapped_label(chars) if lines == "wrap" else _wrapped_two_line_label(chars))
    axis.setdefault("labelFontSize", alt.ExprRef(f"containerSize()[0] < {WRAP_BELOW} ? {PHONE_LABEL_SIZE} : 12"))
    axis.setdefault("labelLineHeight", alt.ExprRef(f"containerSize()[0] < {WRAP_BELOW} ? {PHONE_LABEL_SIZE + 1} : 14"))
    return alt.Axis(labelLimit=alt.ExprRef(limit), **axis)


# --- Shared pieces ----------------------------------------------------------------------

THEME_COLOURS = {
    "diplomacy": "#0072B2",
    "military": "#D55E00",
    "occupation": "#CC79A7",
    "economy": "#009E73",
    "politics": "#E69F00",
}
THEME_LABELS = {
    "diplomacy": "Diplomacy",
    "military": "Military",
    "occupation": "Occupation",
    "economy": "Economy",
    "politics": "Politics",
}
THEME_LABEL_COLOURS = {THEME_LABELS[key]: colour for key, colour in THEME_COLOURS.items()}
HOLDER_COLOURS = {
    "japanese": "#999999",
    "soviet": "#CC79A7",
    "nationalist": "#0072B2",
    "communist": "#D55E00",
}
HOLDER_LABELS = {"japanese": "Japanese", "soviet": "Soviet", "nationalist": "Nationalist", "communist": "Communist"}
HOLDER_LABEL_COLOURS = {HOLDER_LABELS[key]: colour for key, colour in HOLDER_COLOURS.items()}
VERDICT_COLOURS = {
    "confirmed": "#009E73",
    "misleading": "#E69F00",
    "disputed": "#56B4E9",
    "unverified": "#999999",
    "wrong": "#D55E00",
}
VERDICT_LABELS = {
    "confirmed": "Confirmed",
    "misleading": "Misleading",
    "disputed": "Disputed",
    "unverified": "Unverified",
    "wrong": "Wrong",
}
VERDICT_LABEL_COLOURS = {VERDICT_LABELS[key]: colour for key, colour in VERDICT_COLOURS.items()}
DOCUMENT_LABELS = {
    "globalsecurity_northeast": "GlobalSecurity.org",
    "wikipedia_occupation": "Wikipedia",
}
# Northeast China, for fitting the maps: west, south, east, north.
MANCHURIA_EXTENT = (118.0, 38.3, 133.5, 50.0)
END_OF_PERIOD = pd.Timestamp("1948-12-31")


def _colour(field: str, colours: dict[str, str], *, title: str | None = None, legend: bool = True) -> alt.Color:
    """A colour channel with a fixed palette: the same category keeps its colour in every chart."""
    return alt.Color(
        field,
        title=title,
        sort=list(colours),
        scale=alt.Scale(domain=list(colours), range=list(colours.values())),
        # A legend under the chart wraps onto rows on a phone rather than running off its edge.
        legend=alt.Legend(orient="bottom", columns=alt.ExprRef(f"containerSize()[0] < {WRAP_BELOW} ? 3 : 6"))
        if legend
        else None,
    )


def _title(text: str | list[str], subtitle: str | list[str]) -> alt.Title:
    return alt.Title(text, subtitle=subtitle, anchor="start")


def listed(value: object) -> str:
    """A ;-separated data cell as reader text: ``Mukden;Fengtian`` becomes ``Mukden, Fengtian`` (empty: "")."""
    return (
        ", ".join(part.strip() for part in value.split(LIST_SEPARATOR) if part.strip())
        if isinstance(value, str)
        else ""
    )


def _sources(frame: pd.DataFrame) -> pd.Series:
    """Each row's ``source_keys`` as the author-year labels the book's citations print."""
    return frame["source_keys"].map(source_labels)


# The usermeta key under which a chart maps each date field it encodes as a position to the
# field holding that date's text at its precision (manchuria.render leaves the former out of
# the data table: the label says it).
DATE_LABELS = "date_labels"


def _date_labels(frame: pd.DataFrame, column: str, precision_column: str | None, *, year: bool = True) -> pd.Series:
    """Each date of ``column`` as text at its precision, read from ``precision_column`` (None: exact days)."""
    if precision_column is None:
        return format_dates(frame[column], "day", year=year)
    if precision_column not in frame.columns:
        raise ValueError(
            f"the data have no column {precision_column!r} saying how precisely {column!r} is known; "
            f"expected one of {', '.join(PRECISIONS)} in each row"
        )
    return format_dates(frame[column], frame[precision_column], year=year)


def _span(frame: pd.DataFrame, column: str, precision_column: str) -> tuple[str, str]:
    """The first and the last date of ``column`` as text, each at its own row's precision.

    Where rows share the first (or last) date, the most precise of them is printed: the
    data do date that day.
    """
    rank = frame[precision_column].map({precision: number for number, precision in enumerate(PRECISIONS)})
    ordered = frame.assign(_rank=rank).sort_values([column, "_rank"])
    first = ordered.iloc[0]
    last_date = ordered[column].max()
    last = ordered[ordered[column] == last_date].iloc[0]
    return (format_date(first[column], first[precision_column]), format_date(last[column], last[precision_column]))


def _require(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    if frame.empty:
        raise ValueError(f"nothing to draw: {what}")
    return frame


def _basemap_layer(extent: tuple[float, float, float, float]) -> alt.Chart:
    """The Natural Earth outlines cut to ``extent``; the map's projection fits itself to them."""
    from .basemap import clip_ring, load_basemap

    features = []
    for feature in load_basemap()["features"]:
        polygons = []
        for polygon in feature["geometry"]["coordinates"]:
            rings = [clip_ring([tuple(point) for point in ring], extent) for ring in polygon]
            if rings and rings[0]:
                polygons.append([[list(point) for point in ring] for ring in rings if ring])
        if polygons:
            features.append({**feature, "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    return (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(fill="#b8b8b8", fillOpacity=0.35, stroke="#8a8a8a", strokeWidth=0.6)
        .project(type="mercator")
    )


def _label_sides(frame: pd.DataFrame, *, east: float = 2.0, north: float = 0.5) -> pd.Series:
    """'left' for a place with a neighbour just to its east (its label would cover it), else 'right'."""
    sides = []
    for row in frame.itertuples():
        crowded = (
            (frame["longitude"] > row.longitude)
            & (frame["longitude"] - row.longitude < east)
            & ((frame["latitude"] - row.latitude).abs() < north)
        ).any()
        sides.append("left" if crowded else "right")
    return pd.Series(sides, index=frame.index)


def _place_labels(points: alt.Chart, field: str, *, font_size: int = 12) -> list[alt.Chart]:
    """Text beside each point, on the side `_label_sides` chose, so neighbours do not collide."""
    return [
        points.transform_filter(f"datum.label_side == '{side}'")
        .mark_text(align="left" if side == "right" else "right", dx=7 if side == "right" else -7, fontSize=font_size)
        .encode(text=f"{field}:N")
        for side in ("right", "left")
    ]


# --- Events -----------------------------------------------------------------------------


def _events_between(events: pd.DataFrame, start: str | None, end: str | None, themes) -> pd.DataFrame:
    chosen = events
    if start is not None:
        chosen = chosen[chosen["start_date"] >= pd.Timestamp(start)]
    if end is not None:
        chosen = chosen[chosen["start_date"] <= pd.Timestamp(end)]
    if themes is not None:
        unknown = set(themes) - set(THEME_COLOURS)
        if unknown:
            raise ValueError(f"unknown theme(s) {sorted(unknown)}; expected some of {', '.join(THEME_COLOURS)}")
        chosen = chosen[chosen["theme"].isin(themes)]
    return _require(chosen, f"no events between {start} and {end}")


def events_timeline_chart(
    events: pd.DataFrame,
    *,
    start: str | None = None,
    end: str | None = None,
    themes: list[str] | None = None,
    title: str = "Events",
    width: int | str = "container",
) -> alt.LayerChart:
    """One row per event, in date order: a dot at its date, its title beside it, coloured by theme.

    On a phone a long title breaks onto two lines (:func:`row_label_axis`), so rows are 28 px apart.
    """
    chosen = _events_between(events, start, end, themes).sort_values("start_date")
    frame = chosen.assign(
        date_label=_date_labels(chosen, "start_date", "date_precision"),
        label=chosen["title"],
        theme_label=chosen["theme"].map(THEME_LABELS),
        sources=_sources(chosen),
    )[["id", "start_date", "date_label", "label", "summary", "theme_label", "sources", "source_keys"]]
    order = list(frame["label"])
    first, last = _span(chosen, "start_date", "date_precision")
    description = (
        f"Timeline of {len(frame)} events from {first} to {last}, one per row in date order: "
        + "; ".join(f"{row.date_label}, {row.label}" for row in frame.itertuples())
        + "."
    )
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=row_label_axis(330)),
        x=alt.X("start_date:T", title=None, axis=alt.Axis(format="%b %Y", tickCount=6)),
        tooltip=[
            alt.Tooltip("date_label:N", title="Date"),
            alt.Tooltip("label:N", title="Event"),
            alt.Tooltip("summary:N", title="What happened"),
            alt.Tooltip("sources:N", title="Sources"),
        ],
    )
    dots = base.mark_circle(size=90, opacity=1).encode(
        color=_colour("theme_label:N", THEME_LABEL_COLOURS, title="Theme")
    )
    return readable(
        alt.layer(dots).properties(
            width=width,
            height=max(120, 28 * len(frame)),
            title=_title(title, f"{len(frame)} events; sources in data/events.csv"),
            description=description,
            # On a phone a title takes up to three lines (row_label_axis).
            usermeta={DATE_LABELS: {"start_date": "date_label"}, **phone_layout(height=max(120, 38 * len(frame)))},
        )
    )


def events_strip_chart(events: pd.DataFrame, *, width: int | str = "container") -> alt.Chart:
    """Every event of the chapter on one time axis, a row per theme: the period at a glance."""
    frame = events.assign(
        date_label=_date_labels(events, "start_date", "date_precision"),
        theme_label=events["theme"].map(THEME_LABELS),
        sources=_sources(events),
    )[["start_date", "date_label", "title", "theme_label", "sources", "source_keys"]]
    counts = events["theme"].value_counts()
    first, last = _span(events, "start_date", "date_precision")
    description = (
        f"Strip chart of all {len(frame)} events from {first} to {last}, one row per theme: "
        + "; ".join(f"{theme} {counts.get(theme, 0)}" for theme in THEME_COLOURS)
        + ". Events cluster in 1945–1946 and 1948."
    )
    return readable(
        alt.Chart(frame)
        .mark_tick(thickness=2, size=22)
        .encode(
            x=alt.X("start_date:T", title=None, axis=alt.Axis(format="%Y", tickCount=11)),
            y=alt.Y("theme_label:N", title=None, sort=list(THEME_LABEL_COLOURS)),
            color=_colour("theme_label:N", THEME_LABEL_COLOURS, legend=False),
            tooltip=[
                alt.Tooltip("date_label:N", title="Date"),
                alt.Tooltip("title:N", title="Event"),
                alt.Tooltip("sources:N", title="Sources"),
            ],
        )
        .properties(
            width=width,
            height=170,
            title=_title("Manchuria 1945–1955: every event in the chapter", "One mark per event; hover for details"),
            description=description,
            usermeta={DATE_LABELS: {"start_date": "date_label"}},
        )
    )


# --- August 1945 ------------------------------------------------------------------------

SIDE_NAMES = {
    "soviet": "Soviet",
    "mongolian": "Mongolian",
    "japanese": "Japanese",
    "manchukuo": "Manchukuo",
    "mengjiang": "Mengjiang",
}
FORCE_MEASURE_LABELS = {
    "troops": "Troops",
    "tanks": "Tanks",
    "aircraft": "Aircraft",
    "artillery": "Artillery",
    "rocket_launchers": "Rocket launchers",
}
FORCE_SIDE_COLOURS = {
    "Soviet": "#CC79A7",
    "Mongolian": "#E69F00",
    "Japanese": "#555555",
    "Manchukuo": "#56B4E9",
    "Mengjiang": "#009E73",
}


def forces_chart(
    forces: pd.DataFrame, *, measures: tuple[str, ...] = ("troops", "tanks", "aircraft"), width: int = 420
) -> alt.FacetChart:
    """Each source's figure for the forces of August 1945: a dot (or a range) per figure, by side."""
    unknown = set(measures) - set(FORCE_MEASURE_LABELS)
    if unknown:
        raise ValueError(f"unknown measure(s) {sorted(unknown)}; expected some of {', '.join(FORCE_MEASURE_LABELS)}")
    chosen = _require(forces[forces["measure"].isin(measures)], f"no forces rows for {measures}")
    frame = chosen.assign(
        side_label=chosen["side"].map(SIDE_NAMES),
        measure_label=chosen["measure"].map(FORCE_MEASURE_LABELS),
        sources=_sources(chosen),
        figure=[
            f"{low:,}" if low == high else f"{low:,}–{high:,}"
            for low, high in zip(chosen["value_low"], chosen["value_high"])
        ],
    )[["id", "side_label", "measure_label", "value_low", "value_high", "figure", "scope", "sources", "source_keys"]]
    parts = []
    for measure in measures:
        rows = frame[frame["measure_label"] == FORCE_MEASURE_LABELS[measure]]
        for side in rows["side_label"].unique():
            figures = sorted(set(rows[rows["side_label"] == side]["figure"]))
            parts.append(f"{side} {FORCE_MEASURE_LABELS[measure].lower()}: {', '.join(figures)}")
    description = (
        "Dot plot of the forces in the Soviet invasion of Manchuria, August 1945, one dot per figure a source gives, "
        "so that disagreements show as several dots: " + "; ".join(parts) + "."
    )
    sides = [side for side in FORCE_SIDE_COLOURS if side in set(frame["side_label"])]
    colour = _colour("side_label:N", {side: FORCE_SIDE_COLOURS[side] for side in sides})
    base = alt.Chart().encode(
        y=alt.Y("side_label:N", title=None, sort=sides),
        color=colour,
        tooltip=[
            alt.Tooltip("side_label:N", title="Side"),
            alt.Tooltip("figure:N", title="Figure"),
            alt.Tooltip("scope:N", title="What it counts"),
            alt.Tooltip("sources:N", title="Source"),
        ],
    )
    ranges = base.mark_rule(strokeWidth=3).encode(x=alt.X("value_low:Q", title=None), x2="value_high:Q")
    dots = base.mark_point(size=70, filled=True, opacity=0.75).encode(x=alt.X("value_low:Q", title=None))
    return readable(
        alt.layer(ranges, dots, data=frame)
        .properties(width=width, height=alt.Step(22))
        .facet(
            row=alt.Row(
                "measure_label:N",
                sort=[FORCE_MEASURE_LABELS[measure] for measure in measures],
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=13, labelFontWeight="bold"),
            ),
            title=_title(
                "Forces in August 1945: the sources disagree",
                "One dot per figure a source gives; bars show a stated range. Hover for the source.",
            ),
            description=description,
        )
        .resolve_scale(x="independent", y="independent")
    )


def _places_in_extent(places: pd.DataFrame, extent: tuple[float, float, float, float]) -> pd.DataFrame:
    west, south, east, north = extent
    located = places.dropna(subset=["latitude", "longitude"])
    return located[located["longitude"].between(west, east) & located["latitude"].between(south, north)]


def offensive_map(
    places: pd.DataFrame,
    events: pd.DataFrame,
    *,
    start: str = "1945-08-09",
    end: str = "1945-09-02",
    width: int | str = "container",
) -> alt.LayerChart:
    """Where the recorded events of the invasion took place, with each place's first date, on a modern basemap."""
    window = _events_between(events, start, end, None)
    shown = _places_in_extent(places, MANCHURIA_EXTENT)
    located = window.merge(shown, left_on="place", right_on="id", suffixes=("", "_place"))
    located = _require(located, f"no events between {start} and {end} at a mapped place")
    # The first event at each place, the most precisely dated one where several share the day.
    rank = located["date_precision"].map({precision: number for number, precision in enumerate(PRECISIONS)})
    first = (
        located.assign(_rank=rank)
        .sort_values(["start_date", "_rank"])
        .groupby("place", as_index=False)
        .agg(
            name=("name_pinyin", "first"),
            period_names=("period_names", "first"),
            latitude=("latitude", "first"),
            longitude=("longitude", "first"),
            date=("start_date", "first"),
            date_precision=("date_precision", "first"),
            events=("title", lambda titles: "; ".join(titles)),
        )
    )
    first["label"] = first["name"] + ", " + _date_labels(first, "date", "date_precision", year=False)
    first["period_names"] = first["period_names"].map(listed)
    first["label_side"] = _label_sides(first)
    description = (
        f"Map of Northeast China on modern borders, marking the {len(first)} places where the chapter records events "
        f"between {format_date(start, 'day')} and {format_date(end, 'day')}, with the first date at each: "
        + "; ".join(first.sort_values("date")["label"])
        + "."
    )
    points = alt.Chart(first).encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
        tooltip=[
            alt.Tooltip("name:N", title="Place"),
            alt.Tooltip("period_names:N", title="Also called"),
            alt.Tooltip("events:N", title="Events"),
        ],
    )
    return readable(
        alt.layer(
            _basemap_layer(MANCHURIA_EXTENT),
            points.mark_circle(size=80, color="#D55E00", opacity=1),
            *_place_labels(points, "label"),
        )
        .project(type="mercator")
        .properties(
            width=width,
            height=420,
            title=_title(
                "Where the invasion's events took place, August 1945",
                [
                    "First recorded date at each place. Modern borders (Natural Earth):",
                    "in 1945 Manchukuo was a Japanese puppet state and Korea a Japanese colony.",
                ],
            ),
            description=description,
        )
    )


# --- Treaties and returns ---------------------------------------------------------------


def concessions_chart(
    concessions: pd.DataFrame, *, show: str = "terms", width: int | str = "container"
) -> alt.LayerChart:
    """The concessions' promised 30-year terms against the years they were actually held."""
    if show not in ("terms", "returns"):
        raise ValueError(f"show must be 'terms' or 'returns', not {show!r}")
    frame = _require(concessions, "no concessions").assign(
        promised_label=lambda f: f["promised_end"].dt.year.astype(str),
        returned_label=lambda f: _date_labels(f, "returned_on", "returned_precision"),
        # "not later than the end of 1952": a day, 31 December.
        deadline_label=lambda f: _date_labels(f, "deadline_1950", None),
        sources=_sources,
    )[
        [
            "concession",
            "granted_on",
            "promised_end",
            "returned_on",
            "deadline_1950",
            "term_years",
            "returned_precision",
            "promised_label",
            "returned_label",
            "deadline_label",
            "sources",
            "source_keys",
        ]
    ]
    description = (
        "Gantt chart of the concessions granted to the Soviet Union on 14 August 1945: "
        + "; ".join(
            f"{row.concession}, promised for {row.term_years} years (to {row.promised_label}), "
            f"returned {when(row.returned_on, row.returned_precision)}"
            + (f", against a 1950 deadline of {row.deadline_label}" if show == "returns" else "")
            for row in frame.itertuples()
        )
        + "."
    )
    base = alt.Chart(frame).encode(
        y=alt.Y("concession:N", title=None, axis=row_label_axis(260)),
        tooltip=[
            alt.Tooltip("concession:N", title="Concession"),
            alt.Tooltip("term_years:Q", title="Term promised (years)"),
            alt.Tooltip("returned_label:N", title="Returned"),
            alt.Tooltip("deadline_label:N", title="1950 deadline"),
            alt.Tooltip("sources:N", title="Sources"),
        ],
    )
    promised = base.mark_bar(height=22, opacity=0.3, color="#0072B2").encode(
        x=alt.X("granted_on:T", title=None, axis=alt.Axis(format="%Y", tickCount=8)), x2="promised_end:T"
    )
    held = base.mark_bar(height=22, color="#0072B2").encode(x="granted_on:T", x2="returned_on:T")
    held_label = base.mark_text(align="left", dx=4, fontSize=12).encode(x="returned_on:T", text="returned_label:N")
    layers = [promised, held, held_label]
    if show == "returns":
        layers.append(base.mark_tick(thickness=3, size=30, color="#D55E00").encode(x="deadline_1950:T"))
    title = (
        "The 1945 concessions: thirty years promised, a decade held"
        if show == "terms"
        else "Returning the concessions: the 1950 deadline and the actual hand-over"
    )
    subtitle = (
        "Pale bar: the 30-year term of 1945. Dark bar: the years actually held."
        if show == "terms"
        else "Dark bar: years held. Orange tick: return promised in 1950 by the end of 1952."
    )
    return readable(
        alt.layer(*layers).properties(
            width=width,
            height=110,
            title=_title(title, subtitle),
            description=description,
            usermeta={DATE_LABELS: {"returned_on": "returned_label", "deadline_1950": "deadline_label"}},
        )
    )


def withdrawal_deadlines_chart(
    withdrawal: pd.DataFrame,
    events: pd.DataFrame,
    *,
    completed_event: str = "1946-05-03-soviet-withdrawal-complete",
    width: int | str = "container",
) -> alt.LayerChart:
    """Each announced deadline for the Soviet withdrawal, plotted against the day it was announced."""
    frame = _require(withdrawal, "no withdrawal deadlines").assign(
        said_label=lambda f: _date_labels(f, "said_on", None),
        deadline_label=lambda f: _date_labels(f, "deadline", "deadline_precision"),
        sources=_sources,
    )[["id", "said_on", "deadline", "said_label", "deadline_label", "said_by", "statement", "sources", "source_keys"]]
    # Labels of the latest points go on their left, where there is room.
    late = frame["said_on"].min() + 0.8 * (frame["said_on"].max() - frame["said_on"].min())
    frame["label_side"] = ["left" if said > late else "right" for said in frame["said_on"]]
    frame.loc[frame["said_on"] == frame["said_on"].max(), "label_side"] = "below"
    completed = events[events["id"] == completed_event]
    if completed.empty:
        raise ValueError(f"events.csv has no event {completed_event!r} marking the end of the withdrawal")
    completed_on = completed["start_date"].iloc[0]
    completed_text = format_date(completed_on, completed["date_precision"].iloc[0])
    completed_frame = pd.DataFrame(
        {"date": [completed_on], "label": [f"Withdrawal completed, per Wikipedia: {completed_text}"]}
    )
    description = (
        "Scatter plot of the announced deadlines for the end of the Soviet withdrawal from Manchuria, each placed at "
        "the day it was stated: "
        + "; ".join(f"on {row.said_label} ({row.said_by}): {row.deadline_label}" for row in frame.itertuples())
        + f". A horizontal line marks the completion date Wikipedia gives, {completed_text}."
    )
    x = alt.X("said_on:T", title="Day the deadline was stated", axis=alt.Axis(format="%b %Y"))
    y = alt.Y("deadline:T", title="Deadline announced", axis=alt.Axis(format="%b %Y"))
    points = alt.Chart(frame).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("said_label:N", title="Stated"),
            alt.Tooltip("said_by:N", title="By"),
            alt.Tooltip("deadline_label:N", title="Deadline"),
            alt.Tooltip("statement:N", title="What was said"),
            alt.Tooltip("sources:N", title="Source"),
        ],
    )
    done = alt.Chart(completed_frame)
    return readable(
        alt.layer(
            points.mark_line(color="#0072B2", strokeDash=[4, 3], point=False),
            points.mark_circle(size=90, color="#0072B2", opacity=1),
            points.transform_filter("datum.label_side == 'right'")
            .mark_text(align="left", dx=8, fontSize=12)
            .encode(text="deadline_label:N"),
            points.transform_filter("datum.label_side == 'left'")
            .mark_text(align="right", dx=-8, fontSize=12)
            .encode(text="deadline_label:N"),
            points.transform_filter("datum.label_side == 'below'")
            .mark_text(align="right", dy=14, fontSize=12)
            .encode(text="deadline_label:N"),
            done.mark_rule(color="#D55E00", strokeWidth=2).encode(y="date:T"),
            done.mark_text(align="left", x=5, dy=-8, color="#D55E00", fontSize=12).encode(y="date:T", text="label:N"),
        ).properties(
            width=width,
            height=320,
            title=_title(
                "The withdrawal deadline kept moving, September 1945 to April 1946",
                "Each dot: a deadline for the last Soviet troops to leave, placed at the day it was announced.",
            ),
            description=description,
            usermeta={DATE_LABELS: {"said_on": "said_label", "deadline": "deadline_label", "date": "label"}},
        )
    )


def _range_labels(frame: pd.DataFrame, number_format: str) -> list[str]:
    """Each row's ``value_low``–``value_high`` as text, or the one number where a source gives no range."""
    return [
        format(low, number_format) if low == high else f"{low:{number_format}}–{high:{number_format}}"
        for low, high in zip(frame["value_low"], frame["value_high"])
    ]


def removals_chart(removals: pd.DataFrame, *, width: int | str = "container") -> alt.LayerChart:
    """Estimates of the share of equipment removed, as ranges, with who made each estimate."""
    shares = _require(
        removals[removals["measure"] == "share_removed"], "no estimates of the share removed (measure 'share_removed')"
    )
    frame = shares.assign(
        figure=[label + "%" for label in _range_labels(shares, "g")],
        date_label=_date_labels(shares, "date", "date_precision"),
        sources=_sources(shares),
    )[["item", "value_low", "value_high", "figure", "estimator", "date_label", "sources", "source_keys", "quote"]]
    description = (
        "Range chart of estimates of the share of equipment the Soviets removed from Manchurian plants: "
        + "; ".join(f"{row.item}: {row.figure} ({row.estimator}, {row.date_label})" for row in frame.itertuples())
        + ". Each is one observer's estimate, not a measurement."
    )
    base = alt.Chart(frame).encode(
        # Each bar's value is printed to its right.
        y=alt.Y("item:N", title=None, sort="-x", axis=row_label_axis(280, beside=30)),
        tooltip=[
            alt.Tooltip("item:N", title="What"),
            alt.Tooltip("figure:N", title="Share removed"),
            alt.Tooltip("estimator:N", title="Estimated by"),
            alt.Tooltip("date_label:N", title="When"),
            alt.Tooltip("quote:N", title="Source text"),
            alt.Tooltip("sources:N", title="Source"),
        ],
    )
    return readable(
        alt.layer(
            base.mark_bar(height=14, color="#CC79A7", opacity=0.35).encode(
                x=alt.X("value_low:Q", title="Share of equipment removed (%)", scale=alt.Scale(domain=[0, 100])),
                x2=alt.value(0),
            ),
            base.mark_rule(strokeWidth=6, color="#CC79A7").encode(x="value_low:Q", x2="value_high:Q"),
            base.mark_text(align="left", dx=6, fontSize=12).encode(x="value_high:Q", text="figure:N"),
        ).properties(
            width=width,
            height=alt.Step(30),
            title=_title(
                "Soviet removals: estimates of the share of equipment taken",
                "Each bar is one observer's estimate, 1945–1946; a thick end shows a stated range.",
            ),
            description=description,
        )
    )


class MeasureWords(NamedTuple):
    """What a people figure counts: in full (tooltips, description, data table) and short (after the figure on its row)."""

    label: str
    short: str


PEOPLE_MEASURES = {
    "taken_prisoner": MeasureWords("Japanese taken prisoner by Soviet forces", "taken prisoner"),
    "shipped_to_ussr": MeasureWords("Japanese taken to the Soviet Union (Siberia and elsewhere)", "taken to the USSR"),
    "died": MeasureWords("Japanese prisoners dead in the winter of 1945–46", "dead, winter 1945–46"),
    "still_held": MeasureWords("Japanese still in Soviet-controlled areas, Dec 1948", "still held, Dec 1948"),
    "to_repatriate": MeasureWords("Japanese in Manchuria to be repatriated, May 1946", "to be repatriated"),
    "repatriated": MeasureWords("Japanese repatriated from Manchuria, 1946–47", "repatriated"),
    "technicians_and_families": MeasureWords(
        "Japanese technicians and families kept back", "technicians and families kept"
    ),
    "technicians": MeasureWords("Japanese technicians kept back (no families)", "technicians kept"),
    "dependents": MeasureWords("Their dependents", "their dependents"),
    "remaining_nationalist": MeasureWords("Japanese left in Nationalist-held Manchuria", "left, Nationalist areas"),
    "remaining_communist": MeasureWords("Japanese left in Communist-held areas", "left, Communist areas"),
    "soldiers_planned": MeasureWords("Former Kwantung Army troops to be sent to the Communists", "troops to be sent"),
    "soldiers_requested": MeasureWords("Japanese the Communists reputedly asked for", "reputedly asked for"),
    "ordered_to_ussr": MeasureWords(
        "Japanese the Soviet decree of August 1945 ordered sent to the USSR", "ordered sent to the USSR"
    ),
    "died_in_custody": MeasureWords("Japanese dead in Soviet custody, 1945–1956 (totals)", "dead in Soviet custody"),
    "unreturned": MeasureWords("Japanese left in Soviet-held areas, May 1949", "still to return, May 1949"),
    "unaccounted": MeasureWords(
        "Further Japanese the Soviet count left out (Japanese figures), May 1949", "more, not counted by the USSR"
    ),
    "returned_from_ussr": MeasureWords("Japanese returned from Soviet-held areas (totals)", "returned from the USSR"),
    "in_manchuria": MeasureWords(
        "Japanese left in Manchuria after the surrender (later counts)", "left in Manchuria, 1945"
    ),
    "settlers": MeasureWords("Japanese farming settlers (kaitakudan) sent to Manchuria by 1945", "settlers sent"),
    "settlers_died": MeasureWords("Settlers dead in the flight and refugee life, 1945–46", "settlers dead"),
    "killed_gegenmiao": MeasureWords("Japanese refugees dead near Gegenmiao, Aug 1945", "dead at Gegenmiao"),
    "first_sailing": MeasureWords("Japanese on the first ships from Huludao, May 1946", "on the first ships"),
    "repatriated_huludao": MeasureWords("Japanese repatriated through Huludao, 1946–48", "through Huludao"),
    "civilians_died_winter": MeasureWords(
        "Japanese nationals dead in 11 districts of Manchuria, winter 1945–46", "dead in 11 districts, winter 1945–46"
    ),
    "repatriated_china": MeasureWords(
        "Japanese repatriated from China after the war (PRC accounts)", "repatriated from China"
    ),
}
QUALIFIER_WORDS = {"exact": "", "about": "about ", "more_than": "more than "}
#: Splits a row's label into its lines on the axis (the axis's labelExpr splits on it; the data table reads it as a space).
LABEL_LINE_BREAK = "\n"


def people_ranges_chart(
    people: pd.DataFrame,
    *,
    measures: list[str] | None = None,
    title: str = "What happened to the Japanese: each source's figure",
    width: int | str = "container",
) -> alt.Chart:
    """Each source's figure for what happened to the Japanese in Manchuria, one row per figure.

    A row's label says the figure, what it counts and who gave it; a dot marks the figure, and a bar
    spans it where the source gives a range. Rows for the same thing sit together and share a
    colour, so the spread between sources reads down the chart. Labels live on the axis, not
    beside the dots: text marks beside the dots would widen the chart's bounds and, with a
    container width, squeeze the plot; and a legend would be cut off at a phone's width.
    """
    chosen = people if measures is None else people[people["measure"].isin(measures)]
    chosen = _require(chosen, f"no figures for the measures {measures}")
    if measures is not None:  # rows in the order the measures are asked for, each measure's in file order
        chosen = chosen.sort_values("measure", key=lambda column: column.map(measures.index), kind="stable")
    unlabelled = sorted(set(chosen["measure"]) - set(PEOPLE_MEASURES))
    if unlabelled:
        raise ValueError(
            f"people data: no reader words for the measure(s) {', '.join(unlabelled)}; "
            f"add them to charts.PEOPLE_MEASURES (known: {', '.join(PEOPLE_MEASURES)})"
        )
    words = chosen["measure"].map(PEOPLE_MEASURES)
    frame = chosen.assign(
        what=[word.label for word in words],
        figure=[
            QUALIFIER_WORDS[qualifier] + label
            for qualifier, label in zip(chosen["qualifier"], _range_labels(chosen, ",.0f"))
        ],
        date_label=_date_labels(chosen, "date", "date_precision"),
        sources=_sources(chosen),
    )
    frame["row"] = [
        f"{figure} {word.short}{LABEL_LINE_BREAK}{who}"
        for figure, word, who in zip(frame["figure"], words, frame["given_by"])
    ]
    frame = frame[["row", "what", "value_low", "value_high", "figure", "given_by", "date_label", "sources", "note"]]
    description = (
        f"{title}. Chart of the figures sources give, one row per figure: "
        + "; ".join(f"{row.what}: {row.figure} ({row.given_by}, {row.date_label})" for row in frame.itertuples())
        + "."
    )
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "row:N",
            title=None,
            sort=list(frame["row"]),
            # On a phone the labels leave the dots 200 px, each of their two lines breaking once more.
            axis=row_label_axis(300, lines="two-line"),
        ),
        color=alt.Color("what:N", title="What was counted", sort=list(dict.fromkeys(frame["what"])), legend=None),
        tooltip=[
            alt.Tooltip("what:N", title="What"),
            alt.Tooltip("figure:N", title="Figure"),
            alt.Tooltip("given_by:N", title="Given by"),
            alt.Tooltip("date_label:N", title="When"),
            alt.Tooltip("note:N", title="Source text"),
            alt.Tooltip("sources:N", title="Source"),
        ],
    )
    x = alt.X("value_low:Q", title="People", axis=alt.Axis(format="~s", tickCount=4))
    return readable(
        alt.layer(
            base.mark_rule(strokeWidth=8).encode(x=x, x2="value_high:Q"),
            base.mark_circle(size=90, opacity=1).encode(x=x),
        ).properties(
            width=width,
            height=alt.Step(44),
            title=_title(
                title,
                "One row per figure: what it counts and who gave it; a bar spans a stated range.",
            ),
            description=description,
            # On a phone a row's two lines break into up to four (row_label_axis).
            usermeta=phone_layout(height={"step": 60}),
        )
    )


# --- Who held the cities ----------------------------------------------------------------


def _control_frame(control: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    frame = control.merge(
        places[["id", "name_pinyin", "period_names"]], left_on="place", right_on="id", suffixes=("", "_place")
    )
    frame = frame.assign(
        # Empty notes would reach the spec as NaN, which is not valid JSON.
        note=frame["note"].fillna(""),
        end=frame["end_date"].fillna(END_OF_PERIOD),
        holder_label=frame["holder"].map(HOLDER_LABELS),
        city=[
            f"{name} ({period.split(';')[0]})" if isinstance(period, str) and period else name
            for name, period in zip(frame["name_pinyin"], frame["period_names"])
        ],
        start_label=_date_labels(frame, "start_date", "date_precision"),
        end_label=_end_labels(frame),
        sources=_sources(frame),
    )
    return frame


def _end_labels(frame: pd.DataFrame) -> list[str]:
    """Each spell's last day as text at ``end_precision``; "after 1948" for a spell with no end."""
    if "end_precision" not in frame.columns:
        raise ValueError(
            "the control data have no column 'end_precision' saying how precisely 'end_date' is known; "
            f"expected one of {', '.join(PRECISIONS)} in each row with an end_date"
        )
    return [
        "after 1948" if pd.isna(end) else format_date(end, precision)
        for end, precision in zip(frame["end_date"], frame["end_precision"])
    ]


def control_timeline_chart(control: pd.DataFrame, places: pd.DataFrame, *, width: int | str = "container") -> alt.Chart:
    """Who held each major city, August 1945 to 1948, as coloured spells on a time axis."""
    frame = _require(_control_frame(control, places), "no control spells")
    cities = list(frame.sort_values("start_date").drop_duplicates("city")["city"])
    summary = []
    for city in cities:
        spells = frame[frame["city"] == city].sort_values("start_date")
        summary.append(
            f"{city}: " + ", then ".join(f"{s.holder_label} from {s.start_label}" for s in spells.itertuples())
        )
    description = "Timeline of who held each major Manchurian city, 1945–1948. " + "; ".join(summary) + "."
    return readable(
        alt.Chart(
            frame[
                [
                    "city",
                    "holder_label",
                    "start_date",
                    "end",
                    "start_label",
                    "end_label",
                    "sources",
                    "source_keys",
                    "note",
                ]
            ]
        )
        .mark_bar(height=16)
        .encode(
            y=alt.Y("city:N", title=None, sort=cities, axis=row_label_axis(220)),
            x=alt.X(
                "start_date:T",
                title=None,
                axis=alt.Axis(format="%Y", tickCount=4),
                scale=alt.Scale(domain=["1945-08-01", "1948-12-31"]),
            ),
            x2="end:T",
            color=_colour("holder_label:N", HOLDER_LABEL_COLOURS, title="Held by"),
            tooltip=[
                alt.Tooltip("city:N", title="City"),
                alt.Tooltip("holder_label:N", title="Held by"),
                alt.Tooltip("start_label:N", title="From"),
                alt.Tooltip("end_label:N", title="Until"),
                alt.Tooltip("note:N", title="Note"),
                alt.Tooltip("sources:N", title="Sources"),
            ],
        )
        .properties(
            width=width,
            height=alt.Step(24),
            title=_title(
                "Who held Manchuria's cities, 1945–1948",
                "Spells of control as the sources date them; gaps are undated.",
            ),
            description=description,
            usermeta={DATE_LABELS: {"start_date": "start_label", "end": "end_label"}},
        )
    )


def holders_on(control: pd.DataFrame, places: pd.DataFrame, day: str) -> pd.DataFrame:
    """Which side held each city on one day (cities with no dated spell that day are left out)."""
    moment = pd.Timestamp(day)
    frame = _control_frame(control, places)
    holding = frame[(frame["start_date"] <= moment) & (frame["end"] >= moment)]
    # On a hand-over day two spells meet; the newer holder is shown.
    holding = holding.sort_values("start_date").drop_duplicates("place", keep="last")
    located = holding.merge(
        places[["id", "latitude", "longitude"]], left_on="place", right_on="id", suffixes=("", "_xy")
    )
    return located.dropna(subset=["latitude", "longitude"])


def city_points(chart: alt.Chart) -> alt.Chart:
    """Cities placed by their coordinates, with who held them, since when and on whose evidence.

    The chart's data need ``name_pinyin``, ``holder_label``, ``start_label`` and ``sources``
    (as :func:`holders_on` gives them).
    """
    return chart.encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
        tooltip=[
            alt.Tooltip("name_pinyin:N", title="City"),
            alt.Tooltip("holder_label:N", title="Held by"),
            alt.Tooltip("start_label:N", title="Since"),
            alt.Tooltip("sources:N", title="Sources"),
        ],
    )


def phone_layout(**overrides: Any) -> dict[str, Any]:
    """The ``usermeta`` a chart carries to ask for other top-level properties on a phone-wide box
    (read by the book's chart plugin and page script; see :mod:`manchuria.sphinx.specs`)."""
    return {"manchuria": {NARROW_KEY: overrides}}


def control_map(
    control: pd.DataFrame,
    places: pd.DataFrame,
    *,
    dates: tuple[str, ...] = ("1945-09-01", "1946-06-01", "1947-06-01", "1948-12-01"),
    width: int = 300,
) -> alt.ConcatChart:
    """Small maps of who held each city on a few days, on a modern basemap."""
    panels, parts = [], []
    for day in dates:
        frame = _require(holders_on(control, places, day), f"no city has a dated holder on {day}")
        stamp = format_date(day, "day")  # a day the caller chose, not a date from the sources
        counts = frame["holder_label"].value_counts()
        parts.append(
            f"on {stamp}: "
            + ", ".join(f"{holder} {counts[holder]}" for holder in HOLDER_LABEL_COLOURS if holder in counts)
        )
        frame = frame.assign(label_side=_label_sides(frame))
        columns = [
            "name_pinyin",
            "holder_label",
            "latitude",
            "longitude",
            "start_label",
            "sources",
            "source_keys",
            "label_side",
        ]
        points = city_points(alt.Chart(frame[columns]))
        panels.append(
            alt.layer(
                _basemap_layer(MANCHURIA_EXTENT),
                points.mark_circle(size=110, opacity=1, stroke="white", strokeWidth=0.8).encode(
                    color=_colour("holder_label:N", HOLDER_LABEL_COLOURS, title="Held by")
                ),
                *_place_labels(points, "name_pinyin", font_size=10),
            )
            .project(type="mercator")
            .properties(width=width, height=300, title=stamp)
        )
    description = (
        "Four small maps of Northeast China on modern borders, colouring each major city by who held it: "
        + "; ".join(parts)
        + "."
    )
    return readable(
        alt.concat(*panels, columns=2).properties(
            title=_title(
                "Who held the cities: four moments",
                "Cities coloured by holder on each day. Modern borders (Natural Earth).",
            ),
            description=description,
            # Two maps side by side are twice a phone's width: there, one per row.
            usermeta=phone_layout(columns=1),
        )
    )


# --- Reading the sources ----------------------------------------------------------------


def claims_verdict_chart(claims: pd.DataFrame, *, width: int | str = "container") -> alt.Chart:
    """How the two commissioning documents' claims fare: verdicts counted per document."""
    frame = _require(claims, "no claims").assign(document=claims["source_key"].map(DOCUMENT_LABELS))
    counts = frame.groupby(["document", "verdict"]).size().reset_index(name="claims")
    counts["verdict_label"] = counts["verdict"].map(VERDICT_LABELS)
    parts = []
    for document, rows in counts.groupby("document"):
        parts.append(
            f"{document}: {int(rows['claims'].sum())} claims, "
            + ", ".join(f"{int(r.claims)} {r.verdict}" for r in rows.itertuples())
        )
    description = (
        "Stacked bar chart of the verdicts on the factual claims of the two source documents. " + "; ".join(parts) + "."
    )
    verdicts = list(VERDICT_LABEL_COLOURS)
    return readable(
        alt.Chart(counts[["document", "verdict_label", "claims"]])
        .mark_bar(height=30)
        .encode(
            y=alt.Y("document:N", title=None),
            x=alt.X("claims:Q", title="Claims checked"),
            color=_colour("verdict_label:N", VERDICT_LABEL_COLOURS, title="Verdict"),
            order=alt.Order("verdict_rank:Q"),
            tooltip=[
                alt.Tooltip("document:N", title="Document"),
                alt.Tooltip("verdict_label:N", title="Verdict"),
                alt.Tooltip("claims:Q", title="Claims"),
            ],
        )
        .transform_calculate(verdict_rank="indexof(" + str(verdicts) + ", datum.verdict_label)")
        .properties(
            width=width,
            height=120,
            title=_title(
                "What the two source documents get right",
                "Each factual claim checked against other sources; see data/claims.csv",
            ),
            description=description,
        )
    )
