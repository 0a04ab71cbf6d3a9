# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell $(PYTHON) -c 'import hashlib,sys;print(hashlib.sha1(open("pyproject.toml","rb").read()).hexdigest()[:10])')

.PHONY: run test bench lint golden install clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,plot]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install  ## venv + install + the shipped comparison
	$(BIN)/computecost compare

test: install chromium  ## test dependencies + the whole suite
	$(BIN)/python -m pytest

# Headless Chromium for the report's browser test (tests/test_report_browser.py): the Debian
# package, installed once when missing (sudo only when not root). Elsewhere install it yourself;
# without it the browser test is skipped, except under CI=1 where it fails.
chromium:
	@command -v chromium >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || { \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); echo "installing chromium (for the report's browser test)"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	    --no-install-recommends chromium fonts-liberation >/dev/null; }

golden: install  ## regenerate tests/golden/ after an intended output change
	$(BIN)/python tests/make_golden.py

bench: install  ## benchmarks; figures go to docs/performance.md
	$(BIN)/python benchmarks/bench.py

lint: install
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check compute_cli tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
