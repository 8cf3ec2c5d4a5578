# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make demo   - create .venv, install zopa, run the bundled March 2024 example
#   make test   - install the development tools, run ruff, mypy and pytest
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
CONSTRAINTS := requirements/constraints.txt
EXAMPLE := examples/gaza-2024-03.yaml

.PHONY: demo test install dev lint typecheck unit clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(PIP) install -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -c $(CONSTRAINTS) -e '.[dev]'
	@$(MAKE) --no-print-directory chromium
	touch $@

# The browser tests drive the system's chromium (Playwright cannot download its own here):
# installed when missing and root; otherwise those tests skip, saying why.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "no chromium and not root: the browser tests will be skipped (apt-get install chromium)"; fi

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/zopa validate $(EXAMPLE)
	$(BIN)/zopa forecast $(EXAMPLE) --model compromise
	$(BIN)/zopa forecast $(EXAMPLE) --model median
	$(BIN)/zopa forecast $(EXAMPLE) --model nash
	$(BIN)/zopa zone $(EXAMPLE)
	$(BIN)/zopa timeline $(EXAMPLE) --samples 2000 --seed 1

lint: dev
	$(BIN)/ruff check src tests benchmarks

typecheck: dev
	$(BIN)/mypy

unit: dev chromium
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
