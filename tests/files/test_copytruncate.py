"""Copy-and-truncate rotation (logrotate's ``copytruncate``): the live file's contents are
copied to a new name (a new inode, the same first bytes), then the live file is truncated.
The copy is read only past what was already read from the live file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.files.cursors import CursorStore
from cc_pipeline.files.tailer import list_files, reconcile
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl


@pytest.fixture(scope="module")
def logs() -> list[dict[str, Any]]:
    return [b for s, b in fixture_requests() if s == "logs"][:9]


def copytruncate(live: Path, copy: Path) -> None:
    shutil.copyfile(live, copy)
    with open(live, "r+b") as fh:
        fh.truncate(0)


def test_the_copy_starts_where_the_live_file_was_read(tmp_path: Path) -> None:
    live = tmp_path / "otel.jsonl"
    live.write_bytes(b"".join(b'{"n":%d}\n' % i for i in range(1000)))  # past 4 KB
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = reconcile(store, list_files(tmp_path)).files
    cursor.offset = read = live.stat().st_size
    with open(live, "ab") as fh:
        fh.write(b'{"n":"new"}\n')
    copytruncate(live, tmp_path / "otel.jsonl.1")
    plan = reconcile(store, list_files(tmp_path), copies=True)
    by_name = {Path(p).name: c for p, c in plan.files}
    assert by_name["otel.jsonl.1"].offset == read
    assert by_name["otel.jsonl"].offset == 0
    assert [e.kind for e in plan.events if e.path.endswith(".1")] == ["copied"]


def test_a_different_file_with_another_start_is_read_whole(tmp_path: Path) -> None:
    live = tmp_path / "otel.jsonl"
    live.write_bytes(b'{"n":1}\n')
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = reconcile(store, list_files(tmp_path)).files
    cursor.offset = 8
    (tmp_path / "other.jsonl").write_bytes(b'{"n":2}\n{"n":3}\n')
    plan = reconcile(store, list_files(tmp_path), copies=True)
    assert {Path(p).name: c.offset for p, c in plan.files} == {"otel.jsonl": 8, "other.jsonl": 0}


@pytest.mark.parametrize("before", [3, 8], ids=["small file", "file past 4 KB"])
def test_copytruncate_rotation_loads_every_record_once(
    ch: Any, tmp_path: Path, logs: list[dict[str, Any]], before: int
) -> None:
    folder = tmp_path / "otel"
    live = write_jsonl(folder / "claude-code.jsonl", logs[:before])
    ingest_telemetry(ch, folder)
    write_jsonl(live, logs[before : before + 1])  # written after the run, before the copy
    copytruncate(live, folder / "claude-code.jsonl.1")
    write_jsonl(live, logs[before + 1 :])  # written to the live file after its truncation
    summary = ingest_telemetry(ch, folder)
    assert any(e.kind == "copied" for e in summary.events)
    expected = expected_totals([("logs", b) for b in logs])
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]
    assert scalar(ch, "SELECT round(sum(cost_usd), 6) FROM cc_api_requests") == round(
        expected["cost_usd"], 6
    )
    ingest_telemetry(ch, folder)
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]
