# Two commands on a fresh machine (see README):
#   make demo   set everything up, run the pipeline on seeds/ into newsetl.duckdb
#   make test   set everything up, run the test suite (what .ci/run calls)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: setup demo test clean

setup: $(STAMP)

# Exact versions from requirements.lock, then the project itself without resolving again.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsetl run seeds/

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .prefect newsetl.duckdb newsetl.duckdb.wal
