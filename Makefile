# The README's two commands. `make run`: set up and serve on the embedded default (SQLite under
# var/, Celery eager). `make test`: set up, lint, and run the whole test suite (SQLite by default;
# DATABASE_URL / REDIS_URL from the environment point it at PostgreSQL and Redis, as CI does).

# The newest Python 3.11 or later on the PATH that runs (a pyenv shim of a version that is not
# active does not); `make run PYTHON=/path/to/python3.x` picks another.
ifndef PYTHON
PYTHON := $(shell for v in 3.15 3.14 3.13 3.12 3.11 3; do \
	python$$v -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo python$$v; exit; }; \
	done; echo python3)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
# Touched after a successful install; pyproject.toml newer than it means install again.
STAMP := $(VENV)/.tally-installed

.DEFAULT_GOAL := help
.PHONY: help run test install browser lint format clean-venv

help:
	@echo "make run    set up (venv, install, migrate, demo data, admin login, API key) and serve on 127.0.0.1:8000"
	@echo "make test   set up, lint (ruff) and run the test suite (pytest, in parallel)"
	@echo "make format apply ruff's formatting and safe fixes"
	@echo "make browser install Chromium for the browser tests (apt-get, as root; make test does it too)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Tally needs Python 3.11 or newer; '$(PYTHON)' is not. Set PYTHON=/path/to/python3.x" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q --upgrade pip
	$(PY) -m pip install --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(STAMP)

run: $(STAMP)
	@PY=$(PY) bash scripts/run.sh

# Debian's Chromium for the browser tests; where it cannot be installed (not root) they skip.
browser:
	@bash scripts/install-browser.sh || echo "(continuing without Chromium: the browser tests will skip)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

test: lint browser
	@PY=$(PY) bash scripts/test.sh $(PYTEST_ARGS)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean-venv:
	rm -rf $(VENV)
