"""Notebook twins read correctly in JupyterLab: every role the book uses is resolved to text."""

from __future__ import annotations

import collections
import html
import os
import re
import time

import nbformat
import pytest

from manchuria import book, data
from manchuria.book import REPO_ROOT, toc_notebooks
from manchuria.sphinx import twins
from manchuria.sphinx.twins import BookIndex, Context, Page, TwinError

BIB = """
@misc{harriman_july,
  author = {W. Averell Harriman},
  title  = {Telegram of 3 July},
  year   = {1945},
  url    = {https://example.org/harriman-july},
}
@misc{ajoint,
  author = {{Joint Chiefs of Staff}},
  title  = {Memorandum},
  year   = {1945},
}
"""


def fake_cite(role: str, keys: list[str]) -> str:
    if "nokey" in keys:
        raise KeyError("'nokey'")
    return f"<{role}:{','.join(keys)}>"


PAGES = [
    Page("index", "Manchuria 1945–1955", True, None, ("fig-all",), {}),
    Page("yalta", "The Yalta bargain", True, 1, ("fig-yalta-a", "fig-yalta-b"), {"yalta": "The Yalta bargain"}),
    Page("treaty", "The treaty", True, 2, ("fig-treaty",), {"treaty": "The treaty", "treaty-terms": "Terms"}),
    Page("glossary", "Glossary", False, None, (), {}),
]


def context(stem: str = "yalta", glue: dict | None = None) -> Context:
    glue = {"troops": {"text/plain": "1577725"}, "term": {"text/plain": "45.0"}} if glue is None else glue
    return Context(f"book/{stem}.md", stem, glue, BookIndex(PAGES, fake_cite))


def resolve(text: str, stem: str = "yalta") -> str:
    return twins.resolve_markdown(text, context(stem))


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("some {glue:text}`troops:,.0f` troops", "some 1,577,725 troops"),
        ("for {glue:text}`term:g` years", "for 45 years"),
        ("for {glue:text}`term` years", "for 45.0 years"),
        ("{glue}`troops` men", "1577725 men"),
        ("{glue:}`troops` men", "1577725 men"),
        ("{glue:any}`troops` men", "1577725 men"),
    ],
)
def test_glue_roles_become_the_formatted_value(markdown, expected):
    assert resolve(markdown) == expected


def test_an_unknown_glue_name_names_the_file_line_and_name():
    with pytest.raises(TwinError, match=r"book/yalta\.md, line 3: unknown glue name 'troop'.*glues: term, troops"):
        twins.resolve_markdown("a\nb\n{glue:text}`troop:,.0f`", context(), first_line=1)


def test_a_glue_format_that_does_not_fit_the_value_is_an_error():
    with pytest.raises(TwinError, match=r"glue 'troops'.*cannot format '1577725' with ':%Y'"):
        resolve("{glue:text}`troops:%Y`")


def test_a_glue_directive_is_reported_not_left_raw():
    with pytest.raises(TwinError, match=r"line 1: the \{glue:figure\} directive is not supported"):
        resolve(":::{glue:figure} troops\n:::")


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("fact {cite}`a,b`.", "fact <p:a,b>."),
        ("fact {cite:p}`a`.", "fact <p:a>."),
        ("{cite:t}`a` wrote", "<t:a> wrote"),
    ],
)
def test_citation_roles_use_the_reference_style(markdown, expected):
    assert resolve(markdown) == expected


def test_an_unknown_bibliography_key_names_the_file_line_and_key():
    with pytest.raises(TwinError, match=r"book/yalta\.md, line 7: unknown bibliography key 'nokey'"):
        twins.resolve_markdown("fact {cite}`a,nokey`", context(), first_line=7)


def test_citations_read_as_the_book_prints_them(tmp_path):
    bib = tmp_path / "references.bib"
    bib.write_text(BIB, encoding="utf-8")
    citations = twins.Citations(bib, reference_style="author_year", entry_style="keyed")
    # The book orders a citation's sources as its bibliography does (by key), and links
    # each to its address where it has one.
    assert citations("p", ["harriman_july", "ajoint"]) == (
        r"\[Joint Chiefs of Staff, 1945, [Harriman, 1945](https://example.org/harriman-july)\]"
    )
    assert citations("t", ["ajoint"]) == r"Joint Chiefs of Staff \[1945\]"
    with pytest.raises(KeyError, match="nokey"):
        citations("p", ["nokey"])
    (label, entry), _ = citations.full_entries(["ajoint", "harriman_july"])
    assert label == "Joint Chiefs of Staff, 1945"
    assert "Memorandum" in entry


def test_figure_numbers_follow_the_toc_and_the_page():
    numbers = twins.figure_numbers(PAGES)
    assert {label: figure.number for label, figure in numbers.items()} == {
        "fig-all": "1",
        "fig-yalta-a": "1.1",
        "fig-yalta-b": "1.2",
        "fig-treaty": "2.1",
    }


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("see {numref}`fig-yalta-b`", "see Fig. 1.2"),
        ("see {numref}`fig-treaty`", "see [Fig. 2.1](treaty.ipynb)"),
        ("see {numref}`Figure %s <fig-yalta-a>`", "see Figure 1.1"),
        ("in {ref}`treaty`", "in [The treaty](treaty.ipynb)"),
        ("in {ref}`its terms <treaty-terms>`", "in [its terms](treaty.ipynb)"),
        ("back in {ref}`yalta`", "back in The Yalta bargain"),
        ("read {doc}`treaty`", "read [The treaty](treaty.ipynb)"),
        ("read {doc}`this <treaty>`", "read [this](treaty.ipynb)"),
        ("at {term}`Lüshun <Lüshun (Port Arthur)>`", "at Lüshun"),
        ("the {term}`Red Army`", "the Red Army"),
        ("next, [the treaty](treaty.md).", "next, [the treaty](treaty.ipynb)."),
        ("terms in the [Glossary](glossary.md)", "terms in the [Glossary](glossary.md)"),
        ("an {abbr}`CER (Chinese Eastern Railway)`", "an {abbr}`CER (Chinese Eastern Railway)`"),
    ],
)
def test_cross_references_become_text(markdown, expected):
    assert resolve(markdown) == expected


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("{numref}`fig-nowhere`", "line 1: unknown figure label 'fig-nowhere'"),
        ("{ref}`nowhere`", "line 1: unknown cross-reference label 'nowhere'"),
        ("{doc}`nowhere`", "line 1: unknown page 'nowhere'"),
    ],
)
def test_unknown_labels_are_errors(markdown, message):
    with pytest.raises(TwinError, match=re.escape(f"book/yalta.md, {message}")):
        resolve(markdown)


def test_the_table_of_contents_lists_the_other_pages():
    resolved = resolve("## Sections\n\n```{tableofcontents}\n```\n", stem="index")
    assert resolved == (
        "## Sections\n\n- [1. The Yalta bargain](yalta.ipynb)\n- [2. The treaty](treaty.ipynb)\n"
        "- [Glossary](glossary.md)\n"
    )


def test_read_page_finds_title_targets_and_figures():
    source = (
        "---\nkernelspec:\n  name: python3\n---\n\n(treaty)=\n# The {term}`treaty <Sino-Soviet Treaty>` of 1945\n\n"
        "(treaty-terms)=\n## Terms\n\n```{code-cell} ipython3\n---\ntags: [hide-input]\nmystnb:\n  figure:\n"
        "    name: fig-terms\n    caption: Terms.\n---\nchart()\n```\n"
    )
    page = twins.read_page("treaty", source, 3)
    assert page == Page(
        "treaty",
        "The treaty of 1945",
        True,
        3,
        ("fig-terms",),
        {
            "treaty": "The treaty of 1945",
            "treaty-terms": "Terms",
        },
    )


def test_a_dollar_sign_stays_a_dollar_sign_not_math():
    # JupyterLab's MyST renderer would read "$300 ... $130" as TeX and log an error.
    assert resolve("a credit of $300 million, then $130 million") == r"a credit of \$300 million, then \$130 million"
    assert resolve(r"already \$5") == r"already \$5"
    # A bibliography note's LaTeX "\$130" comes out of pybtex's markdown as "\\$130".
    assert twins.escape_dollars(r"The \\$130 million credit") == r"The \$130 million credit"


def test_a_notebook_gets_captions_and_its_sources():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("Troops {cite}`a` ({numref}`fig-yalta-a`)."),
            nbformat.v4.new_code_cell(
                "chart()", metadata={"mystnb": {"figure": {"name": "fig-yalta-a", "caption": "A chart\n{cite}`b`."}}}
            ),
        ]
    )
    here = Context(
        "book/yalta.md",
        "yalta",
        {},
        BookIndex(PAGES, fake_cite, lambda keys: [(key.upper(), f"entry {key}") for key in keys]),
    )
    twin = twins.resolve_notebook(notebook, "", here)
    assert [cell["source"] for cell in twin["cells"]] == [
        "Troops <p:a> (Fig. 1.1).",
        "chart()",
        "**Fig. 1.1** A chart <p:b>.",
        "## Sources cited in this notebook\n\n- **A.** entry a\n- **B.** entry b\n",
    ]
    assert notebook["cells"][0]["source"].startswith("Troops {cite}"), "the source notebook is left alone"


def test_unresolved_finds_what_a_reader_would_see_raw():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("About stalin_term:g years {cite}`x` and {term}`Red Army`."),
            nbformat.v4.new_code_cell("glue('x', 1)  # {cite}`not markdown`"),
        ]
    )
    found = twins.unresolved(notebook)
    assert len(found) == 3 and all(item.startswith("cell 0") for item in found)


def test_glue_outputs_strip_myst_nb_prefix():
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {"scrapbook": {"name": "n", "mime_prefix": "application/papermill.record/"}},
                        "data": {"application/papermill.record/text/plain": "45.0"},
                    },
                    {"output_type": "stream", "text": "hi"},
                ],
            }
        ]
    }
    assert twins.glue_outputs(notebook) == {"n": {"text/plain": "45.0"}}


# --- the real twins, as `make book` writes them ------------------------------------------

NOTEBOOKS = [path for path in toc_notebooks() if path.suffix == ".md"]


@pytest.fixture(scope="module")
def real_twins(site) -> dict[str, nbformat.NotebookNode]:
    """The twins the test session's book build wrote beside the pages."""
    return {path.stem: nbformat.read(path.with_suffix(".ipynb"), as_version=4) for path in NOTEBOOKS}


@pytest.mark.build
@pytest.mark.parametrize("page", [path.stem for path in NOTEBOOKS])
def test_every_twin_reads_without_raw_roles(real_twins, page):
    twin = real_twins[page]
    assert twins.unresolved(twin) == []
    markdown = "\n".join(cell["source"] for cell in twin["cells"] if cell["cell_type"] == "markdown")
    for raw in ("{glue", "{cite", "{numref", "{ref}", "{term}", "{doc}", "{tableofcontents}"):
        assert raw not in markdown, (page, raw)
    assert twin["metadata"][twins.TWIN_METADATA]["twin_of"] == f"{page}.md"


@pytest.mark.build
def test_a_twin_shows_the_glued_value_from_the_data(real_twins):
    troops = data.value("forces", "sov-troops-wpinv", "value_low")
    markdown = "\n".join(cell["source"] for cell in real_twins["yalta"]["cells"] if cell["cell_type"] == "markdown")
    assert f"some {troops:,.0f} troops" in markdown


def visible_text(html_fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_fragment))


# What a reader sees of an author-year citation: "[Harriman, 1945, Hurley, 1945]".
# A citation ends with its last source's year, with the letter that tells works apart (1945b, n.d.-a).
CITATION_TEXT = re.compile(r"\[[^\[\]\n]*?(?:\d{4}[a-z]*|n\.d\.(?:-[a-z]+)?)\]")


@pytest.mark.build
@pytest.mark.parametrize("page", [path.stem for path in NOTEBOOKS])
def test_twin_figure_numbers_and_citations_match_the_built_page(real_twins, site, page):
    from markdown_it import MarkdownIt

    built = (site / "book" / f"{page}.html").read_text(encoding="utf-8")
    shown = dict(
        re.findall(r'<figure[^>]* id="([\w-]+)">.*?<span class="caption-number">Fig\. ([\d.]+) </span>', built, re.S)
    )
    index = twins.book_index(REPO_ROOT)
    assert {label: figure.number for label, figure in index.figures.items() if figure.page == page} == shown
    # Every citation the page shows, and only those, reads the same in the rendered twin.
    in_book = collections.Counter(
        visible_text(span) for span in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', built, re.S)
    )
    markdown = "\n\n".join(cell["source"] for cell in real_twins[page]["cells"] if cell["cell_type"] == "markdown")
    text = visible_text(MarkdownIt("commonmark").render(markdown.split(f"## {twins.SOURCES_HEADING}")[0]))
    assert collections.Counter(CITATION_TEXT.findall(text)) == in_book


def test_write_notebook_twins_skips_unchanged_twins(tmp_path):
    copy = tmp_path / "repo"
    for name in ("_toc.yml", "_config.yml", "references.bib"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((REPO_ROOT / name).read_bytes())
    for page in book.toc_files():
        target = copy / page.relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.read_bytes())
    # Pages without glue need no execution; glued values come from a stand-in build folder.
    glue_folder = tmp_path / "jupyter_execute"
    for page in NOTEBOOKS:
        if twins.GLUE_ROLE.search(page.read_text(encoding="utf-8")):
            names = set(re.findall(r"\{glue:text\}`(\w+)", page.read_text(encoding="utf-8")))
            target = glue_folder / "book" / f"{page.stem}.glue.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(
                "{" + ",".join(f'"{name}": {{"data": {{"text/plain": "7"}}}}' for name in sorted(names)) + "}",
                encoding="utf-8",
            )
        os.utime(target, (time.time() + 3600, time.time() + 3600))  # newer than any edit below
    written = twins.write_notebook_twins(copy, glue_folder)
    assert sorted(path.stem for path in written) == sorted(page.stem for page in NOTEBOOKS)
    assert twins.write_notebook_twins(copy, glue_folder) == []
    yalta = copy / "book" / "yalta.md"
    yalta.write_text(yalta.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert [path.name for path in twins.write_notebook_twins(copy, glue_folder)] == ["yalta.ipynb"]


@pytest.mark.build
def test_running_a_notebook_glues_what_the_build_glued(site):
    """Binder's postBuild (no build) runs the notebook; its twin must get the build's values."""
    built = REPO_ROOT / "_build" / "jupyter_execute" / "book" / "yalta.glue.json"
    assert twins.executed_glue(REPO_ROOT / "book" / "yalta.md") == twins.glue_from_json(
        built.read_text(encoding="utf-8")
    )


def test_a_pages_data_downloads_become_links_to_the_files_beside_the_notebook():
    twin = twins.resolve_markdown("Before.\n\n:::{data-downloads} events arms\n:::\n\nAfter.", context())
    assert "{data-downloads}" not in twin and ":::" not in twin
    links = re.findall(r"\]\(\.\./data/([\w-]+\.csv)\)", twin)
    assert links == ["events.csv", "arms.csv"]
    assert all((REPO_ROOT / "data" / link).is_file() for link in links)
    assert twin.startswith("Before.") and twin.rstrip().endswith("After.")
