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
# Python keeps each module's compiled bytecode (.venv and src/ __pycache__, git-ignored) even where the shell
# sets PYTHONDONTWRITEBYTECODE (CI images often do): uv installs no bytecode, so without this every process --
# the runner, each kernel server, each test worker -- compiles every module it imports, every time (`import pandas,
# matplotlib, scipy` takes 8 s instead of 2 s). The first run writes what it imports; later runs read it.
unexport PYTHONDONTWRITEBYTECODE

# ---- the locked environment ---------------------------------------------------------------------------------
# requirements.lock holds every package, transitive ones too, at one version with its sha256 hashes, resolved
# from pyproject.toml's pins by `make lock`. .venv is synced to it with uv at UV_VERSION, or with plain pip
# (--require-hashes) where uv cannot be installed.
LOCK := requirements.lock
# uv's exact version: pyproject.toml's [tool.uv] required-version (uv itself refuses to run at another).
UV_VERSION := $(shell sed -n 's/^required-version *= *"==\([^"]*\)"/\1/p' pyproject.toml)
$(if $(UV_VERSION),,$(error pyproject.toml needs [tool.uv] required-version = "==X.Y.Z"))
LOCK_FLAGS := --extra dev --generate-hashes --universal --python-version 3.11
# Extra flags for `make lock`, e.g. LOCK_ARGS=--upgrade to re-resolve every transitive pin, not only new ones.
LOCK_ARGS ?=
# Our pip calls read no machine-wide pip constraint file: the lock already fixes every version and hash, so a
# constraint could only make a locked install fail, never change what it installs.
VENV_PIP := PIP_CONSTRAINT=/dev/null $(BIN)/python -m pip
# Shell snippets: FIND_UV prints a uv of exactly UV_VERSION (the one on PATH, else .venv's) or nothing; GET_UV sets
# $uv to it, pip-installing that version into .venv first if neither is there ($uv stays empty if pip cannot).
FIND_UV := for u in "$$(command -v uv)" $(BIN)/uv; do [ -x "$$u" ] && [ "$$("$$u" --version 2>/dev/null | cut -d' ' -f2)" = $(UV_VERSION) ] && { echo "$$u"; break; }; done; true
GET_UV := uv=$$($(FIND_UV)); [ -n "$$uv" ] || { $(VENV_PIP) install --quiet uv==$(UV_VERSION) && uv=$$($(FIND_UV)); }

.DEFAULT_GOAL := help
.PHONY: help venv lock data reproduce test test-fast bench lab site pdf clean clean-reports

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	@if [ -d $(VENV)/conda-meta ]; then \
	  echo "$(VENV) is a conda environment (environment.yml has the locked versions): installing the package only"; \
	  $(VENV_PIP) install --quiet --no-deps -e .; exit; \
	fi; \
	$(GET_UV); \
	if [ -n "$$uv" ]; then \
	  echo "$$uv pip sync $(LOCK)"; \
	  "$$uv" pip sync --quiet --python $(BIN)/python --require-hashes $(LOCK) \
	    && "$$uv" pip install --quiet --python $(BIN)/python --no-deps -e .; \
	else \
	  echo "uv $(UV_VERSION) could not be installed: installing $(LOCK) with pip --require-hashes" >&2; \
	  $(VENV_PIP) install --quiet --require-hashes -r $(LOCK) \
	    && $(VENV_PIP) install --quiet --no-deps -e .; \
	fi
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install requirements.lock and the package (editable) if missing or out of date

lock: | $(BIN)/python ## after adding or changing a pin in pyproject.toml: re-resolve requirements.lock and environment.yml
	@$(GET_UV); [ -n "$$uv" ] || { echo "make lock needs uv $(UV_VERSION)" >&2; exit 1; }; \
	"$$uv" pip compile pyproject.toml $(LOCK_FLAGS) $(LOCK_ARGS) --custom-compile-command "make lock" --quiet -o $(LOCK)
	$(BIN)/python tools/lock_to_conda.py

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

lab: data ## JupyterLab on notebooks/ in the project's environment: the percent .py notebooks open as notebooks
	@$(BIN)/jupytext-config --settings-file $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json \
	  set-default-viewer python >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks

site: $(STAMP) ## rebuild reports/index.html from the runs present
	$(BIN)/compendium site

pdf: $(STAMP) ## print every policy report to A4 PDF beside it (reports/<set>/policy/<name>.pdf; needs Chromium)
	$(BIN)/compendium pdf

clean-reports: ## delete generated reports
	rm -rf reports/[0-9]* reports/index.html reports/.build-*

clean: clean-reports ## delete generated reports, caches and the virtual environment
	rm -rf data/processed/cache data/processed/interactive $(VENV)
