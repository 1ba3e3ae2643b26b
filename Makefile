# newsdag: the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# A persistent, git-ignored Dagster home inside the project (SQLite, telemetry off).
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
UI_HOST ?= 127.0.0.1
UI_PORT ?= 3000

.PHONY: run test ui lock clean help

help:
	@echo "make run   - materialise every asset over data/raw into data/warehouse"
	@echo "make test  - run the whole test suite"
	@echo "make ui    - the Dagster UI at http://$(UI_HOST):$(UI_PORT)"
	@echo "make lock  - re-pin requirements.lock from the current environment"

# The environment is (re)built when it is missing or the pins change.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsdag materialize

test: $(STAMP)
	$(BIN)/python -m pytest

ui: $(STAMP)
	$(BIN)/newsdag home
	$(BIN)/dagster dev -h $(UI_HOST) -p $(UI_PORT) -w workspace.yaml

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e ' > requirements.lock

clean:
	rm -rf $(VENV) data/warehouse
