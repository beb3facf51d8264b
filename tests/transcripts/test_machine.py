"""Transcripts of several machines in one warehouse: each line carries its machine label, and
a request found on two machines is still counted once."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from cc_pipeline.cli import main
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.transcripts.helpers import assistant, write_session


def machine_root(base: Path, name: str, session: str, shared: bool) -> Path:
    lines = [assistant(f"msg-{name}", f"req-{name}", session=session, cwd=f"/srv/{name}/api")]
    if shared:  # the same response, synced to both machines
        lines.append(assistant("msg-shared", "req-shared", session=session, cwd="/srv/api"))
    write_session(base / name, lines, name=f"{session}.jsonl")
    return base / name


def test_two_machines_keep_their_labels_and_count_a_shared_request_once(
    ch: Any, tmp_path: Path
) -> None:
    backfill_transcripts(ch, [machine_root(tmp_path, "a", "s-a", True)], machine="build-a")
    backfill_transcripts(ch, [machine_root(tmp_path, "b", "s-b", True)], machine="build-b")
    refresh_rollups(ch)

    labels = ch.query(
        "SELECT machine, count() FROM transcript_entries GROUP BY machine ORDER BY machine"
    ).result_rows
    assert labels == [("build-a", 2), ("build-b", 2)]
    rows = ch.query(
        "SELECT request_id, machine FROM usage_requests ORDER BY request_id"
    ).result_rows
    assert [r[0] for r in rows] == ["req-a", "req-b", "req-shared"]
    assert dict(rows)["req-a"] == "build-a" and dict(rows)["req-b"] == "build-b"
    assert dict(rows)["req-shared"] in ("build-a", "build-b")
    by_machine = ch.query(
        "SELECT machine, sum(requests) FROM usage_daily GROUP BY machine ORDER BY machine"
    ).result_rows
    assert sum(n for _, n in by_machine) == 3


def test_backfill_labels_lines_with_the_host_name_unless_told(ch: Any, tmp_path: Path) -> None:
    backfill_transcripts(ch, [machine_root(tmp_path, "a", "s-a", False)])
    machines = ch.query("SELECT DISTINCT machine FROM transcript_entries").result_rows
    assert machines == [(socket.gethostname(),)]


def test_cli_machine_option_labels_the_lines(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("CC_PIPELINE_CHDB_DIR", str(tmp_path / "chdb"))
    root = machine_root(tmp_path, "c", "s-c", False)
    assert main(["backfill", "--claude-config-dir", str(root), "--machine", "ci-runner"]) == 0
    assert "machine     ci-runner" in capsys.readouterr().out
    assert main(["sql", "SELECT DISTINCT machine, git_branch FROM transcript_entries"]) == 0
    assert "ci-runner" in capsys.readouterr().out
