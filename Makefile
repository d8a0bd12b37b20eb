# coopreport — the project's front door. `make` (or `make help`) lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv report test lint lab notebooks bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "coopreport needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (coopreport)" >/dev/null
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the project (editable) with its dependencies

report: $(STAMP) ## Validate the registry and build the default reports into reports/_output/
	$(BIN)/coopreport validate
	$(BIN)/coopreport build --all

test: $(STAMP) ## Run every test: unit, end-to-end and the notebooks under nbval
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/ -p no:cacheprovider

lint: $(STAMP) ## Lint (ruff) and type-check (mypy) the library
	$(BIN)/ruff check src tests
	$(BIN)/mypy

lab: $(STAMP) ## Start JupyterLab with the project's kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

notebooks: $(STAMP) ## Re-run the notebooks and keep only their NBVAL_CHECK_OUTPUT outputs
	$(BIN)/python -m analysis.nbtools notebooks/*.ipynb

bench: $(STAMP) ## Benchmark the report build (runner against naive papermill) and the duplicate check
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_duplicates.py

clean: ## Remove built reports and caches (keeps .venv)
	rm -rf reports/_output reports/_build reports/.quarto .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
