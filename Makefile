# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint format install install-test vendor migrate demo bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Front-end files come from the npm registry (exact versions in package-lock.json).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

static/vendor/cytoscape.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/cytoscape/dist/cytoscape.min.js static/vendor/cytoscape.min.js

# fCoSE, the force-directed layout the network picture uses, and the two libraries it is built on.
static/vendor/cytoscape-fcose.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/layout-base/layout-base.js static/vendor/layout-base.js
	cp node_modules/cose-base/cose-base.js static/vendor/cose-base.js
	cp node_modules/cytoscape-fcose/cytoscape-fcose.js static/vendor/cytoscape-fcose.js

# Chart.js draws the indicator charts; Leaflet and its marker clustering draw the map.
static/vendor/chart.umd.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/chart.umd.min.js

static/vendor/leaflet/leaflet.js: node_modules/.package-lock.json
	mkdir -p static/vendor/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images static/vendor/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css \
		node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/leaflet/

# DejaVu Sans (every letter of sl/hr/en) for the PDFs the portal writes with fpdf2; read at run time.
static/vendor/fonts/DejaVuSans.ttf: node_modules/.package-lock.json
	mkdir -p static/vendor/fonts
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf static/vendor/fonts/

install: $(VENV)/.installed vendor
install-test: $(VENV)/.installed-test vendor
vendor: static/vendor/htmx.min.js static/vendor/cytoscape.min.js static/vendor/cytoscape-fcose.js \
	static/vendor/chart.umd.min.js static/vendor/leaflet/leaflet.js static/vendor/fonts/DejaVuSans.ttf

migrate: install
	$(BIN)/portal migrate

demo: migrate
	$(BIN)/portal demo --if-empty

# The demo admin has no authenticator app: `make run` requires two-factor sign-in of no role, so the
# demo logins work at once (anyone may still turn it on at /account/two-factor). Elsewhere the
# default is admin; `make run PORTAL_TWO_FACTOR_ROLES=admin` tries the enrolment as an admin would.
PORTAL_TWO_FACTOR_ROLES ?=
run: demo
	PORTAL_TWO_FACTOR_ROLES="$(PORTAL_TWO_FACTOR_ROLES)" PORTAL_HOST=$(HOST) PORTAL_PORT=$(PORT) $(BIN)/portal demo-logins
	PORTAL_TWO_FACTOR_ROLES="$(PORTAL_TWO_FACTOR_ROLES)" PORTAL_HOST=$(HOST) PORTAL_PORT=$(PORT) $(BIN)/portal serve

# First scripts/prepare-tests: it installs Chromium, npm and PostgreSQL where missing (or says what
# to install and stops), starts PostgreSQL, makes an empty portal_test database and writes its URL
# (or PORTAL_TEST_DATABASE_URL, when set) to var/test-database-url. Then the lint, the whole suite on SQLite,
# and the database tests again on that PostgreSQL: a green `make test` has passed on both engines.
# TEST_WORKERS processes share the tests out a file at a time (pytest-xdist), each with its own SQLite
# file, PostgreSQL database and Redis database; `make test TEST_WORKERS=0` runs them in this process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile
test:
	bash scripts/prepare-tests
	@$(MAKE) --no-print-directory lint
	$(PYTEST)
	@echo "== database tests on PostgreSQL"
	PORTAL_TEST_ENGINE=postgres PORTAL_TEST_DATABASE_URL="$$(cat var/test-database-url)" \
		$(PYTEST) -m "db and not browser and not fuzz"

# Lint, formatting and types (ruff and mypy, configured in pyproject.toml); `make test` runs this before
# the tests. `make format` rewrites the files the format check would refuse.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules static/vendor var

# Re-extract UI strings and merge them into the sl/hr/en catalogs (then translate the new ones).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o portal/locale/messages.pot --sort-output --project activation-portal --no-wrap .
	$(BIN)/pybabel update -i portal/locale/messages.pot -d portal/locale --no-wrap --ignore-obsolete
