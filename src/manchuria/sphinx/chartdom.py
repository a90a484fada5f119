"""The names the built pages use for charts: one home for the plugin, the script, the tests and the benchmark.

``manchuria-charts.js`` repeats these class names and states (a script cannot
import Python); ``tests/test_render.py`` holds it to them.
"""

from __future__ import annotations

VEGALITE_MIME = "application/vnd.vegalite.v5+json"

# One chart: <span SPEC><a href="…/SPEC_FOLDER/<id>.js"></span>
#            <div FIGURE data-spec=<id>> <div TARGET data-rendered=…> <svg STATIC …> </div> table </div>
# The spec is a script of its own, fetched only when the chart goes live: it assigns the
# spec to window[SPEC_GLOBAL][<id>]. Sphinx copies it with the page's downloads.
FIGURE = "manchuria-vega-figure"
SPEC = "manchuria-vega-spec"
SPEC_FOLDER = "manchuria-specs"
SPEC_GLOBAL = "manchuriaSpecs"
TARGET = "manchuria-vega"
STATIC = "manchuria-static"
STATIC_WIDE = "manchuria-static-wide"
STATIC_NARROW = "manchuria-static-narrow"
DATA_TABLE = "manchuria-chart-data"
EXPLORER_WAITING = "manchuria-explorer-waiting"
# An explorer's controls (drawn by the script), and the button that holds their place until Vega has loaded.
EXPLORER_CONTROLS = "manchuria-explorer-controls"
EXPLORER_TURN_ON = "manchuria-explorer-turn-on"
# The live chart, drawn by Vega under the drawing, then in its place.
LIVE = "manchuria-live"

# data-rendered on TARGET: the build's SVG, then (once Vega has loaded) the live chart.
STATIC_STATE = "static"
PENDING_STATE = "pending"
LIVE_STATE = "yes"
ERROR_STATE = "error"

# Files under _static/, added by the chart plugin to the pages that have a chart.
CHARTS_JS = "manchuria-charts.js"
VEGA_BUNDLE = "manchuria/vega-embed-bundle.js"

# Browser-side checks, for the tests, `make pdf` and `make bench`.
CHARTS_VISIBLE = f"""() => [...document.querySelectorAll('.{TARGET}')].every(el => {{
    const svg = [...el.querySelectorAll('svg')].find(s => s.getBoundingClientRect().width > 0);
    return svg !== undefined && svg.getBoundingClientRect().height > 0;
}})"""
CHARTS_LIVE = f"""() => [...document.querySelectorAll('.{TARGET}')]
    .every(el => el.dataset.rendered === '{LIVE_STATE}' || el.dataset.rendered === '{ERROR_STATE}')"""
