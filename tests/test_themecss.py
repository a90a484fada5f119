"""The theme's stylesheet cut to the rules the book's markup can meet (manchuria.sphinx.themecss)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import tinycss2

from manchuria.book import REPO_ROOT
from manchuria.sphinx import icons, themecss


def test_a_selector_list_splits_at_its_top_level_commas_only():
    assert themecss.split_selectors('.a, .b:is(.c, .d) > p,[title="x,y"] .e') == [
        ".a",
        ".b:is(.c, .d) > p",
        '[title="x,y"] .e',
    ]


@pytest.mark.parametrize(
    "selector, names",
    [
        (".bd-header .navbar-item", {"bd-header", "navbar-item"}),
        ("#pst-back-to-top:hover", {"pst-back-to-top"}),
        ("html[data-theme=dark] .bd-content", {"bd-content"}),
        ('a[href$=".pdf"]', set()),  # an attribute's value is not a class
        (".btn:not(.disabled,.active)", {"btn"}),  # an element need not have what :not() names
        (":is(.sd-card, .sd-tab) p", set()),
        ("p::before", set()),
        (".x:NOT(.y), :-webkit-any(.z) p", {"x"}),
        (r".sm\:flex .q", {"q"}),  # an escaped name is no word of a source: the selector is not judged by it
    ],
)
def test_the_names_a_selector_requires(selector, names):
    assert themecss.required_names(selector) == names


def test_a_rule_goes_only_when_every_selector_names_a_class_no_writer_has():
    css = (
        "@font-face{font-family:X;src:url(x.woff2)}"
        "p{margin:0}"
        ".kept,.gone{color:red}"
        ".gone .kept{color:blue}"
        "@media (min-width:960px){.gone{display:none}}"
        "@media print{.kept{display:none}}"
        "@keyframes spin{from{transform:rotate(0)}to{transform:rotate(1turn)}}"
    )
    assert themecss.prune_rules(css, {"kept"}) == (
        "@font-face{font-family:X;src:url(x.woff2)}"
        "p{margin:0}"
        ".kept{color:red}"  # .gone .kept and the emptied @media (min-width) go
        "@media print{.kept{display:none}}"
        "@keyframes spin{from{transform:rotate(0)}to{transform:rotate(1turn)}}"
    )


def test_escapes_split_nothing_and_an_emptied_layer_keeps_its_place():
    assert themecss.prune_rules(r".a\,b,.c{color:red}", {"c"}) == r".a\,b,.c{color:red}"
    assert themecss.prune_rules("@layer a{.gone{}}@layer b{.x{color:red}}@layer a{.x{}}", {"x"}) == (
        "@layer a;@layer b{.x{color:red}}@layer a{.x{}}"
    )


def test_a_stylesheet_that_does_not_parse_is_named_by_line_and_column():
    with pytest.raises(ValueError, match=r"line 2, column \d+"):
        themecss.prune_rules("p{margin:0}\n}", set())


@pytest.fixture(scope="module")
def theme_css() -> str:
    return themecss.theme_stylesheet()


@pytest.fixture(scope="module")
def words(tmp_path_factory) -> set[str]:
    return themecss.writers_vocabulary(tmp_path_factory.mktemp("vocabulary") / "words.txt")


def selectors_of(css: str) -> list[str]:
    """Every selector of ``css``, read by tinycss2 alone (the oracle for the pruning's parser)."""
    found = []

    def walk(rules):
        for rule in rules:
            if rule.type == "qualified-rule":
                found.extend(themecss.split_selectors(tinycss2.serialize(rule.prelude).strip()))
            elif (
                rule.type == "at-rule" and rule.content is not None and f"@{rule.lower_at_keyword}" in themecss.GROUPING
            ):
                walk(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True))

    walk(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))
    return found


def test_the_theme_loses_only_selectors_that_name_a_class_no_writer_has(theme_css, words):
    pruned = themecss.prune_rules(theme_css, words)
    kept = [selector for selector in selectors_of(theme_css) if themecss.required_names(selector) <= words]
    assert selectors_of(pruned) == kept
    assert len(pruned) < len(theme_css) / 2, "Bootstrap's utilities, sphinx-design and nbsphinx go"
    for part in (".bd-header", ".bd-sidebar-primary", ".search-button", ".theme-switch-button", ".admonition"):
        assert part in pruned, part
    for part in (".col-md-6", ".sd-tab-set", ".nbinput", ".btn-outline-success"):
        assert part not in pruned, part
    assert pruned.count("@font-face") == theme_css.count("@font-face")


def test_the_vocabulary_holds_what_the_writers_write(words):
    # Sphinx's toc classes, the theme's templates and scripts, copybutton's script template (.js_t).
    assert {"toctree-l1", "bd-sidebar-secondary", "theme-switch-button", "copybtn", "o-tooltip--left"} <= words


def write_book(root: Path, page: str) -> None:
    (root / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (root / "_config.yml").write_text("title: x\n", encoding="utf-8")
    (root / "index.md").write_text(page, encoding="utf-8")


def test_the_stylesheet_is_written_again_only_when_a_page_brings_a_new_class(tmp_path):
    root, out = tmp_path / "book", tmp_path / "static"
    root.mkdir()
    write_book(root, "# A page\n")
    target = themecss.write_theme_stylesheet(out, root)
    before = target.stat().st_mtime_ns
    assert ".col-md-6" not in target.read_text(encoding="utf-8")
    write_book(root, "# A page\n\nAn edit with no class of the stylesheet.\n")
    themecss.write_theme_stylesheet(out, root)
    assert target.stat().st_mtime_ns == before, "an edit that brings no class of the stylesheet rewrites nothing"
    write_book(root, '# A page\n\n<div class="col-md-6">raw HTML</div>\n')
    themecss.write_theme_stylesheet(out, root)
    assert ".col-md-6" in target.read_text(encoding="utf-8")


@pytest.mark.build
def test_every_class_the_pages_carry_and_the_theme_styles_is_kept(site, words, theme_css):
    """The vocabulary is read from the writers' sources; this holds it to what one build wrote."""
    built = words | themecss.vocabulary(themecss.page_files(REPO_ROOT))
    theme = themecss.stylesheet_names(theme_css)
    carried = set()
    for page in site.rglob("*.html"):
        for value in re.findall(r'(?:class|id)="([^"]*)"', page.read_text(encoding="utf-8", errors="replace")):
            carried.update(value.split())
    assert sorted((carried & theme) - built) == []


def stable_screenshot(page, selector: str | None = None, tries: int = 5):
    """The viewport (or one element), once two screenshots in a row agree, as Playwright's
    ``toHaveScreenshot`` waits: on a busy machine a web font, a script or the sidebar's
    scroll to the current page can land late."""
    from PIL import Image

    def shot() -> bytes:
        return page.locator(selector).screenshot() if selector else page.screenshot()

    previous = shot()
    for _ in range(tries):
        page.evaluate("document.fonts.ready.then(() => new Promise(requestAnimationFrame))")
        page.wait_for_timeout(250)
        current = shot()
        if current == previous:
            break
        previous = current
    return Image.open(io.BytesIO(current)).convert("RGB")


# Pages with most of the book's kinds of markup: charts, tables, admonitions, exercises and
# footnotes; a definition list; the landing page's citation and download boxes.
SCREENS = 3  # the page top and the two screens after it
COMPARED_PAGES = ("book/under-occupation.html", "book/glossary.html", "book/index.html")


@pytest.mark.parametrize("path", COMPARED_PAGES)
def test_pages_look_the_same_with_the_whole_theme_stylesheet(browser, site_url, path, theme_css):
    """Screenshots, pixel for pixel, with the cut stylesheet and with the theme's whole one (less the
    other icons): the first screens a reader sees on a phone and at desk width (header, sidebars and
    article), in light and dark mode."""
    from PIL import ImageChops

    def screenshots(whole: bool) -> list:
        shots = []
        for scheme in ("light", "dark"):
            for width in (390, 1280):
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, color_scheme=scheme, reduced_motion="reduce"
                )
                if whole:
                    context.route(
                        f"**/_static/{icons.STYLESHEET.as_posix()}*",
                        lambda route: route.fulfill(body=theme_css, content_type="text/css"),
                    )
                page = context.new_page()
                page.goto(f"{site_url}/{path}", wait_until="networkidle")
                for screen in range(SCREENS):
                    page.evaluate(f"window.scrollTo(0, {screen * 800})")
                    shots.append(stable_screenshot(page))
                context.close()
        return shots

    views = [
        f"{scheme} {width} px, screen {screen + 1}"
        for scheme in ("light", "dark")
        for width in (390, 1280)
        for screen in range(SCREENS)
    ]
    for view, cut, whole in zip(views, screenshots(False), screenshots(True), strict=True):
        box = ImageChops.difference(cut, whole).getbbox()
        if box is not None:
            folder = REPO_ROOT / "_build" / "test-themecss"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{Path(path).stem}-{view.replace(' ', '-').replace(',', '')}"
            cut.save(folder / f"{name}-cut.png")
            whole.save(folder / f"{name}-whole.png")
        assert box is None, f"{path} {view} differs in {box} (screenshots in _build/test-themecss/)"
