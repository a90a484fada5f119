"""Source labels: the author-year text readers see in place of bibliography keys."""

from __future__ import annotations

import re

import pytest

from manchuria import data, sources
from manchuria.sphinx import bibfile


def _book_label(style, entry) -> str:
    """The label the book's reference style prints for one entry (the book's citations)."""
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    info = SphinxReferenceInfo(None, "", "", entry.key, None, "", "")
    inner = style.inner("alp").format_data(
        data={"entry": entry, "formatted_entry": None, "reference_info": info, "style": style}
    )
    # str() is the plain text render_as("text") gives (checked), at a hundredth of its cost.
    return str(_unwrapped(style.outer("alp", [inner]).format()))


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

    from manchuria.sphinx import bibstyle

    bibstyle.register()
    bibstyle.use_labels_of([sources.BIBLIOGRAPHY])
    bibliography = parse_file(str(sources.BIBLIOGRAPHY))
    style = find_plugin("sphinxcontrib.bibtex.style.referencing", bibstyle.REFERENCE_STYLE_NAME)()
    labels = sources.labels()
    assert set(labels) == set(bibliography.entries)
    differ = {
        key: (labels[key], _book_label(style, entry))
        for key, entry in bibliography.entries.items()
        if labels[key] != _book_label(style, entry)
    }
    assert differ == {}


def test_no_label_names_an_author_by_a_broken_piece_of_the_name():
    """A name BibTeX would split wrongly ("王奇 (Wang Qi)" gives "Qi)", "Mao Zedong" gives "Zedong") is braced
    whole ({{王奇 (Wang Qi)}}) or written "Surname, Given" ({Mao, Zedong})."""
    broken = {key: label for key, label in sources.labels().items() if re.match(r"[^(]*\)", label)}
    given_first = {
        key: label
        for key, label in sources.labels().items()
        if re.match(r"(Zedong|Enlai|Gang|Biao|Shaoqi|Dehuai|Kai-shek|Jieshi), ", label)
    }
    assert broken == {} and given_first == {}


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
        "late": "Harriman, 1945b",
        "early": "Harriman, 1945a",
        "alone": "Kennan, 1945",
        "undated1": "Wikipedia contributors, n.d.-b",
        "undated2": "Wikipedia contributors, n.d.-a",
    }


def test_a_cell_of_keys_reads_as_labels():
    assert (
        sources.source_labels("frus1945v07d764;globalsecurity_northeast")
        == f"{sources.labels()['frus1945v07d764']}; GlobalSecurity.org, 2011"
    )
    assert sources.source_labels("") == ""


def test_an_unknown_key_names_the_key_and_the_file():
    with pytest.raises(
        sources.UnknownSourceError, match="unknown source key 'nosuch': expected a key defined in references.bib"
    ):
        sources.source_labels("globalsecurity_northeast;nosuch")


def test_every_key_the_data_cite_has_a_label():
    for key in data.cited_keys():
        assert sources.labels()[key]


# --- Sources of record: every entry graded, every address reviewed, the shares held (issue 12) ---

PAGES = sorted((data.REPO_ROOT / "book").glob("*.md"))


def test_every_entry_has_a_known_kind():
    assert set(sources.kinds().values()) <= set(sources.KINDS)


def test_an_entry_without_a_kind_is_named(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text(
        "@misc{graded, title = {A}, kind = {primary}}\n@misc{ungraded, title = {B}}\n"
        "@misc{odd, title = {C}, kind = {blog}}\n",
        encoding="utf-8",
    )
    with pytest.raises(
        sources.SourceKindError,
        match=r"references.bib: entries need a kind, one of primary, .*: "
        r"odd \(blog\), ungraded \(no kind\)",
    ):
        sources.kinds(bib)


def test_the_bibliography_lists_each_kind_under_its_own_heading():
    page = (data.REPO_ROOT / "book" / "bibliography.md").read_text(encoding="utf-8")
    assert re.findall(r':filter: kind == "(\w+)"', page) == list(sources.KINDS)
    assert ":all:" not in page


def test_every_address_is_on_a_reviewed_host():
    assert sources.untrusted_addresses() == {}


def test_every_reviewed_host_is_used_and_says_why():
    from urllib.parse import urlsplit

    used = {(urlsplit(url).hostname or "").lower() for url in _urls().values()}
    assert set(sources.trusted_hosts()) - used == set(), "hosts listed in references-hosts.csv that no entry uses"


def _urls() -> dict[str, str]:
    return {key: fields["url"] for key, fields in bibfile.entries(sources.BIBLIOGRAPHY).items() if fields.get("url")}


def test_a_host_row_without_a_reason_is_named(tmp_path):
    hosts = tmp_path / "hosts.csv"
    hosts.write_text("host,kind,publisher,why\nhistory.state.gov,archive,Office of the Historian,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"hosts.csv, row 2: column 'why' is empty"):
        sources.trusted_hosts(hosts)


def test_citations_rest_mostly_on_primary_sources_and_scholarship():
    shares = sources.citation_shares(PAGES)
    assert shares["tertiary"] <= sources.MOST_TERTIARY, shares
    assert shares["primary"] + shares["scholarly"] >= sources.LEAST_PRIMARY_OR_SCHOLARLY, shares


def test_no_paragraph_rests_on_tertiary_sources_alone():
    """Every paragraph that cites a source cites one that is not tertiary, unless it says in its own
    words that it is about Wikipedia (a source analysis quoting the encyclopedia it examines)."""
    kind_of = sources.kinds()
    alone = []
    for page in PAGES:
        for paragraph in re.split(r"\n\s*\n", page.read_text(encoding="utf-8")):
            cited = {
                key.strip() for match in sources.CITE_ROLE.finditer(paragraph) for key in match.group(1).split(",")
            }
            if cited and all(kind_of[key] == "tertiary" for key in cited) and "Wikipedia" not in paragraph:
                alone.append(f"{page.name}: {paragraph.strip()[:80]}")
    assert alone == []


def test_a_source_that_speaks_for_a_party_says_so_in_the_bibliography():
    from pybtex.database import parse_string

    from manchuria.sphinx import bibstyle

    entry = parse_string(
        "@misc{izv, author = {Zamostanov, Arsenii}, title = {Red flag over Port Arthur}, year = {2025},"
        " partisan = {Izvestia is Russian state-aligned media.}}",
        "bibtex",
    ).entries["izv"]
    text = bibstyle.KeyedStyle().format_entry("izv", entry).text.render_as("html")
    assert f"<strong>{bibstyle.PARTISAN_HEADING}</strong> Izvestia is Russian state-aligned media." in text
