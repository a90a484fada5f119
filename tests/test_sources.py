"""Source labels: the author-year text readers see in place of bibliography keys."""

from __future__ import annotations

import pytest

from manchuria import data, sources


def _book_label(style, entry) -> str:
    """The label the book's reference style prints for one entry (the book's citations)."""
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    info = SphinxReferenceInfo(None, "", "", entry.key, None, "", "")
    inner = style.inner("alp").format_data(
        data={"entry": entry, "formatted_entry": None, "reference_info": info, "style": style}
    )
    return _unwrapped(style.outer("alp", [inner]).format()).render_as("text")


def _unwrapped(text):
    """The style wraps each reference in a node only docutils can render; keep its text."""
    from pybtex.richtext import BaseMultipartText, Text
    from sphinxcontrib.bibtex.richtext import BaseReferenceText

    if isinstance(text, BaseReferenceText):
        return Text(*[_unwrapped(part) for part in text.parts])
    if isinstance(text, BaseMultipartText):
        return text._create_similar([_unwrapped(part) for part in text.parts])
    return text


def test_every_label_is_the_one_the_book_prints():
    from pybtex.database import parse_file
    from sphinxcontrib.bibtex.plugin import find_plugin

    from manchuria import bibstyle

    bibstyle.register()
    bibliography = parse_file(str(sources.BIBLIOGRAPHY))
    style = find_plugin("sphinxcontrib.bibtex.style.referencing", bibstyle.REFERENCE_STYLE_NAME)()
    labels = sources.labels()
    assert set(labels) == set(bibliography.entries)
    differ = {key: (labels[key], _book_label(style, entry)) for key, entry in bibliography.entries.items()
              if labels[key] != _book_label(style, entry)}
    assert differ == {}


def test_no_two_works_share_a_label():
    shared = {}
    for key, label in sources.labels().items():
        shared.setdefault(label, []).append(key)
    assert {label: keys for label, keys in shared.items() if len(keys) > 1} == {}


def test_works_sharing_author_and_year_get_letters_in_title_order(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text(
        "@misc{late, author = {Harriman, W. A.}, title = {Telegram B}, year = {1945}}\n"
        "@misc{early, author = {Harriman, W. A.}, title = {Telegram A}, year = {1945}}\n"
        "@misc{alone, author = {Kennan, George F.}, title = {Telegram}, year = {1945}}\n"
        "@misc{undated1, author = {{Wikipedia contributors}}, title = {Yalta}}\n"
        "@misc{undated2, author = {{Wikipedia contributors}}, title = {Dalian}}\n",
        encoding="utf-8",
    )
    assert sources.labels(bib) == {
        "late": "Harriman, 1945b", "early": "Harriman, 1945a", "alone": "Kennan, 1945",
        "undated1": "Wikipedia contributors, n.d.-b", "undated2": "Wikipedia contributors, n.d.-a",
    }


def test_a_cell_of_keys_reads_as_labels():
    assert sources.source_labels("frus1945v07d764;globalsecurity_northeast") == f"{sources.labels()['frus1945v07d764']}; GlobalSecurity.org, 2011"
    assert sources.source_labels("") == ""


def test_an_unknown_key_names_the_key_and_the_file():
    with pytest.raises(sources.UnknownSourceError, match="unknown source key 'nosuch': expected a key defined in references.bib"):
        sources.source_labels("globalsecurity_northeast;nosuch")


def test_every_key_the_data_cite_has_a_label():
    for key in data.cited_keys():
        assert sources.labels()[key]
