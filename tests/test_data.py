"""The loaders check every row against datapackage.json and say exactly what is wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from manchuria import data
from manchuria.data import DataError


def test_arms_loads_with_types():
    arms = data.load_arms()
    assert len(arms) >= 3
    assert arms["value"].dtype == "float64"
    assert arms["id"].is_unique


def test_recorded_hashes_match_the_files():
    for item in data.read_package()["resources"]:
        assert item["hash"] == f"sha256:{data.sha256(data.DATA_DIR / item['path'])}", item["name"]


def test_every_source_key_is_in_the_bibliography():
    keys = data.bibliography_keys()
    for cited in data.load_arms()["source_keys"]:
        assert set(cited.split(";")) <= keys


@pytest.fixture
def broken(tmp_path: Path):
    """A copy of data/ and references.bib; `edit(old, new)` changes arms.csv and re-hashes it."""
    folder = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, folder)
    bibliography = tmp_path / "references.bib"
    shutil.copy(data.BIBLIOGRAPHY, bibliography)

    def edit(old: str, new: str, *, rehash: bool = True) -> Path:
        csv = folder / "arms.csv"
        text = csv.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not in arms.csv"
        csv.write_text(text.replace(old, new, 1), encoding="utf-8")
        if rehash:
            data.update_hashes(folder)
        return csv

    def load():
        return data.load("arms", folder, bibliography)

    return edit, load


def _message(load) -> str:
    with pytest.raises(DataError) as caught:
        load()
    return str(caught.value)


def test_wrong_type_names_file_row_column_and_value(broken):
    edit, load = broken
    edit("gs-machine-guns,machine_guns,nationalist,ratio,6,", "gs-machine-guns,machine_guns,nationalist,ratio,six,")
    assert "arms.csv, row 3, column 'value': found 'six', expected a number" in _message(load)


def test_missing_required_value(broken):
    edit, load = broken
    edit("gs-rifles,rifles,nationalist,ratio,2,Communist acquisitions = 1,", "gs-rifles,rifles,nationalist,ratio,2,,")
    assert "row 2, column 'basis': found '', expected a value (this column is required)" in _message(load)


def test_value_outside_the_allowed_set(broken):
    edit, load = broken
    edit("gs-artillery,artillery,", "gs-artillery,cannons,")
    message = _message(load)
    assert "row 4, column 'category': found 'cannons', expected one of rifles, machine_guns" in message


def test_below_minimum(broken):
    edit, load = broken
    edit("ratio,10,", "ratio,-10,")
    assert "row 4, column 'value': found '-10', expected a value of at least 0" in _message(load)


def test_period_out_of_the_chapter(broken):
    edit, load = broken
    edit("ratio,2,Communist acquisitions = 1,1945-1946", "ratio,2,Communist acquisitions = 1,1937-1946")
    assert "row 2, column 'period': found '1937-1946', expected text matching the pattern" in _message(load)


def test_duplicate_primary_key(broken):
    edit, load = broken
    edit("gs-machine-guns,", "gs-rifles,")
    assert "row 3, column 'id': found 'gs-rifles', expected a value not already used (row 2 has it)" in _message(load)


def test_unknown_source_key(broken):
    edit, load = broken
    edit("1945-1946,globalsecurity_northeast,", "1945-1946,nosuchsource,")
    assert "row 2, column 'source_keys': found 'nosuchsource', expected a key defined in references.bib" in _message(load)


def test_wrong_hash_names_the_file_and_the_fix(broken):
    edit, load = broken
    edit("ratio,10,", "ratio,11,", rehash=False)
    message = _message(load)
    assert "arms.csv: sha256 is" in message and "but datapackage.json records" in message
    assert "make data-hashes" in message


def test_wrong_number_of_cells(broken):
    edit, load = broken
    edit("gs-rifles,rifles,", "gs-rifles,rifles,extra,")
    assert "row 2: found '10 cells', expected 9 cells" in _message(load)


def test_renamed_column_in_header(broken):
    edit, load = broken
    edit("id,category,", "key,category,")
    assert "row 1: found 'key,category" in _message(load)


def test_unknown_resource_lists_the_known_ones():
    with pytest.raises(DataError, match="no resource named 'armz'; expected one of arms"):
        data.load("armz")


def test_invalid_datapackage_json(broken, tmp_path):
    _, load = broken
    (tmp_path / "data" / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert "datapackage.json: not valid JSON" in _message(load)
