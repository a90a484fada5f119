# A small book for the build code's tests: myst-nb with saved outputs (no kernel starts),
# the book's chart plugin (found by myst-nb through its entry point), downloads, deferred scripts
# and workarounds.
extensions = [
    "myst_nb",
    "manchuria.sphinx.charts",
    "manchuria.sphinx.downloads",
    "manchuria.sphinx.pagescripts",
    "manchuria.sphinx.workarounds",
]
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build", "data/*"]
html_theme = "basic"  # fast; the book's theme is exercised by the whole-book tests
