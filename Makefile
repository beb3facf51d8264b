# cc_pipeline: make run (Dagster UI + daemon, embedded default) and make test.
.PHONY: install run test test-all lint format bench clean

install:
	@scripts/install.sh

run: install
	.venv/bin/cc-pipeline serve

test: install
	.venv/bin/pytest -q

lint: install
	.venv/bin/ruff check cc_pipeline tests bench

format: install
	.venv/bin/ruff check --fix cc_pipeline tests bench
	.venv/bin/ruff format cc_pipeline tests bench

# Telemetry ingestion: records/s and peak RSS against a plain ClickHouse load of the same bytes.
# RECORDS=1000000 for the full run (about 1.2 GB of JSONL).
RECORDS ?= 300000
bench: install
	.venv/bin/python -m bench.telemetry_ingest --records $(RECORDS)

clean:
	rm -rf .venv .pytest_cache .ruff_cache
