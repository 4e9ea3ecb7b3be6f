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

CHROMIUM := /usr/bin/chromium

.PHONY: setup demo test clean

setup: $(STAMP)

# Exact versions from requirements.lock, then the project itself without resolving again.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	# setuptools says "Editable installation … be careful with folders named like your
	# package" for every package-dir mapping (flows/ -> newsetl.flows): information, not a
	# problem, and ten lines of noise in `make demo`. Only this step's UserWarnings are off.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsetl run seeds/

# The UI test drives Debian's chromium (never a browser download). As root on Debian
# (CI, a fresh machine) it is installed here; elsewhere install it yourself, or set
# NEWSETL_SKIP_BROWSER=1 to skip that one test.
$(CHROMIUM):
	@if [ "$$NEWSETL_SKIP_BROWSER" = 1 ]; then echo "NEWSETL_SKIP_BROWSER=1: not installing chromium"; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "the UI test needs Debian's chromium: sudo apt-get install -y chromium (or NEWSETL_SKIP_BROWSER=1)"; exit 1; fi

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .prefect newsetl.duckdb newsetl.duckdb.wal
