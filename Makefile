# Territoires des 1000 premiers jours — developer commands.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: demo install install-test assets db test test-postgres lint check lock bench scale-check loadtest clean

## Install everything, load territories, nomenclatures and demo data, then run the web server
## and a background worker together (Procfile.demo) on http://127.0.0.1:8000.
## Absolute links (e-mails, QR codes, verification page) follow the host that serves the demo
demo: install db
	SITE_URL=$${SITE_URL:-http://$(HOST)} $(PY) manage.py load_demo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) SITE_URL=$${SITE_URL:-http://$(HOST)} $(VENV)/bin/honcho -f Procfile.demo start

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

## Python dependencies come from the lock files (every package pinned, with its hashes)
install: $(VENV)/bin/activate assets
	$(PIP) install -q --upgrade pip
	$(PIP) install -q --require-hashes -r requirements/base.txt

install-test: $(VENV)/bin/activate assets
	$(PIP) install -q --upgrade pip
	$(PIP) install -q --require-hashes -r requirements/test.txt

## Re-resolve the lock files after editing requirements/*.in
lock:
	$(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header --annotation-style line requirements/base.in -o requirements/base.txt
	$(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header --annotation-style line requirements/test.in -o requirements/test.txt

## Front-end libraries (htmx, Leaflet, the letters' font) from the npm registry, pinned by package-lock.json;
## without the devDependencies (the outlines' source, 137 MB: scripts/build_outlines.py installs them)
assets:
	npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

db:
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_territories

## Install what the tests need and run the whole suite (browser tests skip without Chromium).
## One test process per core (pytest-xdist, each with its own database): 21 minutes instead of
## 36 on 2 cores; TEST_WORKERS=0 runs the suite in a single process
TEST_WORKERS ?= auto
test: install-test check
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

test-postgres: install-test
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tpj} $(VENV)/bin/pytest -n $(TEST_WORKERS) --create-db

## Static checks: lint, format, the import contract (layers), migrations in step with the models
lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check: lint
	$(PY) manage.py makemigrations --check --dry-run

## Every module's benchmark, the training offer's included (issue 20: 20,000 offers, 100,000 sessions);
## one section: BENCH_ARGS="--only training --offers 20000 --sessions 100000 [--reuse]"
bench: install-test
	$(PY) manage.py bench $(BENCH_ARGS)

## Scale-out proven on this machine (issue 15 §6): a fresh PostgreSQL database, Redis (queue db 7,
## cache db 8), one media directory, two gunicorn web nodes and two workers; a PASS/FAIL line per
## check (shared session, upload and login lockout; e-mails sent once; a worker killed mid-import),
## public read throughput; everything stopped and dropped at the end. Options: --help
scale-check: install-test
	$(PY) -m scripts.scale_check $(SCALE_CHECK_ARGS)

## Concurrent mixed public traffic (issue 16 §2): wrk (`apt-get install -y wrk`) against one gunicorn node in the
## production profile, per back-end (PostgreSQL tpj_loadtest, SQLite var/loadtest.sqlite3: built once, kept) and
## worker model (sync, gthread, uvicorn), at 8/32/64/128 clients beside the static ceiling; tables written to
## docs/benchmarks.md. Options: LOADTEST_ARGS="--entries 20000 --duration 10" (see --help)
loadtest: install-test
	$(PY) -m scripts.loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules var
