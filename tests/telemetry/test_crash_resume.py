"""A crash at any point, followed by a re-run, gives the totals of an uninterrupted run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.files.loader import ingest_folder
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.schema import migrate
from cc_pipeline.telemetry.ingest import cursor_path_for, ingest_telemetry
from cc_pipeline.telemetry.sink import TelemetrySink
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl

TOTALS_SQL = """
SELECT
    (SELECT count() FROM otel_logs),
    (SELECT count() FROM otel_metrics_sum),
    (SELECT count() FROM otel_traces),
    (SELECT round(sum(cost_usd), 6) FROM cc_api_requests),
    (SELECT sum(delta) FROM cc_metric_deltas WHERE metric_name = 'claude_code.token.usage'),
    (SELECT count() FROM ingest_quarantine)
"""


class Crash(RuntimeError):
    pass


class CrashingClient:
    """A real client that dies just before its n-th write statement."""

    def __init__(self, client: Any, crash_at: int):
        self._client = client
        self._writes = 0
        self._crash_at = crash_at

    def _tick(self) -> None:
        self._writes += 1
        if self._writes == self._crash_at:
            raise Crash(f"crash before write {self._crash_at}")

    def command(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        statement = "\n".join(
            line for line in sql.splitlines() if not line.strip().startswith("--")
        )
        if statement.lstrip().upper().startswith(("INSERT", "DELETE", "ALTER", "TRUNCATE")):
            self._tick()
        return self._client.command(sql, *args, **kwargs)

    def raw_insert(self, *args: Any, **kwargs: Any) -> Any:
        self._tick()
        return self._client.raw_insert(*args, **kwargs)

    def insert(self, *args: Any, **kwargs: Any) -> Any:
        self._tick()
        return self._client.insert(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture(scope="module")
def bodies() -> list[dict[str, Any]]:
    return [b for _, b in fixture_requests()]


def mixed_sample(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A few bodies of each signal, api_request events among them."""

    def of(key: str) -> list[dict[str, Any]]:
        return [b for b in bodies if key in b]

    logs = [b for b in of("resourceLogs") if "api_request" in str(b)]
    return logs[:3] + of("resourceMetrics")[:3] + of("resourceSpans")[:2]


def build_folder(folder: Path, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A rotated backup and a live file with a bad line in the middle; returns what was written."""
    sample = mixed_sample(bodies)
    write_jsonl(folder / "claude-code-2026-11-24T00-00-00.000-size.jsonl", sample[:4])
    write_jsonl(folder / "claude-code.jsonl", sample[4:])
    with open(folder / "claude-code.jsonl", "ab") as fh:
        fh.write(b"{not json\n")
    write_jsonl(folder / "claude-code.jsonl", sample[:2])
    return sample + sample[:2]


def test_crash_before_every_write_then_rerun(tmp_path, bodies):
    folder = tmp_path / "otel"
    written = build_folder(folder, bodies)
    with ClickHouseResource(path=str(tmp_path / "reference")).connect() as client:
        migrate(client)
        ref_summary = ingest_folder(
            client, TelemetrySink(), folder, tmp_path / "reference.json", max_batch_bytes=8 << 10
        )
        reference = client.query(TOTALS_SQL).result_rows[0]
    crash_at = 1
    while True:
        cursors = tmp_path / f"cursors{crash_at}.json"
        with ClickHouseResource(path=str(tmp_path / f"db{crash_at}")).connect() as client:
            migrate(client)
            crashed = False
            try:
                ingest_folder(
                    CrashingClient(client, crash_at),
                    TelemetrySink(),
                    folder,
                    cursors,
                    max_batch_bytes=8 << 10,
                )
            except Crash:
                crashed = True
            ingest_folder(client, TelemetrySink(), folder, cursors, max_batch_bytes=8 << 10)
            assert client.query(TOTALS_SQL).result_rows[0] == reference, f"crash_at={crash_at}"
        if not crashed:
            break
        crash_at += 1
    # every write of a multi-batch run was a crash point: at least two per batch
    assert ref_summary.batches >= 3 and crash_at - 1 >= 2 * ref_summary.batches
    expected = expected_totals([("", b) for b in written])
    assert reference[0] == expected["logs"]
    assert reference[5] == 1


def test_kill_9_at_random_moments_then_rerun(tmp_path, bodies, monkeypatch):
    folder = tmp_path / "otel"
    for i in range(12):
        write_jsonl(folder / f"claude-code-2026-11-24T00-{i:02d}-00.000-size.jsonl", bodies)
    monkeypatch.setenv("CC_PIPELINE_HOME", str(tmp_path / "home"))
    env = dict(os.environ)
    cursors = cursor_path_for(folder)
    cmd = [
        sys.executable,
        "-m",
        "cc_pipeline.cli",
        "ingest",
        "--source",
        str(folder),
        "--batch-mb",
        "0.1",
    ]
    rng = random.Random(7)
    kills = 0
    for _ in range(4):
        before = cursors.stat().st_mtime_ns if cursors.exists() else 0
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # wait until this run has written its books at least once, then kill it soon after
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if cursors.exists() and cursors.stat().st_mtime_ns != before:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert kills >= 3
    expected = expected_totals([("", b) for b in bodies * 12])
    with ClickHouseResource().connect() as client:
        logs, points, spans, cost, tokens, quarantined = client.query(TOTALS_SQL).result_rows[0]
        again = ingest_telemetry(client, folder)
    assert again.total_rows == 0
    assert (logs, points, spans, quarantined) == (
        expected["logs"],
        expected["sum_points"],
        expected["spans"],
        0,
    )
    assert cost == round(expected["cost_usd"], 6)
    assert tokens == pytest.approx(sum(expected["token_metric"].values()))
    assert cursor_path_for(folder).exists()
