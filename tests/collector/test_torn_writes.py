"""A request is acknowledged only once its whole line is written, and a line torn by a failed
write or a killed process never swallows the next one."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from cc_pipeline.collector import writer as writer_module
from cc_pipeline.collector.writer import RotatingJsonlWriter
from cc_pipeline.stack.base import http_health
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.collector.helpers import free_port, post, start_receiver
from tests.conftest import OTLP_FIXTURES

LOGS_JSON = (OTLP_FIXTURES / "tools_json__0002_logs.json").read_bytes()
PROTOBUF = "application/x-protobuf"
RECORDS = sum(
    len(sl["logRecords"]) for rl in json.loads(LOGS_JSON)["resourceLogs"] for sl in rl["scopeLogs"]
)


def fail_half_way(monkeypatch: pytest.MonkeyPatch, writer: RotatingJsonlWriter, after: int) -> None:
    """The next line to ``writer`` gets ``after`` bytes onto the disk, then ENOSPC."""
    real_write = os.write
    state = {"armed": True, "partial_done": False}

    def write(fd: int, data: Any) -> int:
        if fd != writer._fd or not state["armed"]:
            return real_write(fd, data)
        if not state["partial_done"]:
            state["partial_done"] = True
            return real_write(fd, bytes(data[:after]))
        state["armed"] = False
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer_module.os, "write", write)


def test_a_write_failing_half_way_is_cut_back_and_the_next_request_ingests(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "otel"
    receiver = start_receiver(output)
    try:
        assert receiver.writer is not None
        fail_half_way(monkeypatch, receiver.writer, after=len(LOGS_JSON) // 3)
        status, _ = post(receiver.http_port, "/v1/logs", LOGS_JSON, "application/json")
        assert status == 503  # not acknowledged: the client retries
        assert post(receiver.http_port, "/v1/logs", LOGS_JSON, "application/json")[0] == 200
    finally:
        receiver.stop()
    content = (output / "telemetry.jsonl").read_bytes()
    assert content.count(b"\n") == 1 and content.endswith(b"\n")
    summary = ingest_telemetry(ch, output)
    assert summary.quarantined == 0
    assert summary.rows["otel_logs"] == RECORDS


def test_when_the_cut_back_fails_too_the_fragment_stays_a_line_of_its_own(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "otel"
    writer = RotatingJsonlWriter(output / "telemetry.jsonl")
    line = LOGS_JSON.replace(b"\n", b"") + b"\n"
    fail_half_way(monkeypatch, writer, after=100)

    def no_truncate(fd: int, length: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(writer_module.os, "ftruncate", no_truncate)
    with pytest.raises(OSError):
        writer.write_line(line)
    writer.write_line(line)
    writer.close()
    monkeypatch.undo()  # os.ftruncate works again for the ingestion
    summary = ingest_telemetry(ch, output)
    assert summary.quarantined == 1  # the fragment, never acknowledged
    assert summary.rows["otel_logs"] == RECORDS


def test_a_fragment_left_by_a_killed_process_is_ended_when_the_file_opens(
    ch: Any, tmp_path: Path
) -> None:
    output = tmp_path / "otel"
    output.mkdir()
    line = LOGS_JSON.replace(b"\n", b"") + b"\n"
    (output / "telemetry.jsonl").write_bytes(line + line[: len(line) // 2])
    receiver = start_receiver(output)
    try:
        assert post(receiver.http_port, "/v1/logs", LOGS_JSON, "application/json")[0] == 200
    finally:
        receiver.stop()
    summary = ingest_telemetry(ch, output)
    assert summary.quarantined == 1
    assert summary.rows["otel_logs"] == 2 * RECORDS


def test_raw_files_are_created_owner_only(tmp_path: Path) -> None:
    output = tmp_path / "otel"
    output.mkdir()
    (output / "telemetry.jsonl").write_bytes(b"")
    os.chmod(output / "telemetry.jsonl", 0o644)  # as an older receiver left it
    writer = RotatingJsonlWriter(output / "telemetry.jsonl", max_megabytes=0.001)
    for _ in range(3):
        writer.write_line(b"{" + b" " * 800 + b"}\n")  # rotates: new live files
    writer.close()
    files = sorted(output.glob("*.jsonl"))
    assert len(files) == 3
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {"0o600"}


def big_request(marker: str, pad_bytes: int) -> bytes:
    """A logs request whose resource is named ``marker``, padded to about ``pad_bytes``."""
    request = ExportLogsServiceRequest()
    resource_logs = request.resource_logs.add()
    name = resource_logs.resource.attributes.add(key="service.name")
    name.value.string_value = marker
    record = resource_logs.scope_logs.add().log_records.add()
    record.time_unix_nano = time.time_ns()
    record.event_name = "claude_code.api_request"
    record.body.string_value = "x" * pad_bytes
    return request.SerializeToString()


def start_process(output: Path) -> tuple[subprocess.Popen[bytes], int]:
    http_port, health_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_pipeline.collector", "--output", str(output),
         "--grpc-port", str(free_port()), "--http-port", str(http_port),
         "--health-port", str(health_port)],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while http_health(f"http://127.0.0.1:{health_port}/", 0.5)[0] != 200:
        assert proc.poll() is None and time.monotonic() < deadline, "receiver did not start"
        time.sleep(0.05)
    return proc, http_port


def kill_during_a_write(proc: subprocess.Popen[bytes], live: Path, port: int, body: bytes) -> int:
    """Send ``body`` and SIGKILL the receiver as soon as its line starts reaching the file;
    returns the status the client saw (0: no answer)."""
    base = live.stat().st_size
    answer = {"status": 0}

    def send() -> None:
        with contextlib.suppress(OSError):
            answer["status"] = post(port, "/v1/logs", body, PROTOBUF)[0]

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + 20
    while live.stat().st_size == base and time.monotonic() < deadline and answer["status"] == 0:
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    sender.join(timeout=15)
    return answer["status"]


def test_kill_9_during_large_writes_loses_no_acknowledged_request(ch: Any, tmp_path: Path) -> None:
    output = tmp_path / "otel"
    live = output / "telemetry.jsonl"
    acknowledged: list[str] = []
    torn = 0
    trials = 5
    for trial in range(trials):
        proc, port = start_process(output)
        try:
            for i in range(2):
                marker = f"ok-{trial}-{i}"
                status = post(port, "/v1/logs", big_request(marker, 1000), PROTOBUF)[0]
                assert status == 200
                acknowledged.append(marker)
            marker = f"killed-{trial}"
            if kill_during_a_write(proc, live, port, big_request(marker, 12 << 20)) == 200:
                acknowledged.append(marker)
            torn += not live.read_bytes().endswith(b"\n")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    proc, port = start_process(output)
    try:
        for i in range(2):
            assert post(port, "/v1/logs", big_request(f"after-{i}", 1000), PROTOBUF)[0] == 200
            acknowledged.append(f"after-{i}")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    summary = ingest_telemetry(ch, output)
    stored = {row[0] for row in ch.query("SELECT DISTINCT ServiceName FROM otel_logs").result_rows}
    assert set(acknowledged) <= stored
    assert summary.quarantined <= torn <= trials  # at most each killed line, alone
    print(f"{torn} of {trials} kills tore a line")


@pytest.mark.parametrize(("policy", "syncs"), [("always", 5), ("interval", 0), ("never", 0)])
def test_fsync_policy_decides_whether_each_line_is_synced_before_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, policy: str, syncs: int
) -> None:
    writer = RotatingJsonlWriter(tmp_path / "t.jsonl", fsync=policy, fsync_interval=60)
    calls: list[int] = []
    real = os.fdatasync
    monkeypatch.setattr(writer_module.os, "fdatasync", lambda fd: calls.append(fd) or real(fd))
    for _ in range(5):
        writer.write_line(b"{}\n")
    assert len(calls) == syncs
    writer.close()
    assert (tmp_path / "t.jsonl").read_bytes() == b"{}\n" * 5
