# Two commands matter (see README):  `make lab`  and  `make test`.
# Each creates .venv/ on first use and installs what it needs from the project's own files.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test unit nbval notebooks check-notebooks bench bench-tiny present conformance conformance-network clean lite

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Set everything up and open the series in JupyterLab.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_index.ipynb

## Set everything up and run every test: unit, property, conformance, notebooks (nbval),
## stored-notebook checks, a tiny benchmark run and, where Chromium exists, the browser tests.
test: $(STAMP)
	$(BIN)/python -m pytest tests --nbval notebooks --sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
	$(BIN)/python benchmarks/run.py --tiny

unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser and not slow" -p no:cacheprovider

nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval notebooks --sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

## Re-execute every notebook in a fresh kernel and normalise it for storage.
notebooks: $(STAMP)
	$(BIN)/python -m momentum_lib._notebooks execute notebooks/*.ipynb

check-notebooks: $(STAMP)
	$(BIN)/python -m momentum_lib._notebooks check notebooks/*.ipynb

## Full-size benchmark; writes benchmarks/results/latest.md.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

## Classroom mode: the series through Voila, code hidden, larger type, on 127.0.0.1.
present: $(STAMP)
	binder/start $(BIN)/voila $(or $(PRESENT_DIR),notebooks) --Voila.ip=127.0.0.1 $(PRESENT_ARGS)

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
