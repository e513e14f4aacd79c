# Marketplace — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.DEFAULT_GOAL := help
.PHONY: help run test lint format worker relay migrate seed clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

run: $(VENV)/.installed ## Install, migrate, load the demo on first start and serve on http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev ## Run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## Check style with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(VENV)/.installed ## Run an RQ worker for every queue (needs REDIS_URL)
	$(FLASK) jobs worker

relay: $(VENV)/.installed ## Re-send background jobs that were recorded but never delivered
	$(FLASK) jobs relay

migrate: $(VENV)/.installed ## Apply database migrations
	$(FLASK) db upgrade

clean: ## Remove the virtualenv and the local database, uploads and caches
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
