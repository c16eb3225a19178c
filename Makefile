# appsync-data — every command sets up what it needs from the repo's own files.
# Python 3.13 (the Lambda runtime) is used where present (pyenv), else python3.

PYTHON ?= $(shell ls -d $(HOME)/.pyenv/versions/3.13*/bin/python3 2>/dev/null | tail -n 1 || true)
ifeq ($(PYTHON),)
PYTHON := $(shell command -v python3.13 2>/dev/null || command -v python3)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help venv test lint typecheck unit dev generate build deploy bench clean

help:
	@echo "make dev        run the local AppSync-compatible API (http://127.0.0.1:20002/graphql)"
	@echo "make test       lint, type-check and run every test"
	@echo "make generate   write schema.graphql (and template pieces) from functions/data/resource.py"
	@echo "make build      sam build (python3.13, arm64)"
	@echo "make deploy     sam deploy (needs AWS credentials)"

$(STAMP): requirements-dev.txt layers/runtime/requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e .
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache
