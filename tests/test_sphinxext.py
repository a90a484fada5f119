"""The Sphinx extension: chart JavaScript in the site, fresh notebook outputs, clean script tags."""

from __future__ import annotations

import altair as alt

from manchuria.book import REPO_ROOT
from manchuria.sphinx.extension import refresh_cache_if_inputs_changed, vega_bundle_source, vegalite_version
from manchuria.sphinx.inputs import inputs_digest
from manchuria.sphinx.workarounds import drop_duplicate_scripts


def test_vega_bundle_defines_vega_embed_inside_a_function_scope():
    source = vega_bundle_source(vegalite_version())
    assert source.splitlines()[1] == "(function () {"
    assert source.rstrip().endswith("})();")
    assert "window.vegaEmbed = vegaEmbed" in source or "window.vegaEmbed=" in source
    assert "https://cdn" not in source


def test_vegalite_version_matches_altair():
    assert alt.SCHEMA_VERSION.startswith(f"v{vegalite_version()}.")


def test_duplicate_scripts_are_dropped_keeping_order():
    from sphinx.builders.html._assets import _JavaScript

    scripts = [
        _JavaScript("a.js"),
        _JavaScript(None, body="const THEBE_JS_URL = 1"),
        _JavaScript("", body="const THEBE_JS_URL = 1"),
        _JavaScript("b.js"),
        _JavaScript("a.js"),
    ]
    drop_duplicate_scripts(None, "page", "page.html", {"script_files": scripts}, None)
    assert [(s.filename, s.attributes.get("body")) for s in scripts] == [
        ("a.js", None),
        (None, "const THEBE_JS_URL = 1"),
        ("b.js", None),
    ]


def test_execution_cache_is_emptied_when_notebook_inputs_change(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "arms.csv").write_text("id\n1\n")
    build = tmp_path / "_build"
    (build / ".jupyter_cache").mkdir(parents=True)
    (build / ".jupyter_cache" / "outputs").write_text("cached")

    first = inputs_digest((data,))
    assert refresh_cache_if_inputs_changed(build, first) is True  # no stamp yet
    (build / ".jupyter_cache").mkdir()
    (build / ".jupyter_cache" / "outputs").write_text("cached")
    assert refresh_cache_if_inputs_changed(build, first) is False
    assert (build / ".jupyter_cache" / "outputs").exists(), "unchanged inputs keep the cache"

    (data / "arms.csv").write_text("id\n2\n")
    second = inputs_digest((data,))
    assert second != first
    assert refresh_cache_if_inputs_changed(build, second) is True
    assert not (build / ".jupyter_cache").exists(), "changed inputs empty the cache"


def test_the_notebook_inputs_are_the_data_and_the_kernel_modules_only():
    from manchuria.sphinx.inputs import PACKAGE_DIR, kernel_modules, notebook_inputs

    modules = kernel_modules(REPO_ROOT)
    assert {"charts", "data", "explorers", "story"} <= set(modules)
    # Editing these re-executes no notebook: no kernel imports them.
    assert not {"bench", "browser", "sphinx.extension", "sphinx.charts", "pdf"} & set(modules)
    inputs = notebook_inputs(REPO_ROOT)
    assert PACKAGE_DIR / "bench.py" not in inputs and PACKAGE_DIR / "sphinx" / "extension.py" not in inputs


def test_every_package_module_a_kernel_loads_is_a_notebook_input():
    import subprocess
    import sys

    from manchuria.sphinx.inputs import kernel_modules

    # What importing the pages' own imports loads; kernel_modules reads the same imports from the source.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from manchuria import charts, data, explorers, story; "
            "print(' '.join(m.split('.')[1] for m in sys.modules if m.startswith('manchuria.')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(set(loaded) - set(kernel_modules(REPO_ROOT))) == []


def test_the_latex_decoder_shortcut_renders_every_field_of_the_bibliography_as_the_decoder_does():
    """bibstyle skips pybtex's LaTeX decoder for text with no LaTeX syntax (about 2 s a build);
    for every field of references.bib the result must be what the decoder itself gives."""
    from pybtex import richtext
    from pybtex.database import parse_file

    from manchuria.sphinx import bibstyle

    bibliography = parse_file(str(REPO_ROOT / "references.bib"))
    fields = [value for entry in bibliography.entries.values() for value in entry.fields.values()]
    persons = [
        str(person) for entry in bibliography.entries.values() for people in entry.persons.values() for person in people
    ]
    assert len(fields) > 3000
    shortcut_taken = 0
    for text in fields + persons:
        fast = bibstyle._from_latex(richtext.Text, text)
        slow = bibstyle._decode_latex(richtext.Text, text)
        # The same rich text, part for part (comparing rendered HTML costs 30 ms a field).
        assert fast == slow, text
        shortcut_taken += not bibstyle.LATEX_SYNTAX.search(text)
    assert shortcut_taken > len(fields) / 2, "most fields are plain Unicode and skip the decoder"


def test_the_indexed_bibliography_filter_gives_what_upstreams_gives():
    """manchuria.sphinx.workarounds replaces sphinxcontrib-bibtex's slow filter; same entries, same order."""
    import ast
    from collections import namedtuple
    from types import SimpleNamespace

    from sphinxcontrib.bibtex.domain import BibtexDomain

    from manchuria.sphinx import workarounds

    upstream = BibtexDomain.__dict__["get_filtered_entries"]
    if upstream is workarounds.bibliography_entries_indexed:  # already installed by a build in this process
        import importlib

        import sphinxcontrib.bibtex.domain as module

        upstream = importlib.reload(module).BibtexDomain.get_filtered_entries
    entries = [SimpleNamespace(key=key, fields={}, type="book") for key in ("a", "b", "c", "d")]
    refs = [
        SimpleNamespace(docname=doc, targets=[SimpleNamespace(key=key) for key in keys])
        for doc, keys in (("yalta", ["a", "b"]), ("treaty", ["b"]), ("treaty", ["c", "a"]))
    ]
    key_of = namedtuple("BibliographyKey", "docname id")
    results = {}
    for name, filter_text in (("cited", "cited"), ("here", "docname in docnames"), ("treaty", "docname == 'treaty'")):
        bibliography = SimpleNamespace(
            bibfiles=["refs.bib"],
            keyprefix="",
            filter_=ast.parse(filter_text),  # as the directive parses it
            keys={"d"} if name == "here" else set(),
            line=1,
        )
        for docname in ("yalta", "treaty", "glossary"):
            key = key_of(docname, "bibliography-1")
            fake = SimpleNamespace(
                bibliographies={key: bibliography}, citation_refs=refs, get_entries=lambda bibfiles: iter(entries)
            )
            ours = [(k, e.key) for k, e in workarounds.bibliography_entries_indexed(fake, key)]
            theirs = [(k, e.key) for k, e in upstream(fake, key)]
            assert ours == theirs, (name, docname)
            results[name, docname] = ours
    assert results["cited", "glossary"] == [("a", "a"), ("b", "b"), ("c", "c")], "the test exercises real filtering"
    assert results["here", "treaty"] == [("a", "a"), ("b", "b"), ("c", "c"), ("d", "d")]
    assert results["here", "glossary"] == [("d", "d")]


def test_scripts_are_deferred_and_inline_setters_wait_as_modules():
    from sphinx.builders.html._assets import _JavaScript

    from manchuria.sphinx.pagescripts import deferred

    external = deferred(_JavaScript("doctools.js", priority=200, id="x"))
    assert (external.filename, external.priority, external.attributes) == (
        "doctools.js",
        200,
        {"id": "x", "defer": "defer"},
    )
    setter = deferred(_JavaScript(None, body="DOCUMENTATION_OPTIONS.pagename = 'book/yalta';"))
    assert setter.attributes["type"] == "module"
    declaration = _JavaScript(None, body="let toggleHintShow = 'Click to show';")
    comparison = _JavaScript(None, body="window.a == 1 && go();")
    already = [_JavaScript("a.js", **{"async": "async"}), _JavaScript("b.js", defer="defer")]
    for script in [declaration, comparison, *already]:
        assert deferred(script) is script, "runs as it was registered"


# sha256 of the sphinxcontrib-bibtex 2.7.0 code whose inputs reuse_formatted_citations digests.
UPSTREAM_CITATION_FORMATTING_SHA256 = "f9783f654d72eed4b2b01c9261bfbbd184fb3ab5a77db8bd5f31b0504f8d6f82"


def upstream_citation_formatting_source() -> str:
    import inspect

    from sphinxcontrib.bibtex import directives, domain

    functions = [
        domain.BibtexDomain.env_updated,
        domain.BibtexDomain.get_formatted_entries,
        domain.BibtexDomain.get_sorted_entries,
        domain.BibtexDomain.get_all_cited_keys,
        domain.BibtexDomain.get_entries,
        domain.get_docnames,
        domain.Citation,
        directives.BibliographyValue,
    ]
    return "\n".join(inspect.getsource(function) for function in functions)


def test_upstream_citation_formatting_is_what_reuse_formatted_citations_digests():
    """reuse_formatted_citations keys its saved citations on what this upstream code reads (sphinxcontrib-bibtex 2.7.0).

    If this fails, sphinxcontrib-bibtex changed how it formats citations: check that the digest in
    ``manchuria.sphinx.workarounds.reuse_formatted_citations`` still covers every input, then record the new sha256.
    """
    import hashlib

    source = upstream_citation_formatting_source()
    assert "self.citations.clear()" in source, "upstream still formats every citation again on every build"
    assert hashlib.sha256(source.encode()).hexdigest() == UPSTREAM_CITATION_FORMATTING_SHA256


# sha256 of the Sphinx 7.4.7 code whose inputs figure_numbers_kept_while_doctrees_unchanged keys on.
UPSTREAM_FIGURE_NUMBERING_SHA256 = "e765869f139ade7e05fb44653b5804d0d61c1d0beb1556043a61fbda750d59fe"


def upstream_figure_numbering_source() -> str:
    import inspect

    from sphinx.environment.collectors.toctree import TocTreeCollector

    from manchuria.sphinx import workarounds

    functions = [workarounds.UPSTREAM_ASSIGN_FIGURE_NUMBERS, TocTreeCollector.get_updated_docs]
    return "\n".join(inspect.getsource(function) for function in functions)


def test_upstream_figure_numbering_is_what_its_workaround_keys_on():
    """figure_numbers_kept_while_doctrees_unchanged skips Sphinx's walk while what the walk reads is unchanged.

    If this fails, Sphinx changed how it numbers figures: check that the inputs in
    ``manchuria.sphinx.workarounds.figure_numbers_kept_while_doctrees_unchanged`` still cover what it reads
    (and whether the walk still loads every doctree), then record the new sha256.
    """
    import hashlib

    source = upstream_figure_numbering_source()
    assert "env.get_doctree(docname)" in source, "upstream still loads every doctree to number the figures"
    assert hashlib.sha256(source.encode()).hexdigest() == UPSTREAM_FIGURE_NUMBERING_SHA256
