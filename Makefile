# Two commands for a newcomer: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install migrate seed lint format bench messages schema screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py regenerate_summaries --if-missing
	$(PY) manage.py regenerate_exports --if-missing

run: seed
	$(PY) manage.py runserver 127.0.0.1:8000

# The layer contracts (pyproject.toml, [tool.importlinter]) and the types of every app's services and selectors
# come first: a broken contract or a type error fails the suite before the tests run. Last, tests/resilience
# runs with REDIS_URL pointing at a closed port: Redis accelerates, never gates reading (docs/security.md).
REDIS_DOWN_URL := redis://127.0.0.1:9/0
test: install
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) -m pytest $(PYTEST_ARGS)
	QOGAM_REDIS_DOWN=1 REDIS_URL=$(REDIS_DOWN_URL) $(PY) -m pytest tests/resilience

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The bench extra (gunicorn, datasette) on top of dev, with a stamp of its own keyed on the same checksum.
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	rm -f $(VENV)/.bench-installed-*
	touch $(BENCH_STAMP)

# Whole pages over HTTP beside datasette (bench/http_pages.py); BENCH_ARGS="--in-process" for the older timings.
bench: $(BENCH_STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

# The reviewed OpenAPI snapshot (a test fails while it differs from what the code generates).
schema: migrate
	$(PY) manage.py spectacular --file api/openapi.yaml --validate --fail-on-warn

# Needs GNU gettext (apt-get install gettext). The compiled .mo files are committed, so nothing else does.
messages: install
	$(PY) manage.py makemessages -l kk -l ru --ignore=.venv --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

# The ten main pages at 390 px in Kazakh, as PNGs in docs/screenshots/ (README shows two). Needs Debian's chromium.
screenshots: install
	$(PY) -m pytest -q -p no:cacheprovider tests/e2e/screenshots.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .ruff_cache .mypy_cache bench/out
