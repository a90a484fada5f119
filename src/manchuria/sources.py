"""Bibliography keys as readers see them: the author-year label the book's citations print.

A chart's tooltip or an explorer's table says "Harriman, 1945", not the key
``frus1945v07d764`` the data files use. How the label is read from
``references.bib``, and the kinds of source (``KINDS``), have their one home in
:mod:`manchuria.sphinx.bibfile`, which the book's citation style uses too; this
module applies them to the repository's bibliography and the data's source columns.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

from .data import BIBLIOGRAPHY, LIST_SEPARATOR
from .sphinx import bibfile
from .sphinx.bibfile import KINDS, entries, plain


class UnknownSourceError(KeyError):
    """A source key that references.bib does not define."""

    def __str__(self) -> str:
        return str(self.args[0])


def years(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's year as citations print it: ``1945a``, ``1945b`` where works would share a label."""
    return bibfile.years(path)


def labels(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's key and its author-year label, as the book's citations print it."""
    return bibfile.labels(path)


def source_labels(keys: str, path: Path = BIBLIOGRAPHY) -> str:
    """A data cell of ;-separated source keys as reader text: ``Harriman, 1945; GlobalSecurity.org, 2011``."""
    known = labels(path)
    shown = []
    for key in filter(None, (key.strip() for key in keys.split(LIST_SEPARATOR))):
        if key not in known:
            raise UnknownSourceError(f"unknown source key {key!r}: expected a key defined in {path.name}")
        shown.append(known[key])
    return "; ".join(dict.fromkeys(shown))


# The shares the book holds its citations to (issue 12).
MOST_TERTIARY = 0.05
LEAST_PRIMARY_OR_SCHOLARLY = 2 / 3
TRUSTED_HOSTS = BIBLIOGRAPHY.with_name("references-hosts.csv")
CITE_ROLE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


class SourceKindError(ValueError):
    """An entry without a kind, or with one the book does not know."""


def kinds(path: Path = BIBLIOGRAPHY) -> dict[str, str]:
    """Every entry's kind; an entry without one, or with an unknown one, is an error naming it."""
    found = {key: plain(fields.get("kind", "")).strip() for key, fields in entries(path).items()}
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
        for key, fields in entries(path).items()
        if fields.get("url") and (urlsplit(fields["url"]).hostname or "").lower() not in trusted
    }
