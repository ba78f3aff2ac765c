# Two commands for a newcomer: `make book` builds the HTML book, `make test` runs every test.
# Each creates the virtual environment .venv and installs what it needs into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JB     := $(BIN)/jupyter-book
BOOK_FLAGS := -W -n --keep-going

.PHONY: help install-book install-test book book-clean why test bench clean

help:
	@echo "make book   build the HTML book into _build/html (pages whose inputs changed are executed)"
	@echo "make why    show which pages the next make book executes, and why"
	@echo "make test   run every test (library, pages, a clean build of the book)"
	@echo "make bench  print build, test-suite and kernel timings measured in one run"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.book-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[book]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# MathJax 3 from the npm registry, served from the book's own static files, so that the
# built book typesets its math with no network.
MATHJAX_VERSION := 3.2.2
MATHJAX := vendor/mathjax/tex-chtml.js
$(MATHJAX):
	rm -rf $(VENV)/npm vendor/mathjax
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm mathjax@$(MATHJAX_VERSION)
	mkdir -p vendor
	cp -r $(VENV)/npm/node_modules/mathjax/es5 vendor/mathjax

install-book: $(VENV)/.book-installed $(MATHJAX)
install-test: $(VENV)/.test-installed install-book

# An incremental build: a page is executed again when anything it depends on changed (see
# book/_ext/depcache.py and `make why`); the others come from the execution cache. Any
# warning or cell error still fails the build.
book: install-book
	$(JB) build . $(BOOK_FLAGS)
	@echo "The book is in _build/html/index.html"

# A clean build (CI, make test): the previous HTML, doctrees, execution cache and
# fingerprints are removed first, so every page is executed again.
book-clean: install-book
	rm -rf _build/html _build/jupyter_execute _build/.doctrees _build/.jupyter_cache _build/depcache.json
	$(JB) build . $(BOOK_FLAGS)

# For each page: will the next `make book` execute it, and why.
why: install-book
	$(BIN)/python book/_ext/depcache.py .

test: install-test book-clean
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build vendor
