"""Which days changed since the last refresh.

Telemetry tables are partitioned by day; a partition's fingerprint is the highest block
number of its active parts (inserts and mutations raise it, merges do not), so comparing
fingerprints with the ones saved by the last refresh names the days that changed without
reading any data. Transcripts are read through a view over the whole history, so they are
first staged for the day-partitioned ``rollup_transcript_requests`` when
``transcript_entries`` changed (row count or newest ``loaded_at``); only the days whose
contents differ are swapped in (by ``refresh``, after it has journaled them).

The state lives in ``rollup_state`` (key, JSON value); each write stamps a time later than
every earlier one, so the latest value of a key is never ambiguous.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from cc_pipeline import catalog, sqlfiles

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# The day-partitioned telemetry tables the rollups read.
TELEMETRY_TABLES = catalog.sources(catalog.refreshed("days"), catalog.TELEMETRY)
STATE_PARTS = "telemetry_parts"
STATE_TRANSCRIPTS = "transcript_entries"
STATE_PENDING = "pending_days"
# {day: digest} of the official 5-hour windows the billing blocks were last cut with
STATE_WINDOWS = "rate_limit_windows"


def read_state(client: Warehouse, key: str) -> Any:
    rows = client.query(
        "SELECT argMax(value, updated_at) FROM rollup_state WHERE key = {k:String}",
        parameters={"k": key},
    ).result_rows
    value = rows[0][0] if rows else ""
    return json.loads(value) if value else None


def write_state(client: Warehouse, key: str, value: Any) -> None:
    """Save ``value`` (as JSON) under ``key``, stamped after every earlier value of the key."""
    client.command(
        "INSERT INTO rollup_state (key, value, updated_at) "
        "SELECT {k:String}, {v:String}, greatest(now64(3), "
        "(SELECT max(updated_at) FROM rollup_state WHERE key = {k:String}) "
        "+ toIntervalMillisecond(1))",
        parameters={"k": key, "v": json.dumps(value, sort_keys=True)},
    )


def read_pending(client: Warehouse) -> set[date]:
    """The days a refresh journaled and did not finish (empty when every refresh finished)."""
    return {date.fromisoformat(day) for day in read_state(client, STATE_PENDING) or []}


def write_pending(client: Warehouse, days: set[date]) -> None:
    """Journal ``days`` as still to be rebuilt (an empty set clears the journal)."""
    write_state(client, STATE_PENDING, sorted(day.isoformat() for day in days))


def telemetry_fingerprints(client: Warehouse) -> dict[str, dict[str, int]]:
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


def table_exists(client: Warehouse, name: str) -> bool:
    return bool(
        client.query(
            "SELECT count() FROM system.tables WHERE database = currentDatabase() "
            "AND name = {n:String}",
            parameters={"n": name},
        ).result_rows[0][0]
    )


def transcript_fingerprint(client: Warehouse) -> list[Any] | None:
    if not (
        table_exists(client, "transcript_entries") and table_exists(client, "transcript_requests")
    ):
        return None
    count, newest = client.query(
        "SELECT count(), toString(max(loaded_at)) FROM transcript_entries"
    ).result_rows[0]
    return [int(count), str(newest)]


def _day_digests(client: Warehouse, table: str) -> dict[date, tuple[int, int]]:
    rows = client.query(
        sqlfiles.load("rollups/day_digests.sql"), parameters={"table": table}
    ).result_rows
    return {day: (int(n), int(h)) for day, n, h in rows}


def stage_transcripts(client: Warehouse) -> set[date]:
    """Copy transcript_requests into the staging twin of rollup_transcript_requests; return the
    days whose contents differ from the live snapshot (the ones to swap in)."""
    client.command("TRUNCATE TABLE _stage_rollup_transcript_requests")
    sqlfiles.run_script(client, "rollups/transcript_snapshot.sql")
    new = _day_digests(client, "_stage_rollup_transcript_requests")
    old = _day_digests(client, "rollup_transcript_requests")
    return {d for d in set(new) | set(old) if new.get(d) != old.get(d)}


def expand_days(client: Warehouse, days: set[date]) -> set[date]:
    """Add the neighbouring days whose rows move because a request of ``days`` is matched
    (or no longer matched) across midnight: the old day of each of their request_ids in
    usage_requests and the day each now belongs to; and every day holding a request of a
    session whose transcripts are on ``days`` (its attribution may change with them)."""
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
    # a session's requests take project, repo, branch and machine from the session's
    # transcripts on any day: the days holding requests of a session whose transcripts changed
    sessions = client.query(
        "SELECT DISTINCT day FROM usage_requests WHERE session_id IN ("
        "SELECT session_id FROM rollup_transcript_requests "
        "WHERE day IN {days:Array(Date)} AND session_id != '')",
        parameters={"days": ordered},
    ).result_rows
    return days | {row[0] for row in rows} | {row[0] for row in sessions}
