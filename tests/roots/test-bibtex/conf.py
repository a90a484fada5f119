# A small project for the bibtex workaround's tests: citations on one page, the bibliography on another.
extensions = ["sphinxcontrib.bibtex", "manchuria.sphinx.workarounds"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "plain"  # sentence-cases titles: "The long telegram"
bibtex_reference_style = "author_year"
exclude_patterns = ["_build"]
html_theme = "basic"
