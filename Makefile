# Two commands on a fresh machine: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DEMO_PASSWORD ?= tsunagaru-demo
export PORT
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint migrations-check bench browser db-stop messages clean backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py demo_logins
	@# The background worker (ledger imports) runs beside the web server and stops with it.
	$(BIN)/python manage.py db_worker --no-reload & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Browser tests use Debian's Chromium when present (.ci/run installs it); elsewhere Playwright's own build.
browser: install
	@if [ -x "$(CHROMIUM)" ]; then echo "browser: $(CHROMIUM)"; else $(BIN)/playwright install chromium; fi

# ruff; the one-way house (import-linter's layers contract in pyproject.toml, no ignores); types where rules live.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.mypy $(BIN)/mypy

migrations-check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

test: lint migrations-check browser
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest

# Generates a city (SCALE=city: ≈200,000 households; small: 1/100) into a throwaway database and measures it:
# docs/benchmarks/<scale>.json and .md (scripts/benchmark/__main__.py lists the knobs).
SCALE ?= city
bench: install
	BENCH_SCALE=$(SCALE) $(BIN)/python -m scripts.benchmark

messages: install
	cd $(CURDIR) && $(BIN)/python manage.py makemessages -l en --no-obsolete && $(BIN)/python manage.py compilemessages --ignore=.venv

# The database the settings point at (the embedded one, or DATABASE_URL): pg_dump -Fc into backups/ (BACKUP_DIR) with
# a manifest beside it; a restore checks the manifest's sha256 first and refuses a database with tables unless FORCE=1.
# docs/deployment.md: the same with docker compose, and copying the files off the server.
backup: install
	$(BIN)/python manage.py backup

restore: install
	@if [ -z "$(FILE)" ]; then echo "使い方: make restore FILE=backups/….dump [FORCE=1]" >&2; exit 2; fi
	$(BIN)/python manage.py restore "$(FILE)"$(if $(FORCE), --force)

db-stop: install
	$(BIN)/python -m config.devdb stop .data/pg

clean: db-stop
	rm -rf .data $(VENV)
