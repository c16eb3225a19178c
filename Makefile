# appsync-data — every command sets up what it needs from the repo's own files.
# Python 3.13 (the Lambda runtime) is used where present (pyenv), else python3.

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
ENV ?= default
# sam build runs the python3.13 it finds on PATH: put the chosen interpreter's bin first.
SAM_ENV := PATH="$(dir $(PYTHON)):$$PATH" SAM_CLI_TELEMETRY=0

.PHONY: help venv test lint typecheck unit dev generate validate build deploy bench clean refresh-reference

help:
	@echo "make dev        run the local AppSync-compatible API (http://127.0.0.1:20002/graphql)"
	@echo "make test       lint, type-check and run every test"
	@echo "make generate   write schema.graphql and template.yaml from functions/data/resource.py"
	@echo "make validate   sam validate --lint (offline)"
	@echo "make build      sam build (python3.13, arm64)"
	@echo "make deploy     sam deploy (needs AWS credentials; ENV=prod for production)"
	@echo "make bench      cold start, memory, per-request cost, DynamoDB requests; local throughput"

$(STAMP): requirements-dev.txt layers/runtime/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $(STAMP)

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

unit: $(STAMP) $(SAM_STAMP) $(JS_STAMP)
	$(BIN)/pytest

test: lint typecheck unit

# --- performance (README "Performance"): builds the Lambda once, then measures it against floors --
bench: $(STAMP)
	@dir="$$(mktemp -d)"; trap 'chmod -R u+w "$$dir"; rm -rf "$$dir"' EXIT; \
	$(BIN)/python -c 'import sys; sys.path.insert(0, "bench"); import artifact, pathlib; artifact.build(pathlib.Path(sys.argv[1]))' "$$dir" 2>/dev/null && \
	$(BIN)/python bench/cold_start.py --artifact "$$dir" && echo && \
	$(BIN)/python bench/warm_overhead.py --artifact "$$dir" && echo && \
	$(BIN)/python bench/request_counts.py --artifact "$$dir" && echo && \
	$(BIN)/python bench/local_throughput.py

# --- local ----------------------------------------------------------------------------------------
# make dev [DEV_HOST=127.0.0.1] [DEV_PORT=20002] [ARGS="--reset --dynamodb-endpoint URL ..."]
DEV_HOST ?= 127.0.0.1
DEV_PORT ?= 20002
ARGS ?=

dev: $(STAMP)
	$(BIN)/python -m appsync_data dev --host $(DEV_HOST) --port $(DEV_PORT) $(ARGS)

# --- deploy ---------------------------------------------------------------------------------------

$(SAM_STAMP): requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $(SAM_STAMP)

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
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache
