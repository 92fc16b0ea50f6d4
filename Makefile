# Two commands set everything up on a fresh machine:
#   make run   - install, then run the full yearly refresh for the default borough
#   make test  - install, then run the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: run london test test-fast install manifest ui bench clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# The dbt manifest, prepared before anything loads the Dagster definitions (which never run
# dbt themselves); rebuilt only when a model, macro, test or project file changes. `prepare`
# also writes $(DAGSTER_HOME)/dagster.yaml (PostgreSQL storage when SPI_DAGSTER_POSTGRES_URL is set).
DBT_FILES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' \) -print)
dbt_project/target/manifest.json: $(VENV)/.installed $(DBT_FILES)
	$(BIN)/social-progress prepare --force

manifest: dbt_project/target/manifest.json

# Re-runs only what changed since the last refresh (nothing at all when nothing changed).
# The release compares the borough with London (London's score, the borough's rank among the
# boroughs) from the London layer of the London-wide run: when none is published yet, it is
# built first (once, a few minutes; `make london` refreshes it). A failed London run does not
# stop the borough's refresh: the release then says London is not compared.
LONDON_LAYER ?= $(or $(SPI_LONDON_LAYER_DIR),$(CURDIR)/releases/E12000007)
run: manifest
	@if [ ! -e "$(LONDON_LAYER)/latest" ]; then \
	  echo "No London layer in $(LONDON_LAYER): the London-wide run builds it first (make london refreshes it)"; \
	  $(BIN)/social-progress london || echo "The London-wide run failed: this release will not compare the borough with London"; \
	fi
	$(BIN)/social-progress refresh

test: manifest
	$(BIN)/python -m pytest -n 2 --dist loadscope

test-fast: manifest
	$(BIN)/python -m pytest -n 2 -m "not slow"

# The London-wide run (every borough's areas) and the common weights every borough scores with.
london: manifest
	$(BIN)/social-progress london --write-weights

ui: manifest
	$(BIN)/social-progress prepare
	$(BIN)/dagster dev -w workspace.yaml

bench: manifest
	$(BIN)/python bench/refresh.py
	$(BIN)/python bench/london.py
	$(BIN)/python bench/index.py
	$(BIN)/python bench/geography.py

clean:
	rm -rf warehouse dagster_home dbt_project/target dbt_project/logs
