"""The ingestion asset, its job and schedule, run through Dagster with a real chDB."""

from __future__ import annotations

import dagster as dg

from cc_pipeline.telemetry.definitions import (
    TABLES,
    ingest_telemetry_asset,
    ingest_telemetry_schedule,
)
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl


def test_materialize_reports_rows_bytes_quarantine_and_newest_event(clickhouse_resource, tmp_path):
    requests = fixture_requests()
    expected = expected_totals(requests)
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", [b for _, b in requests])
    with open(folder / "claude-code.jsonl", "ab") as fh:
        fh.write(b"{broken\n")
    config = {"ops": {"ingest_telemetry": {"config": {"source_dir": str(folder)}}}}

    result = dg.materialize(
        [ingest_telemetry_asset],
        resources={"clickhouse": clickhouse_resource},
        run_config=config,
    )
    assert result.success
    materializations = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("ingest_telemetry")
    }
    assert set(materializations) == set(TABLES)
    logs = materializations["otel_logs"]
    assert logs["rows_added"].value == expected["logs"]
    assert logs["total_rows"].value == expected["logs"]
    assert logs["lines_quarantined"].value == 1
    assert logs["files_read"].value == 1
    assert logs["bytes_read"].value == (folder / "claude-code.jsonl").stat().st_size
    assert logs["newest_event"].value.startswith("2026-11-24T00:")
    assert materializations["otel_metrics_sum"]["rows_added"].value == expected["sum_points"]
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert set(checks) == {"no_lines_quarantined", "no_new_dropped_attributes"}
    assert not checks["no_lines_quarantined"].passed
    assert "invalid JSON: 1" in checks["no_lines_quarantined"].metadata["reasons"].value

    again = dg.materialize(
        [ingest_telemetry_asset],
        resources={"clickhouse": clickhouse_resource},
        run_config=config,
    )
    # nothing new: nothing materialized (so nothing downstream is triggered), and the
    # quarantine check counts only this run's lines, not the earlier run's
    assert again.success
    assert again.asset_materializations_for_node("ingest_telemetry") == []
    rerun = {c.check_name: c for c in again.get_asset_check_evaluations()}
    check = rerun["no_lines_quarantined"]
    assert check.passed and check.metadata["lines_quarantined"].value == 0
    assert rerun["no_new_dropped_attributes"].passed


def test_schedule_runs_by_default_every_few_minutes():
    assert ingest_telemetry_schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert ingest_telemetry_schedule.cron_schedule == "*/5 * * * *"


def test_definitions_load_without_heavy_imports():
    import subprocess
    import sys

    code = (
        "import sys, cc_pipeline.definitions as d; "
        "d.defs.resolve_all_job_defs(); "
        "print(sorted(m for m in ('chdb', 'pandas', 'clickhouse_connect') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
