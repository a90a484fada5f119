"""`make pdf`: the student and instructor editions, read back as an instructor would use them.

The printing runs once for the module (after the book build, whose execution cache it
reads; it writes no page of the HTML site). The fast tests of :mod:`manchuria.pdf`'s
glyph check are at the end and need no printing.
"""

from __future__ import annotations

import re
import subprocess
from functools import cached_property
from urllib.parse import urlparse

import pytest

from manchuria import pdf
from manchuria.book import REPO_ROOT, chapter_files

# Wording and controls that only work on screen (issue 15); none may be printed.
SCREEN_ONLY = (
    "Show code cell source",
    "Turn on the controls",
    "Download the data used on this page",
    "download button at the top of the page",
    "the rocket icon above",
    "Copy link to this view",
    "Its controls need JavaScript",
    "filter it in your browser",
)
PAGE_NUMBER = re.compile(r"\b(\d+) / (\d+)\b")


class Edition:
    """One printed edition, its pages' text and its links, read with pypdf."""

    def __init__(self, name: str):
        from pypdf import PdfReader

        self.name = name
        self.path = REPO_ROOT / "_build" / "pdf" / f"{pdf.STEM}-{name}.pdf"
        self.reader = PdfReader(self.path)
        self.pages = [" ".join((page.extract_text() or "").split()) for page in self.reader.pages]
        self.text = " ".join(self.pages)

    @cached_property
    def links(self) -> tuple[list[str], list[int | None]]:
        """The external addresses and the target page (None when it resolves nowhere) of each internal link."""
        external, internal = [], []
        for page in self.reader.pages:
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if annotation.get("/Subtype") != "/Link":
                    continue
                action = annotation.get("/A")
                if action is not None and "/URI" in action:
                    external.append(str(action["/URI"]))
                else:
                    destination = annotation.get("/Dest")
                    if destination is None and action is not None:
                        destination = action.get("/D")
                    internal.append(self._page_of(destination))
        return external, internal

    def _page_of(self, destination) -> int | None:
        try:
            if isinstance(destination, str) or hasattr(destination, "startswith"):
                destination = self.reader.named_destinations[str(destination)]
                return self.reader.get_destination_page_number(destination)
            return self.reader.get_page_number(destination[0].get_object())
        except (KeyError, TypeError, IndexError, ValueError):
            return None

    @cached_property
    def top_bookmark_pages(self) -> dict[str, int]:
        """The outermost bookmarks' titles and the pages (from 1) they open."""
        return {
            " ".join(item.title.split()): self.reader.get_destination_page_number(item) + 1
            for item in self.reader.outline
            if not isinstance(item, list)
        }

    @cached_property
    def outline_titles(self) -> list[str]:
        def walk(items):
            for item in items:
                if isinstance(item, list):
                    yield from walk(item)
                else:
                    yield " ".join(item.title.split())

        return list(walk(self.reader.outline))


@pytest.fixture(scope="module")
def editions(site_held, browser) -> dict[str, Edition]:
    """Both editions, printed by `make pdf` (Chromium is required: ``browser`` skips with advice without it)."""
    for name in pdf.EDITIONS:
        (REPO_ROOT / "_build" / "pdf" / f"{pdf.STEM}-{name}.pdf").unlink(missing_ok=True)
    result = subprocess.run(["make", "pdf"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {name: Edition(name) for name in pdf.EDITIONS}


pytestmark = pytest.mark.xdist_group("pdf")


def section_titles() -> list[str]:
    titles = []
    for section in chapter_files():
        heading = next(line[2:] for line in section.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
        titles.append(" ".join(heading.replace("'", "’").split()))  # as the smart quotes print it
    return titles


def solution_count() -> int:
    return sum(path.read_text(encoding="utf-8").count(":::{solution}") for path in (REPO_ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_each_edition_is_a_whole_book_with_a_sensible_number_of_pages(editions, name):
    edition = editions[name]
    assert 150 <= len(edition.pages) <= 600, len(edition.pages)
    missing = [title for title in section_titles() if title not in edition.text]
    assert len(section_titles()) == 10 and missing == []


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_every_link_resolves_inside_the_pdf_or_to_an_outside_address(editions, name):
    external, internal = editions[name].links
    assert len(internal) > 1000, "citations, glossary terms, figures and cross-references link inside the PDF"
    assert None not in internal, f"{internal.count(None)} internal links resolve to no page"
    local = [url for url in external if urlparse(url).hostname in (None, "127.0.0.1", "localhost")]
    assert local == [], local[:5]
    assert all(urlparse(url).scheme in ("http", "https", "mailto") for url in external)


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_the_outline_lists_every_section(editions, name):
    titles = editions[name].outline_titles
    missing = [title for title in section_titles() if not any(title in entry for entry in titles)]
    assert missing == [], f"not in the PDF's bookmarks: {missing}"
    assert len(titles) > 100, "subsections are bookmarked too"


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_every_page_after_the_title_has_its_number_and_none_is_blank(editions, name):
    pages = editions[name].pages
    assert not PAGE_NUMBER.search(pages[0]) and "How to cite" in pages[0], "the title page, unnumbered"
    unnumbered = [index + 1 for index, text in enumerate(pages[1:], 1) if f"{index + 1} / {len(pages)}" not in text]
    assert unnumbered == [], f"pages without their number: {unnumbered[:10]}"
    # A page with nothing but its running head and number is blank.
    blank = [index + 1 for index, text in enumerate(pages) if len(PAGE_NUMBER.sub("", text)) < 60]
    assert blank == [], f"blank pages: {blank}"


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_the_contents_give_the_page_each_section_starts_on(editions, name):
    edition = editions[name]
    contents = " ".join(edition.pages[1:8])
    for number, title in enumerate(section_titles(), 1):
        match = re.search(rf"{number}\. {re.escape(title)} (\d+)", contents)
        assert match, f"{title!r} not in the contents"
        page = int(match[1])
        on_page = edition.pages[page - 1].replace(" ", "")  # a heading's wrapped line may split "1946– 1948"
        assert f"{number}.{title}".replace(" ", "") in on_page, f"{title!r} is not on page {page}"


def test_the_student_edition_has_no_solutions_and_the_instructor_edition_all_of_them(editions):
    student, instructor = editions["student"], editions["instructor"]
    assert solution_count() == 32
    assert "Solution to" not in student.text
    assert instructor.text.count("Solution to") == solution_count()
    # The appendix comes after the back matter, and every solution is in it.
    pages = instructor.top_bookmark_pages
    first_solution = next(index + 1 for index, text in enumerate(instructor.pages) if "Solution to" in text)
    assert pages["Solutions"] > pages["Bibliography"] and first_solution >= pages["Solutions"], pages
    assert "Student edition" in student.pages[0] and "Instructor edition" in instructor.pages[0]


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_nothing_that_only_works_on_screen_is_printed(editions, name):
    text = editions[name].text
    printed = [words for words in SCREEN_ONLY if words in text]
    assert printed == []
    assert "in the data folder of the book’s repository" in text, "the print wording says where the data are"


@pytest.mark.parametrize("name", pdf.EDITIONS)
def test_chinese_japanese_and_russian_are_in_the_text_layer(editions, name):
    text = editions[name].text
    for words in ("旅顺", "満洲国", "Порт-Артур"):
        assert words in text, words


def test_a_character_no_font_has_is_named_with_where_it_is_used():
    printed = {str(ord("a")): "a word", str(0x4E00): "before 一 after", str(0x20): " "}
    missing = pdf.missing_glyphs(printed, covered={ord("a")})
    assert missing == {0x4E00: "before 一 after"}, "spaces need no glyph"
    message = pdf.describe_missing(missing)
    assert "U+4E00 '一' in “…before 一 after…”" in message and "fonts-noto-cjk" in message


def test_the_set_up_installs_the_fonts_the_pdf_needs():
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"apt-get install[^\n]*\bfonts-noto-cjk\b", ci)
