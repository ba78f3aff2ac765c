# Two commands for a newcomer: `make book` builds the HTML book, `make test` runs every test.
# Each creates the virtual environment .venv and installs what it needs into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JB     := $(BIN)/jupyter-book
BOOK_FLAGS := -W -n --keep-going

.PHONY: help install-book install-test browser tex book book-clean why pdf test bench clean

help:
	@echo "make book   build the HTML book into _build/html (pages whose inputs changed are executed)"
	@echo "make why    show which pages the next make book executes, and why"
	@echo "make pdf    build the question handout and the answer key into _build/pdf"
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
install-test: $(VENV)/.test-installed install-book browser

# The browser test drives Debian's Chromium through its ChromeDriver (nothing downloaded by
# a test tool). Installed with apt-get when missing (sudo when not root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	fi

# The PDFs are typeset by TeX Live with xelatex; pdftotext (poppler-utils) reads them back in
# the tests. All from Debian's packages, installed with apt-get when missing (sudo when not
# root); a LaTeX folder left by an earlier failed run is cleared after an install.
TEX_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-fonts-extra texlive-xetex latexmk fonts-freefont-otf poppler-utils
tex:
	@if ! dpkg -s $(TEX_PACKAGES) >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $(TEX_PACKAGES) && \
	  rm -rf $(PDF_WORK)/_build/latex; \
	fi

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

# Two PDFs through Jupyter Book's LaTeX builder (see book/_ext/printbook.py and book/pdf/):
# the question handout (DLCALC_PDF=questions: every solution removed) and the answer key.
# They are built in their own folder, with their own execution cache; `make book` then
# offers them for download on the front page.
PDF_DIR  := _build/pdf
PDF_WORK := $(PDF_DIR)/work
pdf: install-book tex
	@mkdir -p $(PDF_DIR)
	@for kind in answers questions; do \
	  rm -rf $(PDF_DIR)/dlcalc-$$kind.pdf $(PDF_WORK)/_build/latex && \
	  echo "DLCALC_PDF=$$kind $(JB) build . --builder pdflatex --toc book/pdf/$$kind.yml" && \
	  DLCALC_PDF=$$kind $(JB) build . --builder pdflatex --toc book/pdf/$$kind.yml \
	    --path-output $(PDF_WORK) $(BOOK_FLAGS) > $(PDF_DIR)/$$kind.log 2>&1 || \
	    { tail -n 40 $(PDF_DIR)/$$kind.log; echo "see $(PDF_DIR)/$$kind.log"; exit 1; }; \
	  cp $(PDF_WORK)/_build/latex/book.pdf $(PDF_DIR)/dlcalc-$$kind.pdf || exit 1; \
	done
	@echo "The PDFs are $(PDF_DIR)/dlcalc-questions.pdf and $(PDF_DIR)/dlcalc-answers.pdf"

# The PDFs first, so that the clean HTML build links them and the link check covers them.
test: install-test pdf book-clean
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build vendor
