# Set-up and everyday commands. Only Python is needed: uv is installed from PyPI if missing.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
export DAGSTER_HOME := $(CURDIR)/data/dagster_home

.PHONY: uv sync sync-quality demo dev test test-fast lint bench

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv \
		|| python3 -m pip install --quiet --user --break-system-packages uv

# Bytecode compiled once at install: where Python writes none (PYTHONDONTWRITEBYTECODE),
# every process would compile its imports from source on each start (docs/performance.md).
# A flag, not a [tool.uv] setting: with the setting, every `uv run` checks the bytecode of
# the whole environment (1-3 s a command).
sync: uv
	$(UV) sync --frozen --compile-bytecode

demo: sync
	$(UV) run --frozen socle demo

dev: sync
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(UV) run --frozen dagster dev

# Tests and the type checker also cover the optional data-quality report: its extra is
# synced for them only.
sync-quality: uv
	$(UV) sync --frozen --compile-bytecode --extra quality

# What CI runs: lint, types, then every test, the test modules spread over the cores (a
# module stays in one process: its fixtures are built once).
test: sync-quality
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy
	$(UV) run --frozen pytest --numprocesses auto --dist loadfile

# The edit loop: every test but those marked slow (they generate or ingest data sets).
test-fast: sync-quality
	$(UV) run --frozen pytest -m "not slow"

lint: sync-quality
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy

bench: sync
	$(UV) run --frozen python bench/bench_generate.py
	$(UV) run --frozen python bench/bench_ingest.py
	$(UV) run --frozen python bench/bench_indicators.py
	$(UV) run --frozen python bench/bench_site.py
