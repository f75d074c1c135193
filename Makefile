# newsevents: `make demo` runs the whole path on a local Kafka broker; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PRISM := .local/bin/prism

.PHONY: setup chromium demo test lint typecheck unit integration chaos dataflow-check evaluate bench bench-stream profile lock kafka-start kafka-stop clean

setup: $(STAMP) $(PRISM).version chromium

# Debian's Chromium, for the report test (scripts/install-chromium; nothing to do once installed).
chromium:
	@scripts/install-chromium

# Prism, Beam's reference portable runner, built from the Go module proxy (scripts/install-prism).
$(PRISM).version: $(STAMP) scripts/install-prism $(wildcard deploy/prism/*.patch)
	@scripts/install-prism

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: setup
	@bash scripts/demo

test: setup lint typecheck dataflow-check
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check pipeline tests scripts deploy/dataflow
	$(BIN)/ruff format --check pipeline tests scripts deploy/dataflow

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -m "not kafka and not chaos"

integration: setup
	$(BIN)/pytest -m kafka

chaos: setup
	$(BIN)/pytest -m chaos

# Dataflow dry runs of the jobs, offline, in .local/dataflow-venv (apache-beam[gcp]); checks deploy/ too.
dataflow-check: setup
	@scripts/dataflow-check

evaluate: setup
	$(BIN)/python scripts/evaluate.py

# Every speed question in one run: throughput as ratios to raw spaCy, then streaming latency.
bench: setup
	$(BIN)/python scripts/bench_extract.py
	$(BIN)/python scripts/bench_stream.py

# Where a worker's time goes: start-up, the model's components, a backfill's steps (cProfile).
profile: setup
	$(BIN)/python scripts/profile_backfill.py

# Article-to-event latency at a fixed input rate, on Prism and a local broker it starts itself.
bench-stream: setup
	$(BIN)/python scripts/bench_stream.py

lock: setup
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^newsevents' > constraints.txt.new
	@{ head -2 constraints.txt; cat constraints.txt.new; } > constraints.txt.tmp && mv constraints.txt.tmp constraints.txt && rm constraints.txt.new

kafka-start:
	@scripts/kafka-local start

kafka-stop:
	@scripts/kafka-local stop

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
