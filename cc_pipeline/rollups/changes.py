"""Which days changed since the last refresh.

Telemetry tables are partitioned by day; a partition's fingerprint is the highest block
number of its active parts (inserts and mutations raise it, merges do not), so comparing
fingerprints with the ones saved by the last refresh names the days that changed without
reading any data. Transcripts are read through a view over the whole history, so they are
first copied into the day-partitioned ``rollup_transcript_requests`` when
``transcript_entries`` changed (row count or newest ``loaded_at``), swapping in only the
days whose contents differ.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from cc_pipeline import catalog, sqlfiles

# The day-partitioned telemetry tables the rollups read.
TELEMETRY_TABLES = catalog.sources(catalog.refreshed("days"), catalog.TELEMETRY)
STATE_PARTS = "telemetry_parts"
STATE_TRANSCRIPTS = "transcript_entries"


def read_state(client: Any, key: str) -> Any:
    rows = client.query(
        "SELECT argMax(value, updated_at) FROM rollup_state WHERE key = {k:String}",
        parameters={"k": key},
    ).result_rows
    value = rows[0][0] if rows else ""
    return json.loads(value) if value else None


def write_state(client: Any, key: str, value: Any) -> None:
    client.command(
        "INSERT INTO rollup_state (key, value) VALUES ({k:String}, {v:String})",
        parameters={"k": key, "v": json.dumps(value, sort_keys=True)},
    )


def telemetry_fingerprints(client: Any) -> dict[str, dict[str, int]]:
    """{table: {day: fingerprint}} for the day-partitioned telemetry tables."""
    rows = client.query(
        "SELECT table, partition, greatest(max(max_block_number), max(data_version)) "
        "FROM system.parts WHERE database = currentDatabase() AND active "
        "AND table IN {t:Array(String)} GROUP BY table, partition",
        parameters={"t": list(TELEMETRY_TABLES)},
    ).result_rows
    out: dict[str, dict[str, int]] = {table: {} for table in TELEMETRY_TABLES}
    for table, partition, fingerprint in rows:
        out[table][str(partition)] = int(fingerprint)
    return out


def changed_partitions(
    old: dict[str, dict[str, int]] | None, new: dict[str, dict[str, int]]
) -> set[date]:
    old = old or {}
    days: set[date] = set()
    for table, parts in new.items():
        before = old.get(table, {})
        for partition in set(parts) | set(before):
            if parts.get(partition) != before.get(partition):
                days.add(date.fromisoformat(partition))
    return days


def table_exists(client: Any, name: str) -> bool:
    return bool(
        client.query(
            "SELECT count() FROM system.tables WHERE database = currentDatabase() "
            "AND name = {n:String}",
            parameters={"n": name},
        ).result_rows[0][0]
    )


def transcript_fingerprint(client: Any) -> list[Any] | None:
    if not (
        table_exists(client, "transcript_entries") and table_exists(client, "transcript_requests")
    ):
        return None
    count, newest = client.query(
        "SELECT count(), toString(max(loaded_at)) FROM transcript_entries"
    ).result_rows[0]
    return [int(count), str(newest)]


def _day_digests(client: Any, table: str) -> dict[date, tuple[int, int]]:
    rows = client.query(
        f"SELECT day, count(), sum(cityHash64(request_id, message_id, session_id, project, "
        f"timestamp, model, input_tokens, output_tokens, cache_creation_tokens, "
        f"cache_read_tokens, ifNull(cost_usd, -1))) FROM {table} GROUP BY day"
    ).result_rows
    return {day: (int(n), int(h)) for day, n, h in rows}


def snapshot_transcripts(client: Any, swap: Any) -> set[date]:
    """Copy transcript_requests into rollup_transcript_requests; return the days that differ."""
    client.command("TRUNCATE TABLE _stage_rollup_transcript_requests")
    sqlfiles.run_script(client, "rollups/transcript_snapshot.sql")
    new = _day_digests(client, "_stage_rollup_transcript_requests")
    old = _day_digests(client, "rollup_transcript_requests")
    days = {d for d in set(new) | set(old) if new.get(d) != old.get(d)}
    swap(client, "rollup_transcript_requests", sorted(days))
    return days


def expand_days(client: Any, days: set[date]) -> set[date]:
    """Add the neighbouring days whose rows move because a request of ``days`` is matched
    (or no longer matched) across midnight: the old day of each of their request_ids in
    usage_requests and the day each now belongs to."""
    if not days:
        return set()
    ordered = sorted(days)
    rows = client.query(
        sqlfiles.load("rollups/affected_days.sql"),
        parameters={
            "days": ordered,
            "lo": ordered[0] - timedelta(days=1),
            "hi": ordered[-1] + timedelta(days=2),
        },
    ).result_rows
    # telemetry-only requests of a session take its project from the session's transcripts:
    # days whose requests still lack a project that the changed days now provide
    sessions = client.query(
        "SELECT DISTINCT day FROM usage_requests WHERE project = '' AND session_id IN ("
        "SELECT session_id FROM rollup_transcript_requests "
        "WHERE day IN {days:Array(Date)} AND session_id != '' AND project != '')",
        parameters={"days": ordered},
    ).result_rows
    return days | {row[0] for row in rows} | {row[0] for row in sessions}
