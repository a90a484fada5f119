"""The book's workarounds for upstream behaviour: one function each, with what it works around,
the version it was written for and the test that guards it. Remove one when its upstream is fixed.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes


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


def setup(app: Any) -> dict[str, Any]:
    from sphinxcontrib.bibtex.domain import BibtexDomain

    BibtexDomain.get_filtered_entries = bibliography_entries_indexed
    citation = (visit_citation_as_list_item, depart_citation_as_list_item)
    app.add_node(nodes.citation, override=True, html=citation, singlehtml=citation)
    app.connect("builder-inited", lend_html_handlers_to_singlehtml)
    # After sphinx-togglebutton's handlers, which add the script it deduplicates.
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
