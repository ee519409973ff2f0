# One command to reproduce everything, one to test it. Run `make` for the list.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Offline or CI: point this at a directory laid out like the shared data mirror.
COMPENDIUM_DATA_MIRROR ?=
export COMPENDIUM_DATA_MIRROR
JOBS ?=

.DEFAULT_GOAL := help
.PHONY: help venv data reproduce test test-fast bench site clean clean-reports

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned package (editable) if missing

data: $(STAMP) ## fetch every raw file into data/raw, verifying sha256 (uses COMPENDIUM_DATA_MIRROR if set)
	$(BIN)/compendium fetch

reproduce: data ## set up, fetch the data, run every notebook into reports/<year>/ with HTML and findings
	$(BIN)/compendium run $(if $(JOBS),--jobs $(JOBS))

test: data ## set up and run the whole test suite (unit, data, notebooks, browser)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: data ## unit tests only
	$(BIN)/python -m pytest -m "not notebooks and not browser and not data"

bench: data ## benchmarks against naive baselines (cold/warm reproduce, national loaders, 6M pupils, families) -> benchmarks/results.md
	$(BIN)/python benchmarks/run_all.py

site: $(STAMP) ## rebuild reports/index.html from the runs present
	$(BIN)/compendium site

clean-reports: ## delete generated reports
	rm -rf reports/[0-9]* reports/index.html reports/.build-*

clean: clean-reports ## delete generated reports, caches and the virtual environment
	rm -rf data/processed/cache data/processed/interactive $(VENV)
