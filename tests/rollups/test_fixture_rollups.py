"""Rollups of the real 2.1.197 telemetry and transcripts, materialized through Dagster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from cc_pipeline.dashboard.definitions import dashboard_asset
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups.definitions import refresh_rollups_asset
from cc_pipeline.rollups.refresh import refresh_rollups
from tests.conftest import scalar
from tests.rollups.helpers import load_fixture_sources

TOKENS = "input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens"


@pytest.fixture
def loaded(ch: Any, tmp_path: Path) -> Any:
    load_fixture_sources(ch, tmp_path / "otel")
    return ch


def test_materialize_with_dagster(clickhouse_resource: ClickHouseResource, tmp_path: Path) -> None:
    with clickhouse_resource.connect() as client:
        from cc_pipeline.schema import migrate

        migrate(client)
        load_fixture_sources(client, tmp_path / "otel")
    result = dg.materialize(
        [refresh_rollups_asset, dashboard_asset],
        resources={"clickhouse": clickhouse_resource},
        partition_key="2026-11-24",  # the fixture's day, chosen as a backfill of it would
    )
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(checks) == {
        "no_duplicate_requests",
        "no_negative_values",
        "rollup_totals_match",
        "sources_agree",
        "ingestion_fresh",
        "cost_provenance",
    }
    for name in ("no_duplicate_requests", "no_negative_values", "rollup_totals_match"):
        assert checks[name].passed, name
    assert checks["sources_agree"].metadata["token_mismatches"].value == 0
    meta = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.get_asset_materialization_events()
        for m in [m.materialization]
    }
    assert meta["usage_requests"]["total_requests"].value == 59
    assert meta["usage_requests"]["days_rebuilt"].value == 1
    assert "| 2026-11-24 | 59 |" in meta["usage_daily"]["last_days"].value
    assert Path(meta["dashboard"]["path"].value).exists()


def test_every_request_once(loaded: Any) -> None:
    refresh_rollups(loaded)
    tel_ids = {r[0] for r in loaded.query("SELECT request_id FROM cc_api_requests").result_rows}
    tr_ids = {r[0] for r in loaded.query("SELECT request_id FROM transcript_requests").result_rows}
    rows = loaded.query("SELECT request_id, source FROM usage_requests").result_rows
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)) == len(tel_ids | tr_ids) == 59
    sources = dict(rows)
    for rid in tel_ids & tr_ids:
        assert sources[rid] == "both"
    for rid in tel_ids - tr_ids:
        assert sources[rid] == "telemetry"
    for rid in tr_ids - tel_ids:
        assert sources[rid] == "transcript"


def test_totals_equal_raw_sums(loaded: Any) -> None:
    refresh_rollups(loaded)
    # telemetry wins where it has the request; the transcript supplies the rest
    expected = loaded.query(
        f"SELECT sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), "
        f"sum(cache_creation_tokens), round(sum(cost_usd), 6) FROM ("
        f" SELECT {TOKENS}, cost_usd FROM cc_api_requests"
        f" UNION ALL SELECT {TOKENS}, ifNull(cost_usd, 0) FROM transcript_requests"
        f" WHERE request_id NOT IN (SELECT request_id FROM cc_api_requests))"
    ).result_rows[0]
    assert expected[0] == 415  # the fixture README's telemetry totals
    for table in ("usage_requests", "usage_daily", "session_days"):
        got = loaded.query(
            f"SELECT sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), "
            f"sum(cache_creation_tokens), round(sum(cost_usd), 6) FROM {table}"
        ).result_rows[0]
        assert got == expected, table
    assert scalar(loaded, "SELECT sum(requests) FROM usage_daily") == 59
    assert scalar(loaded, "SELECT sum(requests) FROM usage_coverage") == 59
    assert scalar(loaded, "SELECT sum(calls) FROM tool_usage_daily") == scalar(
        loaded, "SELECT count() FROM cc_tool_results"
    )
    assert scalar(loaded, "SELECT sum(accepts) + sum(rejects) FROM tool_usage_daily") == scalar(
        loaded, "SELECT count() FROM cc_tool_decisions"
    )
    assert scalar(loaded, "SELECT sum(errors) FROM api_health_daily") == scalar(
        loaded, "SELECT count() FROM cc_api_errors WHERE event_name = 'api_error'"
    )
    for column, metric, kind in (
        ("lines_added", "claude_code.lines_of_code.count", "added"),
        ("lines_removed", "claude_code.lines_of_code.count", "removed"),
        ("active_time_cli_s", "claude_code.active_time.total", "cli"),
        ("active_time_user_s", "claude_code.active_time.total", "user"),
    ):
        raw = scalar(
            loaded,
            "SELECT ifNull(round(sum(delta), 6), 0) FROM cc_metric_deltas "
            "WHERE metric_name = {m:String} AND type = {t:String}",
            m=metric,
            t=kind,
        )
        assert scalar(loaded, f"SELECT round(sum({column}), 6) FROM productivity_daily") == raw
    assert scalar(loaded, "SELECT round(sum(edit_accepts), 6) FROM productivity_daily") == scalar(
        loaded,
        "SELECT round(sum(delta), 6) FROM cc_metric_deltas "
        "WHERE metric_name = 'claude_code.code_edit_tool.decision' "
        "AND attributes['decision'] = 'accept'",
    )
    blocks = loaded.query("SELECT sum(total_tokens), sum(entries) FROM billing_blocks").result_rows[
        0
    ]
    assert blocks[0] == sum(expected[:4])


def test_refresh_only_changed_days(loaded: Any, tmp_path: Path) -> None:
    first = refresh_rollups(loaded)
    assert [d.isoformat() for d in first.days] == ["2026-11-24"]
    before = loaded.query("SELECT count(), sum(total_tokens) FROM usage_requests").result_rows
    assert refresh_rollups(loaded).days == []
    # a new day of telemetry: one request copied to the next day under a new request_id
    loaded.command(
        "INSERT INTO otel_logs (Timestamp, ServiceName, Body, ScopeName, LogAttributes) "
        "SELECT Timestamp + INTERVAL 1 DAY, ServiceName, Body, ScopeName, "
        "mapUpdate(LogAttributes, map('request_id', 'req_next_day', 'event.timestamp', "
        "formatDateTime(Timestamp + INTERVAL 1 DAY, '%Y-%m-%dT%H:%i:%S.%fZ'))) "
        "FROM otel_logs WHERE LogAttributes['event.name'] = 'api_request' "
        "ORDER BY Timestamp LIMIT 1"
    )
    second = refresh_rollups(loaded)
    assert [d.isoformat() for d in second.days] == ["2026-11-25"]
    assert (
        loaded.query(
            "SELECT count(), sum(total_tokens) FROM usage_requests WHERE day = '2026-11-24'"
        ).result_rows
        == before
    )
    assert scalar(loaded, "SELECT count() FROM usage_requests WHERE day = '2026-11-25'") == 1


def test_match_across_midnight(ch: Any) -> None:
    """A request logged by telemetry at 23:59:59.9 and by its transcript after midnight is one
    row, on the telemetry day, whichever source arrives first."""
    ch.command(
        "INSERT INTO transcript_entries (_file_key, _offset, file_path, project, session_id, "
        "entry_type, timestamp, message_id, request_id, has_request_id, model, input_tokens, "
        "output_tokens, countable) VALUES ('f', 0, 'f.jsonl', 'proj', 's1', 'assistant', "
        "'2026-01-02 00:00:00.300', 'msg_x', 'req_x', true, 'm', 5, 7, true)"
    )
    refresh_rollups(ch, days=[__import__("datetime").date(2026, 1, 2)])
    assert ch.query("SELECT day, source FROM usage_requests").result_rows == [
        (__import__("datetime").date(2026, 1, 2), "transcript")
    ]
    ch.command(
        "INSERT INTO otel_logs (Timestamp, ServiceName, Body, ScopeName, LogAttributes) VALUES "
        "('2026-01-01 23:59:59.900', 'claude-code', 'claude_code.api_request', "
        "'com.anthropic.claude_code.events', map('event.name', 'api_request', 'request_id', "
        "'req_x', 'session.id', 's1', 'model', 'm', 'input_tokens', '5', 'output_tokens', '7', "
        "'cost_usd', '0.12'))"
    )
    summary = refresh_rollups(ch)
    assert [d.isoformat() for d in summary.days] == ["2026-01-01", "2026-01-02"]
    rows = ch.query("SELECT day, source, project, cost_usd FROM usage_requests").result_rows
    assert [(d.isoformat(), s, p, c) for d, s, p, c in rows] == [
        ("2026-01-01", "both", "proj", 0.12)
    ]
