# Two commands on a fresh clone (see README):
#   make run    set up .venv and open the app on the seeds
#   make test   set up .venv and run the test suite
# The virtualenv is rebuilt only when pyproject.toml, setup.py or the
# cleaner's C helpers (tui/clean/_speedups.c, built by the install) change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean-venv

$(STAMP): pyproject.toml setup.py tui/clean/_speedups.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Parallax needs Python >= 3.11: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/parallax

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check tui tests bench

bench: $(STAMP)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/links.py
	$(BIN)/python bench/links_mixed.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/large.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/import_speed.py
	$(BIN)/python bench/sentences.py

clean-venv:
	rm -rf $(VENV)
