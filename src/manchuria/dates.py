"""Dates as the sources give them: the precision vocabulary and the one date formatter.

A date in ``data/`` is stored as a full ISO day even where the sources give
less; a precision column next to it (named by the date field's
``x-precision`` in ``data/datapackage.json``) says how much of it is known.
Every date the package prints (chart labels, tooltips, descriptions, glued
values) goes through :func:`format_date`, which prints only that much:

- ``day``: "9 Aug 1945", the sources give the day;
- ``month``: "Aug 1945", only the month (stored as its first day, or as its
  last for "by the end of" a month);
- ``year``: "1945", only the year (stored as 1 January);
- ``approximate``: "c. Mar 1946", the sources disagree by days, or say
  "mid-April", "by 23 May", "end of May".

Why an approximate date prints no day: in the data the day of an
approximate row is one source's pick among several (Mukden's Soviet
withdrawal "completed 9 Mar ... or 14 Mar"), a bound ("by 23 May") or a
reading of a phrase ("end of May"), so "c. 14 Mar 1946" would still claim a
day. The month is what every such row's sources agree on, give or take the
"c." (a phrase such as "early March" can fall on either side of a month's
end). Sorting and the position of a mark keep the stored day.

Dates that are not claims about the past keep the day form: a day the reader
or the code chose (a map's "on 1 Sep 1945"), and the ISO dates in the data
loaders' error messages (``manchuria.data``), which quote the cell as written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

PRECISIONS = ("day", "month", "year", "approximate")
"""How precisely a date is known, from most to least precise (``approximate`` is a month, hedged)."""

# The field property of data/datapackage.json naming a date's precision column.
PRECISION_FLAG = "x-precision"


def format_date(date: Any, precision: str, *, year: bool = True) -> str:
    """A date as text at its precision: "9 Aug 1945", "Aug 1945", "1945" or "c. Mar 1946".

    ``date`` is anything :class:`pandas.Timestamp` reads (a Timestamp, a
    ``datetime.date``, an ISO string). With ``year=False`` the year is left
    out ("9 Aug", "Aug", "c. Mar") where the context gives it, except for a
    year-precision date, whose year is all there is to print.
    """
    if precision not in PRECISIONS:
        raise ValueError(
            f"unknown date precision {precision!r} for {_shown(date)}; expected one of {', '.join(PRECISIONS)}"
        )
    if date is None or (not isinstance(date, str) and pd.isna(date)):
        raise ValueError(f"no date to format (found {date!r}) at precision {precision!r}; expected a date")
    try:
        stamp = pd.Timestamp(date)
    except (TypeError, ValueError):
        raise ValueError(f"cannot read {date!r} as a date; expected a date such as 1945-08-09") from None
    month = f"{stamp:%b}" + (f" {stamp.year}" if year else "")
    if precision == "day":
        return f"{stamp.day} {month}"
    if precision == "month":
        return month
    if precision == "year":
        return str(stamp.year)
    return f"c. {month}"


def when(date: Any, precision: str) -> str:
    """:func:`format_date` with the preposition the precision takes: "on 9 Aug 1945", "in Aug 1945",
    "in 1945", "c. Mar 1946"."""
    text = format_date(date, precision)
    if precision == "day":
        return f"on {text}"
    if precision == "approximate":
        return text
    return f"in {text}"


def format_dates(dates: pd.Series, precisions: pd.Series | str, *, year: bool = True) -> pd.Series:
    """:func:`format_date` for a column of dates, with a column of precisions (or one for all)."""
    if isinstance(precisions, str):
        precisions = pd.Series(precisions, index=dates.index)
    return pd.Series(
        [format_date(date, precision, year=year) for date, precision in zip(dates, precisions)],
        index=dates.index,
        dtype=object,
    )


def precision_columns(resource: dict[str, Any]) -> dict[str, str]:
    """For one resource of ``datapackage.json``: each date field with a precision column, and that column.

    A date field not in the answer is exact to the day.
    """
    return {
        field["name"]: field[PRECISION_FLAG]
        for field in resource["schema"]["fields"]
        if field.get("type") == "date" and PRECISION_FLAG in field
    }


def _shown(date: Any) -> str:
    if isinstance(date, (pd.Timestamp, dt.date)) and not pd.isna(date):
        return f"the date {pd.Timestamp(date):%Y-%m-%d}"
    return f"the date {date!r}"
