"""Load the book's CSV files, validating each against ``data/datapackage.json``.

Every check names the file, the row (counting the header as row 1, as a
spreadsheet does), the column, the value found and what was expected. Nothing
is dropped or coerced silently: a file either loads whole or raises
:class:`DataError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from .book import REPO_ROOT
from .sphinx import datapackage
from .sphinx.datapackage import BIBLIOGRAPHY_FLAG, LIST_SEPARATOR, PACKAGE_FILE, DataError

DATA_DIR = REPO_ROOT / "data"
BIBLIOGRAPHY = REPO_ROOT / "references.bib"
# Pairs of columns where the second, when given, may not be less than the first.
ORDERED_PAIRS = (("start_date", "end_date"), ("value_low", "value_high"))


@dataclass(frozen=True)
class Location:
    """Where a value sits: used to word every error the same way."""

    path: Path
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [_display(self.path)]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _fail(where: Location, found: Any, expected: str) -> DataError:
    return DataError(f"{where}: found {found!r}, expected {expected}")


# --- Parsing cell text into typed values ------------------------------------------------


def _parse_string(text: str) -> str:
    return text


def _parse_integer(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError
    return int(text)


def _parse_number(text: str) -> float:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return float(number)


def _parse_date(text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError
    return dt.date.fromisoformat(text)


def _parse_boolean(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError
    return text == "true"


PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "string": (_parse_string, "text"),
    "integer": (_parse_integer, "a whole number such as 42"),
    "number": (_parse_number, "a number such as 2 or 0.5"),
    "date": (_parse_date, "an ISO date YYYY-MM-DD that exists on the calendar"),
    "boolean": (_parse_boolean, "true or false"),
}


# --- The data package -------------------------------------------------------------------


def read_package(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The parsed ``datapackage.json``."""
    return datapackage.read_package(data_dir, shown_as=_display(data_dir / PACKAGE_FILE))


def resource(name: str, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The description of one resource, by name."""
    package = read_package(data_dir)
    names = [item["name"] for item in package["resources"]]
    if name not in names:
        raise DataError(
            f"{_display(data_dir / 'datapackage.json')}: no resource named {name!r}; expected one of {', '.join(names)}"
        )
    return package["resources"][names.index(name)]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bibliography_keys(path: Path = BIBLIOGRAPHY) -> set[str]:
    """Every entry key in a BibTeX file."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.MULTILINE))


def update_hashes(data_dir: Path = DATA_DIR) -> list[str]:
    """Rewrite each resource's ``hash`` from its file; return the names that changed."""
    path = data_dir / "datapackage.json"
    package = read_package(data_dir)
    changed = []
    for item in package["resources"]:
        if not (data_dir / item["path"]).exists():
            raise DataError(f"{_display(data_dir / item['path'])}: file not found (datapackage.json lists it)")
        digest = f"sha256:{sha256(data_dir / item['path'])}"
        if item.get("hash") != digest:
            item["hash"] = digest
            changed.append(item["name"])
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


# --- Validation -------------------------------------------------------------------------


def _check_constraints(where: Location, value: Any, text: str, field: dict[str, Any]) -> None:
    constraints = field.get("constraints", {})
    if "enum" in constraints and text not in constraints["enum"]:
        raise _fail(where, text, f"one of {', '.join(map(str, constraints['enum']))}")
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        raise _fail(where, text, f"text matching the pattern {constraints['pattern']}")
    parse = PARSERS[field.get("type", "string")][0]
    if "minimum" in constraints:
        minimum = parse(str(constraints["minimum"]))
        if value < minimum:
            raise _fail(where, text, f"a value of at least {constraints['minimum']}")
    if "maximum" in constraints:
        maximum = parse(str(constraints["maximum"]))
        if value > maximum:
            raise _fail(where, text, f"a value of at most {constraints['maximum']}")
    if "minLength" in constraints and len(text) < constraints["minLength"]:
        raise _fail(where, text, f"at least {constraints['minLength']} characters")


def validate_rows(path: Path, schema: dict[str, Any], bib_keys: set[str] | None = None) -> list[dict[str, Any]]:
    """Parse and check every row of one CSV file; return the rows as typed dicts."""
    fields = schema["fields"]
    names = [field["name"] for field in fields]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise _fail(Location(path, 1), "", f"a header row: {','.join(names)}") from None
        except csv.Error as error:
            raise DataError(f"{Location(path, 1)}: malformed CSV ({error})") from None
        if header != names:
            raise _fail(Location(path, 1), ",".join(header), f"the header {','.join(names)}")
        rows = []
        seen: dict[tuple, int] = {}
        unique_fields = [f["name"] for f in fields if f.get("constraints", {}).get("unique")]
        unique_seen: dict[str, dict[Any, int]] = {name: {} for name in unique_fields}
        primary_key = schema.get("primaryKey", [])
        if isinstance(primary_key, str):
            primary_key = [primary_key]
        row_number = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise DataError(f"{Location(path, row_number + 1)}: malformed CSV ({error})") from None
            row_number += 1
            if len(cells) != len(names):
                raise _fail(
                    Location(path, row_number),
                    f"{len(cells)} cells",
                    f"{len(names)} cells, one for each column {', '.join(names)}",
                )
            row: dict[str, Any] = {}
            for field, text in zip(fields, cells):
                where = Location(path, row_number, field["name"])
                constraints = field.get("constraints", {})
                if text == "":
                    if constraints.get("required"):
                        raise _fail(where, text, "a value (this column is required)")
                    row[field["name"]] = None
                    continue
                parse, expected = PARSERS[field.get("type", "string")]
                try:
                    value = parse(text)
                except ValueError:
                    raise _fail(where, text, f"{expected} (type {field.get('type', 'string')})") from None
                _check_constraints(where, value, text, field)
                if field["name"] in unique_seen:
                    first = unique_seen[field["name"]].setdefault(value, row_number)
                    if first != row_number:
                        raise _fail(where, text, f"a value not already used (row {first} has it)")
                if field.get(BIBLIOGRAPHY_FLAG) and bib_keys is not None:
                    for key in text.split(LIST_SEPARATOR):
                        if key not in bib_keys:
                            raise _fail(where, key, "a key defined in references.bib")
                row[field["name"]] = value
            _check_order(path, row_number, row)
            if primary_key:
                key = tuple(row[name] for name in primary_key)
                first = seen.setdefault(key, row_number)
                if first != row_number:
                    raise _fail(
                        Location(path, row_number, ",".join(primary_key)),
                        key if len(key) > 1 else key[0],
                        f"a primary key not already used (row {first} has it)",
                    )
            rows.append(row)
    return rows


def _check_order(path: Path, row_number: int, row: dict[str, Any]) -> None:
    for first, second in ORDERED_PAIRS:
        low, high = row.get(first), row.get(second)
        if low is not None and high is not None and high < low:
            raise _fail(Location(path, row_number, second), str(high), f"a value not before {first} ({low})")


def _check_foreign_keys(
    path: Path, rows: list[dict[str, Any]], schema: dict[str, Any], data_dir: Path, bibliography: Path
) -> None:
    for foreign_key in schema.get("foreignKeys", []):
        (column,) = _as_list(foreign_key["fields"])
        reference = foreign_key["reference"]
        (target_column,) = _as_list(reference["fields"])
        target = load(reference["resource"], data_dir, bibliography)
        allowed = set(target[target_column])
        for row_number, row in enumerate(rows, start=2):
            value = row[column]
            if value is not None and value not in allowed:
                raise _fail(
                    Location(path, row_number, column),
                    value,
                    f"an existing {target_column} in {reference['resource']}.csv",
                )


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _frame(rows: list[dict[str, Any]], fields: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[field["name"] for field in fields])
    for field in fields:
        name, kind = field["name"], field.get("type", "string")
        if kind == "date":
            frame[name] = pd.to_datetime(frame[name])
        elif kind == "integer":
            frame[name] = frame[name].astype("Int64")
        elif kind == "number":
            frame[name] = frame[name].astype("float64")
    return frame


def load(name: str, data_dir: Path = DATA_DIR, bibliography: Path = BIBLIOGRAPHY) -> pd.DataFrame:
    """Load one resource of the data package as a typed DataFrame, after checking all of it."""
    item = resource(name, data_dir)
    path = data_dir / item["path"]
    if not path.exists():
        raise DataError(f"{_display(path)}: file not found (datapackage.json lists it as {name!r})")
    expected_hash = item.get("hash")
    if expected_hash:
        algorithm, _, digest = expected_hash.partition(":")
        if algorithm != "sha256" or not digest:
            raise DataError(
                f"{_display(data_dir / 'datapackage.json')}: resource {name!r} hash "
                f"{expected_hash!r} is not of the form sha256:<hex>"
            )
        actual = sha256(path)
        if actual != digest:
            raise DataError(
                f"{_display(path)}: sha256 is {actual}, but datapackage.json records {digest}; "
                "if the edit is intended, run `make data-hashes`"
            )
    bib_keys = bibliography_keys(bibliography) if bibliography.exists() else set()
    rows = validate_rows(path, item["schema"], bib_keys)
    _check_foreign_keys(path, rows, item["schema"], data_dir, bibliography)
    return _frame(rows, item["schema"]["fields"])


def load_events(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Dated events, 11 February 1945 to 31 May 1955 (``data/events.csv``)."""
    return load("events", data_dir)


def load_places(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Places the book names, with period names and coordinates (``data/places.csv``)."""
    return load("places", data_dir)


def load_names(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """People, places and institutions in every form (``data/names.csv``)."""
    return load("names", data_dir)


def load_arms(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Captured Japanese arms, as the sources state them (``data/arms.csv``)."""
    return load("arms", data_dir)


def load_forces(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Forces in the August 1945 invasion, one row per source figure (``data/forces.csv``)."""
    return load("forces", data_dir)


def load_removals(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Estimates of Soviet removals of Manchurian industry (``data/removals.csv``)."""
    return load("removals", data_dir)


def load_people(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Figures for the Japanese prisoners, civilians and retained personnel, 1945–1948 (``data/people.csv``)."""
    return load("people", data_dir)


def load_withdrawal(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Each announced deadline for the Soviet withdrawal (``data/withdrawal.csv``)."""
    return load("withdrawal", data_dir)


def load_concessions(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The 1945 concessions: terms promised and actual returns (``data/concessions.csv``)."""
    return load("concessions", data_dir)


def load_control(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Who held each major city, 1945–1948 (``data/control.csv``)."""
    return load("control", data_dir)


def load_claims(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The two commissioning documents' claims, with verdicts (``data/claims.csv``)."""
    return load("claims", data_dir)


def load_figures(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Other figures the prose quotes, each with its source (``data/figures.csv``)."""
    return load("figures", data_dir)


_CACHE: dict[tuple[str, str], tuple[tuple, pd.DataFrame]] = {}


def _loaded(name: str, data_dir: Path) -> pd.DataFrame:
    """`load`, remembered while no file in the data folder or the bibliography changes."""
    signature = tuple(
        (path.name, path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted([*data_dir.glob("*"), BIBLIOGRAPHY])
        if path.is_file()
    )
    key = (name, str(data_dir))
    if key not in _CACHE or _CACHE[key][0] != signature:
        _CACHE[key] = (signature, load(name, data_dir))
    return _CACHE[key][1]


def value(name: str, row_id: str, column: str, data_dir: Path = DATA_DIR) -> Any:
    """One cell of a resource as a plain Python value, for glueing into the text."""
    frame = _loaded(name, data_dir)
    rows = frame[frame["id"] == row_id]
    if rows.empty:
        raise DataError(f"{name}.csv has no row with id {row_id!r}")
    if column not in frame.columns:
        raise DataError(f"{name}.csv has no column {column!r}; expected one of {', '.join(frame.columns)}")
    cell = rows.iloc[0][column]
    return cell.item() if hasattr(cell, "item") else cell


def cited_keys(data_dir: Path = DATA_DIR) -> set[str]:
    """Every bibliography key any data row cites."""
    keys: set[str] = set()
    for item in read_package(data_dir)["resources"]:
        frame = load(item["name"], data_dir)
        for field in item["schema"]["fields"]:
            if field.get(BIBLIOGRAPHY_FLAG):
                for cell in frame[field["name"]].dropna():
                    keys |= set(cell.split(LIST_SEPARATOR))
    return keys


if __name__ == "__main__":
    # `python -m manchuria.data` refreshes the recorded hashes after an intended edit.
    for changed in update_hashes():
        print(f"updated hash of {changed}")
