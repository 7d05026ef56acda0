# Two commands for a newcomer: `make run` (the site with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev migrate demo lint format messages worker beat serve screenshots

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## run: create the venv, install, migrate, load the demo district and serve on http://$(HOST)
run: demo
	@echo "Members sign in at http://$(HOST)/accounts/login/ (demo: 13800000001-3); the SMS code"
	@echo "is printed in this console as 'notify <number>: ...' (no SMS gateway is configured)."
	$(PY) manage.py runserver $(HOST)

## test: install the test dependencies (and Debian's Chromium where we can) and run every test
test: install-dev
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium not installed: browser tests will be skipped"; }
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## messages: refresh and compile the translation catalogues (needs GNU gettext)
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

serve: install
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn portal.wsgi -c portal/gunicorn.conf.py

worker: install
	$(VENV)/bin/celery -A portal worker -l info --concurrency=$${CELERY_CONCURRENCY:-2}

beat: install
	$(VENV)/bin/celery -A portal beat -l info

## screenshots: the README's pictures, from a throwaway demo (needs Debian's Chromium)
screenshots: install-dev
	$(PY) docs/screenshots.py
