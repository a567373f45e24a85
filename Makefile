# Terbuka: `make demo` runs the portal with the Pontianak demo; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo serve test test-sqlite test-postgres lint bench messages clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/terbuka demo
	$(BIN)/terbuka serve --host 127.0.0.1 --port 8000

serve: install
	$(BIN)/terbuka serve

# The suite runs on SQLite, then again on PostgreSQL when TERBUKA_TEST_DATABASE_URL is set (each of the two
# test processes on its own database, NAME_gw0 and NAME_gw1, made on demand).
test: install test-sqlite test-postgres

test-sqlite: install
	TERBUKA_TEST_DATABASE_URL= $(BIN)/pytest -n 2

test-postgres: install
	@if [ -n "$$TERBUKA_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TERBUKA_TEST_DATABASE_URL (a database per test process)"; \
		$(BIN)/pytest -n 2; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/search.py

# The portal's messages: extract from templates and code, merge into both catalogues (then translate).
messages: install
	mkdir -p var
	$(BIN)/pybabel extract -F catalog/web/i18n/babel.cfg -k _ -k ngettext:1,2 --no-location --sort-output \
		-o var/messages.pot .
	$(BIN)/pybabel update -i var/messages.pot -d catalog/web/i18n --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
