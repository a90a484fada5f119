"""What a chart shows a reader, and whether it is in reader words (shared by the chart tests).

"Shown" means: drawn in the chart (axis and legend labels and titles, facet headers, text
marks, titles; read from the SVG that Vega renders), named in a tooltip (its title and its
field's value in every row of the data), or read aloud (the description). "Reader words"
means no snake_case token, no bibliography key, no row id, no raw ;-separated list and
no data key (an enum value) standing where its label belongs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
# A ;-separated data cell shown as it is stored (reader text puts a space after each separator).
RAW_LIST = re.compile(r"[^\s;];[^\s;]")
# Channels whose values a reader sees as text when the field is a category (nominal or ordinal).
CATEGORY_CHANNELS = ("x", "y", "xOffset", "yOffset", "color", "fill", "stroke", "shape", "row", "column", "facet")
# Channels whose values a reader sees as text whatever their type.
TEXT_CHANNELS = ("text", "tooltip")


def nodes(node: Any) -> Iterator[dict]:
    """Every dict in a spec, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from nodes(item)


def _channel_items(node: dict) -> Iterator[tuple[str, dict]]:
    """(channel, definition) for every encoding channel of a view, and for a facet's row/column."""
    channels = dict(node.get("encoding", {}))
    facet = node.get("facet")
    if isinstance(facet, dict) and "field" in facet:
        channels["facet"] = facet
    elif isinstance(facet, dict):
        channels.update({key: value for key, value in facet.items() if key in ("row", "column")})
    for channel, value in channels.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                yield channel, item


def shown_fields(spec: dict) -> set[str]:
    """Fields whose values a chart shows as text: tooltips, text marks, category axes, legends and headers."""
    fields = set()
    for node in nodes({key: value for key, value in spec.items() if key != "datasets"}):
        for channel, item in _channel_items(node):
            if "field" not in item:
                continue
            if channel in TEXT_CHANNELS or (
                channel in CATEGORY_CHANNELS and item.get("type") in ("nominal", "ordinal")
            ):
                fields.add(item["field"])
    return fields


def tooltip_titles(spec: dict) -> list[str]:
    """The title of every tooltip line (a line with no title shows its field's name)."""
    titles = []
    for node in nodes({key: value for key, value in spec.items() if key != "datasets"}):
        for channel, item in _channel_items(node):
            if channel == "tooltip" and "field" in item:
                title = item.get("title", item["field"])
                titles.append(" ".join(title) if isinstance(title, list) else str(title))
    return titles


def shown_values(spec: dict) -> Iterator[tuple[str, str]]:
    """(field, text) for every value of a shown field in every row of the chart's data."""
    fields = shown_fields(spec)
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            for field in fields & set(row):
                yield field, str(row[field])


def drawn_texts(spec: dict) -> list[str]:
    """Every text the chart draws, as Vega renders it to SVG (axes, legends, headers, marks, titles)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", text))
        for text in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    ]


def mentions(words: Iterable[str]) -> re.Pattern:
    """A pattern finding any of ``words`` standing alone (not inside a longer key or id)."""
    words = sorted({word for word in words if word}, key=len, reverse=True)
    if not words:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def not_reader_words(
    texts: Iterable[tuple[str, str]], *, keys: Iterable[str], ids: Iterable[str], enum_keys: Iterable[str] = ()
) -> list[tuple[str, str, str]]:
    """(where, text, what is wrong) for each text holding a snake_case token, a bibliography key, a row id
    or a raw list cell ("Mukden;Fengtian"), or being, as a whole, one of ``enum_keys`` (a data key such as
    ``confirmed`` shown where its label belongs)."""
    patterns = (
        ("snake_case", SNAKE_CASE),
        ("bibliography key", mentions(keys)),
        ("row id", mentions(ids)),
        ("raw list", RAW_LIST),
    )
    enum_keys = set(enum_keys)
    found = []
    for where, text in texts:
        for what, pattern in patterns:
            hit = pattern.search(text)
            if hit:
                found.append((where, text, f"{what} {hit.group(0)!r}"))
        if text.strip() in enum_keys:
            found.append((where, text, "a data key, not its label"))
    return found
