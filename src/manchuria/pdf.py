"""Print the chapter to two PDFs with headless Chromium: a student and an instructor edition.

``make pdf`` builds the single-page HTML edition of the book, serves it on 127.0.0.1,
and prints it twice. Usage: ``python -m manchuria.pdf SITE_DIR OUTPUT_DIR``.

- Both editions open with a title page (title, editors, version, edition, how to cite,
  licence; from ``CITATION.cff``) and a contents with page numbers (from a first printing's
  named destinations), carry a running head and the page number on every page after the
  title (``@page`` margin boxes), and have PDF bookmarks for every section (the contents' entries) and a tagged
  structure (Chromium's).
- The student edition has the exercises without their solutions; the instructor edition
  has every solution in an appendix, "Solutions", each linked to its exercise.
- Links inside the book are links inside the PDF (the single page's own anchors, see
  ``workarounds.same_page_anchors_in_singlehtml``); a link to a data file becomes its
  address in the repository. What only works on screen is left out by the book's print
  stylesheet (``manchuria.css``, ``@media print``), which also shows the print wording.
- Every character printed must have a glyph in a font on this machine: otherwise the
  build fails naming the characters, instead of printing empty boxes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .book import REPO_ROOT
from .browser import CHARTS_DRAWN, CHROMIUM_FLAGS, chromium, serving
from .sphinx.chartdom import CHARTS_JS, VEGA_BUNDLE

STEM = "manchuria-1945-1955"
EDITIONS = ("student", "instructor")
MARGINS = {"top": "18mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
# The running head and page numbers are the print stylesheet's (@page margin boxes in manchuria.css);
# here the edition's name joins the running head, and the title page loses both.
RUNNING_HEAD = """@media print {{ @page {{ @top-right {{ content: "{title} · {edition} edition"; }} }}
  @page :first {{ @top-right {{ content: none; }} @bottom-center {{ content: none; }} }} }}"""
# The contents' levels, outermost first (PREPARE's entries), as bookmarks nest them.
LEVELS = ("document", "section", "subsection")
# A page number the first printing writes in the contents, as wide as the real ones will be.
PAGE_PLACEHOLDER = "000"
# Characters that need no glyph of their own (spaces, joiners, marks of direction).
NO_GLYPH_NEEDED = {0x09, 0x0A, 0x0D, 0x20, 0xA0, 0xAD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF}


class MissingGlyphs(SystemExit):
    """Characters of the book that no font on this machine can draw."""


@dataclass(frozen=True)
class Citation:
    title: str
    authors: str
    version: str
    date: str
    address: str
    licence: str

    @classmethod
    def read(cls, root: Path = REPO_ROOT) -> Citation:
        import yaml

        cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
        return cls(
            title=cff["title"],
            authors="; ".join(author.get("name") or author.get("family-names", "") for author in cff["authors"]),
            version=str(cff["version"]),
            date=str(cff["date-released"]),
            address=cff["repository-code"],
            licence=cff["license"],
        )


# In the page: a title page before the book, and, by edition, the solutions removed or gathered at the end.
PREPARE = """({edition, citation, placeholder}) => {
  document.documentElement.classList.add('manchuria-print-edition');
  const main = document.querySelector('main') || document.body;
  const article = main.querySelector('article') || main;
  const title = document.createElement('section');
  title.className = 'manchuria-print-title';
  const line = (tag, text, className) => {
    const element = document.createElement(tag);
    element.textContent = text;
    if (className) element.className = className;
    title.appendChild(element);
    return element;
  };
  line('p', citation.title.split(':')[0], 'manchuria-print-title__name');
  line('p', citation.title.split(':').slice(1).join(':').trim(), 'manchuria-print-title__subtitle');
  line('p', citation.authors);
  line('p', `${edition === 'student' ? 'Student' : 'Instructor'} edition: ` +
    (edition === 'student' ? 'the exercises without their solutions.' : 'every exercise, and its solution in the appendix.'));
  line('p', `Version ${citation.version}, ${citation.date}.`);
  line('h2', 'How to cite');
  line('p', `${citation.authors} (${citation.date.slice(0, 4)}). ${citation.title} (version ${citation.version}). ` +
    `Open textbook chapter, ${edition} edition. ${citation.address}`);
  line('p', `Text and data: ${citation.licence}. Code: MIT. The web edition, the notebooks and the data are at ${citation.address}.`);
  // Contents: every section and its subsections, with page numbers filled in after a first printing.
  const contents = document.createElement('nav');
  contents.className = 'manchuria-print-contents';
  contents.setAttribute('aria-label', 'Contents');
  const contentsHeading = document.createElement('h1');
  contentsHeading.textContent = 'Contents';
  contents.appendChild(contentsHeading);
  const list = document.createElement('ol');
  // In the single page each document is a section after its anchor (<span id="document-…">), its
  // headings demoted by its depth in the toctree: list each document and its sections.
  const headingOf = section => section.querySelector(':scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > h5');
  const documents = [article.querySelector('section'),
    ...[...article.querySelectorAll('span[id^="document-"]')].map(anchor => anchor.nextElementSibling)];
  let anchors = 0;
  const entries = [];
  const entry = (section, level) => {
    const heading = headingOf(section);
    if (!section.id || !heading) return;
    // The contents and bookmarks point at the heading itself (a section can start at the foot
    // of the page before its heading). Each page's "Overview", "Prerequisites"… shares its
    // id with the others on the single page, so every target is an anchor of its own.
    const target = `manchuria-print-section-${++anchors}`;
    if (heading.getClientRects().length && !heading.id) {
      heading.id = target;
    } else {
      // The theme does not print the first page's own title: point at its section instead.
      const anchor = document.createElement('span');
      anchor.id = target;
      section.prepend(anchor);
    }
    const item = document.createElement('li');
    item.className = `manchuria-print-contents__${level}`;
    const link = document.createElement('a');
    link.href = `#${target}`;
    link.textContent = [...heading.childNodes].filter(node => !(node.classList && node.classList.contains('headerlink')))
      .map(node => node.textContent).join('').trim();
    const number = document.createElement('span');
    number.className = 'manchuria-print-contents__page';
    number.dataset.target = target;
    number.textContent = placeholder;
    item.append(link, number);
    list.appendChild(item);
    entries.push({level, title: link.textContent, target});
  };
  for (const section of documents.filter(section => section && section.tagName === 'SECTION')) {
    entry(section, 'document');
    section.querySelectorAll(':scope > section').forEach(part => {
      if (part.querySelector(':scope > .toctree-wrapper')) return;
      entry(part, 'section');
      part.querySelectorAll(':scope > section').forEach(subpart => entry(subpart, 'subsection'));
    });
  }
  contents.appendChild(list);
  article.prepend(title, contents);

  const solutions = [...article.querySelectorAll('.solution')];
  if (edition === 'student') {
    solutions.forEach(solution => solution.remove());
  } else {
    const appendix = document.createElement('section');
    appendix.className = 'manchuria-print-solutions';
    appendix.id = 'manchuria-solutions';
    const heading = document.createElement('h1');
    heading.textContent = 'Solutions';
    appendix.appendChild(heading);
    solutions.forEach(solution => {
      solution.classList.remove('dropdown', 'toggle-hidden');
      solution.querySelectorAll('.toggle-hidden').forEach(part => part.classList.remove('toggle-hidden'));
      solution.querySelectorAll('button.toggle-button').forEach(button => button.remove());
      appendix.appendChild(solution);
    });
    article.appendChild(appendix);
    entry(appendix, 'document');
  }
  // A data file is downloaded from the web edition; in print its address is in the repository.
  const dropped = [];
  for (const link of article.querySelectorAll('a[href]')) {
    const url = new URL(link.getAttribute('href'), document.baseURI);
    if (url.origin !== location.origin || (url.pathname === location.pathname && url.hash)) continue;
    const name = url.pathname.split('/').pop();
    if (url.pathname.includes('/_downloads/') && /\\.(csv|json|md)$/.test(name)) {
      link.href = `${citation.address}/blob/main/data/${name}`;
    } else {
      dropped.push(link.getAttribute('href'));
      link.removeAttribute('href');
    }
  }
  return {entries, dropped};
}"""
# The contents' page numbers, from where the first printing put each section (its named destination).
NUMBER_CONTENTS = """(pages) => {
  for (const number of document.querySelectorAll('.manchuria-print-contents__page')) {
    number.textContent = pages[number.dataset.target] ?? '';
  }
}"""
# Every character the printed page shows, with a few words around its first use.
PRINTED_CHARACTERS = """() => {
  const text = document.body.innerText;
  const seen = {};
  for (let i = 0; i < text.length; ) {
    const point = text.codePointAt(i);
    const width = point > 0xffff ? 2 : 1;
    if (!(point in seen)) seen[point] = text.slice(Math.max(0, i - 30), i + 30).replace(/\\s+/g, ' ');
    i += width;
  }
  return seen;
}"""


def font_coverage() -> set[int]:
    """The code points some font on this machine has a glyph for (fontconfig's fonts, read with fontTools)."""
    import subprocess

    from fontTools.ttLib import TTCollection, TTFont

    listing = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True)
    covered: set[int] = set()
    for file_name in sorted(set(listing.stdout.splitlines()) - {""}):
        try:
            fonts = (
                TTCollection(file_name, lazy=True).fonts
                if file_name.lower().endswith((".ttc", ".otc"))
                else [TTFont(file_name, lazy=True)]
            )
            for font in fonts:
                covered.update(font.getBestCmap() or {})
        except Exception:  # noqa: BLE001 - a font fontTools cannot read draws nothing for the check
            continue
    return covered


def missing_glyphs(characters: dict[str, str], covered: set[int]) -> dict[int, str]:
    """The printed characters no font has, each with the words around its first use."""
    return {
        int(point): context
        for point, context in characters.items()
        if int(point) not in covered and int(point) not in NO_GLYPH_NEEDED and not chr(int(point)).isspace()
    }


def describe_missing(missing: dict[int, str]) -> str:
    lines = [f"  U+{point:04X} {chr(point)!r} in “…{context.strip()}…”" for point, context in sorted(missing.items())]
    return (
        f"{len(missing)} character(s) of the book have no glyph in any font on this machine, so the PDF "
        "would print them as empty boxes. Install a font with them (`.ci/run` installs Debian's "
        "fonts-noto-cjk for Chinese and Japanese):\n" + "\n".join(lines[:40])
    )


def section_pages(pdf: bytes) -> dict[str, int]:
    """Element id -> printed page number (1 is the title page), from the PDF's named destinations."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {
        name.lstrip("/"): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }


def with_bookmarks(pdf_bytes: bytes, entries: list[dict[str, str]], output: Path) -> None:
    """Write ``pdf_bytes`` to ``output`` with the contents' entries as its bookmarks.

    Chromium's own outline joins a heading's wrapped lines without a space
    ("February–August1945") and repeats some; the contents know each title.
    """
    import io

    from pypdf import PdfWriter

    pages = section_pages(pdf_bytes)
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes))
    if "/Outlines" in writer.root_object:
        del writer.root_object["/Outlines"]
    parents: dict[str, Any] = {}
    for entry in entries:
        page = pages.get(entry["target"])
        if page is None:
            raise SystemExit(f"make pdf: the contents entry {entry['title']!r} (#{entry['target']}) is on no page")
        level = LEVELS.index(entry["level"])
        parent = parents.get(LEVELS[level - 1]) if level else None
        parents[entry["level"]] = writer.add_outline_item(title=entry["title"], page_number=page - 1, parent=parent)
    writer.page_mode = "/UseOutlines"
    with output.open("wb") as handle:
        writer.write(handle)


def print_edition(page: Any, url: str, edition: str, output: Path, citation: Citation, covered: set[int]) -> None:
    """Load the single page, prepare it for ``edition`` and print it to ``output``.

    Printed twice: the first printing tells where each section falls, for the contents.
    """
    page.goto(f"{url}/book/index.html", wait_until="networkidle")
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    page.emulate_media(media="print")
    prepared = page.evaluate(
        PREPARE,
        {"edition": edition, "citation": citation.__dict__, "placeholder": PAGE_PLACEHOLDER},
    )
    # A link to another page of the book should be an anchor on the single page; dropped, it would be lost.
    to_pages = sorted({href for href in prepared["dropped"] if urlparse(href).path.endswith(".html")})
    if to_pages:
        raise SystemExit(f"make pdf: links to pages, not to the single page's anchors: {to_pages[:10]}")
    page.add_style_tag(content=RUNNING_HEAD.format(title=citation.title.split(":")[0], edition=edition.capitalize()))
    missing = missing_glyphs(page.evaluate(PRINTED_CHARACTERS), covered)
    if missing:
        raise MissingGlyphs(describe_missing(missing))
    options = {"format": "A4", "print_background": True, "margin": MARGINS, "tagged": True}
    page.evaluate(NUMBER_CONTENTS, section_pages(page.pdf(**options)))
    with_bookmarks(page.pdf(**options), prepared["entries"], output)


def printed_request(route: Any) -> None:
    """Only this site's files, and not the chart script: the print is of the build's drawings.

    An explorer that went live while the page was printed would be drawn by Vega at its
    screen size, not scaled to the page by the print stylesheet, and at random in one
    edition and not the other.
    """
    url = urlparse(route.request.url)
    if url.hostname not in (None, "127.0.0.1") or url.path.endswith((f"/{CHARTS_JS}", f"/{VEGA_BUNDLE}")):
        route.abort()
    else:
        route.continue_()


def print_site(site: Path, output_dir: Path) -> list[Path]:
    """Print ``site/index.html`` (the single-page book) as each edition into ``output_dir``."""
    from playwright.sync_api import sync_playwright

    if not (site / "index.html").exists():
        raise SystemExit(f"{site / 'index.html'} not found: build the single-page book first (make pdf does)")
    # Jupyter Book writes the single page to book/index.html but links its assets
    # as if it sat at the root; point book/_static at the real folder.
    for name in ("_static", "_downloads"):
        link = site / "book" / name
        if (site / "book").is_dir() and not link.exists():
            link.symlink_to(Path("..") / name)
    output_dir.mkdir(parents=True, exist_ok=True)
    citation = Citation.read()
    covered = font_coverage()
    written = []
    with serving(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        for edition in EDITIONS:
            page = browser.new_page()
            page.route("**/*", printed_request)
            output = output_dir / f"{STEM}-{edition}.pdf"
            print_edition(page, url, edition, output, citation, covered)
            page.close()
            written.append(output)
        browser.close()
    return written


if __name__ == "__main__":
    site_dir, pdf_dir = map(Path, sys.argv[1:3])
    for path in print_site(site_dir, pdf_dir):
        print(f"wrote {path}")
