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
