"""No script holds up a page's first paint: every script the page lists runs after the parser.

Sphinx and the theme's extensions register their scripts as plain ``<script src>`` tags in
``<head>``. Each of them stops the parser until it has arrived and run, and it may not run
before every stylesheet above it has loaded, so on a slow link the page's text and charts
wait behind the stylesheets and scripts together. None of these scripts writes the page as
it is parsed (they wire up buttons, search and copy buttons once it is there), so they run
as ``defer`` scripts: in the same order, after parsing, before ``DOMContentLoaded``.

Inline scripts stay where they are, for most only name settings the scripts read later
(``let toggleHintShow = ...``). The few that set a field of an object an external script
defines (the theme's ``DOCUMENTATION_OPTIONS.pagename = ...``) would then run before it
exists, so they become module scripts, which the browser runs in the same deferred order.

Pages drawn from another template than ``page.html`` are left as they are: the search page's
template adds scripts of its own, outside the page's list, that need the listed ones first.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

# An inline script that assigns to a field of a global an external script defines.
SETS_A_FIELD = re.compile(r"^\s*(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*\s*=(?!=)")
# The template of the book's pages; the others (search.html) add scripts outside the list.
PAGE_TEMPLATE = "page.html"
# After the theme's own html-page-context handler, which adds its inline scripts there.
AFTER_THE_THEME = 900


def deferred(script: Any) -> Any:
    """The script entry as it should run: external ones deferred, inline setters as modules."""
    attributes = dict(getattr(script, "attributes", {}))
    if attributes.get("async") or attributes.get("defer") or attributes.get("type") == "module":
        return script
    if getattr(script, "filename", None):
        attributes["defer"] = "defer"
    elif SETS_A_FIELD.match(attributes.get("body", "")):
        attributes["type"] = "module"
    else:
        return script
    return type(script)(script.filename, priority=script.priority, **attributes)


def defer_page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: the page's scripts, each as :func:`deferred` makes it."""
    script_files = context.get("script_files")
    if script_files and templatename == PAGE_TEMPLATE:
        script_files[:] = [deferred(script) for script in script_files]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", defer_page_scripts, priority=AFTER_THE_THEME)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
