# appsync-data — every command sets up what it needs from the repo's own files.
# Python 3.13 (the Lambda runtime) is used where present (pyenv), else python3.

# bash: the set-up recipe reads PIPESTATUS.
SHELL := /bin/bash
PYTHON ?= $(shell ls -d $(HOME)/.pyenv/versions/3.13*/bin/python3 2>/dev/null | tail -n 1 || true)
ifeq ($(PYTHON),)
PYTHON := $(shell command -v python3.13 2>/dev/null || command -v python3)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# aws-sam-cli pins its own boto3/click, so it lives in its own virtualenv.
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed
CONSOLE_JS := console/dist/console.js
CONSOLE_MODULES := console/node_modules/.package-lock.json
ENV ?= default
# sam build runs the python3.13 it finds on PATH: put the chosen interpreter's bin first.
SAM_ENV := PATH="$(dir $(PYTHON)):$$PATH" SAM_CLI_TELEMETRY=0

.PHONY: console console-if-npm help venv test test-quick lint typecheck unit dev generate validate build deploy bench clean refresh-reference authorization-reference browser-deps

help:
	@echo "make dev        run the local AppSync-compatible API (https://127.0.0.1:20002/graphql)"
	@echo "make console    build the browser console at the server's root (npm ci + esbuild, once)"
	@echo "make test       lint, type-check and run every test"
	@echo "make test-quick lint, type-check and run the tests not marked slow"
	@echo "make generate   write schema.graphql and template.yaml from functions/data/resource.py"
	@echo "make validate   sam validate --lint (offline)"
	@echo "make build      sam build (python3.13, arm64)"
	@echo "make deploy     sam deploy (needs AWS credentials; ENV=prod for production)"
	@echo "make bench      cold start, memory, per-request cost, DynamoDB requests; local throughput"
	@echo "make authorization-reference  re-make tests/reference/authorization/ with the pinned Amplify tools"

# Set-up says what it installs and how long it took (a first run takes a few minutes).
$(STAMP): requirements-dev.txt layers/runtime/requirements.txt pyproject.toml
	@start=$$(date +%s); \
	echo "Setting up $(VENV)/ with $(PYTHON) (first run: a few minutes) ..."; \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || exit 1; \
	$(BIN)/python -m pip install --quiet --upgrade pip || exit 1; \
	echo "Installing $$(grep -c '^[a-zA-Z]' requirements-dev.txt) pinned packages of requirements-dev.txt and this project:"; \
	$(BIN)/python -m pip install --progress-bar off -r requirements-dev.txt -e . 2>&1 \
	  | grep --line-buffered -E '^(Collecting|Successfully installed|ERROR)' \
	  | sed -u -e 's/^Collecting /  collecting /'; \
	test "$${PIPESTATUS[0]}" = 0 || exit 1; \
	touch $(STAMP); \
	echo "$(VENV)/ ready in $$(( $$(date +%s) - start )) s"

venv: $(STAMP)

# AWS's linter for APPSYNC_JS (npm, pinned in tests/deploy/js/package-lock.json).
JS_STAMP := tests/deploy/js/node_modules/.package-lock.json
ESLINT := tests/deploy/js/node_modules/.bin/eslint

$(JS_STAMP): tests/deploy/js/package-lock.json
	cd tests/deploy/js && npm ci --prefer-offline --no-audit --no-fund --loglevel=error

lint: $(STAMP) $(JS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(ESLINT) -c tests/deploy/js/eslint.config.mjs --max-warnings 0 functions/resolvers/

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(SAM_STAMP) $(JS_STAMP) $(CONSOLE_JS) browser-deps
	$(BIN)/pytest

# Headless Chromium and NSS's certutil for the browser test (tests/e2e/test_browser.py), from
# Debian's packages, when missing (needs root, as on CI and the dev machines).
browser-deps:
	@command -v chromium >/dev/null && command -v certutil >/dev/null || { \
	  echo "installing Debian's chromium and libnss3-tools for the browser test ..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium libnss3-tools; }

test: lint typecheck unit

# The quick run: lint, types and every test not marked slow (no sam build, npm installs or browser).
test-quick: lint typecheck
	$(BIN)/pytest -m "not slow"

# --- performance (README "Performance"): builds the Lambda once, then measures it against floors --
bench: $(STAMP)
	@dir="$$(mktemp -d)"; trap 'chmod -R u+w "$$dir"; rm -rf "$$dir"' EXIT; \
	$(BIN)/python -c 'import sys; sys.path.insert(0, "bench"); import artifact, pathlib; artifact.build(pathlib.Path(sys.argv[1]))' "$$dir" 2>/dev/null && \
	$(BIN)/python bench/cold_start.py --artifact "$$dir" && echo && \
	$(BIN)/python bench/warm_overhead.py --artifact "$$dir" && echo && \
	$(BIN)/python bench/request_counts.py --artifact "$$dir" && echo && \
	$(BIN)/python bench/modeling_counts.py && echo && \
	$(BIN)/python bench/local_throughput.py && echo && \
	$(BIN)/python bench/realtime_latency.py

# --- local ----------------------------------------------------------------------------------------
# The browser console (console/: GraphiQL + react, pinned in its package-lock.json), bundled by
# esbuild into console/dist/ (git-ignored). Built once; again only when its sources change.
$(CONSOLE_MODULES): console/package-lock.json
	@start=$$(date +%s); \
	echo "Installing the browser console's pinned npm packages (GraphiQL, React, esbuild) ..."; \
	cd console && npm ci --prefer-offline --no-audit --no-fund --loglevel=error || exit 1; \
	echo "console/node_modules/ ready in $$(( $$(date +%s) - start )) s"

$(CONSOLE_JS): $(CONSOLE_MODULES) $(wildcard console/src/*)
	@start=$$(date +%s); \
	echo "Bundling the browser console with esbuild into console/dist/ ..."; \
	cd console && npm run --silent build || exit 1; \
	echo "console/dist/ ready in $$(( $$(date +%s) - start )) s ($$(du -sh dist | cut -f1))"

console: $(CONSOLE_JS)

# make dev builds the console when npm is here; without it the page at / says how, the API works.
console-if-npm:
	@if command -v npm >/dev/null; then \
	  $(MAKE) -s --no-print-directory $(CONSOLE_JS) \
	    || echo "note: the console did not build (above); the API works without it"; \
	else echo "note: no npm here, so no browser console (the page at / says how to build it)"; fi

# make dev [DEV_HOST=127.0.0.1] [DEV_PORT=20002] [ARGS="--reset --dynamodb-endpoint URL ..."]
DEV_HOST ?= 127.0.0.1
DEV_PORT ?= 20002
ARGS ?=

dev: $(STAMP) console-if-npm
	$(BIN)/python -m appsync_data dev --host $(DEV_HOST) --port $(DEV_PORT) $(ARGS)

# --- deploy ---------------------------------------------------------------------------------------

$(SAM_STAMP): requirements-sam.txt
	@start=$$(date +%s); \
	echo "Setting up $(SAM_VENV)/ (aws-sam-cli) with $(PYTHON) ..."; \
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV) || exit 1; \
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip || exit 1; \
	$(SAM_VENV)/bin/python -m pip install --progress-bar off -r requirements-sam.txt 2>&1 \
	  | grep --line-buffered -E '^(Collecting|Successfully installed|ERROR)' \
	  | sed -u -e 's/^Collecting /  collecting /'; \
	test "$${PIPESTATUS[0]}" = 0 || exit 1; \
	touch $(SAM_STAMP); \
	echo "$(SAM_VENV)/ ready in $$(( $$(date +%s) - start )) s"

generate: $(STAMP)
	$(BIN)/python -m appsync_data generate

validate: $(SAM_STAMP)
	$(SAM_ENV) $(SAM) validate --lint

build: $(SAM_STAMP)
	$(BIN)/python -m appsync_data generate --check
	$(SAM_ENV) $(SAM) build

deploy: build
	$(SAM_ENV) $(SAM) deploy --config-env $(ENV)
	$(BIN)/python -m appsync_data outputs --stack "$$($(SAM_VENV)/bin/python -c 'import tomllib; print(tomllib.load(open("samconfig.toml", "rb"))["$(ENV)"]["global"]["parameters"]["stack_name"])')"

# The Amplify reference outputs the tests compare with, copied from the team's shared folder.
REFERENCE_SOURCE ?= ../shared/reference
refresh-reference:
	test -d $(REFERENCE_SOURCE)/amplify || { echo "no $(REFERENCE_SOURCE)/amplify here"; exit 1; }
	rm -rf tests/reference/amplify
	cp -r $(REFERENCE_SOURCE)/amplify tests/reference/amplify
	cp $(REFERENCE_SOURCE)/README.md tests/reference/README.md

clean:
	rm -rf $(VENV) $(SAM_VENV) console/dist .aws-sam .mypy_cache .ruff_cache .pytest_cache

# The authorization oracle (tests/reference/authorization/README.md): Amplify's SDL, resolvers and
# the truth table rendered from them, re-made from the pinned npm packages.
AUTH_REF := tests/reference/authorization/generate
authorization-reference:
	cd $(AUTH_REF) && npm ci --no-audit --no-fund && node generate.mjs
	cd $(AUTH_REF)/simulator && npm ci --no-audit --no-fund
	cd $(AUTH_REF) && node truth_table.mjs
