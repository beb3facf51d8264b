# cc_pipeline: make run (Dagster UI + daemon, embedded default) and make test.
.PHONY: install lock run test lint format bench bench-backfill bench-rollups bench-collector bench-statusline bench-freshness bench-startup parity clean

install:
	@scripts/install.sh

# constraints.txt: exact versions of every dependency (runtime and dev), resolved afresh from
# the package index in a throw-away virtualenv; make install, run and test install those.
# Run it after changing dependencies in pyproject.toml, and commit constraints.txt.
lock:
	@scripts/lock.sh

run: install
	.venv/bin/cc-pipeline serve

test: install
	@scripts/install_test_tools.sh
	.venv/bin/pytest -q

lint: install
	.venv/bin/ruff check cc_pipeline tests bench
	.venv/bin/ruff format --check cc_pipeline tests bench
	.venv/bin/mypy

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

# Transcript backfill against ccusage 20.0.24 (installed into .tools/ on first use):
# per day and model, both side by side, with the differences. DIR is a Claude config folder.
DIR ?= $(HOME)/.claude
parity: install
	.venv/bin/python -m cc_pipeline.transcripts.parity $(DIR)

# Transcript backfill benchmark: a generated tree of MB megabytes; cold backfill, re-run after
# 1% more data (each the median of REPEAT runs), and ccusage 20.0.24 `claude daily` on the same
# tree (MB=1024 for the full run).
MB ?= 256
REPEAT ?= 3
bench-backfill: install
	.venv/bin/python -m bench.transcripts_backfill --mb $(MB) --repeat $(REPEAT)

# Rollups: 10M generated requests over a year; dashboard query p95 and incremental refresh cost.
REQUESTS ?= 10000000
bench-rollups: install
	.venv/bin/python -m bench.rollups --requests $(REQUESTS)

# Local OTLP receiver: records/s and peak RSS for OTLP/HTTP protobuf and gRPC from a replay
# client (real Claude Code batches) against a plain JSONL write loop; COLLECTOR_SECONDS per protocol.
COLLECTOR_SECONDS ?= 10
bench-collector: install
	.venv/bin/python -m bench.collector_throughput --seconds $(COLLECTOR_SECONDS)

# Status line: p50/p95 wall time per process of `cc-pipeline statusline` with a Claude Code
# sample on stdin, against `python -c pass` in the same run (target p95 <= 50 ms).
RUNS ?= 50
bench-statusline: install
	.venv/bin/python -m bench.statusline --runs $(RUNS)

# Freshness: the real `cc-pipeline serve` in a scratch home; EVENTS Claude Code-shaped OTLP/HTTP
# api_request batches to its receiver, one every EVERY seconds; p50/p95 export -> usage_requests.
EVENTS ?= 20
EVERY ?= 5
bench-freshness: install
	.venv/bin/python -m bench.freshness --events $(EVENTS) --every $(EVERY)

# Soak: the real `cc-pipeline serve` left running for SOAK_MINUTES with one api_request export
# every SOAK_EVERY seconds; runs by job and status, largest queue, failures (exit 1 on any).
SOAK_MINUTES ?= 10
SOAK_EVERY ?= 20
.PHONY: bench-soak
bench-soak: install
	.venv/bin/python -m bench.soak --minutes $(SOAK_MINUTES) --every $(SOAK_EVERY)

# Start-up: seconds from `cc-pipeline serve` until the UI answers with the definitions loaded.
STARTS ?= 3
bench-startup: install
	.venv/bin/python -m bench.startup --repeat $(STARTS)

# Spool framing: the project's RowBinary framing of telemetry and transcript batches against
# clickhouse-connect's own insert serialization of the same rows (checked equal in chDB); MB/s.
FRAME_RECORDS ?= 100000
FRAME_MB ?= 64
FRAME_RUNS ?= 9
.PHONY: bench-rowbinary
bench-rowbinary: install
	.venv/bin/python -m bench.rowbinary --records $(FRAME_RECORDS) --mb $(FRAME_MB) --runs $(FRAME_RUNS)

# Dashboard: p50/p95 server response time of a page with filters on REQUESTS generated requests
# (target p95 <= 100 ms).
.PHONY: bench-dashboard
bench-dashboard: install
	.venv/bin/python -m bench.dashboard --requests $(REQUESTS)
