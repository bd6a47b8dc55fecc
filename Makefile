# Two commands set everything up on a machine with only Python 3.11:
#   make run    install into .venv, build the database and write the report
#   make test   install into .venv and run the test suite
# With ../shared/data beside the repository it is used as the local data mirror (no network).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MIRROR_DIR := $(wildcard $(CURDIR)/../shared/data)
ifneq ($(MIRROR_DIR),)
export LABORLENS_MIRROR ?= $(abspath $(MIRROR_DIR))
endif
REPORT_DIR ?= laborlens-report

.PHONY: run test test-fast lint bench clean browser

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[serve,scale,dev]"
	touch $@

# The mirror is saved in the user config file, so every later command finds it without exports.
run: $(BIN)/.installed
ifneq ($(MIRROR_DIR),)
	$(BIN)/laborlens config set mirror $(abspath $(MIRROR_DIR))
endif
	$(BIN)/laborlens report --output $(REPORT_DIR)

# Both tiers: the fast one (no mirror) and the full one (the mirror and one end-to-end build).
test: $(BIN)/.installed browser
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

# The inner loop: no mirror needed (LABORLENS_TEST_NO_MIRROR=1 fails any test that reads it).
test-fast: $(BIN)/.installed
	LABORLENS_TEST_NO_MIRROR=1 $(BIN)/pytest -m "not mirror"

# The dashboard tests drive Debian's Chromium with Playwright (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium for the dashboard tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	} || { echo "Could not install chromium: run 'apt-get install -y chromium' as root"; exit 1; }

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_pipeline.py

clean:
	rm -rf $(VENV) $(REPORT_DIR) build *.egg-info src/*.egg-info
