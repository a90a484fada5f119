"""Search that finds a name in any of its forms, from the names data.

``data/names.csv`` and ``data/places.csv`` hold every form of each name the book
uses: Pinyin, Wade-Giles and period forms, Chinese characters (simplified and
traditional), Russian, Japanese with its reading. When a page mentions a name in
any form, this module gives the page an index entry for every form, through
Sphinx's own index nodes (``addnodes.index``). Sphinx puts index entries in the
search index, and its search matches a query that is part of an entry, so
``旅顺`` finds the pages with ``旅顺口``, and ``Port Arthur``, ``Ryojun``,
``Порт-Артур`` or ``Lushun`` (the form without marks) the pages that say
``Lüshun``. In the General Index the pages are listed under the modern form, and
each other form says "see" it.

The entry points at the section of the page's first mention. The data files are
dependencies of every page (``env.note_dependency``), so a new form reaches the
search index on the next build.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform

from .datapackage import LIST_SEPARATOR

DATA = Path("data")
# The file, the column of the modern form, and the columns of the other forms.
NAME_TABLES = (
    ("names.csv", "pinyin", ("wade_giles", "chinese", "chinese_traditional", "russian", "japanese")),
    ("places.csv", "name_pinyin", ("period_names", "chinese")),
)
# A Japanese form with its reading: 旅順 (Ryojun), 南満洲鉄道 (満鉄 Mantetsu).
READING = re.compile(r"^(?P<written>[^(]+?)\s*\((?P<reading>[^)]+)\)$")
HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Name:
    """One name: its modern form and every other form, as the data gives them."""

    modern: str
    forms: tuple[str, ...]
    where: str  # file and row, for messages


def unmarked(form: str) -> str:
    """The form with its Latin letters unmarked (Lüshun -> Lushun, Shinkyō -> Shinkyo); other scripts kept (й)."""
    letters = []
    for character in form:
        base = unicodedata.normalize("NFD", character)[0]
        letters.append(base if base.isascii() else character)
    return "".join(letters)


def _split(cell: str) -> list[str]:
    forms = []
    for part in (piece.strip() for piece in cell.split(LIST_SEPARATOR)):
        match = READING.match(part)
        if match:
            forms.append(match["written"].strip())
            forms.extend(match["reading"].split())
        elif part:
            forms.append(part)
    return forms


def read_names(data_dir: Path) -> list[Name]:
    """Every name of the names and places tables, one per modern form, with the forms of all its rows.

    A table without the columns read is an error naming the file and the columns.
    """
    names: dict[str, Name] = {}
    for file_name, modern_column, other_columns in NAME_TABLES:
        path = data_dir / file_name
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in (modern_column, *other_columns) if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(f"{path}: no column {', '.join(missing)}; the search synonyms read them")
            for line, row in enumerate(reader, start=2):
                modern = row[modern_column].strip()
                if not modern:
                    continue
                written = [modern, *(form for column in other_columns for form in _split(row[column] or ""))]
                forms = dict.fromkeys(variant for form in written for variant in (form, unmarked(form)))
                known = names.get(modern)
                if known is not None:
                    forms = dict.fromkeys((*known.forms, *forms))
                where = known.where if known else f"{path.name} row {line}"
                names[modern] = Name(modern, tuple(form for form in forms if form != modern), where)
    return list(names.values())


def _form_pattern(form: str) -> str:
    # Characters are matched anywhere (Chinese has no spaces); a Latin or Cyrillic form as whole words.
    if HAN_OR_KANA.search(form):
        return re.escape(form)
    return rf"(?<!\w){re.escape(form)}(?!\w)"


@functools.cache
def mention_pattern(name: Name) -> re.Pattern[str]:
    """Any form of ``name`` in running text; compiled once per name, not once per page."""
    return re.compile("|".join(_form_pattern(form) for form in (name.modern, *name.forms)))


def first_mentions(doctree: nodes.document, names: tuple[Name, ...]) -> dict[Name, nodes.Element]:
    """Each name the page mentions, and the first paragraph-level element that does."""
    # Code is not a mention; the page's text is gathered once for all the names.
    texts = [
        (element, element.astext())
        for element in doctree.findall(nodes.TextElement)
        if not isinstance(element, nodes.FixedTextElement)
    ]
    mentions = {}
    for name in names:
        pattern = mention_pattern(name)
        element = next((element for element, text in texts if pattern.search(text)), None)
        if element is not None:
            mentions[name] = element
    return mentions


def index_entries(name: Name, target: str) -> list[tuple[str, str, str, str, None]]:
    """Sphinx index entries for ``name``: the modern form, and each other form as "see" the modern one.

    The General Index then lists the pages once, under the modern form; the search index
    has every form, each pointing at this page.
    """
    return [("single", name.modern, target, "", None)] + [
        ("see", f"{form}; {name.modern}", target, "", None) for form in name.forms
    ]


@functools.lru_cache(maxsize=4)
def _read_names_as_of(data_dir: Path, stamps: tuple[int, ...]) -> tuple[Name, ...]:
    return tuple(read_names(data_dir))


def names_of(data_dir: Path) -> tuple[Name, ...]:
    """The names, read once while the files are unchanged (the transform runs once per page)."""
    stamps = tuple((data_dir / file_name).stat().st_mtime_ns for file_name, _, _ in NAME_TABLES)
    return _read_names_as_of(data_dir, stamps)


class NameEntries(SphinxTransform):
    """An index entry for every form of every name the page mentions.

    A transform, not a doctree-read handler: the index domain collects a page's entries
    for the General Index in the SphinxDomains transform (priority 850), so they must be
    in the doctree before it.
    """

    default_priority = 840

    def apply(self, **kwargs: Any) -> None:
        data_dir = Path(self.env.srcdir) / DATA
        if not all((data_dir / file_name).exists() for file_name, _, _ in NAME_TABLES):
            return  # a project without the names data has no synonyms to add
        for file_name, _, _ in NAME_TABLES:
            self.env.note_dependency(str(data_dir / file_name))
        for name, element in first_mentions(self.document, names_of(data_dir)).items():
            section = element
            while section is not None and not isinstance(section, nodes.section):
                section = section.parent
            if section is None:
                self.document.insert(0, addnodes.index(entries=index_entries(name, ""), inline=False))
            else:
                section.insert(1, addnodes.index(entries=index_entries(name, section["ids"][0]), inline=False))


def setup(app: Any) -> dict[str, Any]:
    app.add_transform(NameEntries)
    # A new version makes Sphinx read every page again, so a build from before gets the entries.
    return {"env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
