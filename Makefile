# Two commands set everything up on a fresh machine:
#   make run   - install, then run the full yearly refresh for the default borough
#   make test  - install, then run the whole test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/dagster_home

.PHONY: run test test-fast install manifest ui bench clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

manifest: install
	$(BIN)/python -c "from social_progress.transform.project import ensure_manifest; print('dbt manifest:', ensure_manifest())"

run: manifest
	$(BIN)/social-progress refresh

test: manifest
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: manifest
	$(BIN)/python -m pytest -n 2 -m "not slow"

ui: manifest
	$(BIN)/dagster dev -w workspace.yaml

bench: install
	$(BIN)/python bench/index.py
	$(BIN)/python bench/geography.py

clean:
	rm -rf warehouse dagster_home dbt_project/target dbt_project/logs
