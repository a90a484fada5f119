"""The book's charts. Each is a pure function ``(data, *, options) -> alt.Chart``.

Every chart carries a title and a ``description`` (read aloud by screen
readers), and encodes only columns its data has. Importing this module turns on
the offline renderer (:mod:`manchuria.render`), so a chart shown in a notebook
draws in JupyterLab and in the built book without any CDN.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from . import render

render.enable()

CATEGORY_LABELS = {
    "rifles": "Rifles",
    "machine_guns": "Machine guns",
    "artillery": "Artillery pieces",
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
        & arms["source_keys"].str.split(";").apply(lambda keys: source in keys)
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
    source_label: str = "GlobalSecurity.org (2011)",
    width: int | str = "container",
) -> alt.LayerChart:
    """Grouped bars: each side's captured Japanese arms as a multiple of the Communist haul.

    Shows ratios only: the source gives no absolute counts, and none are invented.
    """
    frame = arms_ratio_frame(arms, source=source)
    categories = list(dict.fromkeys(frame["category"]))
    summary = "; ".join(
        f"{row.category.lower()} {row.label}"
        for row in frame[frame["side"] == "Nationalists"].itertuples()
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
            color=alt.Color(
                "side:N",
                title=None,
                sort=["Nationalists", "Communists"],
                scale=alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
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


def readable(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The book's chart styling: text sizes close to the page's, no frame.

    Colours of text and axes are left to the theme so that the site's dark mode
    (vega-embed's dark theme) can restyle them.
    """
    return (
        chart.configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12)
        .configure_legend(labelFontSize=12, titleFontSize=12)
        .configure_title(fontSize=15, subtitleFontSize=12)
    )
