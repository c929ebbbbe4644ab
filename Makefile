# settleroom: `make run` serves on http://127.0.0.1:8000 (SQLite); `make test` runs the suite
# on SQLite, and again on PostgreSQL when SETTLEROOM_TEST_DATABASE_URL is set or a local
# server is reachable.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# One pytest-xdist worker per core (each builds its own app and databases);
# `make test PYTEST_ARGS=` runs in one process, and
# `make test PYTEST_ARGS="-n auto -m 'not slow'"` leaves out the slow tests (schemathesis,
# browser journeys, OCR) for a quick loop. `make test` itself runs everything.
PYTEST_ARGS ?= -n auto
# Database-backed tests; pure unit tests run once, on the SQLite pass.
DB_TESTS := tests/api tests/migrations tests/cli tests/web
# The accessibility scan checks what templates render, which no database changes: once.
PG_SKIP := --ignore=tests/web/test_accessibility.py

.PHONY: run test lint install install-dev clean

# The environment's packages are installed by uv (itself installed by the venv's pip): it
# resolves, fetches and installs the dev dependencies several times faster than pip, which
# spent 34 s of CPU on them from a warm cache, most of a fresh clone's first minute.
# Bytecode is compiled at install time, as pip does, so that neither the server nor every
# test worker compiles the libraries it imports.
UV := $(VENV)/bin/uv
UV_INSTALL := $(UV) pip install -q --compile-bytecode --python $(PY)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q 'uv>=0.9'

$(VENV)/.installed: pyproject.toml | $(PY)
	$(UV_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(UV_INSTALL) -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(VENV)/bin/settleroom serve --host $(HOST) --port $(PORT)

# The suite writes bytecode even where the environment says not to: every xdist worker and
# every server process a test starts would otherwise compile the app, and pytest would
# re-rewrite the asserts of every test module and plugin, on each of them (a third of
# collection).
test: install-dev
	env -u SETTLEROOM_TEST_DATABASE_URL -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest $(PYTEST_ARGS)
	@url="$${SETTLEROOM_TEST_DATABASE_URL:-$$($(PY) -m tests.pg_available)}"; \
	if [ -n "$$url" ]; then \
		echo "== the database-backed tests again, on PostgreSQL"; \
		SETTLEROOM_TEST_DATABASE_URL="$$url" env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest $(PYTEST_ARGS) $(DB_TESTS) $(PG_SKIP); \
	else \
		echo "== PostgreSQL not reachable: SQLite only"; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
