"""Bibliography keys as readers see them: the author-year label the book's citations print.

A chart's tooltip or an explorer's table says "Harriman, 1945", not the key
``frus1945v07d764`` the data files use. The labels follow sphinxcontrib-bibtex's
``author_year`` style, which the book's citations use (a test checks every
entry of ``references.bib`` against it), but are read straight from the file:
parsing it with pybtex costs about a second, which every notebook would pay.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .data import BIBLIOGRAPHY, LIST_SEPARATOR

ENTRY_START = re.compile(r"@\w+\s*\{\s*([^,\s]+)\s*,")
FIELD_START = re.compile(r"\s*(\w+)\s*=\s*")


class UnknownSourceError(KeyError):
    """A source key that references.bib does not define."""

    def __str__(self) -> str:
        return str(self.args[0])


def _braced(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces (or quotes) opening at ``start``, and the index after them."""
    if text[start] == '"':
        end = text.index('"', start + 1)
        return text[start + 1:end], end + 1
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:index], index + 1
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


def label_of(fields: dict[str, str]) -> str:
    """One entry's label: its authors (or editors, or title) and year, as the book's citations print it."""
    who = fields.get("author") or fields.get("editor")
    name = _authors(who) if who else _plain(fields.get("title", ""))
    return f"{name}, {_plain(fields['year']) if fields.get('year') else 'n.d.'}"


@functools.lru_cache(maxsize=4)
def labels(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's key and its author-year label."""
    text = path.read_text(encoding="utf-8")
    return {match.group(1): label_of(_fields(text, match.end())) for match in ENTRY_START.finditer(text)}


def source_labels(keys: str, path: Path = BIBLIOGRAPHY) -> str:
    """A data cell of ;-separated source keys as reader text: ``Harriman, 1945; GlobalSecurity.org, 2011``."""
    known = labels(path)
    shown = []
    for key in filter(None, (key.strip() for key in keys.split(LIST_SEPARATOR))):
        if key not in known:
            raise UnknownSourceError(f"unknown source key {key!r}: expected a key defined in {path.name}")
        shown.append(known[key])
    return "; ".join(dict.fromkeys(shown))
