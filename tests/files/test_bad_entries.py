"""One unreadable folder entry is reported and left out; the rest of the folder loads.

Covers both sources: the telemetry folder (listed by the tailer) and transcript roots
(listed by discovery). Tests run as root, which reads any file whatever its mode, so an
unreadable file is simulated by making ``open`` refuse that path; a real mode-000 folder is
checked as well where the user is not root.
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import fixture_requests, write_jsonl
from tests.transcripts.helpers import assistant, run, totals, write_session

BAD_NAME = os.fsdecode(b"bad\xff.jsonl")
BAD_FOLDER = os.fsdecode(b"-home-dev-\xff")


@pytest.fixture(scope="module")
def logs() -> list[dict[str, Any]]:
    return [b for s, b in fixture_requests() if s == "logs"][:3]


def quarantine(ch: Any) -> list[tuple[str, str, str]]:
    return ch.query(
        "SELECT source, file_path, reason FROM ingest_quarantine ORDER BY file_path"
    ).result_rows


def refuse_open(monkeypatch: pytest.MonkeyPatch, refused: Path) -> None:
    """``open`` of ``refused`` fails as it would for a mode-000 file and a normal user."""
    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path) and Path(file) == refused:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


def otel_folder(tmp_path: Path, logs: list[dict[str, Any]]) -> Path:
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", logs)
    return folder


def test_a_symlink_loop_in_the_telemetry_folder_is_quarantined_and_the_rest_loads(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]]
) -> None:
    folder = otel_folder(tmp_path, logs)
    os.symlink("loop.jsonl", folder / "loop.jsonl")
    summary = ingest_telemetry(ch, folder)
    assert summary.rows["otel_logs"] > 0 and summary.files_read == 1
    assert summary.quarantined == 1
    ((source, path, reason),) = quarantine(ch)
    assert source == "telemetry" and path == str(folder / "loop.jsonl")
    assert "symbolic link loop" in reason
    assert [e.kind for e in summary.events] == ["skipped"]
    again = ingest_telemetry(ch, folder)  # reported again, recorded once
    assert again.events[0].path == str(folder / "loop.jsonl") and again.quarantined == 0
    assert scalar(ch, "SELECT count() FROM ingest_quarantine") == 1


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_printable_path(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = otel_folder(tmp_path, logs)
    with open(os.fsencode(folder) + b"/bad\xff.jsonl", "wb") as fh:
        fh.write(b'{"resourceLogs":[]}\n')
    summary = ingest_telemetry(ch, folder, log=print)
    assert summary.rows["otel_logs"] > 0 and summary.files_seen == 1
    shown = f"{folder}/bad\\xff.jsonl"
    assert quarantine(ch) == [("telemetry", shown, "name is not valid UTF-8")]
    assert shown in capsys.readouterr().out
    assert ingest_telemetry(ch, folder).quarantined == 0  # the cursors were saved


def test_an_unreadable_file_is_quarantined_and_its_position_kept(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = otel_folder(tmp_path, logs[:1])
    other = write_jsonl(folder / "other.jsonl", logs[1:2])
    first = ingest_telemetry(ch, folder)
    loaded = first.rows["otel_logs"]
    write_jsonl(other, logs[2:3])
    write_jsonl(folder / "claude-code.jsonl", logs[2:3])
    with monkeypatch.context() as patch:
        refuse_open(patch, other)
        summary = ingest_telemetry(ch, folder)
    assert summary.files_read == 1 and summary.quarantined == 1
    ((_, path, reason),) = quarantine(ch)
    assert path == str(other) and reason == "file not readable: Permission denied"
    # readable again: it goes on from where it was, nothing read twice
    after = ingest_telemetry(ch, folder)
    assert after.files_read == 1
    per_log = after.rows["otel_logs"]
    assert scalar(ch, "SELECT count() FROM otel_logs") == loaded + 2 * per_log


def test_an_unlistable_telemetry_folder_is_reported(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = otel_folder(tmp_path, logs)
    real_scandir = os.scandir

    def refuse(path: Any = ".") -> Any:
        if isinstance(path, str | Path) and Path(path) == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    summary = ingest_telemetry(ch, folder)
    assert summary.files_seen == 0
    assert quarantine(ch) == [("telemetry", str(folder), "folder not readable: Permission denied")]


def transcript_root(tmp_path: Path) -> Path:
    root = tmp_path / "claude"
    write_session(root, [assistant("m1", "r1")])
    return root


def test_bad_transcript_entries_are_quarantined_and_the_rest_loads(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = transcript_root(tmp_path)
    project = root / "projects" / "-home-dev-app"
    os.symlink("loop.jsonl", project / "loop.jsonl")
    with open(os.fsencode(project) + b"/bad\xff.jsonl", "wb") as fh:
        fh.write(b"{}\n")
    (root / "projects" / BAD_FOLDER).mkdir()
    unreadable = write_session(root, [assistant("m2", "r2")], name="s2.jsonl")
    refuse_open(monkeypatch, unreadable)
    messages: list[str] = []
    summary = run(ch, root, log=messages.append)
    assert totals(ch)[0] == 1 and summary.files_read == 1
    rows = {(path, reason) for source, path, reason in quarantine(ch) if source == "transcripts"}
    assert rows == {
        (str(project / "bad") + "\\xff.jsonl", "name is not valid UTF-8"),
        (str(root / "projects" / "-home-dev-") + "\\xff", "name is not valid UTF-8"),
        (str(unreadable), "file not readable: Permission denied"),
    }
    assert summary.quarantined == 3
    # a symlink (a loop or not) inside projects/ is never followed: it is only reported
    assert f"symlink not followed: {project / 'loop.jsonl'}" in messages


def test_an_unreadable_transcript_folder_is_reported_and_keeps_its_positions(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = transcript_root(tmp_path)
    other = write_session(root, [assistant("m2", "r2")], project="-home-dev-other")
    run(ch, root)
    assert totals(ch)[0] == 2
    real_scandir = os.scandir

    def refuse(path: Any = ".") -> Any:
        if isinstance(path, str | Path) and Path(path) == other.parent:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    with monkeypatch.context() as patch:
        patch.setattr(os, "scandir", refuse)
        summary = run(ch, root)
    assert summary.quarantined == 1
    assert quarantine(ch) == [
        ("transcripts", str(other.parent), "folder not readable: Permission denied")
    ]
    # listed again: its file keeps its cursor, nothing is counted twice
    write_session(root, [assistant("m3", "r3")], project="-home-dev-other")
    run(ch, root)
    assert totals(ch)[0] == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 folder anyway")
def test_a_mode_000_transcript_folder_is_reported(ch: Any, tmp_path: Path) -> None:
    root = transcript_root(tmp_path)
    locked = write_session(root, [assistant("m2", "r2")], project="-home-dev-locked").parent
    locked.chmod(0)
    try:
        summary = run(ch, root)
    finally:
        locked.chmod(0o755)
    assert totals(ch)[0] == 1 and summary.quarantined == 1
