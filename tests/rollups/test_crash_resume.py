"""A refresh killed at any point, followed by a normal refresh, leaves every rollup exactly as
an uninterrupted refresh of the same data does."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups.demo import generate
from cc_pipeline.rollups.refresh import ROLLUP_TABLES, refresh_rollups
from cc_pipeline.schema import migrate
from cc_pipeline.sqlfiles import identifier
from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import scalar
from tests.rollups.helpers import load_fixture_sources
from tests.rollups.test_incremental import add_day
from tests.telemetry.test_crash_resume import Crash, CrashingClient

# what a refresh writes: the rollups, the transcript snapshot and the refresh's own books
RESTORED_TABLES = (*ROLLUP_TABLES, "rollup_transcript_requests", "rollup_state")

# every run writes the same days, however close to midnight it starts
DEMO_END = datetime(2026, 11, 30, 12, tzinfo=UTC)


class CountingClient(CrashingClient):
    """A real client that counts the writes a crashing client could die before."""

    def __init__(self, client: Any):
        super().__init__(client, crash_at=0)

    @property
    def writes(self) -> int:
        return self._writes


def contents(client: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every rollup table and of the transcript snapshot, sorted (floats rounded:
    sums may add in another order)."""
    out = {}
    for table in (*ROLLUP_TABLES, "rollup_transcript_requests"):
        rows = client.query(f"SELECT * FROM {identifier(table)}").result_rows
        out[table] = sorted(
            (tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows),
            key=repr,
        )
    return out


def add_sources(client: Any, root: Path) -> None:
    """Two more days of transcripts (the demo's users) and a telemetry request a week after
    the fixtures' day."""
    files = generate(root, days=2, seed=11, now=DEMO_END)
    ingest_telemetry(client, files.telemetry)
    backfill_transcripts(client, [files.transcripts])
    add_day(client, 8, "req_added_crash", "session-added-crash")


def save(client: Any) -> None:
    for table in RESTORED_TABLES:
        name = identifier(table)
        saved = identifier(f"_saved_{table}")
        client.command(f"CREATE TABLE {saved} AS {name}")
        client.command(f"INSERT INTO {saved} SELECT * FROM {name}")


def restore(client: Any) -> None:
    for table in RESTORED_TABLES:
        name = identifier(table)
        client.command(f"TRUNCATE TABLE {name}")
        client.command(
            f"INSERT INTO {name} SELECT * FROM {identifier(f'_saved_{table}')} "
            "SETTINGS max_partitions_per_insert_block = 0"
        )


@pytest.mark.parametrize("shard", [0, 1], ids=["odd writes", "even writes"])
def test_crash_before_every_write_of_a_refresh_then_refresh(
    ch: Any, tmp_path: Path, shard: int
) -> None:
    """Crash before the n-th write of an incremental refresh (new transcripts on two days, a
    telemetry request on one), for every n (odd ones in one shard, even ones in the other, to
    keep each test short), then refresh normally."""
    load_fixture_sources(ch, tmp_path / "otel")
    refresh_rollups(ch)
    add_sources(ch, tmp_path / "demo")
    save(ch)
    counting = CountingClient(ch)
    reference_summary = refresh_rollups(counting)
    reference = contents(ch)
    assert reference_summary.transcript_days and reference_summary.telemetry_days
    # the snapshot, each day of every table, the blocks and the books: dozens of writes
    writes = counting.writes
    assert writes > 40
    for crash_at in range(1 + shard, writes + 1, 2):
        restore(ch)
        with pytest.raises(Crash):
            refresh_rollups(CrashingClient(ch, crash_at))
        refresh_rollups(ch)
        assert contents(ch) == reference, f"crash before write {crash_at}"
        assert not refresh_rollups(ch).days, f"crash before write {crash_at}"


def rollup_command(chdb_dir: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "CC_PIPELINE_CHDB_DIR": str(chdb_dir), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "cc_pipeline.cli", "rollup", "--no-dashboard"]
    return cmd, env


TOTALS_SQL = """
SELECT
    (SELECT count() FROM usage_requests),
    (SELECT round(sum(cost_usd), 6) FROM usage_requests),
    (SELECT sum(requests) FROM usage_daily),
    (SELECT round(sum(cost_usd), 6) FROM usage_daily),
    (SELECT sum(requests) FROM usage_coverage),
    (SELECT sum(api_requests) FROM session_days)
"""
BLOCKS_SQL = """
SELECT user_id, block_id, is_gap, entries, total_tokens, round(cost_usd, 6), models
FROM billing_blocks ORDER BY user_id, start_time, is_gap
"""


def totals(chdb_dir: Path) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    with ClickHouseResource(path=str(chdb_dir)).connect() as client:
        assert scalar(client, "SELECT count() FROM usage_requests") > 0
        return client.query(TOTALS_SQL).result_rows[0], client.query(BLOCKS_SQL).result_rows


def kill_during_rollup(chdb_dir: Path, delay: float) -> bool:
    """Start ``cc-pipeline rollup``; once it reports its first step, wait ``delay`` seconds and
    kill -9 it. Whether it was still running when killed."""
    cmd, env = rollup_command(chdb_dir)
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "changed on" in line or "rebuilding" in line:
            break
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    return killed


def load_sources(chdb_dir: Path, scratch: Path) -> None:
    """A database holding the fixtures and ten days of the demo's telemetry and transcripts."""
    with ClickHouseResource(path=str(chdb_dir)).connect() as client:
        migrate(client)
        load_fixture_sources(client, scratch / "otel")
        files = generate(scratch / "demo", days=10, seed=5, now=DEMO_END)
        ingest_telemetry(client, files.telemetry)
        backfill_transcripts(client, [files.transcripts])


def test_kill_9_during_rollup_then_rollup(tmp_path: Path) -> None:
    reference_dir = tmp_path / "reference"
    load_sources(reference_dir, tmp_path / "reference-files")
    with ClickHouseResource(path=str(reference_dir)).connect() as client:
        refresh_rollups(client)
    reference = totals(reference_dir)
    rng = random.Random(3)
    kills = 0
    for trial in range(5):
        trial_dir = tmp_path / f"trial{trial}"
        load_sources(trial_dir, tmp_path / f"trial{trial}-files")
        kills += kill_during_rollup(trial_dir, rng.uniform(0.0, 0.8))
        cmd, env = rollup_command(trial_dir)
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert totals(trial_dir) == reference, f"trial {trial}"
    assert kills >= 4
