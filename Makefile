# Two commands from a fresh clone:  `make run`  (set up, then start Roundtable)  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## set up and start the main job (terminal chat when no bot token is set)
	$(BIN)/roundtable run

test: $(STAMP)  ## set up and run the offline test suite
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)  ## retrieval, advisor and chat need ../shared/data (or ROUNDTABLE_SHARED)
	$(BIN)/python benchmarks/guard.py
	$(BIN)/python benchmarks/intent.py
	$(BIN)/python benchmarks/answers.py
	$(BIN)/python benchmarks/portfolio.py
	$(BIN)/python benchmarks/retrieval.py
	$(BIN)/python benchmarks/advisor.py
	$(BIN)/python benchmarks/chat.py
	$(BIN)/python benchmarks/briefings.py
	$(BIN)/python benchmarks/audit.py
	$(BIN)/python benchmarks/keys.py
	$(BIN)/python benchmarks/moderation.py
	$(BIN)/python benchmarks/sharing.py
	$(BIN)/python benchmarks/leaderboard.py
	$(BIN)/python benchmarks/points.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
