# Two commands for a newcomer: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# System libraries WeasyPrint needs to render PDFs; a Times-compatible serif with every Vietnamese
# glyph (Liberation 2.x: the 1.x package "fonts-liberation" lacks ệ, ố, ằ, so words would mix two
# faces and fail the Nghị định 30 check); poppler (pdfsig, pdftotext) and SoftHSM2 + OpenSC (a
# software PKCS#11 token) for the signature tests.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-liberation2 poppler-utils gettext softhsm2 opensc

.PHONY: run worker serve test lint format bench messages system-packages lock clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required: install python3.11 (and python3.11-venv) first."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs are reproducible: every package at the version and hash of a lock file (make lock
# writes them from pyproject.toml), then the project itself without resolving anything.
LOCK_DEV := requirements/dev.txt
LOCK_BASE := requirements/base.txt

$(VENV)/.installed-test $(VENV)/.installed-bench: $(LOCK_DEV) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	@touch $@

$(VENV)/.installed-base: $(LOCK_BASE) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK_BASE)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	@touch $@

# After changing a dependency in pyproject.toml: both lock files, with the hashes PyPI publishes.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "uv>=0.5"
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o $(LOCK_BASE)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 \
	  --generate-hashes -q -o $(LOCK_DEV)

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing system packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq $$missing >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; }) \
	      || { echo "Could not install: $$missing. Run: sudo apt-get install $$missing"; exit 1; }; \
	  else echo "Missing system packages: $$missing. Run: sudo apt-get install $$missing"; exit 1; fi; \
	fi

run: system-packages $(VENV)/.installed-test
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py demo
	DEBUG=true $(BIN)/python manage.py demo_certificate
	@echo "Serving on http://127.0.0.1:$(PORT)/ — log in with an account above."
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Background mail and the daily reminders (beat, 07:00): a Celery worker on Redis, next to `make run`.
worker: $(VENV)/.installed-test
	@mkdir -p $${VAR_DIR:-var}
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} DEBUG=$${DEBUG:-true} \
	  $(BIN)/celery -A config worker --beat --schedule $${VAR_DIR:-var}/celerybeat-schedule --loglevel=INFO

test: system-packages $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . -ll -q
	$(BIN)/pytest

# Production on this machine (README "Deploying"): the production profile, gunicorn against
# PostgreSQL, Redis as the shared cache and the Celery broker, a worker with beat. Configure it
# with the environment (deploy/thidua.env.example); deploy/ has systemd units and an nginx site.
serve: system-packages $(VENV)/.installed-base
	DJANGO_ENV=production deploy/serve.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# On the local PostgreSQL (BENCH_DATABASE_URL to use another); writes bench/results.{json,md}.
# The HTTP bench serves from databases of its own beside it (<name>_http_*), made anew each run.
bench: $(VENV)/.installed-bench
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/thidua_bench} \
	  $(BIN)/pytest bench -m bench -p no:cacheprovider -s

messages: $(VENV)/.installed-test
	DEBUG=true $(BIN)/python manage.py makemessages -l vi -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
