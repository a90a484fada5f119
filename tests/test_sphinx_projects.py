"""The build code on small Sphinx projects (``tests/roots/``): each builds in a second or two.

The chart plugin, its page script, the downloads directive and the workarounds, in the
``html`` and ``singlehtml`` builders and in an incremental build, without the whole book.
"""

from __future__ import annotations

import re

import pytest

from manchuria.sphinx import chartdom

SCRIPT = re.compile(rf'<script[^>]*src="(?:\.\./)?_static/{re.escape(chartdom.CHARTS_JS)}[^"]*"[^>]*>')


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_a_chart_page_has_its_drawing_and_its_script_and_a_plain_page_has_neither(app):
    app.build()
    assert app.warning.getvalue() == ""
    chart = (app.outdir / "chart.html").read_text(encoding="utf-8")
    plain = (app.outdir / "plain.html").read_text(encoding="utf-8")
    assert 'aria-label="Two bars, A and B."' in chart and chart.count("<svg") == 2, "the drawing, wide and narrow"
    (tag,) = SCRIPT.findall(chart)
    assert 'defer="defer"' in tag
    assert not SCRIPT.findall(plain) and "<svg" not in plain
    assert "Chart: Bars" not in chart, "the plain-text stand-in is not shown where the chart is"
    (spec_id,) = re.findall(r'data-spec="(\w+)"', chart)
    (link,) = re.findall(rf'<span class="{chartdom.SPEC}"><a [^>]*href="([^"]*/{spec_id}\.js)"', chart)
    spec = (app.outdir / link).read_text(encoding="utf-8")
    assert f'["{spec_id}"] = ' in spec and '"description": "Two bars, A and B."' in spec, "copied with the downloads"


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_an_unchanged_rebuild_keeps_the_script_on_the_chart_page(app, make_app, app_params):
    """myst-nb keeps a page's scripts in the environment, so a page not re-read still gets them."""
    app.build()
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build()
    assert (
        "0 source files that are out of date" in again.status.getvalue()
        or "no targets are out of date" in again.status.getvalue()
    )
    assert SCRIPT.findall((again.outdir / "chart.html").read_text(encoding="utf-8"))


@pytest.mark.sphinx("singlehtml", testroot="pages", freshenv=True)
def test_the_single_page_has_every_drawing(app):
    app.build()
    assert app.warning.getvalue() == ""
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="Two bars, A and B."' in page


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_a_page_offers_the_data_files_it_declares(app):
    app.build()
    page = (app.outdir / "downloads.html").read_text(encoding="utf-8")
    assert re.search(r'href="_downloads/[0-9a-f]+/events\.csv"', page)
    assert "Events of the period" in page
    assert str(app.srcdir / "data" / "datapackage.json") in {str(path) for path in app.env.dependencies["downloads"]}


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_an_unknown_data_file_is_a_clear_error(app):
    (app.srcdir / "downloads.md").write_text(
        "# Downloads\n\n:::{data-downloads} events evnets\n:::\n", encoding="utf-8"
    )
    app.build()
    warnings = app.warning.getvalue()
    assert "downloads.md" in warnings
    assert "no resource named 'evnets' in data/datapackage.json; expected one of: events" in warnings


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_bibliography_entries_are_list_items(app):
    app.build()
    page = (app.outdir / "citations.html").read_text(encoding="utf-8")
    assert page.count('role="listitem"') == 2 and "doc-biblioentry" not in page
    assert page.count('role="list"') == 1


HEAD_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)


@pytest.mark.sphinx("html", testroot="pages", freshenv=True)
def test_no_script_in_the_head_stops_the_parser(app):
    """External scripts are deferred; an inline one that sets a field of Sphinx's options waits as a module."""
    app.build()
    page = (app.outdir / "chart.html").read_text(encoding="utf-8")
    head = page[: page.index("</head>")]
    scripts = [(found["attributes"], found["body"]) for found in HEAD_SCRIPT.finditer(head)]
    assert any("documentation_options.js" in attributes for attributes, _ in scripts)
    for attributes, body in scripts:
        if "src=" in attributes:
            assert "defer" in attributes or "async" in attributes, attributes
        elif "DOCUMENTATION_OPTIONS." in body:
            assert 'type="module"' in attributes, body
    search = (app.outdir / "search.html").read_text(encoding="utf-8")
    (options,) = [found["attributes"] for found in HEAD_SCRIPT.finditer(search) if "documentation_options" in found[0]]
    assert "defer" not in options, "the search page's own scripts run as they are parsed and need these first"


def _warnings(app) -> list[str]:
    """The build's warnings, less the "already registered" ones of a second app in one process."""
    return [line for line in app.warning.getvalue().splitlines() if "is already registered" not in line]


def _pages(outdir) -> dict[str, str]:
    return {page.name: page.read_text(encoding="utf-8") for page in outdir.glob("*.html")}


def counted_calls(monkeypatch, owner: object, name: str, noted) -> list:
    """Let ``owner.name`` run as before, noting ``noted(*args)`` in the returned list at each call."""
    upstream = getattr(owner, name)
    calls: list = []

    def counted(*args):
        calls.append(noted(*args))
        return upstream(*args)

    monkeypatch.setattr(owner, name, counted)
    return calls


@pytest.fixture
def formatting_runs(monkeypatch) -> list[str]:
    """The bibliographies sphinxcontrib-bibtex formats, one docname each time it formats one."""
    from sphinxcontrib.bibtex.domain import BibtexDomain

    return counted_calls(monkeypatch, BibtexDomain, "get_formatted_entries", lambda self, key, *rest: key.docname)


@pytest.mark.sphinx("html", testroot="bibtex", freshenv=True)
def test_an_unchanged_rebuild_reuses_the_formatted_citations_and_writes_the_same_pages(
    app, make_app, app_params, formatting_runs
):
    """manchuria.sphinx.workarounds.reuse_formatted_citations: no formatting when nothing changed, same HTML."""
    app.build()
    assert app.warning.getvalue() == ""
    assert formatting_runs == ["sources"]
    first = _pages(app.outdir)
    assert "The long telegram" in first["sources.html"] and "Harriman" in first["cited.html"]
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build(force_all=True)  # writes every page again from the environment, reading none
    assert _warnings(again) == []
    assert formatting_runs == ["sources"], "the second build formatted the bibliography again"
    assert _pages(again.outdir) == first


@pytest.mark.sphinx("html", testroot="bibtex", freshenv=True)
def test_a_changed_bib_file_or_citation_shows_on_the_next_build(app, make_app, app_params, formatting_runs):
    app.build()
    args, kwargs = app_params

    def rebuild():
        build = make_app(*args, **{**kwargs, "freshenv": False})
        build.build(force_all=True)
        assert _warnings(build) == []
        return _pages(build.outdir)

    bib = app.srcdir / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("The Long Telegram", "The Moscow Dispatch"))
    pages = rebuild()
    assert "The moscow dispatch" in pages["sources.html"] and "long telegram" not in pages["sources.html"]
    assert "The moscow dispatch" in pages["cited.html"], "the citation's tooltip shows the new title"
    cited = app.srcdir / "cited.rst"
    cited.write_text(cited.read_text(encoding="utf-8").replace("harriman1945", "molotov1945"))
    pages = rebuild()
    assert "Molotov" in pages["cited.html"] and "Harriman" not in pages["cited.html"]
    assert "Note on the treaty" in pages["sources.html"] and "Harriman" not in pages["sources.html"]
    assert formatting_runs == ["sources"] * 3


@pytest.fixture
def figure_numberings(monkeypatch) -> list[int]:
    """One item each time Sphinx's own figure numbering walks the doctrees."""
    from manchuria.sphinx import workarounds

    return counted_calls(
        monkeypatch, workarounds, "UPSTREAM_ASSIGN_FIGURE_NUMBERS", lambda self, env: len(env.found_docs)
    )


@pytest.mark.sphinx("html", testroot="numfig", freshenv=True)
def test_an_unchanged_rebuild_keeps_the_figure_numbers_without_walking_the_doctrees(
    app, make_app, app_params, figure_numberings
):
    """manchuria.sphinx.workarounds.figure_numbers_kept_while_doctrees_unchanged: same pages, no walk."""
    app.build()
    assert app.warning.getvalue() == ""
    first = _pages(app.outdir)
    assert "Table 2.1" in first["second.html"] and figure_numberings == [3]
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build(force_all=True)
    assert _warnings(again) == []
    assert figure_numberings == [3], "the second build walked the doctrees again"
    assert _pages(again.outdir) == first


@pytest.mark.sphinx("html", testroot="numfig", freshenv=True)
def test_a_changed_page_renumbers_the_figures_after_it_on_pages_not_read_again(
    app, make_app, app_params, figure_numberings
):
    app.build()
    assert "Table 1.1" in _pages(app.outdir)["first.html"]
    index = app.srcdir / "index.rst"
    index.write_text(
        index.read_text(encoding="utf-8").replace("first\n   second", "second\n   first"), encoding="utf-8"
    )
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": False})
    again.build()  # reads index.rst only; Sphinx rewrites the pages whose numbers changed
    assert _warnings(again) == []
    pages = _pages(again.outdir)
    assert "Table 1.1" in pages["second.html"] and "Table 2.1" in pages["first.html"]
    assert len(figure_numberings) == 2


@pytest.mark.sphinx("html", testroot="bibtex", freshenv=True)
def test_citations_formatted_anew_by_a_build_that_read_nothing_are_kept(app, make_app, app_params, formatting_runs):
    """A changed tooltip style re-reads no page, yet the citations it formats are pickled for the next build."""
    app.build()
    args, kwargs = app_params
    overrides = {**kwargs.get("confoverrides", {}), "bibtex_tooltips_style": "unsrt"}
    for _ in range(2):
        build = make_app(*args, **{**kwargs, "freshenv": False, "confoverrides": overrides})
        build.build()
        assert "0 added, 0 changed, 0 removed" in build.status.getvalue()
        assert _warnings(build) == []
    assert formatting_runs == ["sources", "sources"]


@pytest.mark.sphinx("singlehtml", testroot="subdir", freshenv=True)
def test_the_single_page_links_to_its_own_anchors(app):
    """With the root document in a folder (book/index.html), a link to another section stays on the page."""
    app.build()
    page = (app.outdir / "book" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a class="reference internal" href="([^"]*)"', page)
    assert "#the-target" in links and "#document-book/second" in links, links
    assert not [link for link in links if link.startswith("book/")], links
