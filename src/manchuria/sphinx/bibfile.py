"""``references.bib`` read straight from the file, without pybtex: its entries, their author-year labels, their kinds.

A chart's tooltip or an explorer's table says "Harriman, 1945", not the key
``frus1945v07d764`` the data files use, and the book's citations print the same
label (:mod:`.bibstyle` takes the 1945a/1945b letters from :func:`years`). The
labels follow sphinxcontrib-bibtex's ``author_year`` style (a test checks every
entry of ``references.bib`` against it), but are read straight from the file:
parsing it with pybtex costs about a second, which every notebook would pay.
The kernel modules import these facts through :mod:`manchuria.sources`, the
build code directly; this module imports no other module of the package.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

ENTRY_START = re.compile(r"@\w+\s*\{\s*([^,\s]+)\s*,")
FIELD_START = re.compile(r"\s*(\w+)\s*=\s*")
# What the author-year style prints for an entry without a year.
NO_DATE = "n.d."


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


def plain(latex: str) -> str:
    """A field as text: braces that protect case dropped, LaTeX escapes decoded."""
    if "\\" in latex:
        from pybtex.richtext import Text

        return str(Text.from_latex(latex))
    # LaTeX's dash ligatures, as pybtex decodes them.
    return latex.replace("{", "").replace("}", "").replace("---", "—").replace("--", "–")


def _last_names(person: str) -> str:
    from pybtex.database import Person

    parsed = Person(person)
    return plain(" ".join([*parsed.prelast_names, *parsed.last_names]))


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
    return _authors(who) if who else plain(fields.get("title", ""))


def _year_of(fields: dict[str, str]) -> str:
    return plain(fields["year"]) if fields.get("year") else NO_DATE


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
def entries(path: Path) -> dict[str, dict[str, str]]:
    """Every entry of a ``.bib`` file: key -> its fields (lower-case names, values as written)."""
    text = path.read_text(encoding="utf-8")
    return {match.group(1): _fields(text, match.end()) for match in ENTRY_START.finditer(text)}


@functools.lru_cache(maxsize=4)
def years(path: Path) -> dict[str, str]:
    """Every entry's year as citations print it: works by the same author in the same year get
    a, b, ... in the order of their titles (``1945a``, ``n.d.-b``), so no two works share a label."""
    found = entries(path)
    shared: dict[str, list[str]] = {}
    for key, fields in found.items():
        shared.setdefault(label_of(fields), []).append(key)
    shown = {key: _year_of(fields) for key, fields in found.items()}
    for keys in shared.values():
        if len(keys) > 1:
            keys.sort(key=lambda key: (plain(found[key].get("title", "")).casefold(), key))
            for index, key in enumerate(keys):
                year = shown[key]
                shown[key] = f"{year}{'-' if year == NO_DATE else ''}{_suffix(index)}"
    return shown


@functools.lru_cache(maxsize=4)
def labels(path: Path) -> dict[str, str]:
    """Every entry's key and its author-year label, as the book's citations print it."""
    shown = years(path)
    return {key: f"{_name_of(fields)}, {shown[key]}" for key, fields in entries(path).items()}


# What kind of source each entry is: the bibliography groups its entries under these headings,
# and the book holds its citations to shares of them (see ``manchuria.sources.citation_shares``).
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
