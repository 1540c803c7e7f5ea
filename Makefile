# Two entry points for a fresh machine (see README "Quickstart"):
#   make run   -> create .venv, install, run the main job on the embedded data
#   make test  -> same set-up, then the whole test suite (what CI runs)
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Mesa >= 3.4 needs Python >= 3.12: take the first 3.12/3.13 interpreter found,
# including pyenv installs that are not on PATH in a non-interactive shell.
PYTHON ?= $(shell for p in python3.12 python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	$$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3,12),(3,13)))' \
	2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run test venv lint clean-venv
venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.12 or 3.13 is required (none found on PATH or under ~/.pyenv)" >&2; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/twin demo

test: $(STAMP)
	bash tests/setup_system.sh
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean-venv:
	rm -rf $(VENV)
