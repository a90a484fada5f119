"""Source labels: the author-year text readers see in place of bibliography keys."""

from __future__ import annotations

import pytest

from manchuria import data, sources


def _book_label(style, entry) -> str:
    """The label sphinxcontrib-bibtex's author_year style prints for one entry (the book's citations)."""
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

    bibliography = parse_file(str(sources.BIBLIOGRAPHY))
    style = find_plugin("sphinxcontrib.bibtex.style.referencing", "author_year")()
    labels = sources.labels()
    assert set(labels) == set(bibliography.entries)
    differ = {key: (labels[key], _book_label(style, entry)) for key, entry in bibliography.entries.items()
              if labels[key] != _book_label(style, entry)}
    assert differ == {}


def test_a_cell_of_keys_reads_as_labels():
    assert sources.source_labels("frus1945v07d764;globalsecurity_northeast") == "Kennan, 1945; GlobalSecurity.org, 2011"
    assert sources.source_labels("") == ""


def test_an_unknown_key_names_the_key_and_the_file():
    with pytest.raises(sources.UnknownSourceError, match="unknown source key 'nosuch': expected a key defined in references.bib"):
        sources.source_labels("globalsecurity_northeast;nosuch")


def test_every_key_the_data_cite_has_a_label():
    for key in data.cited_keys():
        assert sources.labels()[key]
