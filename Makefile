# Territoires des 1000 premiers jours — developer commands.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: demo install install-test assets db test test-postgres lint bench clean

## Install everything, load territories, nomenclatures and demo data, serve on http://127.0.0.1:8000
demo: install db
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST)

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

install: $(VENV)/bin/activate assets
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/base.txt

install-test: $(VENV)/bin/activate assets
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/test.txt

## Front-end libraries (htmx, Leaflet) from the npm registry, pinned by package-lock.json
assets:
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

db:
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_territories

## Install what the tests need and run the whole suite (browser tests skip without Chromium)
test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

test-postgres: install-test
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tpj} $(VENV)/bin/pytest --create-db

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install-test
	$(PY) manage.py bench

clean:
	rm -rf $(VENV) node_modules var
