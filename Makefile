# Two commands for people: `make demo` and `make test`. Both create the virtual environment
# on first use and reinstall when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Material for MkDocs prints a notice about MkDocs 2 on every build; the project pins mkdocs<2.
export NO_MKDOCS_2_WARNING := 1

.PHONY: demo test test-slow lint typecheck pytest docs install bench clean

$(STAMP): pyproject.toml adapters/sqlalchemy/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e adapters/sqlalchemy
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

test: lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

# The long runs (10,000 lifecycle walks and the like); `make test` leaves them out.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow

# The first build fetches the pinned mermaid with npm into .cache/ (docs_hooks/offline.py).
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir $(VENV)/site

bench: $(STAMP)
	$(BIN)/python -m benchmarks all

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .cache
