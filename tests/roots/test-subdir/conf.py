# A book whose root document sits in a folder, as the book's does (root_doc = "book/index").
extensions = ["manchuria.sphinx.workarounds"]
root_doc = "book/index"
html_theme = "basic"
