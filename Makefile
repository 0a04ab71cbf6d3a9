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

# Debian packages the suite uses: jq (README pipelines). Installed only when missing.
DEBIAN_PACKAGES = jq
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

test: install system-deps  ## test dependencies (Python and Debian) + the whole suite
	$(BIN)/python -m pytest

golden: install system-deps  ## regenerate tests/golden/ and the documented examples after an intended output change
	$(BIN)/python tests/make_golden.py

bench: install  ## benchmarks; figures go to docs/performance.md
	$(BIN)/python benchmarks/bench.py

lint: install
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check compute_cli tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
