"""Bibliography keys as readers see them: the author-year label the book's citations print.

A chart's tooltip or an explorer's table says "Harriman, 1945", not the key
``frus1945v07d764`` the data files use. The labels follow sphinxcontrib-bibtex's
``author_year`` style, which the book's citations use (a test checks every
entry of ``references.bib`` against it), but are read straight from the file:
parsing it with pybtex costs about a second, which every notebook would pay.
"""

from __future__ import annotations

import collections
import functools
import re
from pathlib import Path

from .data import BIBLIOGRAPHY, LIST_SEPARATOR

ENTRY_START = re.compile(r"@\w+\s*\{\s*([^,\s]+)\s*,")
FIELD_START = re.compile(r"\s*(\w+)\s*=\s*")
# What the author-year style prints for an entry without a year.
NO_DATE = "n.d."


class UnknownSourceError(KeyError):
    """A source key that references.bib does not define."""

    def __str__(self) -> str:
        return str(self.args[0])


def _braced(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces (or quotes) opening at ``start``, and the index after them."""
    if text[start] == '"':
        end = text.index('"', start + 1)
        return text[start + 1 : end], end + 1
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
    raise ValueError(f"references.bib: unbalanced braces from character {start}")


def _fields(text: str, start: int) -> dict[str, str]:
    """The fields of the entry whose key ends at ``start``: name = {value} or "value" or a bare number."""
    fields: dict[str, str] = {}
    position = start
    while found := FIELD_START.match(text, position):
        opener = found.end()
        if text[opener] in '{"':
            value, position = _braced(text, opener)
        else:
            position = opener + re.search(r"[,}]", text[opener:]).start()
            value = text[opener:position].strip()
        fields[found.group(1).lower()] = value
        after = re.match(r"\s*,", text[position:])
        if not after:
            break
        position += after.end()
    return fields


def _plain(latex: str) -> str:
    """A field as text: braces that protect case dropped, LaTeX escapes decoded."""
    if "\\" in latex:
        from pybtex.richtext import Text

        return str(Text.from_latex(latex))
    # LaTeX's dash ligatures, as pybtex decodes them.
    return latex.replace("{", "").replace("}", "").replace("---", "—").replace("--", "–")


def _last_names(person: str) -> str:
    from pybtex.database import Person

    parsed = Person(person)
    return _plain(" ".join([*parsed.prelast_names, *parsed.last_names]))


def _authors(field: str) -> str:
    """Persons as the author-year style names them: A; A and B; A et al. for three or more."""
    # Split on " and " outside braces only.
    people, depth, current = [], 0, ""
    tokens = re.split(r"(\{|\}|\s+and\s+)", field)
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            people.append(current)
            current = ""
        else:
            current += token
    people.append(current)
    names = [_last_names(person.strip()) for person in people if person.strip()]
    if len(names) >= 3:
        return f"{names[0]} et al."
    return " and ".join(names)


def _name_of(fields: dict[str, str]) -> str:
    """Who an entry is by, as the author-year style names them: authors, or editors, or the title."""
    who = fields.get("author") or fields.get("editor")
    return _authors(who) if who else _plain(fields.get("title", ""))


def _year_of(fields: dict[str, str]) -> str:
    return _plain(fields["year"]) if fields.get("year") else NO_DATE


def label_of(fields: dict[str, str]) -> str:
    """One entry's label before works that share it are told apart: ``Harriman, 1945``."""
    return f"{_name_of(fields)}, {_year_of(fields)}"


def _suffix(index: int) -> str:
    """a, b, ..., z, aa, ab, ... for the index-th work sharing a label."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


@functools.lru_cache(maxsize=4)
def _entries(path: Path) -> dict[str, dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    return {match.group(1): _fields(text, match.end()) for match in ENTRY_START.finditer(text)}


@functools.lru_cache(maxsize=4)
def years(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's year as citations print it: works by the same author in the same year get
    a, b, ... in the order of their titles (``1945a``, ``n.d.-b``), so no two works share a label."""
    entries = _entries(path)
    shared: dict[str, list[str]] = {}
    for key, fields in entries.items():
        shared.setdefault(label_of(fields), []).append(key)
    shown = {key: _year_of(fields) for key, fields in entries.items()}
    for keys in shared.values():
        if len(keys) > 1:
            keys.sort(key=lambda key: (_plain(entries[key].get("title", "")).casefold(), key))
            for index, key in enumerate(keys):
                year = shown[key]
                shown[key] = f"{year}{'-' if year == NO_DATE else ''}{_suffix(index)}"
    return shown


@functools.lru_cache(maxsize=4)
def labels(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's key and its author-year label, as the book's citations print it."""
    shown = years(path)
    return {key: f"{_name_of(fields)}, {shown[key]}" for key, fields in _entries(path).items()}


def source_labels(keys: str, path: Path = BIBLIOGRAPHY) -> str:
    """A data cell of ;-separated source keys as reader text: ``Harriman, 1945; GlobalSecurity.org, 2011``."""
    known = labels(path)
    shown = []
    for key in filter(None, (key.strip() for key in keys.split(LIST_SEPARATOR))):
        if key not in known:
            raise UnknownSourceError(f"unknown source key {key!r}: expected a key defined in {path.name}")
        shown.append(known[key])
    return "; ".join(dict.fromkeys(shown))


# What kind of source each entry is: the bibliography groups its entries under these headings,
# and the book holds its citations to shares of them (see ``citation_shares``).
KINDS = {
    "primary": "Primary sources: documents, treaty texts, the press of 1945–1955, memoirs",
    "scholarly": "Scholarship: monographs, journal articles, university presses, scholarly databases",
    "reference": "Reference works: encyclopedias and dictionaries",
    "press": "Modern journalism",
    "advocacy": "Advocacy: sites that argue a case",
    "tertiary": "Tertiary sources: Wikipedia and its kin",
}
# Entries whose sources speak for a party to the events say so in this field, shown beside the entry.
PARTISAN_FIELD = "partisan"
# The shares the book holds its citations to (issue 12).
MOST_TERTIARY = 0.05
LEAST_PRIMARY_OR_SCHOLARLY = 2 / 3
TRUSTED_HOSTS = BIBLIOGRAPHY.with_name("references-hosts.csv")
CITE_ROLE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


class SourceKindError(ValueError):
    """An entry without a kind, or with one the book does not know."""


def kinds(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's kind; an entry without one, or with an unknown one, is an error naming it."""
    found = {key: _plain(fields.get("kind", "")).strip() for key, fields in _entries(path).items()}
    wrong = {key: kind for key, kind in found.items() if kind not in KINDS}
    if wrong:
        listed = ", ".join(f"{key} ({kind or 'no kind'})" for key, kind in sorted(wrong.items()))
        raise SourceKindError(f"{path.name}: entries need a kind, one of {', '.join(KINDS)}: {listed}")
    return found


def citations(pages) -> collections.Counter:
    """How many times the given MyST pages cite each key with ``{cite}``."""
    counted: collections.Counter = collections.Counter()
    for page in pages:
        for match in CITE_ROLE.finditer(Path(page).read_text(encoding="utf-8")):
            counted.update(key.strip() for key in match.group(1).split(","))
    return counted


def citation_shares(pages, path: Path = BIBLIOGRAPHY) -> dict[str, float]:
    """The share of all citations in ``pages`` that go to each kind of source."""
    counted = citations(pages)
    kind_of = kinds(path)
    total = sum(counted.values())
    shares = dict.fromkeys(KINDS, 0.0)
    for key, times in counted.items():
        shares[kind_of[key]] += times / total
    return shares


def trusted_hosts(path: Path = TRUSTED_HOSTS) -> dict[str, dict[str, str]]:
    """The reviewed publishers and archives a bibliography address may point at: host -> its row
    (``kind`` of site, ``publisher`` and ``why`` it is the work's own address)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        empty = [column for column in ("host", "kind", "publisher", "why") if not (row.get(column) or "").strip()]
        if empty:
            raise ValueError(f"{path.name}, row {number}: column {empty[0]!r} is empty")
    return {row["host"].strip().lower(): row for row in rows}


def untrusted_addresses(path: Path = BIBLIOGRAPHY, hosts: Path = TRUSTED_HOSTS) -> dict[str, str]:
    """Entries whose ``url`` is on a host outside the reviewed list: key -> url."""
    from urllib.parse import urlsplit

    trusted = trusted_hosts(hosts)
    return {
        key: fields["url"]
        for key, fields in _entries(path).items()
        if fields.get("url") and (urlsplit(fields["url"]).hostname or "").lower() not in trusted
    }
