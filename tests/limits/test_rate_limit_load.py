"""The status line's record reaches rate_limit_observations with the next ingestion, once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cc_pipeline.limits.sink import cursor_path_for, ingest_rate_limits, limits_dir
from cc_pipeline.limits.statusline import home_dir, record_observation
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar

T0 = 1_790_000_000.0


def utc(seconds: float) -> datetime:
    """A time as the query returns it: UTC, without a zone."""
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def observe(at: float, five_hour: float, session: str = "s1") -> None:
    limits: dict[str, dict[str, float | None]] = {
        "five_hour": {"used_percentage": five_hour, "resets_at": at + 3600},
        "seven_day": {"used_percentage": 10.0, "resets_at": None},
    }
    assert record_observation(home_dir(), session, limits, at)


def rows(client: Any) -> list[tuple[Any, ...]]:
    return client.query_rows(
        "SELECT observed_at, session_id, `window`, used_percentage, resets_at "
        "FROM rate_limit_observations ORDER BY observed_at, `window`"
    )


def test_observations_load_with_the_telemetry_ingestion_once_across_re_runs(ch, tmp_path: Path):
    observe(T0, 42.5)
    observe(T0 + 60, 43.0, session="s2")
    telemetry = tmp_path / "otel"
    telemetry.mkdir()
    summary = ingest_telemetry(ch, telemetry)
    assert summary.rows["rate_limit_observations"] == 4
    assert rows(ch)[:2] == [
        (utc(T0), "s1", "five_hour", 42.5, utc(T0 + 3600)),
        (utc(T0), "s1", "seven_day", 10.0, None),
    ]
    for _ in range(2):
        assert ingest_telemetry(ch, telemetry).rows["rate_limit_observations"] == 0
    observe(T0 + 120, 44.0)
    assert ingest_telemetry(ch, telemetry).rows["rate_limit_observations"] == 2
    assert [r[3] for r in rows(ch) if r[2] == "five_hour"] == [42.5, 43.0, 44.0]


def test_a_batch_cut_short_by_a_crash_is_loaded_again_once(ch):
    observe(T0, 42.5)
    observe(T0 + 60, 43.0)
    ingest_rate_limits(ch)
    # a crash after the rows were written and before the cursor moved leaves this behind
    cursor_file = cursor_path_for(limits_dir())
    saved = json.loads(cursor_file.read_text())
    for cursor in saved["files"].values():
        cursor["pending_start"], cursor["offset"] = 0, 0
    cursor_file.write_text(json.dumps(saved))
    summary = ingest_rate_limits(ch)
    assert summary.discarded_batches == 1
    assert scalar(ch, "SELECT count() FROM rate_limit_observations") == 4


def test_a_line_that_is_not_an_observation_is_quarantined_with_the_reason(ch):
    observe(T0, 42.5)
    with open(limits_dir() / "rate_limits.jsonl", "a") as fh:
        fh.write("not json\n")
        fh.write('{"observed_at": 1, "rate_limits": {"five_hour": {"used_percentage": "x"}}}\n')
        fh.write('{"observed_at": 1, "rate_limits": {}}\n')
        fh.write('{"observed_at": "now", "rate_limits": {}}\n')
    summary = ingest_rate_limits(ch)
    assert summary.rows["rate_limit_observations"] == 2
    assert summary.quarantined == 4
    assert ch.query_rows(
        "SELECT reason FROM ingest_quarantine WHERE source = 'rate_limits' ORDER BY _offset"
    ) == [
        ("not valid JSON",),
        ("five_hour.used_percentage is not a number",),
        ("no five_hour or seven_day window",),
        ("observed_at is not a time in epoch seconds",),
    ]
    assert ingest_rate_limits(ch).quarantined == 0
