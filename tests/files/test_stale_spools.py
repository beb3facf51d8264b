"""Spool files a killed run leaves (they hold raw lines: prompts, tool inputs) are deleted
by the next load of any source, never while their run is alive; totals stay right."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.files.cursors import source_lock
from cc_pipeline.files.spool import SpoolDir, remove_stale_spools
from cc_pipeline.telemetry.ingest import cursor_path_for, ingest_telemetry
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl
from tests.telemetry.test_crash_resume import Crash, CrashingClient


@pytest.fixture(scope="module")
def logs() -> list[dict[str, Any]]:
    return [b for s, b in fixture_requests() if s == "logs"][:6]


def killed_run(ch: Any, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A telemetry run stopped after its first batch was written, its spool left as
    ``kill -9`` leaves it (nothing of the run closes it); the spool folder."""
    with monkeypatch.context() as patch:
        patch.setattr(SpoolDir, "close", lambda self: None)
        patch.setattr(SpoolDir, "remove", staticmethod(lambda folder: None))
        with pytest.raises(Crash):
            ingest_telemetry(CrashingClient(ch, crash_at=3), folder, max_batch_bytes=1)
    spool = cursor_path_for(folder).with_suffix(".spool")
    assert any(p.is_file() for p in spool.rglob("*"))
    return spool


def load_another_source(ch: Any, tmp_path: Path, _folder: Path) -> None:
    backfill_transcripts(ch, [tmp_path / "no-transcripts"])


def load_the_same_source(ch: Any, _tmp_path: Path, folder: Path) -> None:
    ingest_telemetry(ch, folder)


@pytest.mark.parametrize("next_load", [load_another_source, load_the_same_source])
def test_a_killed_runs_spool_is_removed_by_the_next_load(
    ch: Any,
    tmp_path: Path,
    logs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    next_load: Callable[[Any, Path, Path], None],
) -> None:
    """Whichever load runs next, of this source or another, removes what the killed run
    spooled (prompts among it), and the source then loads whole."""
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", logs)
    spool = killed_run(ch, folder, monkeypatch)
    next_load(ch, tmp_path, folder)
    assert not spool.exists()
    ingest_telemetry(ch, folder)
    expected = expected_totals([("logs", b) for b in logs])
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]
    assert scalar(ch, "SELECT round(sum(cost_usd), 6) FROM cc_api_requests") == round(
        expected["cost_usd"], 6
    )


def test_the_spool_of_a_live_run_is_kept(tmp_path: Path) -> None:
    cursors = tmp_path / "cursors"
    live = cursors / "telemetry-abc.spool"
    (live / "00000000").mkdir(parents=True)
    stale = cursors / "transcripts-def.spool"
    (stale / "00000000").mkdir(parents=True)
    (stale / "00000000" / "00000001.blobs").write_bytes(b"a prompt")
    (cursors / "transcripts-def.lock").touch()  # its run is gone: nobody holds the lock
    with source_lock(cursors / "telemetry-abc.lock", 1.0):
        assert remove_stale_spools(cursors) == [stale]
    assert live.exists() and not stale.exists()


def test_a_temporary_spool_of_a_dead_process_is_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    gone = Path(tempfile.mkdtemp(prefix=f"cc-pipeline-spool-{pid}-"))
    (gone / "00000001.other").write_bytes(b"a tool input")
    mine = SpoolDir.open_at(None)
    try:
        removed = remove_stale_spools(tmp_path)
        assert gone in removed and not gone.exists()
        assert mine.path.exists() and str(os.getpid()) in mine.path.name
    finally:
        mine.close()
