"""Every internal link and anchor in the built site leads somewhere."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

LINKING_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}


class _PageLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(values[name])
        target = values.get(LINKING_ATTRIBUTES.get(tag, ""))
        if target:
            self.links.append(target)


def parse(page: Path) -> _PageLinks:
    parser = _PageLinks()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Internal links whose file is missing, or whose #anchor is not an id on the target page."""
    # _static holds the themes' Jinja macro files (*.html): assets, not pages.
    pages = {page: parse(page) for page in site.rglob("*.html") if "_static" not in page.relative_to(site).parts}
    broken = []
    for page, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # external: `make linkcheck` checks those, with the network
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {link}"
            if not target.is_file() or site.resolve() not in target.resolve().parents:
                broken.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{where} (no such anchor)")
    return sorted(broken)


def test_every_internal_link_and_anchor_resolves(site):
    assert broken_links(site) == []


def test_the_link_checker_catches_a_missing_page_and_a_missing_anchor(tmp_path):
    (tmp_path / "a.html").write_text(
        '<p id="here"></p><a href="#here">ok</a><a href="b.html#nowhere">x</a>'
        '<a href="gone.html">y</a><a href="https://example.org/">external</a><img src="pic.png">',
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text('<a name="old"></a><a href="a.html#here">ok</a>', encoding="utf-8")
    assert broken_links(tmp_path) == [
        "a.html: b.html#nowhere (no such anchor)",
        "a.html: gone.html (no such file)",
        "a.html: pic.png (no such file)",
    ]


@pytest.mark.parametrize("page", ["book/index.html", "book/civil-war.html"])
def test_the_checker_sees_the_site_s_links(site, page):
    """Guard against a parser that finds nothing and so passes everything."""
    assert len(parse(site / page).links) > 20
