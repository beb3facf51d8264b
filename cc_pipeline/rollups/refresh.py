"""Refresh the rollups: the plain function behind the Dagster assets and ``cc-pipeline rollup``.

A refresh finds the days whose sources changed (see ``changes``), rebuilds each of those
days into a staging twin of every table and swaps it in with ``REPLACE PARTITION`` (day
partitions for usage_requests, month partitions with the month's other days copied over for
the small rollups; see ``partitions``), so readers never see half a day. Billing blocks are
recomputed from the earliest changed day on.

A refresh killed at any point is finished by the next one, which then leaves every table as
an uninterrupted refresh would. The protocol:

1. Read the journal (``rollup_state`` key ``pending_days``): the days an interrupted refresh
   had still to rebuild. Fingerprint the sources (nothing is written yet).
2. When transcripts changed, stage their snapshot and find the days that differ; journal
   those days (with the pending ones) before swapping any of them into
   ``rollup_transcript_requests``. Once swapped they no longer differ, so only the journal
   still names them.
3. Work out the days to rebuild: changed telemetry days, snapshot days and pending days,
   with their neighbours (``changes.expand_days``). Journal them all before the first swap
   into a rollup table.
4. Rebuild the days, then the billing blocks from the earliest journaled day, or from the
   earliest day whose official 5-hour windows (``rate_limit_observations``) changed since the
   last refresh, if earlier. A rebuilt day and a block refresh depend only on the sources and
   on the blocks before that day, which a half-finished refresh leaves as they were, so
   doing either again is harmless.
5. Save the fingerprints and the windows' digests, then clear the journal: a kill between
   them only makes the next refresh rebuild the same days (or blocks) again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cc_pipeline import catalog, sqlfiles
from cc_pipeline.limits.state import publish_state
from cc_pipeline.rollups import blocks, changes
from cc_pipeline.rollups.partitions import swap_days
from cc_pipeline.schema import migrate

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# Rebuilt in this order: later ones read the freshly swapped usage_requests.
DAY_TABLES = catalog.refreshed("days")
ROLLUP_TABLES = (*DAY_TABLES, *catalog.refreshed("onward"))
MAX_BATCH_DAYS = 31


@dataclass
class RefreshSummary:
    days: list[date] = field(default_factory=list)
    transcript_days: list[date] = field(default_factory=list)
    telemetry_days: list[date] = field(default_factory=list)
    blocks_written: int = 0
    seconds: float = 0.0
    full: bool = False

    def describe(self) -> str:
        if not self.days:
            return "rollups up to date: no day changed"
        span = f"{self.days[0]} .. {self.days[-1]}" if len(self.days) > 1 else str(self.days[0])
        return (
            f"rebuilt {len(self.days)} day(s) ({span}), {self.blocks_written} billing block(s) "
            f"in {self.seconds:.2f}s"
        )


def batches(days: Iterable[date], size: int = MAX_BATCH_DAYS) -> Iterator[list[date]]:
    """Runs of consecutive days within one calendar month, at most ``size`` long (one range
    scan each; a monthly rollup partition is restaged once per run)."""
    run: list[date] = []
    for day in sorted(set(days)):
        if run and (
            day - run[-1] != timedelta(days=1)
            or len(run) >= size
            or (day.year, day.month) != (run[0].year, run[0].month)
        ):
            yield run
            run = []
        run.append(day)
    if run:
        yield run


def _params(days: list[date]) -> dict[str, Any]:
    lo = datetime.combine(days[0], datetime.min.time())
    return {"days": days, "lo": lo, "hi": lo + timedelta(days=len(days))}


def rebuild_days(client: Warehouse, days: list[date]) -> None:
    """Rebuild every day table for a run of consecutive days."""
    params = _params(days)
    for table in DAY_TABLES:
        client.command("TRUNCATE TABLE {t:Identifier}", parameters={"t": f"_stage_{table}"})
    sqlfiles.run_script(client, "rollups/usage_requests.sql", params)
    swap_days(client, "usage_requests", days)
    client.command("TRUNCATE TABLE _rollup_events")
    client.command("TRUNCATE TABLE _rollup_metric_deltas")
    sqlfiles.run_script(client, "rollups/batch_events.sql", params)
    sqlfiles.run_script(client, "rollups/batch_metric_deltas.sql", params)
    for table in DAY_TABLES[1:]:
        sqlfiles.run_script(client, f"rollups/{table}.sql", params)
        swap_days(client, table, days)
    client.command("TRUNCATE TABLE _rollup_events")
    client.command("TRUNCATE TABLE _rollup_metric_deltas")


def all_source_days(client: Warehouse) -> set[date]:
    rows = client.query(
        "SELECT DISTINCT toDate(partition) FROM system.parts WHERE database = currentDatabase() "
        "AND active AND table IN ('otel_logs', 'otel_metrics_sum', 'rollup_transcript_requests',"
        " 'usage_requests')"
    ).result_rows
    return {row[0] for row in rows}


def _changed_days(
    client: Warehouse,
    summary: RefreshSummary,
    parts: Any,
    days: Iterable[date] | None,
    pending: set[date],
) -> set[date]:
    """Every day to rebuild: the requested or changed ones, the pending ones, and neighbours."""
    if days is not None:
        return set(days) | pending
    if summary.full:
        return all_source_days(client) | pending
    summary.telemetry_days = sorted(
        changes.changed_partitions(changes.read_state(client, changes.STATE_PARTS), parts)
    )
    return changes.expand_days(
        client, set(summary.telemetry_days) | set(summary.transcript_days) | pending
    )


def _refresh_blocks(client: Warehouse, days: list[date], say: Callable[[str], None]) -> int:
    """Recompute the billing blocks from the first rebuilt day, or from the first day whose
    official 5-hour windows changed since the last refresh; the blocks written."""
    windows = blocks.user_windows(client)
    digests = blocks.window_digests(windows)
    old = changes.read_state(client, changes.STATE_WINDOWS)
    moved = blocks.changed_window_days(old, digests)
    if moved:
        say(f"official 5-hour windows changed from {min(moved)} on")
    starts = ([days[0]] if days else []) + ([min(moved)] if moved else [])
    written = blocks.refresh_blocks(client, min(starts), windows) if starts else 0
    if old != digests:
        changes.write_state(client, changes.STATE_WINDOWS, digests)
    return written


def refresh_rollups(
    client: Warehouse,
    days: Iterable[date] | None = None,
    *,
    full: bool = False,
    log: Callable[[str], None] | None = None,
) -> RefreshSummary:
    """Bring every rollup up to date with its sources, first finishing the work of a refresh
    that was interrupted (see the module docstring for the protocol).

    ``days`` given: rebuild exactly those days (and the blocks from the first of them).
    ``full``: rebuild every day any source holds. Otherwise: only the days that changed.
    """
    say = log or (lambda _msg: None)
    started = time.monotonic()
    migrate(client)
    summary = RefreshSummary(full=full)
    pending = changes.read_pending(client)
    if pending:
        say(f"finishing {len(pending)} day(s) an interrupted refresh left")
    parts = changes.telemetry_fingerprints(client)
    transcripts = changes.transcript_fingerprint(client)
    if transcripts is not None and (
        full or transcripts != changes.read_state(client, changes.STATE_TRANSCRIPTS)
    ):
        snapshot_days = changes.stage_transcripts(client)
        summary.transcript_days = sorted(snapshot_days)
        say(f"transcripts changed on {len(snapshot_days)} day(s)")
        if snapshot_days - pending:
            pending |= snapshot_days
            changes.write_pending(client, pending)
        swap_days(client, "rollup_transcript_requests", snapshot_days)
    wanted = _changed_days(client, summary, parts, days, pending)
    if wanted - pending:
        changes.write_pending(client, wanted)
    summary.days = sorted(wanted)
    for run in batches(summary.days):
        say(f"rebuilding {run[0]} .. {run[-1]}")
        rebuild_days(client, run)
    summary.blocks_written = _refresh_blocks(client, summary.days, say)
    changes.write_state(client, changes.STATE_PARTS, parts)
    if transcripts is not None:
        changes.write_state(client, changes.STATE_TRANSCRIPTS, transcripts)
    if summary.days:
        changes.write_pending(client, set())
    publish_state(client, log=say)  # what `cc-pipeline statusline` shows
    summary.seconds = time.monotonic() - started
    say(summary.describe())
    return summary
