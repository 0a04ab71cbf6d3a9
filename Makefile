# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell $(PYTHON) -c 'import hashlib,sys;print(hashlib.sha1(open("pyproject.toml","rb").read()).hexdigest()[:10])')

.PHONY: run test bench lint golden install clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,plot]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install  ## venv + install + the shipped comparison
	$(BIN)/computecost compare

# Debian packages the suite uses, by the command each provides: jq (README pipelines) and chromium
# (the report's browser test, tests/test_report_browser.py, with a font to draw the page's text).
# Installed only when missing, without the recommended desktop packages.
DEBIAN_PACKAGES = jq chromium
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	case "$$missing" in *chromium*) missing="$$missing fonts-liberation";; esac; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null; fi

test: install system-deps  ## test dependencies (Python and Debian) + the whole suite
	$(BIN)/python -m pytest

golden: install system-deps  ## regenerate tests/golden/, the documented examples and docs/report.png after an intended output change
	$(BIN)/python tests/make_golden.py

bench: install  ## benchmarks; figures go to docs/performance.md
	$(BIN)/python benchmarks/bench.py

lint: install
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check compute_cli tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
