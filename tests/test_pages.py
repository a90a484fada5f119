"""The chapter's pages follow the book's rules: skeleton, figures, citations, clean notebook code."""

from __future__ import annotations

import re

import pytest
import yaml

from manchuria.book import chapter_files, toc_files

SECTIONS = chapter_files()
SKELETON = [
    "## Overview",
    "## Prerequisites",
    "**Time to read:**",
    "## Questions to consider",
    "## Summary",
    "## What's next",
]
CODE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(?P<body>.*?)```", re.DOTALL)
FRONT = re.compile(r"^---\n(?P<yaml>.*?)\n---\n", re.DOTALL)


def _text(path) -> str:
    return path.read_text(encoding="utf-8")


def _figures(text: str) -> list[dict]:
    """The mystnb.figure options of every code cell on a page."""
    figures = []
    for cell in CODE_CELL.finditer(text):
        header = FRONT.match(cell.group("body"))
        if header:
            options = yaml.safe_load(header.group("yaml")) or {}
            figure = (options.get("mystnb") or {}).get("figure")
            if figure:
                figures.append(figure)
    return figures


def _prose_paragraphs(text: str) -> list[str]:
    """Paragraphs of running prose between the Prerequisites and the Questions: no code, tables, lists or headings."""
    body = CODE_CELL.sub("", text)
    start = body.find("**Names.**")
    end = body.find("## Questions to consider")
    body = body[start:end] if start >= 0 and end > start else ""
    paragraphs = []
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block or block.startswith(("#", "|", "-", "*", "1.", "```", ":::", "(", ">", "{")):
            continue
        paragraphs.append(block)
    return paragraphs[1:]  # the Names line itself


def test_the_chapter_has_its_sections():
    assert len(SECTIONS) >= 1


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_section_follows_the_page_skeleton(path):
    text = _text(path)
    missing = [heading for heading in SKELETON if heading not in text]
    assert missing == []
    assert (
        text.index("## Overview")
        < text.index("## Prerequisites")
        < text.index("## Summary")
        < text.index("## What's next")
    )


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_section_has_a_captioned_named_figure_referenced_in_the_text(path):
    text = _text(path)
    figures = _figures(text)
    assert figures, "every section has at least one chart"
    for figure in figures:
        assert figure.get("name", "").startswith("fig-"), figure
        assert len(figure.get("caption", "")) > 40, f"{figure.get('name')}: caption too short"
        assert f"{{numref}}`{figure['name']}`" in text, f"{figure['name']} is never referred to"


def test_the_book_has_at_least_ten_figures():
    names = [figure["name"] for path in toc_files() for figure in _figures(_text(path))]
    assert len(names) >= 10, names
    assert len(names) == len(set(names)), "figure names must be unique"


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_every_paragraph_of_fact_carries_a_citation(path):
    uncited = [
        paragraph[:80]
        for paragraph in _prose_paragraphs(_text(path))
        if len(paragraph.split()) >= 25 and "{cite" not in paragraph
    ]
    assert uncited == []


@pytest.mark.parametrize(
    "path", [p for p in toc_files() if "```{code-cell}" in p.read_text(encoding="utf-8")], ids=lambda p: p.stem
)
def test_notebook_code_stays_out_of_the_way(path):
    for cell in CODE_CELL.finditer(_text(path)):
        code = FRONT.sub("", cell.group("body"))
        assert "!pip" not in code and "%pip" not in code
        assert "sys.path" not in code
        assert not re.search(r"""["'][^"']*\.(csv|json|geojson)["']""", code), "no literal data paths"
        assert len([line for line in code.splitlines() if line.strip()]) <= 15, "long cells belong in the package"


EXERCISE = re.compile(r":::\{exercise\}\n(?P<options>(?::[^\n]*\n)*)", re.MULTILINE)
SOLUTION = re.compile(r":::\{solution\} (?P<label>\S+)\n(?P<options>(?::[^\n]*\n)*)")
TERM_LINK = re.compile(r"\{term\}`(?:[^`<]*<)?(?P<term>[^`>]+)>?`")


def _options(block: str) -> dict[str, str]:
    return dict(re.findall(r"^:(\w+): *(.*)$", block, re.MULTILINE))


@pytest.mark.parametrize("path", SECTIONS, ids=lambda p: p.stem)
def test_section_has_exercises_with_hidden_solutions_and_a_source_analysis(path):
    text = _text(path)
    exercises = [_options(match.group("options")) for match in EXERCISE.finditer(text)]
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises"
    labels = [exercise.get("label", "") for exercise in exercises]
    assert all(label.startswith(f"ex-{path.stem}-") for label in labels), labels
    solutions = {match.group("label"): _options(match.group("options")) for match in SOLUTION.finditer(text)}
    assert sorted(solutions) == sorted(labels), "every exercise has exactly one solution"
    assert all(options.get("class") == "dropdown" for options in solutions.values()), "solutions are hidden"
    assert any("source-analysis" in exercise.get("class", "") for exercise in exercises)
    assert text.index("## Exercises") < text.index("## Questions to consider")


def _glossary_terms() -> list[str]:
    glossary = _text(next(path for path in toc_files() if path.stem == "glossary"))
    block = glossary.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line[0].isspace()]


def test_the_glossary_has_at_least_thirty_terms_each_linked_from_the_text():
    terms = _glossary_terms()
    assert len(terms) >= 30, len(terms)
    linked = {
        match.group("term").strip()
        for path in toc_files()
        if path.stem != "glossary"
        for match in TERM_LINK.finditer(_text(path))
    }
    assert sorted(set(terms) - linked) == [], "glossary terms never linked from the text"
    assert sorted(linked - set(terms)) == [], "links to terms the glossary lacks"


# Pages whose every count in running prose comes from the data through glue, as issue 13 asked of
# the section it added; the older sections quote some counts as text.
GLUED_PAGES = ("under-occupation",)
ROLE_OR_LINK = re.compile(r"\{[a-z:-]+\}`[^`]*`|\]\([^)]*\)")
COUNT = re.compile(r"(?<![\w.,:/–-])(\d{1,3}(?:,\d{3})+|\d{3,})(?![\w,:–-]|\.\d)")
DOCUMENT_NUMBER = re.compile(r"(No\.|no\.|doc\.|p\.|pp\.|vol\.|telegram|despatch|decree|fond|file)\s*$")


def _unglued_counts(markdown: str) -> list[tuple[str, str]]:
    """Each count written as text in a page's running prose, with the words around it."""
    from manchuria.romanization import running_text

    text = ROLE_OR_LINK.sub(" ", running_text(markdown))
    found = []
    for match in COUNT.finditer(text):
        number = int(match.group(1).replace(",", ""))
        if 1850 <= number <= 2030 and "," not in match.group(1):
            continue  # a year
        if DOCUMENT_NUMBER.search(text[max(0, match.start() - 12) : match.start()]):
            continue
        found.append((match.group(1), text[max(0, match.start() - 40) : match.end() + 20].replace("\n", " ")))
    return found


def test_the_unglued_count_finder_sees_counts_and_passes_over_years_glue_and_quotations():
    page = (
        'In 1946 some 12,000 people and 148 generals left; {glue:text}`x:,.0f` more; doc. 613 says "1,300,000".\n'
        "```{code-cell} ipython3\nx = 5000\n```\n"
    )
    assert [count for count, _ in _unglued_counts(page)] == ["12,000", "148"]


@pytest.mark.parametrize("stem", GLUED_PAGES)
def test_every_count_in_the_prose_of_a_glued_page_comes_from_the_data(stem):
    path = next(path for path in toc_files() if path.stem == stem)
    assert _unglued_counts(_text(path)) == [], "counts written as text: glue them from data/*.csv"
