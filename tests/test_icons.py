"""Font Awesome cut down to the book's icons: every icon a page, script or stylesheet asks for is kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2
from fontTools.ttLib import TTFont

from manchuria.sphinx import icons

PRIVATE_USE = range(0xE000, 0xF900)  # where Font Awesome puts its icons
ICON_SELECTOR = re.compile(r"(?:\s*\.fa-[a-z0-9-]+::?before\s*,?)+")
CLASS_ATTRIBUTE = re.compile(r'\bclass="([^"]*)"')
FA_TOKEN = re.compile(r"\bfa-([a-z0-9-]+)")


def _rules(nodes):
    """Qualified rules, with those inside @media and @supports."""
    for node in nodes:
        if node.type == "qualified-rule":
            yield node
        elif node.type == "at-rule" and node.content is not None and node.lower_at_keyword in ("media", "supports"):
            yield from _rules(tinycss2.parse_rule_list(node.content, skip_whitespace=True, skip_comments=True))


def _declarations(rule):
    return [
        d
        for d in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True)
        if d.type == "declaration"
    ]


def _strings(declaration) -> list[str]:
    return [token.value for token in declaration.value if token.type == "string"]


def _is_icon_rule(rule) -> bool:
    return bool(ICON_SELECTOR.fullmatch(tinycss2.serialize(rule.prelude)))


def icon_table(css: str) -> dict[str, int]:
    """Font Awesome's class table in a stylesheet: icon name -> code point."""
    table = {}
    for rule in _rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)):
        if not _is_icon_rule(rule):
            continue
        content = [s for d in _declarations(rule) if d.lower_name == "content" for s in _strings(d)]
        if len(content) == 1 and len(content[0]) == 1:
            for name in re.findall(r"\.fa-([a-z0-9-]+)", tinycss2.serialize(rule.prelude)):
                table[name] = ord(content[0])
    return table


def drawn_code_points(css: str) -> set[int]:
    """Font Awesome code points a stylesheet draws without an icon class: content, or a custom property."""
    points = set()
    for rule in _rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)):
        if _is_icon_rule(rule):
            continue
        for declaration in _declarations(rule):
            points |= {ord(c) for s in _strings(declaration) for c in s if ord(c) in PRIVATE_USE}
    return points


def cmap(path: Path) -> set[int]:
    return set(TTFont(path).getBestCmap())


@pytest.fixture(scope="module")
def theme_css() -> str:
    return (icons.theme_static() / icons.STYLESHEET).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    return icons.write_icon_files(tmp_path_factory.mktemp("icons"))


def test_each_icon_has_its_code_point_in_the_theme(theme_css):
    table = icon_table(theme_css)
    assert len(table) > 1500, "the parser reads Font Awesome's class table"
    assert {name: table.get(name) for name in icons.ICONS} == icons.ICONS


def test_the_cut_fonts_hold_every_icon_and_little_else(written):
    webfonts, theme_webfonts = written / icons.WEBFONTS, icons.theme_static() / icons.WEBFONTS
    for name in icons.FONTS:
        for suffix in icons.FONT_SUFFIXES:
            kept, full = cmap(webfonts / f"{name}{suffix}"), cmap(theme_webfonts / f"{name}{suffix}")
            assert kept == full & icons.codepoints(), f"{name}{suffix}: the icons the theme's font has"
    solid, brands = (cmap(webfonts / f"{name}.woff2") for name in ("fa-solid-900", "fa-brands-400"))
    assert icons.codepoints() <= solid | brands
    assert 0xF09B in brands and 0xF135 in solid, "GitHub's mark is a brand, the rocket is solid"
    assert TTFont(webfonts / "fa-solid-900.woff2").flavor == "woff2"
    woff2 = sum((webfonts / f"{name}.woff2").stat().st_size for name in icons.FONTS)
    assert woff2 < 8_000, "about 6 kB for the three, against 300 kB whole"


def test_the_cut_fonts_keep_the_licence(written):
    names = TTFont(written / icons.WEBFONTS / "fa-solid-900.woff2")["name"]
    assert "Font Awesome" in str(names.getDebugName(1))
    assert names.getDebugName(0), "the copyright notice"


def test_the_stylesheet_loses_only_other_icons_classes(theme_css):
    pruned = icons.prune_stylesheet(theme_css, set(icons.ICONS))

    def rules(css):
        return [
            (_is_icon_rule(rule), tinycss2.serialize(rule.prelude), tinycss2.serialize(rule.content))
            for rule in _rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))
        ]

    table = icon_table(pruned)
    assert set(table) >= set(icons.ICONS) and len(table) < 100, "the book's icons and their aliases"
    kept = [rule for rule in rules(theme_css) if not rule[0] or set(FA_TOKEN.findall(rule[1])) & set(icons.ICONS)]
    assert rules(pruned) == kept
    assert "@font-face" in pruned and "sourceMappingURL" not in pruned
    assert len(pruned) < len(theme_css) - 50_000


def test_a_second_call_keeps_the_written_files(written):
    font = written / icons.WEBFONTS / "fa-solid-900.woff2"
    before = font.stat().st_mtime_ns
    icons.write_icon_files(written)
    assert font.stat().st_mtime_ns == before
    (written / icons.STAMP).write_text("another theme")
    icons.write_icon_files(written)
    assert font.stat().st_mtime_ns != before, "a new theme version writes them again"


def _local(page: Path, site: Path, url: str) -> Path | None:
    if re.match(r"[a-z]+:|//", url):
        return None
    file = (page.parent / url.split("?")[0].split("#")[0]).resolve()
    return file if file.is_file() and file.is_relative_to(site.resolve()) else None


def _stylesheets(file: Path, site: Path) -> list[Path]:
    """A stylesheet and those it @imports."""
    found = [file]
    for url in re.findall(r"""@import\s+(?:url\()?["']?([^"')\s;]+)""", file.read_text(encoding="utf-8")):
        if (imported := _local(file, site, url)) is not None:
            found += _stylesheets(imported, site)
    return found


def test_every_icon_of_the_built_site_is_in_its_fonts(site, theme_css):
    """An icon class on a page or in a script it loads, or a code point in a stylesheet it loads, is drawn.

    Icon names are read from the theme's whole stylesheet, so an icon the cut
    stylesheet lacks is still seen; it must then be in the site's stylesheet and fonts.
    """
    theme_table = icon_table(theme_css)
    classes: set[str] = set()
    stylesheets: set[Path] = set()
    scripts: set[Path] = set()
    for page in site.rglob("*.html"):
        if "_static" in page.relative_to(site).parts:
            continue
        html = page.read_text(encoding="utf-8")
        classes |= {token for value in CLASS_ATTRIBUTE.findall(html) for token in FA_TOKEN.findall(value)}
        classes |= set(
            FA_TOKEN.findall(" ".join(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)))
        )
        for tag in re.findall(r"<link\b[^>]*>", html):
            if 'rel="stylesheet"' in tag and (file := _local(page, site, re.search(r'href="([^"]+)"', tag)[1])):
                stylesheets.update(_stylesheets(file, site))
        scripts |= {
            file for url in re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html) if (file := _local(page, site, url))
        }
    for script in scripts:
        classes |= set(FA_TOKEN.findall(script.read_text(encoding="utf-8", errors="replace")))
    used = {name for name in classes if name in theme_table}
    site_table, drawn = {}, set()
    for stylesheet in stylesheets:
        css = stylesheet.read_text(encoding="utf-8")
        site_table |= icon_table(css)
        drawn |= drawn_code_points(css)
    webfonts = site / "_static" / icons.WEBFONTS
    in_fonts = set().union(*(cmap(webfonts / f"{name}.woff2") for name in icons.FONTS))

    assert {"rocket", "github", "magnifying-glass", "xmark"} <= used, "pages, templates and scripts are read"
    assert {0xF0EB, 0xF303, 0xF107} <= drawn, "the tip's bulb, the exercise's pencil, the contents' angle"
    assert used - set(site_table) == set(), "icon classes the site's stylesheet has no rule for"
    assert {name for name in used if theme_table[name] not in in_fonts} == set()
    assert {hex(point) for point in drawn - in_fonts} == set()
    assert all((webfonts / f"{name}.woff2").stat().st_size < 5_000 for name in icons.FONTS), "the cut fonts"
