"""Search synonyms from the names data (``manchuria.sphinx.namesearch``), on a small project.

A page that mentions a name in one form gets an index entry for every form, so the
search index (``searchindex.js``) finds it by any of them; the book-wide browser test
(``tests/test_browser.py``) then searches the built book as a reader does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from manchuria.sphinx.namesearch import Name, index_entries, read_names, unmarked

LUSHUN_FORMS = {"lüshun", "lushun", "port arthur", "旅顺口", "旅順口", "порт-артур", "旅順", "ryojun"}


def search_index(outdir: Path) -> dict:
    text = (outdir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(re.fullmatch(r"Search\.setIndex\((.*)\)", text.strip(), re.DOTALL)[1])


def pages_for(index: dict, entry: str) -> dict[str, str]:
    """The pages (docname -> anchor) an index entry of the search index points at."""
    return {index["docnames"][file]: anchor for file, anchor, _main in index["indexentries"].get(entry, [])}


def test_unmarked_drops_the_marks_of_latin_letters_only():
    assert unmarked("Lüshun") == "Lushun"
    assert unmarked("Shinkyō") == "Shinkyo"
    assert unmarked("Дальний") == "Дальний", "й is a letter of its own, not и with a mark"
    assert unmarked("旅順") == "旅順"


def test_names_gather_every_form_of_every_row_with_the_same_modern_form(tmp_path):
    names = {name.modern: name for name in read_names(Path(__file__).parent / "roots" / "test-names" / "data")}
    assert set(names) == {"Lüshun", "Gao Gang", "Dalian"}
    assert set(names["Lüshun"].forms) == {"Lushun", "Port Arthur", "旅顺口", "旅順口", "Порт-Артур", "旅順", "Ryojun"}
    assert names["Lüshun"].where == "names.csv row 2"


def test_a_table_without_a_column_it_needs_is_an_error_that_names_them(tmp_path):
    (tmp_path / "names.csv").write_text("id,pinyin,chinese\nx,X,叉\n", encoding="utf-8")
    (tmp_path / "places.csv").write_text("id,name_pinyin,period_names,chinese\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"names\.csv: no column wade_giles, chinese_traditional, russian, japanese"):
        read_names(tmp_path)


def test_each_other_form_is_an_entry_that_sends_the_reader_to_the_modern_one():
    entries = index_entries(Name("Gao Gang", ("Kao Kang", "高岗"), "names.csv row 3"), "the-man")
    assert entries == [
        ("single", "Gao Gang", "the-man", "", None),
        ("see", "Kao Kang; Gao Gang", "the-man", "", None),
        ("see", "高岗; Gao Gang", "the-man", "", None),
    ]


@pytest.mark.sphinx("html", testroot="names", freshenv=True)
def test_a_page_is_found_by_every_form_of_a_name_it_mentions_in_one(app):
    app.build()
    assert app.warning.getvalue() == ""
    index = search_index(app.outdir)
    for form in LUSHUN_FORMS:
        assert pages_for(index, form) == {"port": "the-base", "lushun": "lushun"}, form
    assert pages_for(index, "dairen") == {"lushun": "lushun"}, "characters found inside the text, without spaces"
    assert pages_for(index, "kao kang") == {}, "Gao Gangzhou is another word; a name in code is not a mention"


@pytest.mark.sphinx("html", testroot="names", freshenv=True)
def test_the_general_index_lists_the_pages_under_the_modern_form_and_sends_other_forms_there(app):
    app.build()
    genindex = (app.outdir / "genindex.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="lushun\.html#lushun">Lüshun</a>, <a href="port\.html#the-base">\[1\]</a>', genindex)
    assert genindex.count("see Lüshun") == 7, "each other form once, however many pages mention it"
    assert "Port Arthur" in genindex and 'port.html#the-base">Port Arthur' not in genindex


@pytest.fixture
def index_after(app, make_app, app_params):
    """``index_after(change)``: build, let ``change(srcdir)`` edit the project, build again as
    an incremental build does, and return the search index."""

    def rebuild(change) -> dict:
        app.build()
        change(app.srcdir)
        args, kwargs = app_params
        again = make_app(*args, **{**kwargs, "freshenv": False})
        again.build()
        return search_index(again.outdir)

    return rebuild


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.mark.sphinx("html", testroot="names", freshenv=True)
def test_a_form_added_to_the_data_reaches_the_search_index_on_the_next_build(index_after):
    index = index_after(
        lambda srcdir: edit(srcdir / "data" / "names.csv", "Port Arthur,", "Port Arthur;Arthur's Port,")
    )
    assert pages_for(index, "arthur's port") == {"port": "the-base", "lushun": "lushun"}


@pytest.mark.sphinx("html", testroot="names", freshenv=True)
def test_a_page_not_written_again_keeps_its_entries_in_the_search_index(index_after):
    """An incremental build writes only the changed page, and the search index keeps the others' entries."""
    index = index_after(lambda srcdir: (srcdir / "other.rst").write_text("Other\n=====\n\nNothing here.\n"))
    assert pages_for(index, "port arthur") == {"port": "the-base", "lushun": "lushun"}


@pytest.mark.sphinx("html", testroot="names", freshenv=True)
def test_a_removed_page_leaves_the_search_index(index_after):
    """The entries kept for pages not written again are dropped with a page that is gone."""

    def remove_lushun(srcdir: Path) -> None:
        (srcdir / "lushun.rst").unlink()
        edit(srcdir / "index.rst", "   lushun\n", "")

    assert pages_for(index_after(remove_lushun), "port arthur") == {"port": "the-base"}
