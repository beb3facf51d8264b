"""Re-runs read only new bytes and files; rewrites, vanished files and kills count nothing twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cc_pipeline.transcripts.backfill as backfill_module
from cc_pipeline.resources.clickhouse import ClickHouseResource
from tests.conftest import PUBLIC_TRANSCRIPTS, scalar
from tests.transcripts.helpers import assistant, run, totals, write_session

ROOT = Path(__file__).resolve().parents[2]

MAROT = (7_508, 193_983, 2_008_302, 76_801_503)


def test_rerun_reads_only_new_bytes_and_new_files(ch: Any, tmp_path: Path) -> None:
    path = write_session(tmp_path, [assistant("m1", "r1"), assistant("m2", "r2")])
    first = run(ch, tmp_path)
    assert first.files_read == 1 and first.bytes_read == path.stat().st_size

    nothing = run(ch, tmp_path)
    assert (nothing.files_read, nothing.bytes_read, nothing.entries) == (0, 0, 0)

    size = path.stat().st_size
    write_session(tmp_path, [assistant("m2", "r2", output_tokens=50), assistant("m3", "r3")])
    other = write_session(tmp_path, [assistant("m4", "r4")], name="s2.jsonl")
    more = run(ch, tmp_path)
    assert more.bytes_read == path.stat().st_size - size + other.stat().st_size
    assert more.entries == 3
    # m2's later, larger line replaces its first one: 4 requests, not 5
    assert totals(ch)[:3] == (4, 40, 5 + 50 + 5 + 5)


def test_rewritten_file_is_not_counted_twice(ch: Any, tmp_path: Path) -> None:
    path = write_session(tmp_path, [assistant("m1", "r1"), assistant(None, None, uuid="x")])
    run(ch, tmp_path)
    before = totals(ch)
    lines = path.read_bytes().splitlines(keepends=True)
    with open(path, "r+b") as fh:  # same inode, new content: the lines in another order
        fh.truncate(0)
        fh.write(b"".join(reversed(lines)))
    summary = run(ch, tmp_path)
    assert [e.kind for e in summary.events] == ["truncated"]
    assert summary.entries == 2
    assert totals(ch) == before


def test_file_vanishing_mid_run_is_reported_not_fatal(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_session(tmp_path, [assistant("m1", "r1")])
    doomed = write_session(tmp_path, [assistant("m2", "r2")], name="s2.jsonl")
    real_discover = backfill_module.discover

    def discover_then_delete(*args: Any, **kwargs: Any) -> Any:
        found = real_discover(*args, **kwargs)
        doomed.unlink()  # gone after discovery, before it is read
        return found

    monkeypatch.setattr(backfill_module, "discover", discover_then_delete)
    messages: list[str] = []
    summary = run(ch, tmp_path, log=messages.append)
    assert totals(ch)[0] == 1
    assert [e.kind for e in summary.events] == ["vanished"]
    assert any("vanished" in m and "s2.jsonl" in m for m in messages)


def test_since_skips_old_unread_files_without_forgetting_read_ones(ch: Any, tmp_path: Path) -> None:
    old = write_session(tmp_path, [assistant("m1", "r1")], name="old.jsonl")
    os.utime(old, (1_600_000_000, 1_600_000_000))
    write_session(tmp_path, [assistant("m2", "r2")], name="new.jsonl")
    from datetime import date

    summary = run(ch, tmp_path, since=date(2024, 1, 1))
    assert summary.files_skipped_since == 1 and totals(ch)[0] == 1
    run(ch, tmp_path)  # without since: the old file is read now
    assert totals(ch)[0] == 2
    again = run(ch, tmp_path, since=date(2024, 1, 1))
    assert again.bytes_read == 0
    run(ch, tmp_path)  # its cursor survived the run with since: nothing read twice
    assert totals(ch)[0] == 2
    assert ch.query("SELECT count() FROM transcript_entries").result_rows[0][0] == 2


KILL_SCRIPT = """
import sys
from pathlib import Path
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.transcripts.backfill import backfill_transcripts

def progress(done, total, path):
    print(done, flush=True)

with ClickHouseResource(mode="embedded", path=sys.argv[1]).connect() as client:
    backfill_transcripts(client, [Path(sys.argv[2])], max_batch_bytes=256 << 10, progress=progress)
print("finished", flush=True)
"""


def test_killed_run_resumes_to_the_same_totals(tmp_path: Path) -> None:
    tree = tmp_path / "claude"
    shutil.copytree(PUBLIC_TRANSCRIPTS / "marot-spotter", tree)
    db = tmp_path / "chdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(db), str(tree)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    progressed = 0
    for line in proc.stdout:
        if line.strip().isdigit():
            progressed += 1
        if progressed >= 8:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    with ClickHouseResource(mode="embedded", path=str(db)).connect() as client:
        partial = client.query("SELECT count() FROM transcript_entries").result_rows[0][0]
        assert 0 < partial < 10_005
        summary = run(client, tree)
        assert summary.bytes_read > 0
        assert totals(client)[1:] == MAROT
        assert client.query("SELECT count() FROM transcript_entries").result_rows[0][0] == 10_005


ENTRY_PARTS = (
    "SELECT count() FROM system.parts WHERE database = currentDatabase() "
    "AND table = 'transcript_entries' AND active"
)


def test_bulk_load_ends_with_one_part_and_small_loads_leave_merging_to_the_engine(
    ch: Any, tmp_path: Path
) -> None:
    tree = tmp_path / "claude"
    shutil.copytree(PUBLIC_TRANSCRIPTS / "marot-spotter", tree)
    # small batches: the load inserts many parts
    bulk = run(ch, tree, max_batch_bytes=256 << 10)
    assert bulk.compacted == ["transcript_entries"]
    assert scalar(ch, ENTRY_PARTS) == 1
    assert totals(ch)[1:] == MAROT

    # a few new lines are far below a quarter of the table: no merge of the whole table (with
    # merges stopped, an OPTIMIZE would fail the run)
    write_session(tree, [assistant("m-new", "r-new")], name="new.jsonl")
    ch.command("SYSTEM STOP MERGES transcript_entries")
    try:
        small = run(ch, tree)
        assert scalar(ch, ENTRY_PARTS) == 2
    finally:
        ch.command("SYSTEM START MERGES transcript_entries")
    assert small.entries == 1 and small.compacted == []
    assert totals(ch)[1:] == (MAROT[0] + 10, MAROT[1] + 5, MAROT[2], MAROT[3])
