# coopreport — the project's front door. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
# VENV= (empty) uses the active environment (conda, or a venv you manage) instead of .venv:
#   conda activate coopreport && make test VENV=
VENV ?= .venv
ifeq ($(strip $(VENV)),)
BIN := $(patsubst %/,%,$(dir $(shell command -v $(PYTHON))))
STAMP := use-active-env
TEST_STAMP := use-active-env-test
LAB_STAMP := use-active-env
else
BIN := $(VENV)/bin
# what each target needs installed: the package (report), with the test and extraction
# extras (test, lint, bench), with JupyterLab (lab); each reinstalled when pyproject.toml changes
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
LAB_STAMP := $(VENV)/.installed-lab
endif
# The notebooks under nbval (make test) and their stored outputs (make notebooks) read this
# frozen test registry, never data/: editing the data needs no test change.
NOTEBOOK_DATA := tests/fixtures/registry/cooperation_events.csv
# Extra flags for `coopreport build` in `make report`; scheduled runs pass BUILD_FLAGS=--strict
# so that a report built with warnings (a country with no activities) fails the run.
BUILD_FLAGS ?=

.PHONY: help venv use-active-env use-active-env-test report test test-wheel lint lab notebooks bench faults eval-extract lock docs clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

ifneq ($(strip $(VENV)),)
$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coopreport needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(STAMP): pyproject.toml $(VENV)/.created
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (coopreport)" >/dev/null
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,extract]'
	touch $@

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	touch $@
else
# make report and make lab need the package; make test, lint, bench also the test tools
# (environment-dev.yml), which the user environment (environment.yml) leaves out
use-active-env:
	@test -n "$(BIN)" || { echo "make VENV=: no $(PYTHON) on PATH; activate your environment (conda activate coopreport) or set PYTHON="; exit 2; }
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coopreport needs Python >= 3.11")'
	@$(BIN)/python -c 'import analysis' 2>/dev/null || { echo "make VENV=: the active environment ($(BIN)) lacks coopreport; run: conda env create -f environment.yml && conda activate coopreport (or: $(BIN)/python -m pip install -e .)"; exit 2; }

use-active-env-test: use-active-env
	@$(BIN)/python -c 'import nbval, pytest' 2>/dev/null || { echo "make VENV=: the active environment ($(BIN)) lacks the test packages; run: conda env update -n coopreport -f environment-dev.yml (or: $(BIN)/python -m pip install -e '.[test,extract]')"; exit 2; }
endif

venv: $(TEST_STAMP) ## Create .venv and install the project (editable) with its test and extract extras

report: $(STAMP) ## Build the default reports into reports/_output/ (only what changed)
	$(BIN)/coopreport build --all $(BUILD_FLAGS)

test: $(TEST_STAMP) ## Run every stage (data, layers, unit, end-to-end, notebooks, wheel); fail if any failed
	@failed=0; results=""; \
	stage() { name="$$1"; shift; echo; echo "==> make test: $$name"; \
	  if "$$@"; then results="$$results\n  passed  $$name"; \
	  else results="$$results\n  FAILED  $$name"; failed=$$((failed + 1)); fi; }; \
	stage "data: coopreport validate (the curated registry in data/)" $(BIN)/coopreport validate; \
	stage "layers: lint-imports (the stages' import contract in pyproject.toml)" $(BIN)/lint-imports; \
	stage "unit tests (pytest -m 'not slow')" $(BIN)/python -m pytest -m "not slow"; \
	quarto=$$($(BIN)/python -c "from analysis.render.quarto_cli import find_quarto as f; q = f(); \
	  import subprocess as s; print(s.run([q, '--version'], capture_output=True, text=True).stdout.strip() if q else '')" 2>/dev/null); \
	if [ -n "$$quarto" ]; then qnote="Quarto $$quarto: the Quarto tests ran"; \
	elif [ "$${COOPREPORT_REQUIRE_QUARTO:-}" = 1 ]; then qnote="no Quarto although CI installs it: the Quarto tests fail"; \
	else qnote="no Quarto: the Quarto tests skipped"; fi; \
	stage "end-to-end tests (pytest -m 'slow and not wheel'; $$qnote)" $(BIN)/python -m pytest -m "slow and not wheel"; \
	stage "notebooks under nbval (frozen registry $(NOTEBOOK_DATA))" \
	  env COOPREPORT_DATA_PATH=$(NOTEBOOK_DATA) $(BIN)/python -m pytest --nbval-lax \
	  --nbval-current-env notebooks/ -p no:cacheprovider; \
	stage "the package as a user installs it (pytest -m wheel: wheel, fresh venv, coopreport new, a report; PyPI)" \
	  $(BIN)/python -m pytest -m wheel -p no:cacheprovider; \
	echo; echo "==> make test: stage results"; printf "$$results\n"; \
	if [ $$failed -eq 0 ]; then echo "make test: all 6 stages passed"; \
	else echo "make test: $$failed of 6 stages FAILED"; exit 1; fi

test-wheel: $(TEST_STAMP) ## The last stage of make test alone: the wheel in a fresh venv (PyPI), coopreport new, validate and a build there (~3 min)
	$(BIN)/python -m pytest -m wheel -p no:cacheprovider

lint: $(TEST_STAMP) ## Lint (ruff), type-check (mypy) and check the stages' imports (lint-imports)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

lab: $(LAB_STAMP) ## Start JupyterLab with the project's kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

notebooks: $(TEST_STAMP) ## Re-run the notebooks and keep only their NBVAL_CHECK_OUTPUT outputs
	COOPREPORT_DATA_PATH=$(NOTEBOOK_DATA) $(BIN)/python -m analysis.build.nbtools notebooks/*.ipynb

bench: $(TEST_STAMP) ## Benchmarks: build runner vs naive papermill, Quarto vs built-in renderer, duplicates, validate on 1M rows, the incremental check on 100,000 rows, a 200,000-row report, 200 MB of output, 1M OCDS releases
	$(BIN)/python benchmarks/bench_build.py
	bash -c '. .ci/quarto.sh && $(BIN)/python benchmarks/bench_renderers.py'
	$(BIN)/python benchmarks/bench_duplicates.py
	$(BIN)/python benchmarks/bench_validate.py
	$(BIN)/python benchmarks/bench_incremental.py
	$(BIN)/python benchmarks/bench_large.py
	$(BIN)/python benchmarks/bench_output_limit.py
	$(BIN)/python benchmarks/bench_ocds.py

faults: $(TEST_STAMP) ## Scripted fault run: kill -9 (also while workers start), SIGTERM, a hung notebook, a child ignoring SIGTERM, then a normal build
	$(BIN)/python benchmarks/fault_run.py

eval-extract: $(TEST_STAMP) ## Score `coopreport extract`: synthetic texts, calibration, settings; real texts with REAL=FOLDER (eval/real/README.md)
	$(BIN)/python -m analysis.extract.evaluate tests/fixtures/press --settings
	@if [ -n "$(REAL)" ]; then \
	  $(BIN)/python -m analysis.extract.evaluate --labels eval/real/labels.csv "$(REAL)" --settings; \
	else echo "(real press texts: make eval-extract REAL=FOLDER; see eval/real/README.md)"; fi

# `make lock`: uv, in a venv of its own (never the project's), resolves pyproject.toml for
# Python >= 3.11 on every platform (markers where versions differ), with every file's hash.
# An existing pin is kept while pyproject.toml allows it; UPGRADE=1 takes the newest versions.
LOCK_VENV ?= .venv-lock
LOCK_FLAGS = --universal --python-version 3.11 --generate-hashes --quiet \
  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: ## Regenerate requirements.lock (runtime + notify) and requirements-test.lock (+ test, extract extras) from pyproject.toml; UPGRADE=1 for newest
	test -x $(LOCK_VENV)/bin/uv || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/python -m pip install --quiet uv; }
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml --extra notify $(LOCK_FLAGS) -o requirements.lock
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml --extra test --extra extract $(LOCK_FLAGS) \
	  -c requirements.lock -o requirements-test.lock

# `make docs`: the documentation website (docs/, a Quarto project) into DOCS_OUT
DOCS_OUT ?= docs/_site
docs: ## Render the documentation website (docs/) with Quarto into docs/_site/ (DOCS_OUT=DIR for another)
	@command -v quarto >/dev/null || { echo "make docs: no quarto on PATH; install Quarto (quarto.org) or read docs/*.md as they are"; exit 69; }
	quarto render docs --output-dir "$(abspath $(DOCS_OUT))"

clean: ## Remove built reports, the rendered docs and caches (keeps .venv)
	rm -rf reports/_output reports/_build reports/.quarto docs/_site docs/.quarto .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
