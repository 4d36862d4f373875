# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/frankenstein draw

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYGLET_HEADLESS=1 $(BIN)/pytest -q
	PYGLET_HEADLESS=1 $(BIN)/pytest -q benchmarks --benchmark-disable

bench: $(STAMP)
	PYGLET_HEADLESS=1 $(BIN)/pytest benchmarks --benchmark-columns=median,iqr,min,max,rounds

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
