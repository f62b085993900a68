# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools/node_modules/.bin
export PATH := $(CURDIR)/$(TOOLS):$(CURDIR)/$(BIN):$(PATH)
export REFLEX_TELEMETRY_ENABLED := False
export REFLEX_CHECK_LATEST_VERSION := False
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run dev prod test bench lock setup setup-test system-deps migrate seed clean

# Stamp files make a second `make run` skip installing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exactly the versions of the lock files, checked against their hashes (see `make lock`); then the
# app itself, whose dependencies are all in the lock already.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-test.lock
	touch $@

# Re-resolve the lock files from pyproject.toml's ranges (newest versions within them), with hashes.
# Run it on purpose, test, and commit both files together.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 -o requirements-test.lock

# Reflex would download bun from the web; take it from the npm registry instead.
$(TOOLS)/bun:
	npm install --silent --no-audit --no-fund --prefix .tools bun@1.4.5

# The PDF report needs Pango (WeasyPrint) and fonts covering Arabic; Debian packages, once.
system-deps:
	@{ ldconfig -p | grep -q libpango-1.0 && fc-list | grep -q "Noto Naskh Arabic"; } || \
	  { apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core >/dev/null; }

setup: $(VENV)/.installed $(TOOLS)/bun system-deps

# axe-core, the accessibility engine the browser tests inject into every page (from the npm registry).
AXE := .tools/node_modules/axe-core/axe.min.js
$(AXE): | $(TOOLS)/bun
	npm install --silent --no-audit --no-fund --prefix .tools axe-core@4.14.1

setup-test: setup $(VENV)/.installed-test $(AXE)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

migrate: setup
	$(BIN)/nlc migrate

# Demo data only on an empty database; never touches real data.
seed: migrate
	$(BIN)/nlc seed-demo --cities 30 --seed 1 --if-empty

run: seed
	@echo "DEMO MODE: demo accounts with the known password 'demo-password' (see README)."
	@echo "Never use this install for real data; production: NLC_ENV=production (see SECURITY.md)."
	$(BIN)/reflex run --env prod

dev: seed
	$(BIN)/reflex run

# Production: PostgreSQL (REFLEX_DB_URL), Redis (REFLEX_REDIS_URL), NLC_PUBLIC_URL and every secret
# from the environment; migrations applied, never demo data; see docs/deploy.md.
prod: setup
	$(BIN)/nlc serve --production

test: setup-test
	$(BIN)/pytest -q

bench: setup-test
	@for f in bench/*_bench.py bench/fuzz.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf .web .states $(VENV) .tools
