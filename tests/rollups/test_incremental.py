"""Incremental refreshes equal a full rebuild; month-partitioned rollups keep a month's other
days when one day is rebuilt; events carry otel_logs' partition column."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cc_pipeline.rollups.partitions import MONTHLY_TABLES
from cc_pipeline.rollups.refresh import ROLLUP_TABLES, refresh_rollups
from tests.conftest import scalar
from tests.rollups.helpers import load_fixture_sources


def snapshot(client: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup table's rows, sorted (floats rounded: sums may add in another order)."""
    out = {}
    for table in ROLLUP_TABLES:
        rows = client.query(f"SELECT * FROM {table}").result_rows
        out[table] = sorted(
            (tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows),
            key=repr,
        )
    return out


def add_day(client: Any, days: int, request_id: str, session_id: str = "") -> None:
    """Copy the first api_request of the fixtures ``days`` later under a new request_id (and
    a new session_id when given)."""
    client.command(
        "INSERT INTO otel_logs (Timestamp, ServiceName, Body, ScopeName, LogAttributes) "
        "SELECT Timestamp + toIntervalDay({n:UInt32}), ServiceName, Body, ScopeName, "
        "mapUpdate(LogAttributes, mapFilter((k, v) -> v != '', map('request_id', {rid:String}, "
        "'session.id', {sid:String}, 'event.timestamp', "
        "formatDateTime(Timestamp + toIntervalDay({n:UInt32}), '%Y-%m-%dT%H:%i:%S.%fZ')))) "
        "FROM otel_logs WHERE LogAttributes['event.name'] = 'api_request' "
        "AND LogAttributes['request_id'] NOT LIKE 'req_added_%' ORDER BY Timestamp LIMIT 1",
        parameters={"n": days, "rid": request_id, "sid": session_id},
    )


def test_partitioning_matches_schema(ch: Any) -> None:
    keys = dict(
        ch.query(
            "SELECT name, partition_key FROM system.tables WHERE database = currentDatabase() "
            "AND name IN {t:Array(String)}",
            parameters={"t": [*ROLLUP_TABLES, "rollup_transcript_requests"]},
        ).result_rows
    )
    assert len(keys) == len(ROLLUP_TABLES) + 1
    for table, key in keys.items():
        assert key == ("toYYYYMM(day)" if table in MONTHLY_TABLES else "day"), table
        stage_key = scalar(
            ch,
            "SELECT partition_key FROM system.tables WHERE database = currentDatabase() "
            "AND name = {t:String}",
            t=f"_stage_{table}",
        )
        assert stage_key == key, table


def test_events_carry_the_partition_column_of_otel_logs(ch: Any, tmp_path: Path) -> None:
    """The rollups bound their reads by log_time; it must be the record's TimestampTime."""
    load_fixture_sources(ch, tmp_path / "otel")
    assert scalar(ch, "SELECT count() FROM cc_events") > 100
    assert scalar(ch, "SELECT countIf(log_time != toDateTime(log_timestamp)) FROM cc_events") == 0
    assert scalar(ch, "SELECT count() FROM cc_api_requests WHERE log_time IS NULL") == 0


def test_incremental_equals_full_rebuild(ch: Any, tmp_path: Path) -> None:
    load_fixture_sources(ch, tmp_path / "otel")
    refresh_rollups(ch)
    # days later in the same month, in the next month, then a day between two rebuilt days
    for step, days in enumerate((1, 3, 8, 2)):
        add_day(ch, days, f"req_added_{step}", f"session-added-{step}")
        summary = refresh_rollups(ch)
        assert len(summary.days) == 1, summary.days
        incremental = snapshot(ch)
        refresh_rollups(ch, full=True)
        assert snapshot(ch) == incremental, f"after adding day +{days}"
    days = [
        d.isoformat()
        for (d,) in ch.query("SELECT DISTINCT day FROM usage_daily ORDER BY day").result_rows
    ]
    assert days == ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-12-02"]
    # the month partition of 2026-11 holds four days; rebuilding one leaves the others alone
    before = snapshot(ch)
    refresh_rollups(ch, days=[date(2026, 11, 25)])
    assert snapshot(ch) == before
    assert (
        scalar(
            ch,
            "SELECT uniqExact(partition_id) FROM system.parts WHERE database = currentDatabase() "
            "AND table = 'usage_daily' AND active",
        )
        == 2
    )


def test_day_left_empty_is_dropped(ch: Any, tmp_path: Path) -> None:
    load_fixture_sources(ch, tmp_path / "otel")
    add_day(ch, 2, "req_added_x")
    refresh_rollups(ch)
    assert scalar(ch, "SELECT count() FROM usage_daily WHERE day = '2026-11-26'") > 0
    ch.command("ALTER TABLE otel_logs DROP PARTITION ID '20261126'")
    summary = refresh_rollups(ch)
    assert [d.isoformat() for d in summary.days] == ["2026-11-26"]
    for table in ("usage_daily", "usage_coverage", "session_days", "api_health_daily"):
        assert scalar(ch, f"SELECT count() FROM {table} WHERE day = '2026-11-26'") == 0, table
        assert scalar(ch, f"SELECT count() FROM {table} WHERE day = '2026-11-24'") > 0, table


def test_session_project_fill_independent_of_batch(ch: Any, tmp_path: Path) -> None:
    load_fixture_sources(ch, tmp_path / "otel")
    refresh_rollups(ch)
    add_day(ch, 1, "req_added_b", "session-b")
    refresh_rollups(ch)
    add_day(ch, 2, "req_added_a")  # the fixtures' session, two days after its transcripts
    refresh_rollups(ch)
    incremental = snapshot(ch)
    refresh_rollups(ch, full=True)
    assert snapshot(ch) == incremental


def test_transcripts_arriving_later_fill_the_project_of_earlier_telemetry_days(
    ch: Any, tmp_path: Path
) -> None:
    """A session known only from telemetry gets its project when its transcript comes later."""
    import json

    from cc_pipeline.transcripts.backfill import backfill_transcripts

    load_fixture_sources(ch, tmp_path / "otel")
    refresh_rollups(ch)
    add_day(ch, 5, "req_added_c", "session-c")  # telemetry only, five days after the fixtures
    refresh_rollups(ch)
    assert scalar(ch, "SELECT project FROM usage_requests WHERE request_id = 'req_added_c'") == ""
    when = scalar(
        ch, "SELECT toString(timestamp) FROM usage_requests WHERE request_id = 'req_added_c'"
    )
    day_before = scalar(ch, "SELECT toString(toDate({t:String}) - 3)", t=when)
    line = {
        "type": "assistant",
        "sessionId": "session-c",
        "cwd": "/home/dev/later-project",
        "timestamp": f"{day_before}T10:00:00.000Z",
        "requestId": "req_transcript_c",
        "uuid": "u-c",
        "version": "2.1.197",
        "message": {
            "id": "msg_c",
            "model": "claude-sonnet-4-5-20250929",
            "usage": {
                "input_tokens": 3,
                "output_tokens": 5,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        },
    }
    folder = tmp_path / "later" / "projects" / "-home-dev-later-project"
    folder.mkdir(parents=True)
    (folder / "session-c.jsonl").write_text(json.dumps(line, separators=(",", ":")) + "\n")
    backfill_transcripts(ch, [tmp_path / "later"])
    refresh_rollups(ch)
    incremental = snapshot(ch)
    project = scalar(ch, "SELECT project FROM usage_requests WHERE request_id = 'req_added_c'")
    assert project != ""
    refresh_rollups(ch, full=True)
    assert snapshot(ch) == incremental
