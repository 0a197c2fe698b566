# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Each needs only Python 3.11+, make and (for the browser tests) apt or a Chromium already there.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
CHROMIUM ?= /usr/bin/chromium
# Production-like settings for `check --deploy`: the same checks a real server gets.
DEPLOY_ENV := DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=partnerships.example.gov.uk \
	DJANGO_SECRET_KEY=deploy-check-$$(printf '%050d' 0 | tr 0 x)-not-a-real-key-7Hq2

.PHONY: run test test-db lint check install browser-deps frontend backup restore bench clean help

help:
	@echo "make run   set up, load demo data and serve at http://127.0.0.1:8000"
	@echo "make test  set up, then run ruff, Django's checks and the whole test suite"
	@echo "make bench seed a large data set, load it with wrk and write docs/benchmarks.md"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input
	DJANGO_DEBUG=1 $(MANAGE) seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# The browser tests drive Debian's Chromium through Playwright and scan pages with axe-core.
browser-deps: node_modules/.installed
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM): install Debian's 'chromium' package (sudo apt-get install chromium)."; \
			exit 1; \
		fi; \
	fi

node_modules/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; \
		else \
			echo "The tests need npm for axe-core: install Debian's 'npm' package (sudo apt-get install npm)."; \
			exit 1; \
		fi; \
	fi
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DJANGO_DEBUG=1 $(MANAGE) check --fail-level WARNING
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING

# Two workers: the suite is mostly waiting on PostgreSQL and Chromium, so it halves the time.
# worksteal: a worker that runs out takes tests queued on the other, so the few proofs of two or
# three minutes each do not leave one worker running alone at the end (on a slow 2-core machine
# the first pass went from 21 to 16 minutes).
PYTEST_WORKERS ?= 2

test: install browser-deps lint check
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The database tests again, on whatever server DATABASE_URL names (CI: the machine's own).
# The whole-product proofs (sweeps and drills, marked "proof") ran once in `make test`.
test-db: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal -m "not browser and not proof" $(PYTEST_ARGS)

# The benchmark (not a test): seeds a small and a large data set, serves each with gunicorn,
# loads it with wrk and writes docs/benchmarks.md. Takes about 15 minutes.
BENCH_ARGS ?=
bench: install
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; \
		else \
			echo "make bench needs wrk: install Debian's 'wrk' package (sudo apt-get install wrk)."; \
			exit 1; \
		fi; \
	fi
	$(BIN)/python -m partnerships_site.bench $(BENCH_ARGS)

# Backups: the database and the uploaded documents in one file, var/backups/partnerships-<UTC>.tar.
# Without DJANGO_SECRET_KEY (a development machine) they run with development settings.
BACKUP_ENV := $(if $(DJANGO_SECRET_KEY),,DJANGO_DEBUG=1)

backup: install
	$(BACKUP_ENV) $(MANAGE) backup

# make restore FILE=var/backups/partnerships-<UTC>.tar loads a backup into an empty database.
restore: install
	@if [ -z "$(FILE)" ]; then \
		echo "Name the backup to restore: make restore FILE=var/backups/partnerships-<time>.tar"; \
		exit 2; \
	fi
	$(BACKUP_ENV) $(MANAGE) restore "$(FILE)" $(RESTORE_ARGS)

# Rebuild static/ from GOV.UK Frontend (the built files are committed).
frontend: node_modules/.installed
	npm run build

clean:
	rm -rf $(VENV) node_modules var/staticfiles
