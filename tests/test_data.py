"""The loaders check every row against datapackage.json and say exactly what is wrong."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pandas as pd
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
def package_copy(tmp_path: Path):
    """A copy of data/ and references.bib; `edit(file, old, new)` changes a file and re-hashes it."""
    folder = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, folder)
    bibliography = tmp_path / "references.bib"
    shutil.copy(data.BIBLIOGRAPHY, bibliography)

    def edit(filename: str, old: str, new: str, *, rehash: bool = True) -> None:
        path = folder / filename
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not in {filename}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        if rehash:
            data.update_hashes(folder)

    def load(name: str):
        return data.load(name, folder, bibliography)

    return edit, load


@pytest.fixture
def broken(package_copy):
    """The same, for arms.csv alone."""
    edit, load = package_copy
    return functools.partial(edit, "arms.csv"), functools.partial(load, "arms")


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
    assert "arms.csv, row 2, column 'basis': found '', expected a value (this column is required)" in _message(load)


def test_value_outside_the_allowed_set(broken):
    edit, load = broken
    edit("gs-artillery,artillery,", "gs-artillery,cannons,")
    message = _message(load)
    assert "arms.csv, row 4, column 'category': found 'cannons', expected one of rifles, machine_guns" in message


def test_below_minimum(broken):
    edit, load = broken
    edit("ratio,10,", "ratio,-10,")
    assert "arms.csv, row 4, column 'value': found '-10', expected a value of at least 0" in _message(load)


def test_period_out_of_the_chapter(broken):
    edit, load = broken
    edit("ratio,2,Communist acquisitions = 1,1945-1946", "ratio,2,Communist acquisitions = 1,1937-1946")
    assert "arms.csv, row 2, column 'period': found '1937-1946', expected text matching the pattern" in _message(load)


def test_duplicate_primary_key(broken):
    edit, load = broken
    edit("gs-machine-guns,", "gs-rifles,")
    assert (
        "arms.csv, row 3, column 'id': found 'gs-rifles', expected a value not already used (row 2 has it)"
        in _message(load)
    )


def test_unknown_source_key(broken):
    edit, load = broken
    edit("1945-1946,globalsecurity_northeast,", "1945-1946,nosuchsource,")
    assert (
        "arms.csv, row 2, column 'source_keys': found 'nosuchsource', expected a key defined in references.bib"
        in _message(load)
    )


def test_wrong_hash_names_the_file_and_the_fix(broken):
    edit, load = broken
    edit("ratio,10,", "ratio,11,", rehash=False)
    message = _message(load)
    assert "arms.csv: sha256 is" in message and "but datapackage.json records" in message
    assert "make data-hashes" in message


def test_wrong_number_of_cells(broken):
    edit, load = broken
    edit("gs-rifles,rifles,", "gs-rifles,rifles,extra,")
    assert "arms.csv, row 2: found '11 cells', expected 10 cells" in _message(load)


def test_renamed_column_in_header(broken):
    edit, load = broken
    edit("id,category,", "key,category,")
    assert "arms.csv, row 1: found 'key,category" in _message(load)


def test_unknown_resource_lists_the_known_ones():
    with pytest.raises(DataError, match="no resource named 'armz'; expected one of events, places, names, arms"):
        data.load("armz")


def test_invalid_datapackage_json(broken, tmp_path):
    _, load = broken
    (tmp_path / "data" / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert "datapackage.json: not valid JSON" in _message(load)


# --- The whole package ------------------------------------------------------------------

RESOURCES = [item["name"] for item in data.read_package()["resources"]]


@pytest.mark.parametrize("name", RESOURCES)
def test_every_resource_loads_with_a_named_loader(name):
    frame = getattr(data, f"load_{name}")()
    assert len(frame) > 0
    assert frame["id"].is_unique


def test_frictionless_validates_the_package():
    from frictionless import validate

    report = validate(data.DATA_DIR / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_every_resource_is_described_in_the_readme():
    readme = (data.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for item in data.read_package()["resources"]:
        assert f"`{item['path']}`" in readme, item["path"]


# --- Broken data across files -----------------------------------------------------------


def _first_data_row(name: str) -> str:
    return (data.DATA_DIR / f"{name}.csv").read_text(encoding="utf-8").splitlines()[1]


@pytest.mark.parametrize(
    "bad_date, expected",
    [
        ("1944-12-31", "expected a value of at least 1945-02-11"),
        ("1945-02-30", "expected an ISO date YYYY-MM-DD that exists on the calendar"),
    ],
)
def test_event_date_out_of_range_or_impossible(package_copy, bad_date, expected):
    edit, load = package_copy
    row = _first_data_row("events")
    start = row.split(",")[1]
    edit("events.csv", row, row.replace(f",{start},", f",{bad_date},", 1))
    assert f"events.csv, row 2, column 'start_date': found '{bad_date}', {expected}" in _message(lambda: load("events"))


def test_event_ending_before_it_starts(package_copy):
    edit, load = package_copy
    row = _first_data_row("events")
    start = row.split(",")[1]
    fields = row.split(",")
    fields[2] = "1945-02-11" if start > "1945-02-11" else "1944-12-31"
    edit("events.csv", row, ",".join(fields))
    message = _message(lambda: load("events"))
    assert "events.csv, row 2, column 'end_date'" in message


def test_unknown_place_in_events_names_the_foreign_key(package_copy):
    edit, load = package_copy
    lines = (data.DATA_DIR / "events.csv").read_text(encoding="utf-8").splitlines()
    number, row = next((n, line) for n, line in enumerate(lines[1:], start=2) if ",moscow," in line)
    edit("events.csv", row, row.replace(",moscow,", ",atlantis,", 1))
    assert (
        f"events.csv, row {number}, column 'place': found 'atlantis', expected an existing id in places.csv"
        in _message(lambda: load("events"))
    )


def test_claim_from_a_document_the_book_was_not_commissioned_from(package_copy):
    edit, load = package_copy
    row = _first_data_row("claims")
    source = row.split(",")[2]
    edit("claims.csv", row, row.replace(f",{source},", ",wikipedia_treaty1945,", 1))
    assert (
        "claims.csv, row 2, column 'source_key': found 'wikipedia_treaty1945', expected one of globalsecurity_northeast, wikipedia_occupation"
        in _message(lambda: load("claims"))
    )


# --- What the evidence must cover -------------------------------------------------------


def test_at_least_sixty_events_from_yalta_to_the_lushun_handover():
    events = data.load_events()
    assert len(events) >= 60
    assert events["start_date"].min() == pd.Timestamp("1945-02-11")
    assert events["start_date"].max() <= pd.Timestamp("1955-05-31")
    assert events["start_date"].max() >= pd.Timestamp("1955-05-01"), "the chapter ends with the Lüshun handover"


@pytest.mark.parametrize(
    "day, what",
    [
        ("1945-02-11", "Yalta Agreement"),
        ("1945-08-09", "Soviet invasion"),
        ("1945-08-14", "Sino-Soviet treaty"),
        ("1945-08-15", "Japanese surrender broadcast"),
        ("1946-03-22", "Soviet note: out by the end of April"),
        ("1946-05-03", "withdrawal completed (Wikipedia)"),
    ],
)
def test_every_dated_event_of_the_source_documents_is_recorded(day, what):
    events = data.load_events()
    assert (events["start_date"] == pd.Timestamp(day)).any(), what


def test_claims_show_both_ends_of_the_withdrawal():
    claims = data.load_claims()
    withdrawal = claims[claims["topic"] == "withdrawal"]
    values = " ".join(withdrawal["stated_value"]).lower()
    assert "april 1946" in values and "3 may 1946" in values


def test_every_claim_has_a_verdict_and_evidence():
    claims = data.load_claims()
    assert set(claims["source_key"]) == {"globalsecurity_northeast", "wikipedia_occupation"}
    assert claims["evidence"].str.len().min() > 20


def test_value_reads_one_cell_and_names_what_is_missing():
    assert data.value("forces", "sov-troops-wpinv", "value_low") == 1577725
    with pytest.raises(DataError, match="forces.csv has no row with id 'nope'"):
        data.value("forces", "nope", "value_low")
    with pytest.raises(DataError, match="forces.csv has no column 'size'; expected one of id, side"):
        data.value("forces", "sov-troops-wpinv", "size")


def test_glue_every_row_glues_each_row_under_its_id():
    from manchuria.story import glue_every_row

    glued = glue_every_row("people", "value_low")
    assert len(glued) == len(data.load_people())
    assert glued["pows_vasilevsky"] == data.value("people", "pows-vasilevsky", "value_low")


def test_glue_values_uses_the_row_ids_as_names():
    from manchuria.story import glue_values

    glued = glue_values("arms", "value", "gs-rifles", "zeng-kelin-rifles")
    assert glued == {"gs_rifles": 2.0, "zeng_kelin_rifles": 20000.0}


def test_verdict_counts_add_up():
    from manchuria.story import VERDICTS, glue_verdict_counts

    counts = glue_verdict_counts()
    assert counts["gs_claims"] + counts["wp_claims"] == counts["all_claims"] == len(data.load_claims())
    assert sum(counts[f"all_{verdict}"] for verdict in VERDICTS) == counts["all_claims"]


# --- How precisely the dates are known ----------------------------------------------------


def test_a_spell_has_an_end_precision_exactly_when_it_has_an_end():
    control = data.load_control()
    assert (control["end_date"].isna() == control["end_precision"].isna()).all(), list(
        control.loc[control["end_date"].isna() != control["end_precision"].isna(), "id"]
    )


def test_a_spell_ends_as_precisely_as_the_next_one_begins():
    """Where the next holder's spell starts on the end day or the day after, both sides date the same change."""
    control = data.load_control()
    checked = 0
    for row in control.dropna(subset=["end_date"]).itertuples():
        following = control[
            (control["place"] == row.place)
            & control["start_date"].between(row.end_date, row.end_date + pd.Timedelta(days=1))
        ]
        for spell in following.itertuples():
            assert row.end_precision == spell.date_precision, (
                f"{row.id} ends ({row.end_precision}) as {spell.id} begins ({spell.date_precision})"
            )
            checked += 1
    assert checked >= 15


def test_month_only_dates_are_marked_as_such():
    """Dates a source gives to the month only ("by the end of April", an undated photo of June 1946)."""
    withdrawal = data.load_withdrawal().set_index("id")
    assert withdrawal.loc["end-april-1946", "deadline_precision"] == "month"
    assert withdrawal.loc["three-december-1945", "deadline_precision"] == "day"
    removals = data.load_removals().set_index("id")
    assert removals.loc["anshan-boilers-partial-pauley", "date_precision"] == "month"
    assert data.load_control().set_index("id").loc["qiqihar-soviet", "date_precision"] == "month"


def test_an_unknown_precision_is_rejected_with_the_allowed_ones(package_copy):
    edit, load = package_copy
    edit("withdrawal.csv", "1946-03-22,1946-04-30,month,", "1946-03-22,1946-04-30,week,")
    assert "withdrawal.csv, row 6, column 'deadline_precision': found 'week', expected one of day, month" in _message(
        lambda: load("withdrawal")
    )
