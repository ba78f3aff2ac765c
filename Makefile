# Two commands for a newcomer: `make book` builds the HTML book, `make test` runs every test.
# Each creates the virtual environment .venv and installs what it needs into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JB     := $(BIN)/jupyter-book
BOOK_FLAGS := -W -n --keep-going

.PHONY: help install-book install-test browser tex book book-clean why pdf test bench clean \
	lock lint compare lowest practice handout

help:
	@echo "make book   build the HTML book into _build/html (pages whose inputs changed are executed)"
	@echo "make why    show which pages the next make book executes, and why"
	@echo "make pdf    build the question handout and the answer key into _build/pdf"
	@echo "make practice  build the practice versions (new numbers) into _build/html/practice"
	@echo "make handout SEED=<n> [SET=<set>]  question handout and answer key of version n"
	@echo "make test   run every test (library, pages, a clean build of the book)"
	@echo "make lint     ruff over the repository, mypy over dlcalc (make test runs it first)"
	@echo "make compare  install PyTorch (CPU) and run the comparisons with it"
	@echo "make lowest   run the library's tests at the lowest declared versions (Python 3.10)"
	@echo "make lock     refresh requirements/*.txt, the locked versions make book and test install"
	@echo "make bench  time clean, no-op and one-edit builds against a reference commit (REF=)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The locked environment: requirements/book.txt (make book) and requirements/test.txt
# (make test) pin every package to one version, so that the book's numbers do not depend on
# the day it is built. They are installed as they stand, then dlcalc itself (editable, with
# no dependencies of its own). `make lock` refreshes them. With NEWEST=1 (CI's newest job)
# the newest releases pyproject.toml allows are installed instead of the lock.
LOCK_BOOK := requirements/book.txt
LOCK_TEST := requirements/test.txt
ifeq ($(NEWEST),1)
ENV_KIND     := newest
INSTALL_BOOK := --upgrade --upgrade-strategy eager -e '.[book]'
INSTALL_TEST := --upgrade --upgrade-strategy eager -e '.[test]'
else
ENV_KIND     := locked
INSTALL_BOOK := -r $(LOCK_BOOK)
INSTALL_TEST := -r $(LOCK_TEST)
endif

$(VENV)/.book-$(ENV_KIND): pyproject.toml $(LOCK_BOOK) | $(BIN)/python
	rm -f $(VENV)/.book-* $(VENV)/.test-*
	$(BIN)/pip install --quiet $(INSTALL_BOOK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-$(ENV_KIND): pyproject.toml $(LOCK_TEST) $(VENV)/.book-$(ENV_KIND) | $(BIN)/python
	$(BIN)/pip install --quiet $(INSTALL_TEST)
	touch $@

# Resolve pyproject.toml's extras again, to the newest releases they allow, for every Python
# the package supports, from requires-python's 3.10 up (uv's universal resolution: the lines
# that differ between Pythons carry markers).
# The test lock is constrained by the book lock: both pin the same versions. torch stays out
# of both (make compare).
UV_VERSION := 0.13.9
UV_COMPILE := $(BIN)/uv pip compile --quiet --upgrade --universal --python-version 3.10 pyproject.toml
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(UV_COMPILE) --extra book -o $(LOCK_BOOK)
	$(UV_COMPILE) --extra test -c $(LOCK_BOOK) -o $(LOCK_TEST)
	@! grep -qiE '^(torch|nvidia)' $(LOCK_BOOK) $(LOCK_TEST) || \
	  { echo "the lock pulls torch: keep it out of the extras"; exit 1; }
	@echo "$(LOCK_BOOK): $$(grep -c '==' $(LOCK_BOOK)) pins; $(LOCK_TEST): $$(grep -c '==' $(LOCK_TEST)) pins"

# ruff (the rules and why: pyproject.toml) over the repository, and mypy over dlcalc; make
# test runs it first. `ruff check --fix` mends what ruff marks as fixable.
lint: $(VENV)/.test-$(ENV_KIND)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The comparisons with PyTorch (the tests named *torch*): a CPU build of torch into the venv
# (pip takes it from the machine's own wheel where one lies on disk; TORCH_INDEX names an
# index of CPU builds to look in too, as CI does), then those tests, with
# DLCALC_REQUIRE_TORCH=1 turning a skip for a missing torch into a failure.
TORCH_VERSION := 2.13.0
compare: $(VENV)/.test-$(ENV_KIND)
	$(BIN)/pip install --quiet $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) \
	  torch==$(TORCH_VERSION)
	DLCALC_REQUIRE_TORCH=1 $(BIN)/python -m pytest -k torch tests

# The library at the lowest versions pyproject.toml declares (numpy, matplotlib, scikit-learn
# exactly at their floors) on the oldest Python it supports, in a venv of its own: the tests
# of dlcalc's modules (tests/test_<module>.py), of the problem bank and of bad input, and the
# doctests (CI's lowest job).
LOWEST_PYTHON ?= python3.10
LOWEST_VENV   := .venv-lowest
FLOOR_PACKAGES := numpy matplotlib scikit-learn
FLOORS = $(shell for p in $(FLOOR_PACKAGES); do \
	  grep -oE "\"$$p>=[0-9.]+\"" pyproject.toml | tr -d '"' | sed 's/>=/==/'; done)
LIB_MODULES := $(patsubst _%,%,$(basename $(notdir $(wildcard dlcalc/*.py))))
LIB_TESTS = $(wildcard $(LIB_MODULES:%=tests/test_%.py) tests/test_problems*.py \
	tests/test_robustness.py)
lowest:
	rm -rf $(LOWEST_VENV)
	$(LOWEST_PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/pip install --quiet $(FLOORS) pytest hypothesis scipy -e .
	$(LOWEST_VENV)/bin/python --version
	$(LOWEST_VENV)/bin/pip list 2>/dev/null | grep -iE '^($(subst $() ,|,$(FLOOR_PACKAGES))) '
	$(LOWEST_VENV)/bin/python -m pytest dlcalc $(LIB_TESTS)

# MathJax 3 from the npm registry, served from the book's own static files, so that the
# built book typesets its math with no network.
MATHJAX_VERSION := 3.2.2
MATHJAX := vendor/mathjax/tex-chtml.js
$(MATHJAX):
	rm -rf $(VENV)/npm vendor/mathjax
	npm install --silent --no-audit --no-fund --prefix $(VENV)/npm mathjax@$(MATHJAX_VERSION)
	mkdir -p vendor
	cp -r $(VENV)/npm/node_modules/mathjax/es5 vendor/mathjax

install-book: $(VENV)/.book-$(ENV_KIND) $(MATHJAX)
install-test: $(VENV)/.test-$(ENV_KIND) install-book browser

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

# An incremental build: pages are executed again when anything they can depend on changed
# (book/_ext/depcache.py keys every executed page on the state of the whole book; `make why`
# says what the next build does); expensive results are shared through _build/.dlcalc_memo.
# A PDF older than the pages stops being offered. Any warning or cell error fails the build.
book: install-book
	@$(BIN)/python book/_ext/depcache.py --up-to-date . || $(JB) build . $(BOOK_FLAGS)
	@echo "The book is in _build/html/index.html"

# A clean build (CI, make test): the previous HTML, doctrees, execution cache, stored
# results and state are removed first, so every page is executed again.
book-clean: install-book
	rm -rf _build/html _build/jupyter_execute _build/.doctrees _build/.jupyter_cache \
	  _build/.dlcalc_memo _build/depcache.json _build/depcache-building.json
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
	@$(BIN)/python book/_ext/depcache.py --stamp . $(PDF_DIR)/state.json
	@for kind in answers questions; do \
	  rm -rf $(PDF_DIR)/dlcalc-$$kind.pdf $(PDF_DIR)/dlcalc-$$kind.pdf.json \
	    $(PDF_DIR)/stale/dlcalc-$$kind.pdf* $(PDF_WORK)/_build/latex && \
	  echo "DLCALC_PDF=$$kind $(JB) build . --builder pdflatex --toc book/pdf/$$kind.yml" && \
	  DLCALC_PDF=$$kind $(JB) build . --builder pdflatex --toc book/pdf/$$kind.yml \
	    --path-output $(PDF_WORK) $(BOOK_FLAGS) > $(PDF_DIR)/$$kind.log 2>&1 || \
	    { tail -n 40 $(PDF_DIR)/$$kind.log; echo "see $(PDF_DIR)/$$kind.log"; exit 1; }; \
	  cp $(PDF_WORK)/_build/latex/book.pdf $(PDF_DIR)/dlcalc-$$kind.pdf && \
	  cp $(PDF_DIR)/state.json $(PDF_DIR)/dlcalc-$$kind.pdf.json || exit 1; \
	done
	@echo "The PDFs are $(PDF_DIR)/dlcalc-questions.pdf and $(PDF_DIR)/dlcalc-answers.pdf"

# Lint first (make lint); then the PDFs, so that the clean HTML build links them and the link
# check covers them.
test: lint install-test pdf book-clean practice
	$(BIN)/python -m pytest

# Build times of the work tree and of a reference commit (REF, default a5a6e6f), one after
# the other on this machine, with their ratios (benchmarks/run.py): ROUNDS (default 3)
# alternating clean builds of each, and the median of the rounds' ratios.
REF ?=
ROUNDS ?=
bench: install-book
	$(BIN)/python benchmarks/run.py $(if $(REF),--ref $(REF)) $(if $(ROUNDS),--rounds $(ROUNDS))

clean:
	rm -rf _build vendor

# Practice versions (issue 13): the four chapters again with new numbers, one build per seed
# (DLCALC_VARIANT=<seed>, see book/_ext/variants.py; the seeds are its PRACTICE_SEEDS), each
# in its own folder with its own execution cache, copied into _build/html/practice/<seed>/
# where each question's self-check links to them. Separate from `make book`, which stays as
# fast as it was; `make test` and CI run it after the clean build. Expensive results that do
# not depend on the version (training runs) come from the main build's memo store.
PRACTICE_MEMO  := $(CURDIR)/_build/.dlcalc_memo
PRACTICE_SEEDS := 1 2 3 4 5
PRACTICE_WORK  := _build/practice
practice: install-book
	@mkdir -p $(PRACTICE_WORK) _build/html/practice
	@for seed in $(PRACTICE_SEEDS); do \
	  start=$$(date +%s); \
	  DLCALC_VARIANT=$$seed DLCALC_CACHE_DIR=$(PRACTICE_MEMO) \
	    $(JB) build . --toc book/practice/toc.yml \
	    --path-output $(PRACTICE_WORK)/$$seed $(BOOK_FLAGS) > $(PRACTICE_WORK)/$$seed.log 2>&1 || \
	    { tail -n 40 $(PRACTICE_WORK)/$$seed.log; echo "see $(PRACTICE_WORK)/$$seed.log"; exit 1; }; \
	  rm -rf _build/html/practice/$$seed && \
	  cp -r $(PRACTICE_WORK)/$$seed/_build/html _build/html/practice/$$seed || exit 1; \
	  echo "practice version $$seed: $$(( $$(date +%s) - start )) s"; \
	done
	@echo "The practice versions are in _build/html/practice/<seed>/"

# An instructor's version of the problem sets: the question handout and its answer key as
# PDFs (typeset like `make pdf`, book/_ext/printbook.py) for practice version SEED, of all
# four sets or of one (SET=cse616_a2, assignment1, homework2 or cs60010_exam).
SEED ?=
SET  ?=
handout: install-book tex
	DLCALC_CACHE_DIR=$(PRACTICE_MEMO) \
	  $(BIN)/python book/practice/handout.py --seed "$(SEED)" --set "$(SET)"

# Mutation testing (mutmut, from PyPI, at the version it was measured with) of shapes,
# counting, optim and layers with their fast tests; prints the score: killed (or timed out)
# mutants over all mutants tested, then the names of the mutants left (to read one with
# `mutmut show NAME`, run the steps by hand and keep ./mutants). Slow: 6-12 minutes on two
# cores. The mutants are built in ./mutants (git-ignored), removed at the end: the book's
# execution cache would count them as inputs.
MUTMUT_VERSION := 3.8.1
.PHONY: mutation
mutation: install-test
	$(BIN)/pip install --quiet mutmut==$(MUTMUT_VERSION)
	rm -rf mutants
	CI=true $(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut export-cicd-stats
	@$(BIN)/python -c "import json; s = json.load(open('mutants/mutmut-cicd-stats.json')); \
	  caught = s['killed'] + s['timeout'] + s['segfault']; tested = s['total'] - s['skipped']; \
	  print(f'mutation score: {caught} of {tested} mutants caught = {100 * caught / tested:.1f} %', \
	        f'({s[\"survived\"]} survived, {s[\"no_tests\"]} reached by no test)')"
	$(BIN)/mutmut results
	rm -rf mutants
