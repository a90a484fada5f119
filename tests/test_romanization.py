"""The book's one romanization rule ("Names and scripts" in the front matter) holds in its text, data and bibliography."""

from __future__ import annotations

import re

import pytest

from manchuria import data, romanization

PAGES = sorted((data.REPO_ROOT / "book").glob("*.md"))
DATA_FILES = sorted(data.DATA_DIR.glob("*.csv"))


@pytest.fixture(scope="module")
def names():
    return data.load("names")


def _everything(*, bibliography: bool = True) -> dict[str, str]:
    """Every page's running text, every data file and the bibliography (but for the titles of
    works, which are cited as their publishers print them), by file name."""
    texts = {page.name: romanization.running_text(page.read_text(encoding="utf-8")) for page in PAGES}
    texts |= {path.name: path.read_text(encoding="utf-8") for path in DATA_FILES}
    if bibliography:
        bib = data.BIBLIOGRAPHY.read_text(encoding="utf-8")
        texts["references.bib"] = re.sub(r"(?m)^\s*(title|url)\s*=.*$", "", bib)
    return texts


def test_the_front_matter_states_the_rule():
    index = (data.REPO_ROOT / "book" / "index.md").read_text(encoding="utf-8")
    assert "## Names and scripts" in index


def test_running_text_writes_chinese_in_simplified_characters(names):
    traditional = set()
    for row in names.dropna(subset=["chinese"]).itertuples():
        for simplified, old in zip(row.chinese.split(";"), row.chinese_traditional.split(";")):
            traditional |= romanization.traditional_only(simplified, old)
    # Japanese forms (関東軍) share characters with traditional Chinese; they are not Chinese text.
    japanese = re.compile(
        "|".join(
            form for cell in names["japanese"].dropna() for form in re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", cell)
        )
    )
    found = {
        page.name: sorted(
            set(japanese.sub(" ", romanization.running_text(page.read_text(encoding="utf-8")))) & traditional
        )
        for page in PAGES
    }
    assert {page: chars for page, chars in found.items() if chars} == {}


def test_places_give_the_characters_names_csv_gives(names):
    places = data.load("places").dropna(subset=["chinese"])
    simplified = dict(zip(names["id"], names["chinese"]))
    differ = {
        row.id: (row.chinese, simplified.get(row.id))
        for row in places.itertuples()
        if row.id in simplified and row.chinese != simplified[row.id]
    }
    assert differ == {}


def test_every_chinese_name_has_both_scripts(names):
    chinese = names.dropna(subset=["chinese"])
    assert chinese["chinese_traditional"].notna().all()
    for row in chinese.itertuples():
        assert row.chinese.count(";") == row.chinese_traditional.count(";"), row.id


def test_the_glossary_gives_each_name_the_characters_names_csv_gives(names):
    glossary = (data.REPO_ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"[\u4e00-\u9fff]+", romanization.running_text(glossary)))
    known = {form for cell in names["chinese"].dropna() for form in cell.split(";")}
    japanese = {
        form for cell in names["japanese"].dropna() for form in re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", cell)
    }
    assert shown - known - japanese == set()


def test_japanese_period_names_are_written_as_the_period_wrote_them():
    for name, text in _everything(bibliography=False).items():
        for postwar, period in romanization.POSTWAR_JAPANESE.items():
            assert postwar not in text, f"{name}: {postwar} (postwar) for {period}"


def test_japanese_readings_mark_long_vowels(names):
    for row in names.dropna(subset=["japanese"]).itertuples():
        assert not romanization.UNMARKED_LONG_VOWEL.search(row.japanese), row.japanese


def test_each_russian_name_has_one_spelling_everywhere(names):
    variants = {}
    # Russian names proper: rows with a Russian form and no Chinese one (Ван Ши-цзе transliterates
    # Chinese, and is held to Pinyin by the other tests).
    for row in names[names["russian"].notna() & names["chinese"].isna()].itertuples():
        for variant in romanization.russian_variants(row.russian, row.pinyin):
            variants[variant] = row.pinyin
    assert variants, "names.csv gives Russian forms to check"
    found = [
        f"{name}: {variant} (the book writes {variants[variant]})"
        for name, text in _everything().items()
        for variant in variants
        if re.search(rf"\b{variant}\b", text)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("cyrillic", "chosen", "expected"),
    [
        ("Андрей Януарьевич Вышинский", "Andrei Vyshinsky", {"Andrey", "Vyshinskii", "Vyshinskiy"}),
        ("Известия", "Izvestia", {"Izvestiia", "Izvestiya"}),
        ("Иосиф Виссарионович Сталин", "Joseph Stalin", set()),
    ],
)
def test_russian_variants_are_the_other_systems_spellings(cyrillic, chosen, expected):
    assert romanization.russian_variants(cyrillic, chosen) == expected


def test_running_text_leaves_out_code_quotations_and_addresses_but_keeps_directives():
    page = (
        "Text 沈阳.\n\n```{code-cell} ipython3\n蔣 = 1\n```\n\n```{glossary}\nTerm\n  長 here\n```\n"
        "> 國 quoted\n\nHe said “東”, see [x](https://e.org/鐵).\n"
    )
    kept = romanization.running_text(page)
    assert "沈阳" in kept and "長" in kept
    assert not set("蔣國東鐵") & set(kept)
