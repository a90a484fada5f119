"""What a chart's spec looks like in a notebook and in the book: the one protocol both sides share.

Why notebooks never get ``width: "container"``: JupyterLab's Vega renderer
(``@jupyterlab/vega5-extension``) draws a chart, exports it to PNG and stores
the PNG in the output, which redraws the output; it stops only once the output
holds a non-empty PNG. A container-sized chart is measured inside vega-embed's
shrink-to-fit wrapper, so the export canvas is 0 px wide and the PNG is empty
(``data:,``): the output redraws itself forever and the tab's memory climbs
until it freezes. :func:`notebook_spec` (run in the kernel) gives such charts a
fixed width and records what it changed in the spec's ``usermeta``;
:func:`book_spec` (run by the book's chart plugin) undoes it, so in the book
they still fill the text column.

This module imports nothing of the package: the kernel and the Sphinx
package both import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A notebook chart's whole width (axes, labels and legend included), in px: close to
# the book's text column (about 630-740 px) and readable in JupyterLab's output area.
NOTEBOOK_WIDTH = 640
NOTEBOOK_HEIGHT = 360
NOTEBOOK_SIZES = {"width": NOTEBOOK_WIDTH, "height": NOTEBOOK_HEIGHT}
# Where notebook_spec records what it changed, inside the spec's usermeta.
USERMETA_KEY = "manchuria_container_sizes"
# Set by the book's Sphinx extension for the kernels it starts: the book shows each explorer's
# kernel-free chart, so the explorers make no ipywidgets there (and the page gets no widget state).
BOOK_BUILD_ENV = "MANCHURIA_BOOK_BUILD"
# A chart's drawing for a phone: the width it is drawn at, and the widest box that shows it.
NARROW_WIDTH = 340
NARROW_WIDTH_MAX = 520
# Where a chart function puts its phone layout: usermeta["manchuria"][NARROW_KEY] = {property: value}.
NARROW_KEY = "narrow"
# Keys whose values are data, not view properties: never rewritten.
_DATA_KEYS = frozenset({"data", "datasets"})
# The autosize Vega-Lite gives a view whose width and/or height is "container".
_CONTAINER_AUTOSIZE = {
    frozenset({"width"}): "fit-x",
    frozenset({"height"}): "fit-y",
    frozenset({"width", "height"}): "fit",
}


def notebook_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as notebooks should receive it: no ``"container"`` width or height.

    Each ``"container"`` size becomes :data:`NOTEBOOK_SIZES`' fixed size (a
    top-level one with the ``fit`` autosize Vega-Lite gives container views,
    so the whole chart, labels included, is that wide) and its place is
    recorded in ``usermeta`` for :func:`book_spec`. A spec with no container
    size comes back as it is. The input is not modified; data are shared, not copied.
    """
    changed: list[list[str | int]] = []
    fixed = _fix_container_sizes(spec, [], changed)
    if not changed:
        return spec
    record: dict[str, Any] = {"paths": changed}
    top_level = frozenset(path[0] for path in changed if len(path) == 1)
    if top_level and "autosize" not in spec:
        fixed["autosize"] = {"type": _CONTAINER_AUTOSIZE[top_level], "contains": "padding"}
        record["added_autosize"] = True
    usermeta = dict(spec.get("usermeta") or {})
    usermeta[USERMETA_KEY] = record
    fixed["usermeta"] = usermeta
    return fixed


def book_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Undo :func:`notebook_spec`: the ``"container"`` sizes come back, so book charts fill the column."""
    usermeta = spec.get("usermeta")
    if not isinstance(usermeta, dict) or USERMETA_KEY not in usermeta:
        return spec
    record = usermeta[USERMETA_KEY]
    restored = dict(spec)
    for path in record.get("paths", []):
        restored = _set_path(restored, path, "container")
    if record.get("added_autosize"):
        restored.pop("autosize", None)
    rest = {key: value for key, value in usermeta.items() if key != USERMETA_KEY}
    if rest:
        restored["usermeta"] = rest
    else:
        restored.pop("usermeta")
    return restored


def at_width(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """The book's spec drawn ``width`` px wide, as the build renders it to SVG (there is no container).

    Every ``"container"`` width becomes ``width`` (a top-level one with ``fit-x``
    autosize, so the whole chart, labels included, is that wide; plain ``fit``
    would squash the height), every ``"container"`` height the notebook height;
    where the spec is narrower than :data:`NARROW_WIDTH_MAX`, its
    ``usermeta["manchuria"]["narrow"]`` overrides apply (a phone's layout, such
    as one map per row); and ``containerSize()`` in an expression (there is no
    container) reads as ``width`` by the notebook height.
    """
    changed: list[list[str | int]] = []
    sized = _fix_container_sizes(spec, [], changed, {"width": width, "height": NOTEBOOK_HEIGHT})
    if any(path == ["width"] for path in changed) and "autosize" not in spec:
        sized["autosize"] = {"type": "fit-x", "contains": "padding"}
    if width <= NARROW_WIDTH_MAX:
        sized = merged(sized, narrow_overrides(spec))
    # Expressions that read the page's box (label limits, legend columns) get the box drawn in.
    return _replace_in_expressions(sized, "containerSize()", f"[{width}, {NOTEBOOK_HEIGHT}]")


def _replace_in_expressions(node: Any, old: str, new: str) -> Any:
    if isinstance(node, dict):
        return {
            key: value if key in _DATA_KEYS else _replace_in_expressions(value, old, new) for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_in_expressions(value, old, new) for value in node]
    return node.replace(old, new) if isinstance(node, str) else node


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` laid over it, objects merged key by key (so a phone layout can
    change one axis setting in ``config`` and keep the rest); ``manchuria-charts.js`` merges alike."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def narrow_overrides(spec: dict[str, Any]) -> dict[str, Any]:
    """The top-level properties a chart asks to change when it is drawn on a phone."""
    meta = (spec.get("usermeta") or {}).get("manchuria") or {}
    return dict(meta.get(NARROW_KEY) or {})


def has_container_width(spec: Any) -> bool:
    """Whether the chart fills the column (so a phone needs its own drawing)."""
    changed: list[list[str | int]] = []
    _fix_container_sizes(spec, [], changed, {"width": 0})
    return bool(changed)


def _fix_container_sizes(
    node: Any, path: list[str | int], changed: list[list[str | int]], sizes: dict[str, int] = NOTEBOOK_SIZES
) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _DATA_KEYS:
                out[key] = value
            elif key in sizes and value == "container":
                out[key] = sizes[key]
                changed.append([*path, key])
            else:
                out[key] = _fix_container_sizes(value, [*path, key], changed, sizes)
        return out
    if isinstance(node, list):
        return [_fix_container_sizes(value, [*path, index], changed, sizes) for index, value in enumerate(node)]
    return node


def _set_path(node: Any, path: Iterable[str | int], value: Any) -> Any:
    """A copy of ``node`` with ``value`` at ``path`` (copying only the containers on the way)."""
    key, *rest = path
    copy: Any = list(node) if isinstance(node, list) else dict(node)
    copy[key] = _set_path(node[key], rest, value) if rest else value
    return copy


def title_text(title: Any) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(title)
    return str(title or "")
