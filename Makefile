# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean egl postgres browser serve

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,synth,web]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/squatlab demo

# Off-screen OpenGL (EGL + Mesa llvmpipe) for the synth renderer's tests; installed when missing.
egl:
	@dpkg -s libegl1 libegl-mesa0 libgl1-mesa-dri >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libegl1 libegl-mesa0 libgl1-mesa-dri)

# The web workspace's tests run against a real PostgreSQL server too: Debian's postgresql,
# installed and started when missing, with a role that may create the tests' databases.
PG_URL := postgresql+psycopg://squatlab:squatlab@127.0.0.1:5432/postgres
postgres:
	@command -v pg_ctlcluster >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
	@pg_lsclusters -h | grep -q . || pg_createcluster $$(ls /usr/lib/postgresql | sort -n | tail -1) main
	@pg_lsclusters -h | grep -q online || pg_ctlcluster $$(pg_lsclusters -h | awk 'NR==1{print $$1, $$2}') start
	@runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='squatlab'" | grep -q 1 || \
		runuser -u postgres -- psql -qc "CREATE ROLE squatlab LOGIN CREATEDB PASSWORD 'squatlab'"

# Debian's Chromium for the web workspace's end-to-end test (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The web workspace on http://127.0.0.1:8000 with the built-in example in a demo account.
serve: $(STAMP)
	$(BIN)/squatlab serve --demo

test: export SQUATLAB_TEST_POSTGRES ?= $(PG_URL)
test: $(STAMP) egl postgres browser
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
