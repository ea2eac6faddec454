# GrantFlow: `make demo` runs the app with a seeded demo fund; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PORT ?= 5000

.PHONY: demo test install fonts chromium migration lint bench clean

$(BIN)/python:
	@echo "Creating the virtual environment in $(VENV)..."
	@$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	@echo "Upgrading pip..."
	@$(BIN)/pip install -qq --upgrade pip
	@echo "Installing GrantFlow and its dependencies (the first time takes about 3 minutes)..."
	@$(BIN)/pip install -qq -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)
	@echo "Installed."

install: $(STAMP)

# The Liberation fonts the letters name first (without them a letter falls back
# to DejaVu, which sets wider and can run to an extra page).
fonts:
	@if ! fc-list 2>/dev/null | grep -q "Liberation Sans"; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing the Liberation fonts for the letters..."; \
	    (apt-get install -y -qq fonts-liberation >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq fonts-liberation >/dev/null)); \
	  else \
	    echo "The letters' fonts are missing: run 'sudo apt-get install fonts-liberation'."; \
	  fi; \
	fi

# Debian's Chromium for the browser tests (never a browser download).
chromium: fonts
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)); \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium chromium-driver' for the browser tests."; \
	  fi; \
	fi

demo: install fonts
	@echo "Starting the demo (migrating and seeding the database the first time)..."
	@$(BIN)/grantflow demo --port $(PORT)

test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Regenerate the initial migration (0001) from the models (only until the first
# release; after that, add revisions with `grantflow db migrate -m "..."`). The
# hand-written revisions after it (0002, 0003: tables kept by triggers, which
# autogenerate cannot see, each creating its own table; 0004: job leases; 0005:
# drops the tables and triggers of 0002 and 0003) are set aside meanwhile and kept.
migration: install
	tmp=$$(mktemp -d) && mkdir $$tmp/kept && \
	  for f in migrations/versions/*.py; do case $$f in */0001_*) rm -f $$f;; *) mv $$f $$tmp/kept/;; esac; done && \
	  DATABASE_URL=sqlite:///$$tmp/m.sqlite $(BIN)/grantflow db upgrade && \
	  DATABASE_URL=sqlite:///$$tmp/m.sqlite $(BIN)/grantflow db migrate -m "initial schema" --rev-id 0001 && \
	  mv $$tmp/kept/*.py migrations/versions/ 2>/dev/null; rm -rf $$tmp

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
