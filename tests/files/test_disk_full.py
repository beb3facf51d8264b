"""A load that meets a full disk says which folder is full and what to do, exits with 74
without a traceback, and the next run (space freed) loads everything once."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline import settings
from cc_pipeline.cli import main as cli_main
from cc_pipeline.files.cursors import CursorStore
from cc_pipeline.files.diskfull import DiskFull
from cc_pipeline.files.spool import SpoolDir
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl
from tests.transcripts.helpers import assistant, run, totals, write_session


@pytest.fixture(scope="module")
def logs() -> list[dict[str, Any]]:
    return [b for s, b in fixture_requests() if s == "logs"][:4]


def no_space(path: Path) -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", str(path))


def test_the_cli_names_the_full_disk_and_exits_74_without_a_traceback(
    tmp_path: Path,
    logs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", logs)
    chdb_dir = tmp_path / "chdb"
    monkeypatch.setenv("CC_PIPELINE_CHDB_DIR", str(chdb_dir))
    real_write = SpoolDir.write

    def full(self: SpoolDir, chunks: Any, suffix: str, batch_folder: Path) -> Path:
        raise no_space(batch_folder / f"00000001{suffix}")

    with monkeypatch.context() as patch:
        patch.setattr(SpoolDir, "write", full)
        assert cli_main(["ingest", "--source", str(folder)]) == DiskFull.exit_code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "No space left on the disk while loading telemetry" in err
    assert f"could not write: {settings.cursors_dir()}" in err
    assert f"embedded database: {chdb_dir} (" in err and "MB free of" in err
    assert "CC_PIPELINE_HOME" in err and "run again" in err

    assert SpoolDir.write is real_write
    assert cli_main(["ingest", "--source", str(folder)]) == 0
    with ClickHouseResource(mode="embedded", path=str(chdb_dir)).connect() as client:
        count = scalar(client, "SELECT count() FROM otel_logs")
    assert count == expected_totals([("logs", b) for b in logs])["logs"]


class FullEngine:
    """A real client whose inserts fail the way ClickHouse fails on a full disk."""

    def __init__(self, client: Any):
        self._client = client

    def command(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        if "INSERT" in sql.upper():
            raise RuntimeError(
                "Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. "
                "(NOT_ENOUGH_SPACE)"
            )
        return self._client.command(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_clickhouse_out_of_space_error_becomes_disk_full(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]]
) -> None:
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", logs)
    with pytest.raises(DiskFull, match="loading telemetry") as caught:
        ingest_telemetry(FullEngine(ch), folder)
    assert "cursors and spool files" in str(caught.value)
    assert "NOT_ENOUGH_SPACE" in str(caught.value.__cause__)
    ingest_telemetry(ch, folder)
    assert (
        scalar(ch, "SELECT count() FROM otel_logs")
        == expected_totals([("logs", b) for b in logs])["logs"]
    )


def test_a_full_disk_while_saving_transcript_cursors_becomes_disk_full(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "claude"
    write_session(root, [assistant("m1", "r1"), assistant("m2", "r2")])

    def full(self: CursorStore) -> None:
        raise no_space(self.path.with_suffix(".json.tmp"))

    with monkeypatch.context() as patch:
        patch.setattr(CursorStore, "save", full)
        with pytest.raises(DiskFull, match="loading transcripts"):
            run(ch, root)
    run(ch, root)
    assert totals(ch)[0] == 2


def test_other_errors_are_left_alone(ch: Any, tmp_path: Path, monkeypatch) -> None:
    def broken(self: CursorStore) -> None:
        raise OSError(errno.EIO, "Input/output error", str(self.path))

    write_session(tmp_path / "claude", [assistant("m1", "r1")])
    monkeypatch.setattr(CursorStore, "save", broken)
    with pytest.raises(OSError, match="Input/output error"):
        run(ch, tmp_path / "claude")
