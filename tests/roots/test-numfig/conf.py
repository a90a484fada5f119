# A small project for the figure-number workaround's tests: numbered tables on two pages.
extensions = ["manchuria.sphinx.workarounds"]
numfig = True
exclude_patterns = ["_build"]
html_theme = "basic"
