# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make demo`: the analysis only (requirements-analysis.txt), no renderer.
APP_STAMP := $(VENV)/.installed-app
# `make test`: also the renderer (synth extra), the test tools and OpenSim's own file reader.
DEV_STAMP := $(VENV)/.installed-dev
# Chromium's apt lock may be held by another install on a shared machine: wait for it.
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600

.PHONY: demo test lint bench clean egl browser

$(APP_STAMP): pyproject.toml requirements-analysis.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet --no-deps -r requirements-analysis.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(APP_STAMP)

# opensim 4.6 declares numpy>=2.1, which mediapipe 0.10.21 rules out; its file adapters work with
# numpy 1.26 (tests/io/test_opensim_reads.py runs them), so it is installed beside the resolver.
$(DEV_STAMP): $(APP_STAMP) constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,synth]"
	$(BIN)/pip install --quiet --no-deps opensim==4.6
	touch $(DEV_STAMP)

demo: $(APP_STAMP)
	$(BIN)/squatlab demo

# Off-screen OpenGL (EGL + Mesa llvmpipe) for the synth renderer's tests; installed when missing.
egl:
	@dpkg -s libegl1 libegl-mesa0 libgl1-mesa-dri >/dev/null 2>&1 || \
		($(APT) update -qq && $(APT) install -y -qq libegl1 libegl-mesa0 libgl1-mesa-dri)

# Debian's Chromium for the report's page tests (driven by playwright; no browser download).
browser:
	@dpkg -s chromium >/dev/null 2>&1 || ($(APT) update -qq && $(APT) install -y -qq chromium)

test: $(DEV_STAMP) egl browser
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
