# Offline toolchain: Python venv (brownie 1.22.2) + npm (solc-js 0.8.30, anvil 1.7.1, OpenZeppelin 5.4).
# Only PyPI and npm are reachable: nothing here downloads a solc binary or a brownie package.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := setup

PYTHON ?= python3
SOLC_VERSION := 0.8.30

# .venv/bin for brownie/pytest/python, node_modules/.bin for anvil (brownie launches `anvil`
# from PATH for the development network).
PATH := $(CURDIR)/.venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export PATH
# brownie 1.22 calls its own deprecated rpc.snapshot/revert internally and warns about it each time.
export PYTHONWARNINGS := ignore:rpc.:FutureWarning

# Stamps live inside the directories they describe, so deleting .venv or node_modules
# (or a fresh clone) re-runs the matching step.
VENV_STAMP := .venv/.setup.stamp
NODE_STAMP := node_modules/.setup.stamp
# schemathesis runs from its own venv: brownie pins hypothesis==6.27.3, which schemathesis 4 cannot use.
SCHEMATHESIS_STAMP := .venv-schemathesis/.setup.stamp
# the JS client and example page (js/, an npm workspace), and Debian's chromium for the page's browser test
JS_STAMP := js/node_modules/.setup.stamp
# slither-analyzer 0.11.6 runs from its own venv too: it needs newer web3/eth packages than brownie's pins.
SLITHER_STAMP := .venv-slither/.setup.stamp

.PHONY: setup lint compile test demo up down bench models clean distclean constraints

## setup: venv + editable install, npm ci, ~/.solcx adapter link, brownie network config, .env
setup: $(VENV_STAMP) $(NODE_STAMP) $(JS_STAMP) .env
	@SOLC_VERSION=$(SOLC_VERSION) tools/setup-home.sh

$(VENV_STAMP): pyproject.toml constraints.txt
	@test -x .venv/bin/python || $(PYTHON) -m venv .venv
	.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

$(SCHEMATHESIS_STAMP): constraints-schemathesis.txt
	@test -x .venv-schemathesis/bin/python || $(PYTHON) -m venv .venv-schemathesis
	.venv-schemathesis/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-schemathesis.txt schemathesis
	@touch $@

$(SLITHER_STAMP): constraints-slither.txt
	@test -x .venv-slither/bin/python || $(PYTHON) -m venv .venv-slither
	.venv-slither/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-slither.txt slither-analyzer
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(JS_STAMP): js/package.json js/package-lock.json js/client/package.json js/example/package.json
	npm ci --prefix js --no-audit --no-fund
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	@touch $@

# brownie-config.yaml has `dotenv: .env` and brownie refuses to start without the file;
# create it (empty values) only when missing, never overwrite.
.env: | .env.example
	cp .env.example $@

## compile: brownie compile (solc 0.8.30 via tools/solc), under the project name scripts/project.py gives
compile: setup
	python -m scripts.project

## lint: ruff over the Python code, mypy (strict) over oracle/, slither over every contract (fails on an untriaged
## High or Medium finding)
lint: setup $(SLITHER_STAMP)
	ruff check oracle tests scripts benchmarks tools
	ruff format --check oracle tests scripts benchmarks tools
	mypy
	tools/slither.sh

## test: lint, then contract + Python tests (brownie's pytest plugin, anvil launched on demand)
test: setup lint $(SCHEMATHESIS_STAMP)
	pytest
	npm --prefix js test

## demo: end-to-end demo on the local development network
demo: setup
	python -m scripts.run demo

## up: a local stack that stays up (anvil, every contract, 4 oracle nodes, the API, the example page); see README
up: setup
	python -m scripts.stack up

## down: stop exactly what `make up` started
down:
	python -m scripts.stack down

## models: train every model from data shipped in packages into models/<name>/
models: setup
	oracle models train all --out models

## bench: measured figures, written to benchmarks/results/*.json
bench: setup
	python -m benchmarks.gas
	python -m benchmarks.supply_gas
	python -m benchmarks.inference
	python -m benchmarks.node
	python -m benchmarks.network
	python -m benchmarks.api
	python -m benchmarks.postgres

## clean: build outputs and caches (keeps .venv and node_modules)
clean:
	rm -rf build reports .pytest_cache .hypothesis
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

## distclean: clean + remove .venv and node_modules
distclean: clean
	rm -rf .venv .venv-schemathesis .venv-slither node_modules *.egg-info

## constraints: re-resolve pyproject.toml in a scratch venv and rewrite constraints.txt
constraints:
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]" && \
	{ echo '# Complete pinned set for the project venv: `pip freeze --all --exclude-editable` of a venv'; \
	  echo '# resolved from pyproject.toml on Python 3.11 (pip and setuptools left out; the project itself'; \
	  echo '# excluded). Install with: pip install -c constraints.txt -e ".[dev]"   Regenerate: make constraints'; \
	  "$$tmp/venv/bin/python" -m pip freeze --all --exclude-editable | grep -v -e '^pip==' -e '^setuptools=='; \
	} > constraints.txt
