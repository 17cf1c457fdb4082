# Two commands matter (see README):  `make lab`  and  `make test`.
# Each creates .venv/ on first use and installs what it needs from the project's own files:
# `make lab` the notebook stack only (requirements.txt), `make test` the development tools
# on top (requirements-dev.txt). Each has its own stamp, so `make lab` never pulls in the
# test tools and `make test` after `make lab` installs only what is missing.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LAB_STAMP := $(VENV)/.installed-lab
DEV_STAMP := $(VENV)/.installed-dev
# JupyterLab settings the project installs into the environment (not the user's own):
# no news pop-up, no update check.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/momentum.json
# Enables the server extension momentum_lib.serving: kernel websockets without Nagle's delay.
SERVER_CONFIG := $(VENV)/etc/jupyter/jupyter_server_config.d/momentum.json
# Jupyter refuses to start as root (containers, CI, many lab machines) unless told to.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
# Classroom mode: a kernel whose page was closed (no connection) for CULL_IDLE seconds is
# shut down, checked every CULL_INTERVAL seconds (e.g. `make present CULL_IDLE=600`).
CULL_IDLE ?= 300
CULL_INTERVAL ?= 60
CULL := --MappingKernelManager.cull_idle_timeout=$(CULL_IDLE) \
        --MappingKernelManager.cull_interval=$(CULL_INTERVAL) --MappingKernelManager.cull_connected=False

.PHONY: lab test unit nbval notebooks check-notebooks bench bench-tiny bench-browser present conformance conformance-network clean lite exercises

$(LAB_STAMP): requirements.txt pyproject.toml binder/lab-overrides.json binder/jupyter-server-extension.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	mkdir -p $(dir $(LAB_OVERRIDES))
	cp binder/lab-overrides.json $(LAB_OVERRIDES)
	mkdir -p $(dir $(SERVER_CONFIG))
	cp binder/jupyter-server-extension.json $(SERVER_CONFIG)
	touch $@

$(DEV_STAMP): $(LAB_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## Set up the notebook stack and open the series in JupyterLab (LAB_ARGS: extra options).
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) notebooks/00_index.ipynb

## Set everything up and run every test: unit, property, conformance, notebooks (nbval),
## stored-notebook checks, a tiny benchmark run and, where Chromium exists, the browser tests
## (including the JupyterLite edition, which is built first: it needs npm).
test: $(DEV_STAMP) lite
	$(BIN)/python -m pytest tests --nbval notebooks --sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
	$(BIN)/python benchmarks/run.py --tiny
	$(BIN)/python benchmarks/browser.py --quick

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest tests -m "not browser and not slow" -p no:cacheprovider

nbval: $(DEV_STAMP)
	$(BIN)/python -m pytest --nbval notebooks --sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

## Re-execute every notebook in a fresh kernel and normalise it for storage.
notebooks: $(DEV_STAMP)
	$(BIN)/python -m momentum_lib._notebooks execute notebooks/*.ipynb

check-notebooks: $(DEV_STAMP)
	$(BIN)/python -m momentum_lib._notebooks check notebooks/*.ipynb

## Regenerate the practice key and the exercises notebook's question cells from the exercise
## catalogue and maintainer/exercises/, then re-execute that notebook (docs/exercises.md).
exercises: $(DEV_STAMP)
	$(BIN)/python -m momentum_lib.exercises._build
	$(BIN)/python -m momentum_lib._notebooks execute notebooks/*_exercises.ipynb

## Full-size benchmark; writes benchmarks/results/latest.md.
bench: $(LAB_STAMP)
	$(BIN)/python benchmarks/run.py

## Bytes per slider move and key press → frame in Chromium, explorers against ipympl, on
## localhost and an emulated 10 Mbit/s link (~40 min); writes benchmarks/results/browser.md.
bench-browser: $(DEV_STAMP)
	$(BIN)/python benchmarks/browser.py

## Classroom mode: the series through Voila, code hidden, larger type, on 127.0.0.1;
## kernels of closed pages are culled (CULL above).
present: $(LAB_STAMP)
	binder/start $(BIN)/voila $(or $(PRESENT_DIR),notebooks) --Voila.ip=127.0.0.1 $(CULL) $(PRESENT_ARGS)

## Re-record the framework reference trajectories. Not run by CI: it needs torch==2.13.0,
## keras (jax backend), jax and optax in a separate environment, e.g.
##   python3 -m venv ../fwenv && ../fwenv/bin/pip install torch==2.13.0 keras jax optax
FWPYTHON ?= ../fwenv/bin/python
conformance:
	PYTHONPATH=$(CURDIR) $(FWPYTHON) tests/record_conformance.py
## The notebook 07 network against torch.optim.SGD (needs only torch==2.13.0 and numpy).
conformance-network:
	PYTHONPATH=$(CURDIR) $(FWPYTHON) tests/record_network_conformance.py

## The JupyterLite edition: a static site in _site/ that runs every notebook in the browser,
## no server (see README, "Run it in your browser with no server"). Its build tools live in
## their own .venv-lite/ (lite/requirements-lite.txt), apart from the notebook stack.
LITE_VENV  := .venv-lite
LITE_STAMP := $(LITE_VENV)/.installed
$(LITE_STAMP): lite/requirements-lite.txt
	test -x $(LITE_VENV)/bin/python || $(PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: -r lite/requirements-lite.txt
	touch $(LITE_STAMP)

lite: $(LITE_STAMP)
	$(LITE_VENV)/bin/python lite/build.py --output $(or $(LITE_OUT),_site)

clean:
	rm -rf $(VENV) .pytest_cache
