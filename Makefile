# The two commands of the README's quick start: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint format install chromium bench screenshots

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/tracker db upgrade
	$(BIN)/tracker demo --if-empty
	TRACKER_DEMO=1 $(BIN)/tracker serve --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# Debian's Chromium drives the browser tests (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# axe-core checks WCAG 2.2 AA in the browser tests.
AXE := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4.14.1

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP) chromium $(AXE) lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The README's screenshots: the browser tests, writing docs/screenshots (`make test` writes them
# to a temporary folder).
screenshots: $(STAMP) chromium $(AXE)
	TRACKER_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -n 2 --dist loadfile tests/e2e

bench: $(STAMP)
	$(BIN)/python -m bench.sync
	$(BIN)/python -m bench.metrics
