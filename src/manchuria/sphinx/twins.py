"""Notebook twins that read correctly in JupyterLab: the book's MyST roles resolved to text.

A section is written as a MyST notebook (``book/page.md``); Binder, the launch
buttons and ``make lab`` open its ``.ipynb`` twin. jupyterlab-myst renders
MyST's own markup there (headings, tables, admonitions, exercises and their
dropdown solutions, ``(label)=`` targets), but not what Sphinx resolves from the
rest of the book: glued numbers, citations, figure numbers, cross-references
and glossary terms would show as raw keys. The twin's markdown cells get:

* ``{glue:text}`name:fmt```, ``{glue}`name``` and ``{glue:any}`name```: the
  value the notebook's own code glued, formatted as myst-nb formats it;
* ``{cite}`a,b``` (and ``{cite:p}``, ``{cite:t}``, ...): the author-year text
  the book prints, e.g. "[Harriman, 1945]", from ``references.bib`` through
  sphinxcontrib-bibtex's own reference style, each source linked to its URL;
* ``{numref}`fig-x```: "Fig. N.M" as the book numbers it (the section's place
  in ``_toc.yml``, the figure's place in the page), linked to the other
  notebook when the figure is on another page;
* ``{ref}`label```, ``{doc}`page``` and ``{term}`text <Term>```: their text,
  linked to the other notebook where there is one;
* ``[text](other.md)`` links to another notebook: ``other.ipynb``;
* ``{tableofcontents}``: a list of the book's pages.
* ``{data-downloads}``: links to the page's data files.

Other MyST (admonitions, exercises, solutions, ``{abbr}``...) is left to
jupyterlab-myst. Each figure cell is followed by its numbered caption, and the
notebook ends with the full entries of the sources it cites. All but the last
section are pure functions of the page's text, the book's other pages, the
bibliography and the glued values; the last gathers those from the book's root
(Sphinx's source directory, which the extension passes after reading, or the
repository for ``python -m manchuria.book``) and writes the files.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .bibfile import KINDS
from .inputs import inputs_digest, notebook_inputs
from .toc import chapter_files, toc_files, toc_notebooks

ROLE = re.compile(r"\{(?P<role>[a-z][\w:-]*)\}`(?P<content>[^`]+)`")
TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
TARGET_LINE = re.compile(r"^\((?P<label>[\w.:-]+)\)=\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
PAGE_LINK = re.compile(r"\]\((?P<page>[\w./-]+)\.md(?P<anchor>#[\w-]*)?\)")
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}(?P<argument>.*)$")
# What a twin's markdown must no longer contain: the book's roles, and a glue
# format left behind (``name:,.0f``) by a half-resolved glue role.
UNRESOLVED = re.compile(r"\{(?:glue|cite|numref|ref|term|doc)\b[^}]*\}`")
GLUE_RESIDUE = re.compile(r"\b[a-z]\w*:[,.\d]*[dfgeEs%]\b")
# Markdown characters a glued value must not trigger.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
SOURCES_HEADING = "Sources cited in this notebook"
TWIN_METADATA = "manchuria"


class TwinError(ValueError):
    """A role in a notebook that cannot be resolved: names the file, line and key."""


@dataclass(frozen=True)
class Figure:
    number: str  # "1.1" as the book prints it after "Fig."
    page: str  # the page stem ("yalta") the figure is on


@dataclass(frozen=True)
class Target:
    title: str  # the heading text a {ref} shows
    page: str


@dataclass(frozen=True)
class Page:
    """One page of the book as the twins need it."""

    stem: str
    title: str
    is_notebook: bool
    section: int | None  # its number in the chapter, None for unnumbered pages
    figures: tuple[str, ...]  # figure labels in page order
    targets: Mapping[str, str]  # (label)= targets -> the heading text after them


@dataclass
class BookIndex:
    """What a twin resolves against: the book's pages and a citation formatter."""

    pages: list[Page]
    cite: Callable[[str, list[str]], str]  # (role, keys) -> text
    entries: Callable[[list[str]], list[tuple[str, str]]] = lambda keys: []  # keys -> (label, entry) in order
    figures: dict[str, Figure] = field(init=False)
    targets: dict[str, Target] = field(init=False)

    def __post_init__(self) -> None:
        self.figures = figure_numbers(self.pages)
        self.targets = {label: Target(title, page.stem) for page in self.pages for label, title in page.targets.items()}

    def page(self, stem: str) -> Page:
        return next(page for page in self.pages if page.stem == stem)

    def link(self, stem: str, text: str, here: str) -> str:
        """``text``, linked to page ``stem``'s twin unless it is this page or has no twin."""
        page = self.page(stem)
        if stem == here:
            return text
        return f"[{text}]({stem}.ipynb)" if page.is_notebook else f"[{text}]({stem}.md)"


# --- reading pages ------------------------------------------------------------------


def plain_title(markdown: str) -> str:
    """A heading's text without MyST roles: ``{term}`Dalian <Dalian (Dairen)>``` reads "Dalian"."""

    def text(match: re.Match) -> str:
        titled = TITLED.match(match["content"])
        return titled["text"] if titled else match["content"]

    return ROLE.sub(text, markdown).strip()


def read_page(stem: str, source: str, section: int | None) -> Page:
    """Title, ``(label)=`` targets and figure labels of one MyST page, from its text."""
    lines = source.splitlines()
    title, targets, pending = stem, {}, []
    for line in lines:
        target = TARGET_LINE.match(line)
        heading = HEADING.match(line)
        if target:
            pending.append(target["label"])
        elif heading:
            text = plain_title(heading["title"])
            if title == stem and len(heading["hashes"]) == 1:
                title = text
            targets.update({label: text for label in pending})
            pending = []
        elif line.strip():
            pending = []
    front_matter = source.startswith("---") and "kernelspec" in (yaml.safe_load(source.split("---", 2)[1]) or {})
    return Page(stem, title, bool(front_matter), section, tuple(figure_labels(source)), targets)


def figure_labels(source: str) -> list[str]:
    """The names of a MyST notebook's figures (code cells with ``mystnb.figure.name``), in order."""
    labels = []
    for block in re.finditer(r"^```\{code-cell\}[^\n]*\n---\n(?P<options>.*?)\n---\n", source, re.S | re.M):
        options = yaml.safe_load(block["options"]) or {}
        name = ((options.get("mystnb") or {}).get("figure") or {}).get("name")
        if name:
            labels.append(name)
    return labels


def figure_numbers(pages: Iterable[Page]) -> dict[str, Figure]:
    """Figure numbers as Sphinx's numfig gives them in this book.

    A numbered section's figures are "N.1", "N.2", ... (N its place in the
    chapter); the unnumbered pages share one counter, in reading order.
    """
    numbers: dict[str, Figure] = {}
    unnumbered = 0
    for page in pages:
        for index, label in enumerate(page.figures, start=1):
            if page.section is None:
                unnumbered += 1
                numbers[label] = Figure(str(unnumbered), page.stem)
            else:
                numbers[label] = Figure(f"{page.section}.{index}", page.stem)
    return numbers


# --- glued values ---------------------------------------------------------------------


def glue_outputs(notebook: Mapping) -> dict[str, dict]:
    """myst-nb's glued outputs in an executed notebook, by name, with the mime prefix removed."""
    glued = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                prefix = len(scrapbook.get("mime_prefix", ""))
                glued[scrapbook["name"]] = {mime[prefix:]: value for mime, value in output["data"].items()}
    return glued


def glue_from_json(text: str) -> dict[str, dict]:
    """The glued outputs in the ``page.glue.json`` myst-nb writes beside the executed notebook."""
    return {name: output["data"] for name, output in json.loads(text).items()}


def format_glue(data: Mapping[str, str], fmt: str, where: str) -> str:
    """A glued value as myst-nb's ``{glue:text}`` prints it (``fmt`` a Python format spec)."""
    from myst_nb.core.variables import format_plain_text

    if "text/plain" not in data:
        raise TwinError(f"{where}: the glued value has no text form (only {sorted(data)})")
    try:
        return format_plain_text(data["text/plain"], fmt)
    except (TypeError, ValueError) as error:
        raise TwinError(f"{where}: cannot format {data['text/plain']!r} with ':{fmt}': {error}") from error


# --- resolving one cell ---------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """The page being resolved: its file name (for errors), stem, glued values and the book."""

    filename: str
    stem: str
    glue: Mapping[str, Mapping[str, str]]
    book: BookIndex
    cited: list[str] = field(default_factory=list)  # keys, in order of first citation


def escape_markdown(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


# The book leaves MyST's dollar math off, so "$" is a currency sign; JupyterLab's MyST renderer has it on
# and pairs two signs in a cell into TeX ("$300 million ... $130 million" became an error), so twins escape it.
# Any backslashes already before it go: a bibliography note's LaTeX "\$" reaches here as "\\$" (an escaped
# backslash, then a bare sign), and the book never means a backslash before a dollar.
DOLLAR = re.compile(r"\\*\$")


def escape_dollars(text: str) -> str:
    return DOLLAR.sub(r"\\$", text)


def resolve_role(role: str, content: str, context: Context, where: str) -> str:
    """The markdown that replaces one role."""
    titled = TITLED.match(content)
    text, target = (titled["text"], titled["target"]) if titled else (None, content)
    book = context.book
    if role.startswith("glue"):
        return resolve_glue(role, content, context, where)
    if role == "cite" or role.startswith("cite:"):
        keys = [key.strip() for key in content.split(",") if key.strip()]
        try:
            cited = book.cite(role.partition(":")[2] or "p", keys)
        except KeyError as error:
            raise TwinError(f"{where}: unknown bibliography key {error.args[0]} (not in references.bib)") from None
        except ValueError as error:
            raise TwinError(f"{where}: {error}") from None
        context.cited.extend(key for key in keys if key not in context.cited)
        return cited
    if role == "numref":
        if target not in book.figures:
            raise TwinError(f"{where}: unknown figure label '{target}' (no figure cell is named so)")
        figure = book.figures[target]
        label = (text or "Fig. %s").replace("%s", figure.number).replace("{number}", figure.number)
        return book.link(figure.page, label, context.stem)
    if role == "ref":
        if target not in book.targets:
            raise TwinError(f"{where}: unknown cross-reference label '{target}' (no '({target})=' target)")
        found = book.targets[target]
        return book.link(found.page, text or found.title, context.stem)
    if role == "doc":
        stem = Path(target).stem
        if stem not in {page.stem for page in book.pages}:
            raise TwinError(f"{where}: unknown page '{target}' in {{doc}}")
        return book.link(stem, text or book.page(stem).title, context.stem)
    if role == "term":
        return text or target
    return f"{{{role}}}`{content}`"  # a role jupyterlab-myst renders itself


def resolve_glue(role: str, content: str, context: Context, where: str) -> str:
    """``{glue:text}`name:fmt``` as myst-nb formats it; ``{glue}`name``` (or ``glue:any``) as its
    text form; ``{glue:md}`name``` as its markdown."""
    if "::" in content:
        raise TwinError(f"{where}: glue from another notebook ('{content}') is not supported in twins")
    name, fmt = content.rsplit(":", 1) if role == "glue:text" and ":" in content else (content, "s")
    if role not in ("glue", "glue:", "glue:any", "glue:text", "glue:md"):
        raise TwinError(f"{where}: unknown glue role '{{{role}}}'")
    if name not in context.glue:
        known = ", ".join(sorted(context.glue)) or "nothing"
        raise TwinError(f"{where}: unknown glue name '{name}' (this notebook glues: {known})")
    data = context.glue[name]
    if role == "glue:md":
        if "text/markdown" not in data:
            raise TwinError(f"{where}: glue '{name}' has no markdown value")
        return data["text/markdown"]
    if role == "glue:text":
        return escape_markdown(format_glue(data, fmt, f"{where}: glue '{name}'"))
    if "text/plain" not in data:
        raise TwinError(f"{where}: glue '{name}' has no text form to show in a twin (only {sorted(data)})")
    return escape_markdown(data["text/plain"])


def resolve_markdown(source: str, context: Context, first_line: int = 1) -> str:
    """One markdown cell with the book's roles, page links and table of contents resolved."""
    out = []
    closing = None  # the fence that ends a directive being replaced
    for number, line in enumerate(source.split("\n"), start=first_line):
        where = f"{context.filename}, line {number}"
        if closing is not None:
            closing = None if line.strip() == closing else closing
            continue
        directive = DIRECTIVE.match(line)
        if directive and directive["name"] == "tableofcontents":
            out.append(table_of_contents(context))
            closing = directive["fence"]
            continue
        if directive and directive["name"] == "data-downloads":
            out.append(data_downloads(directive["argument"].split()))
            closing = directive["fence"]
            continue
        if directive and directive["name"].startswith("glue"):
            raise TwinError(f"{where}: the {{{directive['name']}}} directive is not supported in twins; use a role")
        line = ROLE.sub(lambda match, where=where: resolve_role(match["role"], match["content"], context, where), line)
        line = PAGE_LINK.sub(lambda match: page_link(match, context), line)
        out.append(escape_dollars(line))
    return "\n".join(out)


def page_link(match: re.Match, context: Context) -> str:
    stem = Path(match["page"]).name
    known = {page.stem: page for page in context.book.pages}
    if stem in known and known[stem].is_notebook:
        return f"]({match['page'][: -len(stem)]}{stem}.ipynb{match['anchor'] or ''})"
    return match.group(0)


def data_downloads(names: list[str]) -> str:
    """A page's data files as links beside the notebook (``book/`` and ``data/`` are siblings)."""
    return (
        "The data used on this page, in the repository's `data/` folder: "
        + ", ".join(f"[{name}.csv](../data/{name}.csv)" for name in names)
        + ". Each file is described on the [Data](data.md) page."
    )


def table_of_contents(context: Context) -> str:
    items = []
    for page in context.book.pages:
        if page.stem == context.stem:
            continue
        number = f"{page.section}. " if page.section is not None else ""
        items.append(f"- {context.book.link(page.stem, number + page.title, context.stem)}")
    return "\n".join(items)


# --- the whole notebook ---------------------------------------------------------------


def caption_cell(cell: Mapping, context: Context, first_line: int) -> str | None:
    """The markdown for a figure cell's numbered caption, as the book prints it under the chart."""
    figure = (cell.get("metadata", {}).get("mystnb") or {}).get("figure") or {}
    if not figure.get("name"):
        return None
    number = context.book.figures[figure["name"]].number
    caption = resolve_markdown(" ".join(str(figure.get("caption", "")).split()), context, first_line)
    return f"**Fig. {number}** {caption}".strip()


def sources_cell(context: Context) -> str | None:
    if not context.cited:
        return None
    entries = context.book.entries(context.cited)
    lines = [f"## {SOURCES_HEADING}", ""]
    lines += [f"- **{label}.** {escape_dollars(entry)}" for label, entry in sorted(entries)]
    return "\n".join(lines) + "\n"


def line_of(cell_source: str, page_source: str) -> int:
    """The line of the page where a cell's text starts (1 when it cannot be found)."""
    start = page_source.find(cell_source[:200]) if cell_source else -1
    return page_source.count("\n", 0, start) + 1 if start >= 0 else 1


def resolve_notebook(notebook: Mapping, page_source: str, context: Context) -> dict:
    """A copy of ``notebook`` (read from the page with jupytext) whose markdown reads correctly.

    Markdown cells are resolved; each figure cell is followed by its caption;
    the sources the page cites are listed at the end.
    """
    from nbformat.v4 import new_markdown_cell

    twin = copy.deepcopy(dict(notebook))
    cells = []
    for cell in notebook["cells"]:
        cell = copy.deepcopy(cell)
        line = line_of(cell["source"], page_source)
        if cell["cell_type"] == "markdown":
            cell["source"] = resolve_markdown(cell["source"], context, line)
        cells.append(cell)
        if cell["cell_type"] == "code":
            caption = caption_cell(cell, context, line)
            if caption:
                cells.append(new_markdown_cell(caption))
    sources = sources_cell(context)
    if sources:
        cells.append(new_markdown_cell(sources))
    twin["cells"] = cells
    return twin


def unresolved(notebook: Mapping) -> list[str]:
    """Every markdown snippet of a twin that still shows a book role or a glue format."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for pattern in (UNRESOLVED, GLUE_RESIDUE):
            for match in pattern.finditer(cell["source"]):
                found.append(f"cell {index}: {cell['source'][max(0, match.start() - 30) : match.end() + 30]!r}")
    return found


# --- citations ------------------------------------------------------------------------


class Citations:
    """Author-year citations as the book prints them, in markdown, from a ``.bib`` file.

    Uses sphinxcontrib-bibtex's reference style (``bibtex_reference_style``)
    and the book's bibliography style, so "[Harriman, 1945]" is the same text,
    with the sources in the same order, as on the page. Where the book links a
    citation to its bibliography entry, the twin links it to the source's URL.
    """

    def __init__(self, bib_path: Path, reference_style: str = "author_year", entry_style: str = "keyed") -> None:
        import pybtex.plugin
        from pybtex.database import parse_file
        from sphinxcontrib.bibtex.plugin import find_plugin

        from . import bibstyle

        bibstyle.register()
        bibstyle.use_labels_of([bib_path])
        self.bib = parse_file(str(bib_path))
        self.style = find_plugin("sphinxcontrib.bibtex.style.referencing", reference_style)()
        self.entry_style = pybtex.plugin.find_plugin("pybtex.style.formatting", entry_style)()
        self.markdown = pybtex.plugin.find_plugin("pybtex.backends", "markdown")()
        self._inner_cache: dict[tuple[str, str], object] = {}

    def _entries(self, keys: list[str]) -> list:
        missing = [key for key in keys if key not in self.bib.entries]
        if missing:
            raise KeyError(", ".join(f"'{key}'" for key in missing))
        # The book lists a citation's sources in its bibliography's order: by kind, in the order
        # the Bibliography page's sections list the kinds, then as the style sorts them.
        rank = {kind: index for index, kind in enumerate(KINDS)}
        ordered = self.entry_style.sort([self.bib.entries[key] for key in dict.fromkeys(keys)])
        return sorted(ordered, key=lambda entry: rank.get(entry.fields.get("kind", ""), len(rank)))

    def _inner(self, role: str, entry) -> object:
        # Each source is formatted once per role (pybtex's templates are slow), then joined.
        from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

        if (role, entry.key) not in self._inner_cache:
            info = SphinxReferenceInfo(None, "", "", entry.key, None, "", "")
            data = {"entry": entry, "formatted_entry": None, "reference_info": info, "style": self.style}
            self._inner_cache[role, entry.key] = self.style.inner(role).format_data(data=data)
        return self._inner_cache[role, entry.key]

    def _format(self, role: str, entries: list, link: bool = True) -> str:
        """sphinxcontrib-bibtex's ``format_references`` in markdown, each source linked to its address."""
        from pybtex.richtext import BaseMultipartText, HRef, Text
        from sphinxcontrib.bibtex.richtext import BaseReferenceText

        def markdown(text):
            # The style wraps each reference in a docutils-only node; keep its text,
            # linked to the source's URL (the book links it to the bibliography).
            if isinstance(text, BaseReferenceText):
                parts = [markdown(part) for part in text.parts]
                url = self.bib.entries[text.info[0].citation_id].fields.get("url")
                return HRef(url, *parts) if link and url else Text(*parts)
            if isinstance(text, BaseMultipartText):
                return text._create_similar([markdown(part) for part in text.parts])
            return text

        children = [self._inner(role, entry) for entry in entries]
        return markdown(self.style.outer(role, children).format()).render(self.markdown)

    def __call__(self, role: str, keys: list[str]) -> str:
        if role not in self.style.role_names():
            raise ValueError(f"unknown citation role 'cite:{role}'")
        return self._format(role, self._entries(keys))

    def full_entries(self, keys: list[str]) -> list[tuple[str, str]]:
        """(author-year label, the bibliography's entry in markdown) for each key, in key order."""
        entries = self._entries(keys)
        formatted = self.entry_style.format_entries(entries)
        return [
            (self._format("alp", [entry], link=False), item.text.render(self.markdown).replace("\n", " "))
            for entry, item in zip(entries, formatted)
        ]


# --- writing the twins beside the pages ------------------------------------------------


GLUE_ROLE = re.compile(r"\{glue(?::\w*)?\}`")
TWINS_SOURCE = Path(__file__)  # this module: editing it rewrites every twin


def book_pages(root: Path) -> list[Page]:
    """Every toc page as the twins need it: title, section number, targets, figures."""
    sections = {path: number for number, path in enumerate(chapter_files(root), start=1)}
    return [
        read_page(path.stem, path.read_text(encoding="utf-8"), sections.get(path))
        for path in toc_files(root)
        if path.suffix == ".md"
    ]


def book_index(root: Path, pages: list[Page] | None = None) -> BookIndex:
    """The book's pages and its citation style, read from ``_config.yml`` and ``references.bib``."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    citations = Citations(
        root / config["bibtex_bibfiles"][0],
        reference_style=sphinx_config.get("bibtex_reference_style", "label"),
        entry_style=sphinx_config.get("bibtex_default_style", "alpha"),
    )
    return BookIndex(pages or book_pages(root), citations, citations.full_entries)


def executed_glue(source: Path) -> dict[str, dict]:
    """Run a MyST notebook once (in its folder, as the book does) and return what it glues."""
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = jupytext.read(source)
    kernel = notebook.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(
        notebook, timeout=120, kernel_name=kernel, resources={"metadata": {"path": str(source.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise RuntimeError(f"{source}: a cell failed while executing it for its glued values:\n{error}") from None
    return glue_outputs(notebook)


def built_glue_folder(root: Path) -> Path | None:
    """myst-nb's executed-notebook folder from the last `make book`, if its outputs are still current.

    They are when the extension's stamp says the notebooks' inputs have not
    changed since; a page edited after the build is caught by its mtime.
    """
    build = root / "_build"
    stamp = build / "manchuria-inputs.sha256"
    if stamp.exists() and stamp.read_text() == inputs_digest(notebook_inputs(root)):
        return build / "jupyter_execute"
    return None


def page_glue(source: Path, root: Path, glue_folder: Path | None, report=print) -> dict[str, dict]:
    """The values a page glues: none if it uses no glue role; else from the build, else by running it."""
    if not GLUE_ROLE.search(source.read_text(encoding="utf-8")):
        return {}
    if glue_folder is not None:
        built = glue_folder / source.relative_to(root).with_suffix(".glue.json")
        if built.exists() and built.stat().st_mtime >= source.stat().st_mtime:
            return glue_from_json(built.read_text(encoding="utf-8"))
    report(f"running {source.relative_to(root)} once for its glued values")
    return executed_glue(source)


def twin_digest(source: Path, glue: dict, shared: bytes) -> str:
    """One sha256 over everything a twin is made from, stored in it to skip unchanged rewrites."""
    digest = hashlib.sha256(shared)
    digest.update(source.read_bytes())
    digest.update(json.dumps(glue, sort_keys=True).encode())
    return digest.hexdigest()


def write_notebook_twins(root: Path, glue_folder: Path | None = None, report=print) -> list[Path]:
    """Write ``page.ipynb`` beside each MyST notebook ``page.md`` in the toc, resolved for JupyterLab.

    The theme's launch buttons open the ``.ipynb`` in Binder or JupyterHub, and
    ``make lab`` opens them locally. Their markdown reads as the book does:
    glued values, citations, figure numbers and cross-references are resolved
    (the functions above). The glued values come from ``glue_folder`` (the
    ``jupyter_execute`` folder of a Sphinx build, as the extension passes it),
    or, without one, from the last build when still current, else from running
    the notebook. A twin is rewritten only when its page, the book's other pages,
    the bibliography, its glued values or the twin code changed. The twins are
    generated (git ignores them) by the Sphinx extension and by Binder's
    ``postBuild``. ``report`` is told when a notebook must be run. Returns the
    twins written.
    """
    if glue_folder is None:
        glue_folder = built_glue_folder(root)
    # What every twin depends on: the other pages only through their titles,
    # labels and figures, so editing one page's prose rewrites only its twin.
    pages = book_pages(root)
    shared = hashlib.sha256(repr(pages).encode())
    for path in (root / "_toc.yml", root / "_config.yml", root / "references.bib", TWINS_SOURCE):
        shared.update(path.read_bytes())
    index = None
    written = []
    for source in toc_notebooks(root):
        if source.suffix != ".md":
            continue
        twin = source.with_suffix(".ipynb")
        glue = page_glue(source, root, glue_folder, report)
        digest = twin_digest(source, glue, shared.digest())
        if twin.exists() and _twin_digest_of(twin) == digest:
            continue
        import jupytext
        import nbformat

        index = index or book_index(root, pages)
        page_source = source.read_text(encoding="utf-8")
        context = Context(str(source.relative_to(root)), source.stem, glue, index)
        notebook = resolve_notebook(jupytext.reads(page_source, fmt="md:myst"), page_source, context)
        notebook["metadata"][TWIN_METADATA] = {"twin_of": source.name, "inputs_sha256": digest}
        nbformat.write(nbformat.from_dict(notebook), twin)
        written.append(twin)
    return written


def _twin_digest_of(twin: Path) -> str | None:
    try:
        return json.loads(twin.read_text(encoding="utf-8"))["metadata"][TWIN_METADATA]["inputs_sha256"]
    except (ValueError, KeyError, TypeError):
        return None
