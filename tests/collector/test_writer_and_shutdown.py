"""Rotation like the Collector's file exporter, no interleaving, flush on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cc_pipeline.collector.writer import RotatingJsonlWriter, backup_name
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.collector.helpers import (
    free_port,
    jsonl_lines,
    post,
    start_receiver,
    wait_until_healthy,
)
from tests.conftest import OTLP_FIXTURES

BACKUP = re.compile(r"^telemetry-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.jsonl$")
LOGS_JSON = (OTLP_FIXTURES / "tools_json__0002_logs.json").read_bytes()


def test_backup_name_matches_the_collector(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 11, 24, 0, 14, 32, 95000, tzinfo=UTC)
    name = backup_name(tmp_path / "telemetry.jsonl", when).name
    assert name == "telemetry-2026-11-24T00-14-32.095.jsonl"


def test_rotation_by_size_keeps_max_backups(tmp_path: Path) -> None:
    writer = RotatingJsonlWriter(tmp_path / "telemetry.jsonl", max_megabytes=0.01, max_backups=3)
    line = json.dumps({"resourceLogs": [], "pad": "x" * 3000}).encode() + b"\n"
    for _ in range(40):
        writer.write_line(line)
    writer.close()
    backups = writer.backups()
    assert len(backups) == 3
    assert all(BACKUP.match(p.name) for p in backups)
    for path in [*backups, tmp_path / "telemetry.jsonl"]:
        assert path.stat().st_size <= 10 * 1024 * 1024 // 1000 + len(line)
        assert path.read_bytes().count(b"\n") == len(path.read_bytes().splitlines())


def test_concurrent_requests_never_interleave_and_rotated_files_ingest(ch: Any, tmp_path: Path):
    output = tmp_path / "otel"
    receiver = start_receiver(output, max_megabytes=0.2, max_backups=1000)
    try:
        with ThreadPoolExecutor(16) as pool:
            codes = list(
                pool.map(
                    lambda _: post(receiver.http_port, "/v1/logs", LOGS_JSON, "application/json")[
                        0
                    ],
                    range(200),
                )
            )
    finally:
        receiver.stop()
    assert codes == [200] * 200
    files = sorted(output.glob("*.jsonl"))
    assert len(files) > 5 and sum(bool(BACKUP.match(p.name)) for p in files) == len(files) - 1
    lines = jsonl_lines(output)
    assert len(lines) == 200
    per_request = sum(
        len(sl["logRecords"])
        for rl in json.loads(LOGS_JSON)["resourceLogs"]
        for sl in rl["scopeLogs"]
    )
    for line in lines:
        json.loads(line)  # every line whole
    summary = ingest_telemetry(ch, output)
    assert summary.quarantined == 0
    assert summary.rows["otel_logs"] == 200 * per_request


def test_sigterm_finishes_requests_flushes_and_exits_cleanly(tmp_path: Path) -> None:
    output = tmp_path / "otel"
    grpc_port, http_port, health_port = free_port(), free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_pipeline.collector", "--output", str(output),
         "--grpc-port", str(grpc_port), "--http-port", str(http_port),
         "--health-port", str(health_port)],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_until_healthy(proc, health_port)
        results: list[int] = []

        def sender() -> None:
            for _ in range(30):
                try:
                    status, _ = post(http_port, "/v1/logs", LOGS_JSON, "application/json")
                except OSError:  # the listener has closed
                    return
                results.append(status)
                if status != 200:
                    return

        thread = threading.Thread(target=sender)
        thread.start()
        time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        thread.join(timeout=30)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "stopping" in proc.stderr.read()
    accepted = results.count(200)
    assert accepted >= 1
    lines = (output / "telemetry.jsonl").read_bytes()
    assert lines.endswith(b"\n")
    assert len(lines.splitlines()) == accepted  # every answered request is on disk, whole
    assert not any(os.path.basename(p).startswith(".") for p in os.listdir(output))
