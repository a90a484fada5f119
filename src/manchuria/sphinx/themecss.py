"""The theme's stylesheet without the rules for markup that nothing in the build can write.

pydata-sphinx-theme ships one stylesheet, 312 kB (46 kB compressed) and render-blocking on
every page: Bootstrap's components and utilities, sphinx-design's cards, tabs and grids,
nbsphinx's cells, and the theme's own parts. Most of it styles classes no page of this book
can carry. As PurgeCSS does, a rule is kept when every class and id its selector requires
is a word of the *vocabulary*: the words of the files that write the pages' markup (the
themes' templates and scripts, the Python of Sphinx, docutils and the extensions the book
loads, the libraries whose outputs the notebooks show, the book's own package and pages).
A word any of them contains may be a class a page has; a class none of them spells out is
taken to be on no page. That misses a class a writer builds at run time from pieces
(``"toctree-l%d"``-style formatting) unless the whole name is written somewhere too.

The vocabulary is read from source, never from the built pages: it is what the build can
write, not what one build happened to write, so an incremental build or a new page does not
depend on what earlier pages had. ``tests/test_themecss.py`` holds the pruning to tinycss2's
reading of the stylesheet and the vocabulary to the classes one build's pages carry, and
compares screenshots of three pages, light and dark, phone and desk width, with and
without the pruning.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from . import icons
from .toc import toc_files

# The packages whose templates, scripts and code write the markup of the book's pages
# (the extensions of _config.yml, the theme and its parent, Sphinx and docutils).
WRITERS = (
    "pydata_sphinx_theme",
    "sphinx_book_theme",
    "sphinx",
    "docutils",
    "myst_parser",
    "myst_nb",
    "jupyter_book",
    "sphinx_togglebutton",
    "sphinx_copybutton",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "sphinx_external_toc",
    "sphinx_multitoc_numbering",
    "manchuria",
    # What the notebooks' outputs are written by (pandas' class="dataframe" tables, IPython's display).
    "pandas.io.formats",
    "IPython.core",
)
# Files that write markup. Stylesheets are left out: a stylesheet names a class, it does not
# put one on a page; source maps repeat the stylesheets.
WRITER_SUFFIXES = (".html", ".js", ".py", ".js_t", ".html_t")  # _t: templates Sphinx renders
# Written beside the cut-down icon fonts, under the theme's own name, in a static folder that
# comes after the theme's: Sphinx copies it over the theme's file.
STAMP = Path("manchuria", "theme-stylesheet.sha256")
VOCABULARY_CACHE = Path("manchuria", "writers-vocabulary.txt")
WORD = re.compile(r"[A-Za-z_][\w-]*")
# In a selector: the classes and ids an element must have for it to match.
REQUIRED = re.compile(r"[.#](-?(?:[A-Za-z_]|\\.)(?:[\w-]|\\.)*)")
# Pseudo-classes whose arguments an element need not have (:not(.x), :where(.x, .y) ...).
OPTIONAL_ARGUMENTS = re.compile(r":(?:not|is|where|has|matches|-webkit-any|-moz-any)\(", re.IGNORECASE)
# At-rules whose block holds rules; any other keeps its block whole (@font-face, @keyframes ...).
GROUPING = ("@media", "@supports", "@container", "@layer", "@document")


def package_folders(names: Iterable[str] = WRITERS) -> list[Path]:
    folders = []
    for name in names:
        spec = find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"{name} is not installed; the theme's stylesheet is pruned by what it writes")
        folders.extend(Path(location) for location in spec.submodule_search_locations)
    return folders


def source_files(folders: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*") if path.suffix in suffixes)


def vocabulary(files: Iterable[Path]) -> set[str]:
    """Every word of ``files``: the class names and ids they can write, and more."""
    words: set[str] = set()
    for path in files:
        words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def writers_digest(names: Iterable[str] = WRITERS) -> str:
    """The installed writers' versions (the book's own package by its files, as it is edited in place)."""
    digest = hashlib.sha256()
    for name in names:
        if name == "manchuria":
            for path in source_files(package_folders([name]), WRITER_SUFFIXES):
                digest.update(path.read_bytes())
        else:
            digest.update(f"{name}={version(_DISTRIBUTIONS.get(name, name.split('.')[0]))}\n".encode())
    return digest.hexdigest()


_DISTRIBUTIONS = {"sphinxcontrib.bibtex": "sphinxcontrib-bibtex"}


def writers_vocabulary(cache: Path) -> set[str]:
    """The words of every writer's files, kept in ``cache`` while the writers are unchanged."""
    digest = writers_digest()
    if cache.exists():
        stored, _, words = cache.read_text(encoding="utf-8").partition("\n")
        if stored == digest:
            return set(words.split())
    words = vocabulary(source_files(package_folders(), WRITER_SUFFIXES))
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(digest + "\n" + " ".join(sorted(words)), encoding="utf-8")
    return words


def stylesheet_names(css: str) -> set[str]:
    """Every class and id a selector of ``css`` names (and a few words of its values: harmless)."""
    return {name for name in REQUIRED.findall(css) if "\\" not in name}


def split_selectors(selectors: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside ``:is(...)`` or strings)."""
    parts, depth, current, position = [], 0, [], 0
    while position < len(selectors):
        skipped = _skip_string(selectors, position)
        if skipped != position:
            current.append(selectors[position:skipped])
            position = skipped
            continue
        character = selectors[position]
        if character == "\\":  # an escaped character is part of a name: \, or \( splits nothing
            current.append(selectors[position : position + 2])
            position += 2
            continue
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        if character == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
        position += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def required_names(selector: str) -> set[str]:
    """The classes and ids an element must carry for ``selector`` to match it.

    Attribute selectors and the arguments of ``:not()``, ``:is()``, ``:where()``,
    ``:has()`` and their older forms are left out: an element need not have those names.
    """
    kept, position = [], 0
    while position < len(selector):
        skipped = _skip_string(selector, position)
        if skipped != position:
            position = skipped
            continue
        if selector[position] == "\\":
            kept.append(selector[position : position + 2])
            position += 2
            continue
        if selector[position] == "[":
            position = selector.index("]", position) + 1
            continue
        match = OPTIONAL_ARGUMENTS.match(selector, position)
        if match:
            depth, position = 1, match.end()
            while depth and position < len(selector):
                depth += {"(": 1, ")": -1}.get(selector[position], 0)
                position += 1
            continue
        kept.append(selector[position])
        position += 1
    # A name with an escaped character (.sm\:flex) is no word of a source: the selector is kept.
    return {name for name in REQUIRED.findall("".join(kept)) if "\\" not in name}


def _skip_string(text: str, index: int) -> int:
    """The index after the quoted string that starts at ``index``, or ``index`` if none does."""
    if text[index] not in "\"'":
        return index
    quote, position = text[index], index + 1
    while position < len(text) and text[position] != quote:
        position += 2 if text[position] == "\\" else 1
    return position + 1


def prune_rules(css: str, words: set[str]) -> str:
    """``css`` with only the selectors whose required classes and ids are all in ``words``.

    A rule none of whose selectors is kept goes, and so does a grouping at-rule left empty;
    other at-rules (@font-face, @keyframes ...) and declarations stay as they are. Parsed
    with tinycss2; a parse error in the stylesheet is raised with its line and column.
    """
    import tinycss2

    return "".join(_pruned(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), words))


def _pruned(rules: list, words: set[str]) -> list[str]:
    import tinycss2

    out = []
    for rule in rules:
        if rule.type == "error":
            raise ValueError(
                f"the stylesheet does not parse at line {rule.source_line}, column {rule.source_column}: {rule.message}"
            )
        prelude = tinycss2.serialize(rule.prelude).strip()
        if rule.type == "at-rule":
            head = f"@{rule.at_keyword} {prelude}".strip()
            if rule.content is None:
                out.append(f"{head};")
            elif f"@{rule.lower_at_keyword}" in GROUPING:
                inner = _pruned(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True), words)
                if inner:
                    out.append(f"{head}{{{''.join(inner)}}}")
                elif rule.lower_at_keyword == "layer" and prelude:
                    out.append(f"{head};")  # a layer's first mention sets its order, empty or not
            else:
                out.append(f"{head}{{{tinycss2.serialize(rule.content)}}}")
            continue
        selectors = [selector for selector in split_selectors(prelude) if required_names(selector) <= words]
        if selectors:
            out.append(f"{','.join(selectors)}{{{tinycss2.serialize(rule.content)}}}")
    return out


def page_files(root: Path) -> list[Path]:
    """What the book's own sources can add to the vocabulary: a `:class:` option, raw HTML, a theme option."""
    return [*toc_files(root), root / "_config.yml", root / "_toc.yml"]


def theme_stylesheet() -> str:
    """The installed theme's stylesheet, cut to the book's icons: what the pruning starts from."""
    return icons.prune_stylesheet(
        (icons.theme_static() / icons.STYLESHEET).read_text(encoding="utf-8"), set(icons.ICONS)
    )


def write_theme_stylesheet(directory: Path, root: Path) -> Path:
    """Write the theme's stylesheet, cut to the book's icons and to the rules its markup can meet.

    Rewritten only when the theme's stylesheet or the words it can meet change, so a cached
    build reads the vocabulary from ``directory`` and writes nothing.
    """
    css = theme_stylesheet()
    words = writers_vocabulary(directory / VOCABULARY_CACHE) | vocabulary(page_files(root))
    # The required names of a kept selector are names of the stylesheet, so these words decide it.
    relevant = words & stylesheet_names(css)
    pruner = f"{Path(__file__).read_text(encoding='utf-8')}\ntinycss2 {version('tinycss2')}"
    digest = hashlib.sha256("\n".join([css, pruner, *sorted(relevant)]).encode()).hexdigest()
    target, stamp = directory / icons.STYLESHEET, directory / STAMP
    if target.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == digest:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(prune_rules(css, relevant), encoding="utf-8")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest, encoding="utf-8")
    return target
