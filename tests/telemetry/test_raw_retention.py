"""Rotated raw telemetry files read to their end are deleted after the retention period;
the live file, unread bytes and transcripts are never touched."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.cli import main as cli_main
from cc_pipeline.files.retention import is_rotated
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl
from tests.transcripts.helpers import assistant, run, write_session

DAY = 86400


@pytest.fixture(scope="module")
def logs() -> list[dict[str, Any]]:
    return [b for s, b in fixture_requests() if s == "logs"][:5]


def age(path: Path, days: float) -> Path:
    when = time.time() - days * DAY
    os.utime(path, (when, when))
    return path


def test_rotated_names_are_told_from_live_ones() -> None:
    assert is_rotated("telemetry-2026-11-24T00-14-32.095.jsonl")
    assert is_rotated("claude-code-2026-11-24T00-14-39.190-size.jsonl")
    assert is_rotated("otel.jsonl.1")
    assert not is_rotated("telemetry.jsonl")
    assert not is_rotated("claude-code.jsonl")


def test_old_rotated_files_read_to_their_end_are_pruned_and_nothing_else(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CC_PIPELINE_RAW_RETENTION_DAYS", raising=False)
    folder = tmp_path / "otel"
    old = write_jsonl(folder / "telemetry-2026-01-01T00-00-00.000.jsonl", logs[:1])
    recent = write_jsonl(folder / "telemetry-2026-01-09T00-00-00.000.jsonl", logs[1:2])
    partial = write_jsonl(folder / "telemetry-2026-01-02T00-00-00.000.jsonl", logs[2:3])
    with open(partial, "ab") as fh:
        fh.write(b'{"resourceLogs":')  # an unfinished last line: not read to its end
    live = write_jsonl(folder / "telemetry.jsonl", logs[3:])
    for path in (old, partial, live):
        age(path, 30)
    age(recent, 2)

    summary = ingest_telemetry(ch, folder)
    assert summary.pruned == [str(old)]
    assert not old.exists() and recent.exists() and partial.exists() and live.exists()
    assert live.stat().st_size > 0  # the live file is never truncated
    again = ingest_telemetry(ch, folder)
    assert again.pruned == [] and again.files_read == 0 and not again.events
    expected = expected_totals([("logs", b) for b in logs])
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]


def test_a_file_is_pruned_only_after_it_was_read(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]]
) -> None:
    folder = tmp_path / "otel"
    old = age(write_jsonl(folder / "telemetry-2026-01-01T00-00-00.000.jsonl", logs), 30)
    summary = ingest_telemetry(ch, folder)
    assert summary.rows["otel_logs"] == expected_totals([("logs", b) for b in logs])["logs"]
    assert summary.pruned == [str(old)]


def test_zero_keeps_raw_files_forever(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC_PIPELINE_RAW_RETENTION_DAYS", "0")
    folder = tmp_path / "otel"
    old = age(write_jsonl(folder / "telemetry-2026-01-01T00-00-00.000.jsonl", logs), 30)
    assert ingest_telemetry(ch, folder).pruned == []
    assert old.exists()


def test_the_retention_setting_is_read_in_days(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC_PIPELINE_RAW_RETENTION_DAYS", "1.5")
    folder = tmp_path / "otel"
    two_days = age(write_jsonl(folder / "telemetry-2026-01-01T00-00-00.000.jsonl", logs[:1]), 2)
    one_day = age(write_jsonl(folder / "telemetry-2026-01-02T00-00-00.000.jsonl", logs[1:]), 1)
    assert ingest_telemetry(ch, folder).pruned == [str(two_days)]
    assert one_day.exists()


def test_a_bad_retention_setting_is_a_clear_cli_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CC_PIPELINE_RAW_RETENTION_DAYS", "a week")
    assert cli_main(["ingest"]) == 2
    assert "CC_PIPELINE_RAW_RETENTION_DAYS='a week': expected a number of days" in (
        capsys.readouterr().err
    )


def test_transcripts_are_never_pruned(ch: Any, tmp_path: Path) -> None:
    root = tmp_path / "claude"
    session = age(
        write_session(root, [assistant("m1", "r1")], name="s-2026-01-01T00-00-00.000.jsonl"), 30
    )
    run(ch, root)
    run(ch, root)
    assert session.exists()
