# Manchuria 1945–1955: build, test and serve the book.
#   make book    build the HTML book into _build/html (warnings are errors)
#   make test    run every test: charts, data, notebooks (nbval), build, browser, lint
#   make test-fast  the first two layers: pure functions and small Sphinx projects (under a minute)
#   make pdf     print the student and instructor editions to _build/pdf/ (needs Chromium)
#   make serve   serve the built book on http://127.0.0.1:8000
#   make lab     write the notebooks' resolved .ipynb twins and open JupyterLab on book/ (127.0.0.1)
#   make linkcheck  check every external link (needs the network; not part of make test)
#   make bench   time the build, cached and one-section rebuilds, notebooks, page weight, chart drawing and the throttled phone profile
#   make clean   remove _build (built site, execution cache, generated files)
# The first run creates .venv from requirements.txt; it is re-created
# whenever requirements.txt or pyproject.toml is newer than it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

PDF_DIR := _build/pdf

.PHONY: book test test-fast pdf serve lab clean data-hashes requirements linkcheck bench

$(STAMP): requirements.txt pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going

# On every core; tests that share a module fixture (a JupyterLab server, one visit per page) share a worker.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadgroup

# Without the whole book: no notebook runs, no site is built, no browser starts.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -n auto -m "not build and not browser and not jupyterlab"

pdf: $(STAMP)
	$(BIN)/jupyter-book build . --builder singlehtml --warningiserror --keep-going
	$(BIN)/python -m manchuria.pdf _build/singlehtml $(PDF_DIR)

serve: book
	@echo "Serving the book at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# JupyterLab on the book's notebooks: the .ipynb twins are written first, with glued
# values, citations and cross-references resolved (from the last `make book` when it is
# current, else by running each notebook once).
lab: $(STAMP)
	$(BIN)/python -m manchuria.book
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=book --LabApp.default_url=/lab/tree/index.ipynb

# External links: Sphinx's linkcheck builder writes _build/linkcheck/output.txt.
linkcheck: $(STAMP)
	$(BIN)/jupyter-book build . --builder linkcheck

bench: $(STAMP)
	$(BIN)/python -m manchuria.bench

clean:
	rm -rf _build

# After an intended edit to a file in data/, record its new sha256 in datapackage.json.
data-hashes: $(STAMP)
	$(BIN)/python -m manchuria.data

# Re-pin requirements.txt from requirements.in (needs the package index).
requirements: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url \
		--no-emit-find-links --annotation-style=line -o requirements.txt requirements.in
