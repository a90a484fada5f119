"""The book's workarounds for upstream behaviour: one function each, with what it works around,
the version it was written for and the test that guards it. Remove one when its upstream is fixed.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.search import IndexBuilder

# Sphinx's own, kept before setup() replaces it; figure_numbers_kept_while_doctrees_unchanged calls it.
UPSTREAM_ASSIGN_FIGURE_NUMBERS = TocTreeCollector.assign_figure_numbers
# Sphinx's own, called by search_index_load_keeping_index_entries.
UPSTREAM_SEARCH_INDEX_LOAD = IndexBuilder.load
UPSTREAM_SEARCH_INDEX_PRUNE = IndexBuilder.prune

# Where figure_numbers_kept_while_doctrees_unchanged keeps, in the pickled environment, what its numbers came from.
FIGURE_NUMBERS_INPUTS_ATTRIBUTE = "manchuria_figure_numbers_inputs"
# Where reuse_formatted_citations keeps, in the bibtex domain's pickled data, the digest of what its citations came from.
CITATIONS_DIGEST_KEY = "manchuria_citations_digest"


def drop_duplicate_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: remove repeated script entries, keeping the first of each.

    Works around sphinx-togglebutton 0.4.5 under Jupyter Book 1.0.4 and Sphinx 7.4.7: its
    inline ``var togglebuttonSelector`` configuration, added with ``app.add_js_file(None, ...)``
    on ``builder-inited``, reaches every page twice, once as filename ``None`` and once as
    ``""``, which Sphinx's asset list tells apart. A repeated ``var`` is only waste, but the
    same path made sphinx-thebe 0.3.1's ``const THEBE_JS_URL`` a SyntaxError on every page
    until ``_config.yml`` left thebe out. No upstream issue was found for it.
    Guarded by ``tests/test_book.py::test_no_page_declares_a_script_twice_or_loads_an_unused_extension``
    and ``tests/test_sphinxext.py::test_duplicate_scripts_are_dropped_keeping_order``.
    """
    script_files = context.get("script_files", [])
    seen = set()
    unique = []
    for script in script_files:
        # An inline script is registered with filename None by one path and ""
        # by another, so compare on a normalised key.
        key = (
            getattr(script, "filename", None) or "",
            getattr(script, "priority", None),
            tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    script_files[:] = unique


def lend_html_handlers_to_singlehtml(app: Any) -> None:
    """``builder-inited``: give the ``singlehtml`` builder the node handlers extensions register for ``html``.

    Works around sphinx-doc/sphinx#9160 (open; Sphinx 7.4.7): ``app.add_node(..., html=...)``
    registers a visitor for the ``html`` builder only, so ``make pdf`` (``singlehtml``) fails
    on myst-nb's hidden cells and sphinx-exercise's nodes, which write the same HTML.
    Guarded by ``tests/test_classroom.py::test_make_pdf_prints_the_whole_chapter``.
    """
    handlers = app.registry.translation_handlers
    if app.builder.name == "singlehtml":
        shared = handlers.setdefault("singlehtml", {})
        for node_name, pair in handlers.get("html", {}).items():
            shared.setdefault(node_name, pair)


def same_page_anchors_in_singlehtml(app: Any) -> None:
    """``builder-inited``: in the ``singlehtml`` builder, a link to an anchor on the one page is ``#anchor``.

    Works around Sphinx 7.4.7's ``SingleFileHTMLBuilder.fix_refuris``, which rewrites a link
    with two anchors (``#document-book/bibliography#id62``: a citation, a glossary term, a
    reference to another section) as ``root_doc + ".html#id62"``. The book's ``root_doc`` is
    ``book/index``, written to ``book/index.html``, so from that page the link goes to
    ``book/book/index.html``: every such link in ``make pdf``'s PDF pointed at the print
    server, and none inside the PDF. The same fault for a ``root_doc`` in a folder was
    reported for the page's assets in sphinx-doc/sphinx#892 (closed); no report of the links
    was found. Guarded by ``tests/test_sphinx_projects.py::test_the_single_page_links_to_its_own_anchors``
    and ``tests/test_pdf.py``.
    """
    builder = app.builder
    if builder.name != "singlehtml":
        return
    upstream = builder.fix_refuris
    page = builder.config.root_doc + builder.out_suffix

    def fix_refuris(tree: nodes.Node) -> None:
        upstream(tree)
        for reference in tree.findall(nodes.reference):
            if reference.get("refuri", "").startswith(page + "#"):
                reference["refuri"] = reference["refuri"][len(page) :]

    builder.fix_refuris = fix_refuris


def search_index_load_keeping_index_entries(self: Any, stream: Any, format: Any) -> None:
    """``IndexBuilder.load`` that also restores the index entries of the pages not written again.

    Works around Sphinx 7.4.7: the search index keeps each page's index entries in the
    environment (``env._search_index_index_entries``), filled when the page is written, after
    the environment has been pickled; ``load`` restores a page's titles and words from the
    last ``searchindex.js`` but not its index entries. So an incremental build, which writes
    only the changed pages, dropped every other page's entries from the search index, and
    with them the name forms of ``namesearch`` (a search for "Port Arthur" then found only
    the pages just written). No upstream report was found. Guarded by
    ``tests/test_namesearch.py::test_a_page_not_written_again_keeps_its_entries_in_the_search_index``.
    """
    UPSTREAM_SEARCH_INDEX_LOAD(self, stream, format)
    stream.seek(0)
    frozen = (self.formats[format] if isinstance(format, str) else format).load(stream)
    docnames = frozen["docnames"]
    restored: dict[str, set[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for file_index, target, main in places:
            restored.setdefault(docnames[file_index], set()).add((entry, target, "main" if main else ""))
    for docname, entries in restored.items():
        self._index_entries.setdefault(docname, sorted(entries))


def search_index_prune_index_entries_too(self: Any, docnames: Any) -> None:
    """``IndexBuilder.prune`` that also drops the index entries of pages no longer in the book.

    The other half of search_index_load_keeping_index_entries: upstream ``prune`` never
    touches the index entries (empty until pages are written, without that workaround), so a
    restored entry of a removed page would make ``freeze`` fail with a KeyError. Changed in
    place: the dict is the environment's own. Guarded by
    ``tests/test_namesearch.py::test_a_removed_page_leaves_the_search_index``.
    """
    UPSTREAM_SEARCH_INDEX_PRUNE(self, docnames)
    kept = set(docnames)
    for docname in [name for name in self._index_entries if name not in kept]:
        del self._index_entries[docname]


def visit_citation_as_list_item(self: Any, node: nodes.citation) -> None:
    """The HTML writer's ``visit_citation`` with ``role="listitem"`` for the bibliography's entries.

    Works around docutils 0.21's HTML5 writer, which marks each citation with the DPUB role
    ``doc-biblioentry``, deprecated in DPUB-ARIA 1.1, inside its own ``role="list"``: assistive
    tools then see a list with no items (axe: aria-required-children). Registered with
    ``app.add_node(nodes.citation, override=True, ...)``, so no page body is rewritten.
    Guarded by ``tests/test_sphinxext.py::test_bibliography_entries_are_list_items`` and the
    accessibility tests of the Bibliography page.
    """
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation_as_list_item(self: Any, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def bibliography_entries_indexed(self: Any, bibliography_key: Any) -> Any:
    """``BibtexDomain.get_filtered_entries`` with the documents that cite each key found once per call.

    Works around sphinxcontrib-bibtex 2.7.0, whose version rescans every citation reference for
    every entry of every bibliography (bibliographies x entries x citations: 6 x 501 x about 1,400
    here), which cost about 3 s of every build, a cached one included. The result is the same,
    entry for entry (``tests/test_sphinxext.py::test_the_indexed_bibliography_filter_gives_what_upstreams_gives``);
    the cached-rebuild test guards the time. No upstream issue was found for it.
    """
    from sphinxcontrib.bibtex import domain

    bibliography = self.bibliographies[bibliography_key]
    citing: dict[str, set[str]] = {}
    for citation_ref in self.citation_refs:
        for target in citation_ref.targets:
            citing.setdefault(target.key, set()).add(citation_ref.docname)
    for entry in self.get_entries(bibliography.bibfiles):
        key = bibliography.keyprefix + entry.key
        cited_docnames = citing.get(key, set())
        visitor = domain._FilterVisitor(entry=entry, docname=bibliography_key.docname, cited_docnames=cited_docnames)
        try:
            success = visitor.visit(bibliography.filter_)
        except ValueError as err:
            domain.logger.warning(
                f"syntax error in :filter: expression; {err}",
                location=(bibliography_key.docname, bibliography.line),
                type="bibtex",
                subtype="filter_syntax_error",
            )
            success = bool(cited_docnames)  # as upstream: recover by falling back to the default
        if success or entry.key in bibliography.keys:
            yield key, entry


def reuse_formatted_citations(self: Any) -> list[str]:
    """``BibtexDomain.env_updated`` that keeps the citations an earlier build formatted while nothing they came from changed.

    Works around sphinxcontrib-bibtex 2.7.0, which clears the citations it pickled and formats every
    entry of every bibliography again on every build, one with nothing to read included: about 2.5 s
    of CPU in the book's 7.7 s cached rebuild. The citations stay in the domain's pickled data beside a
    sha256 of what upstream's formatting reads: each bibliography directive (options, filter, citation
    ids) in order, the cited keys of each document, the documents' order, the .bib files' bytes, the
    tooltip settings, and the code of the entry styles (the ``.py`` files of the packages their classes
    come from, with sphinxcontrib-bibtex's and latexcodec's versions). A run that logs a bibtex warning
    stores no digest, so the next build formats, and warns, again. Having formatted, it names the
    bibliography pages updated, so that a build that read nothing still pickles the new citations.
    Installed by ``app.add_domain(..., override=True)`` (``install_citation_reuse``). Guarded by the
    bibtex tests of ``tests/test_sphinx_projects.py`` (the same pages; a changed .bib file, citation or
    tooltip style shows on the next build) and
    ``tests/test_sphinxext.py::test_upstream_citation_formatting_is_what_reuse_formatted_citations_digests``.
    No upstream issue was found for it.
    """
    import ast
    import hashlib
    import logging
    import sys
    from importlib.metadata import version
    from logging.handlers import BufferingHandler
    from pathlib import Path

    import pybtex.plugin
    from sphinxcontrib.bibtex import domain
    from sphinxcontrib.bibtex.domain import BibtexDomain

    config = self.env.config
    style_names = {bibliography.style for bibliography in self.bibliographies.values()}
    if config.bibtex_tooltips and config.bibtex_tooltips_style:
        style_names.add(config.bibtex_tooltips_style)
    style_packages = {
        cls.__module__.partition(".")[0]
        for name in style_names
        for cls in pybtex.plugin.find_plugin("pybtex.style.formatting", name).__mro__
    }
    # Named by package and relative path: the same files are reached through a symlinked venv or not.
    code_files: list[tuple[str, Path]] = []
    for package in sorted(style_packages):
        module = sys.modules[package]
        if hasattr(module, "__path__"):
            for folder in map(Path, module.__path__):
                code_files += sorted((f"{package}/{path.relative_to(folder)}", path) for path in folder.rglob("*.py"))
        elif getattr(module, "__file__", None):  # a one-file module; builtins have no file
            code_files.append((package, Path(module.__file__)))
    inputs = repr(
        (
            version("sphinxcontrib-bibtex"),
            version("latexcodec"),
            [
                (
                    key,
                    tuple(
                        value._replace(
                            filter_=ast.dump(value.filter_),
                            citation_nodes={cited: node["ids"] for cited, node in value.citation_nodes.items()},
                        )
                    ),
                )
                for key, value in self.bibliographies.items()
            ],
            [(ref.docname, [target.key for target in ref.targets]) for ref in self.citation_refs],
            list(domain.get_docnames(self.env)),
            self.bibdata.encoding,
            config.bibtex_tooltips,
            config.bibtex_tooltips_style,
            sorted(style_names),
        )
    )
    digest = hashlib.sha256(inputs.encode())
    for name, path in [*((str(path), path) for path in self.bibdata.bibfiles), *code_files]:
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    if self.data.get(CITATIONS_DIGEST_KEY) == digest.hexdigest():
        return []
    self.data.pop(CITATIONS_DIGEST_KEY, None)
    logged = BufferingHandler(capacity=sys.maxsize)
    logged.setLevel(logging.WARNING)
    domain.logger.logger.addHandler(logged)
    try:
        updated = BibtexDomain.env_updated(self)
    finally:
        domain.logger.logger.removeHandler(logged)
    if not logged.buffer:
        self.data[CITATIONS_DIGEST_KEY] = digest.hexdigest()
    # Sphinx pickles the environment only when some page was read or updated: naming the bibliography
    # pages updated keeps the new citations and digest (and rewrites the pages that show them).
    return sorted({*updated, *(key.docname for key in self.bibliographies)})


def figure_numbers_kept_while_doctrees_unchanged(self: Any, env: Any) -> list[str]:
    """``TocTreeCollector.assign_figure_numbers`` that keeps the last build's numbers when no doctree changed.

    Works around Sphinx 7.4.7, which with ``numfig`` loads and walks every document's pickled doctree
    on every build, one that read nothing included (the walk is described in sphinx-doc/sphinx#11474;
    no issue about its cost was found): about 0.6 s of CPU in the book's cached rebuild, whose doctrees
    hold the charts' drawings (12 MB). The numbers come only from the doctrees, the section numbers (assigned just
    before), the root document, the numfig settings and the generated pages, so while none of those
    changed the numbers pickled with the environment are the ones the walk would give, and no page
    needs rewriting. Guarded by ``tests/test_sphinx_projects.py``'s figure-number tests and
    ``tests/test_sphinxext.py::test_upstream_figure_numbering_is_what_its_workaround_keys_on``.
    """
    from pathlib import Path

    doctrees = []
    for docname in sorted(env.found_docs):
        path = Path(env.doctreedir, docname + ".doctree")
        stat = path.stat() if path.exists() else None
        doctrees.append((docname, stat and (stat.st_mtime_ns, stat.st_size)))
    inputs = repr(
        (
            doctrees,
            env.toc_secnumbers,
            env.config.root_doc,
            env.config.numfig,
            env.config.numfig_secnum_depth,
            sorted(env.domains["std"]._virtual_doc_names),
        )
    )
    if getattr(env, FIGURE_NUMBERS_INPUTS_ATTRIBUTE, None) == inputs:
        return []
    rewrite_needed = UPSTREAM_ASSIGN_FIGURE_NUMBERS(self, env)
    setattr(env, FIGURE_NUMBERS_INPUTS_ATTRIBUTE, inputs)
    return rewrite_needed


def install_citation_reuse(app: Any, config: Any) -> None:
    """``config-inited``: put reuse_formatted_citations in the bibtex domain, where sphinxcontrib-bibtex is loaded."""
    if app.registry.has_domain("cite"):
        upstream = app.registry.domains["cite"]
        app.add_domain(type(upstream.__name__, (upstream,), {"env_updated": reuse_formatted_citations}), override=True)


def setup(app: Any) -> dict[str, Any]:
    from sphinxcontrib.bibtex.domain import BibtexDomain

    BibtexDomain.get_filtered_entries = bibliography_entries_indexed
    TocTreeCollector.assign_figure_numbers = figure_numbers_kept_while_doctrees_unchanged
    IndexBuilder.load = search_index_load_keeping_index_entries
    IndexBuilder.prune = search_index_prune_index_entries_too
    citation = (visit_citation_as_list_item, depart_citation_as_list_item)
    app.add_node(nodes.citation, override=True, html=citation, singlehtml=citation)
    app.connect("builder-inited", lend_html_handlers_to_singlehtml)
    app.connect("builder-inited", same_page_anchors_in_singlehtml)
    # At config-inited every extension's setup has run, so sphinxcontrib-bibtex's domain is registered if it is loaded.
    app.connect("config-inited", install_citation_reuse)
    # After sphinx-togglebutton's handlers, which add the script it deduplicates.
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
