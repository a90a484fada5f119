# A small project for the search synonyms: names data, and pages that mention names in one form.
extensions = ["manchuria.sphinx.namesearch", "manchuria.sphinx.workarounds"]
exclude_patterns = ["_build", "data/*"]
html_theme = "basic"
