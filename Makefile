# hcops: the two commands are `make demo` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
UV := $(VENV)/bin/uv
HCOPS := $(VENV)/bin/hcops

export UV_CACHE_DIR ?= $(CURDIR)/.cache/uv
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never
export HCOPS_HOME ?= $(CURDIR)/.hcops
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

SERVE ?= 1
FACILITIES ?= 3
DAYS ?= 120
SEED ?= 7
PYTEST_ARGS ?=

.PHONY: help install demo test lint clean bench-generate bench-ingest

help:
	@echo "make demo        install, simulate a network, materialize every asset, serve the UIs"
	@echo "make demo SERVE=0  ... and stop after materializing"
	@echo "make test        install and run the whole suite"
	@echo "make bench-generate  time network-scale generation, record it in docs/benchmarks.md"
	@echo "make bench-ingest    X12 readers (hcops, pyx12, others, bare split), record in docs/benchmarks.md"

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --no-cache-dir uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --quiet

demo: install
	$(HCOPS) generate --facilities $(FACILITIES) --days $(DAYS) --seed $(SEED)
	$(HCOPS) run
	$(HCOPS) kpis
ifeq ($(SERVE),1)
	$(HCOPS) serve
endif

lint: install
	$(VENV)/bin/ruff check .

# two workers (the CI machine's two cores); tests sharing session state stay on one worker
# (the scheduler in tests/conftest.py). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: lint
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench-generate: install
	$(VENV)/bin/python benchmarks/bench_generate.py

# pyx12 is locked; ansi-x12 and openx12 are optional (skipped with a note when absent)
bench-ingest: install
	$(VENV)/bin/python benchmarks/bench_ingest.py

clean:
	rm -rf $(HCOPS_HOME) dbt_project/target dbt_project/logs logs
