# TellOnce: `make run` sets everything up and starts the assistant; `make test` runs all tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
SYSDEPS := $(VENV)/.system-deps
WANT    := $(shell cat .python-version)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Find Python $(WANT): python3.10 on PATH, then pyenv's versions folder. Each
# candidate must really be $(WANT) (a pyenv shim may point elsewhere).
define find_python
for c in "$$(command -v python$(WANT) 2>/dev/null)" \
         $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/$(WANT).*/bin/python$(WANT) 2>/dev/null | sort -rV) \
         $$(ls -d /root/.pyenv/versions/$(WANT).*/bin/python$(WANT) 2>/dev/null | sort -rV); do \
  [ -n "$$c" ] && [ -x "$$c" ] && "$$c" -c 'import sys; raise SystemExit(sys.version_info[:2] != tuple(map(int, "$(WANT)".split("."))))' 2>/dev/null && { echo "$$c"; exit 0; }; \
done; exit 1
endef

.PHONY: help venv seed model run actions shell test bench clean

help:
	@echo "make run    set up (venv, install, seed, train if changed) and start TellOnce"
	@echo "make test   run the whole test suite"
	@echo "make shell  chat with TellOnce in the terminal"
	@echo "make bench  benchmarks against a stock 'rasa init' assistant"

$(STAMP): pyproject.toml .ci/constraints.txt .python-version
	@if [ ! -x "$(PY)" ] || ! $(PY) -c 'import sys; raise SystemExit(sys.version_info[:2] != tuple(map(int, "$(WANT)".split("."))))'; then \
	  PYBIN=$$($(find_python)) || { echo "ERROR: Python $(WANT) not found. Install it (e.g. 'pyenv install $(WANT)') or put python$(WANT) on PATH." >&2; exit 1; }; \
	  echo "Creating $(VENV) with $$PYBIN"; rm -rf $(VENV); "$$PYBIN" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade "pip<25" wheel "setuptools<70"
	$(PY) -m pip install --quiet -c .ci/constraints.txt -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# System packages the tests need: a PostgreSQL server, to prove the PostgreSQL URL works.
$(SYSDEPS): $(STAMP)
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing the PostgreSQL server (apt) for the PostgreSQL tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi
	@touch $(SYSDEPS)

seed: $(STAMP)
	$(PY) -m bot.seed

model: $(STAMP)
	$(PY) -m bot.model

run: $(STAMP)
	$(PY) -m bot.seed --if-stale
	$(PY) -m bot.model
	@$(PY) -m bot.launch

shell: $(STAMP)
	$(PY) -m bot.seed --if-stale
	$(PY) -m bot.model
	@$(PY) -m bot.launch --shell

test: $(STAMP) $(SYSDEPS)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf var models .rasa results .pytest_cache
