# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make demo`: the analysis only (requirements-analysis.txt), no renderer.
APP_STAMP := $(VENV)/.installed-app
# `make test`: also the renderer (synth extra), the test tools and OpenSim's own file reader.
DEV_STAMP := $(VENV)/.installed-dev
# `make serve`: also the web workspace (web extra).
WEB_STAMP := $(VENV)/.installed-web
# Chromium's apt lock may be held by another install on a shared machine: wait for it.
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600

.PHONY: demo test lint bench clean egl postgres browser serve

$(APP_STAMP): pyproject.toml requirements-analysis.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet --no-deps -r requirements-analysis.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(APP_STAMP)

# opensim 4.6 declares numpy>=2.1, which mediapipe 0.10.21 rules out; its file adapters work with
# numpy 1.26 (tests/io/test_opensim_reads.py runs them), so it is installed beside the resolver.
$(DEV_STAMP): $(APP_STAMP) constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,synth,web,batch]"
	$(BIN)/pip install --quiet --no-deps opensim==4.6
	touch $(DEV_STAMP)

# `make serve`: the analysis plus the web extra (its packages alone, so the renderer stays out).
WEB_REQS := $(shell $(PYTHON) -c "import tomllib; print(' '.join(repr(r) for r in tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['web']))")
$(WEB_STAMP): $(APP_STAMP) constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt $(WEB_REQS)
	touch $(WEB_STAMP)

demo: $(APP_STAMP)
	$(BIN)/squatlab demo

# Off-screen OpenGL (EGL + Mesa llvmpipe) for the synth renderer's tests; installed when missing.
egl:
	@dpkg -s libegl1 libegl-mesa0 libgl1-mesa-dri >/dev/null 2>&1 || \
		($(APT) update -qq && $(APT) install -y -qq libegl1 libegl-mesa0 libgl1-mesa-dri)

# The web workspace's tests run against a real PostgreSQL server too: Debian's postgresql,
# installed and started when missing, with a role that may create the tests' databases.
PG_URL := postgresql+psycopg://squatlab:squatlab@127.0.0.1:5432/postgres
postgres:
	@command -v pg_ctlcluster >/dev/null 2>&1 || ($(APT) update -qq && $(APT) install -y -qq postgresql)
	@pg_lsclusters -h | grep -q . || pg_createcluster $$(ls /usr/lib/postgresql | sort -n | tail -1) main
	@pg_lsclusters -h | grep -q online || pg_ctlcluster $$(pg_lsclusters -h | awk 'NR==1{print $$1, $$2}') start
	@runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='squatlab'" | grep -q 1 || \
		runuser -u postgres -- psql -qc "CREATE ROLE squatlab LOGIN CREATEDB PASSWORD 'squatlab'"

# Debian's Chromium for the report's and the web workspace's page tests (driven by Playwright; no
# browser download).
browser:
	@dpkg -s chromium >/dev/null 2>&1 || ($(APT) update -qq && $(APT) install -y -qq chromium)

# The web workspace on http://127.0.0.1:8000 with the built-in example in a demo account.
serve: $(WEB_STAMP)
	$(BIN)/squatlab serve --demo

test: export SQUATLAB_TEST_POSTGRES ?= $(PG_URL)
test: $(DEV_STAMP) egl postgres browser
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
