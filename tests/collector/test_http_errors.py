"""Malformed, oversized and unsupported requests get the OTLP error answer and write nothing."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

import pytest
from google.rpc import code_pb2, status_pb2

from tests.collector.helpers import jsonl_lines, post, start_receiver
from tests.conftest import OTLP_FIXTURES

LOGS_JSON = (OTLP_FIXTURES / "hi_json__0001_logs.json").read_bytes()
LOGS_PB = (OTLP_FIXTURES / "hi_protobuf__0001_logs.pb").read_bytes()


@pytest.fixture
def receiver(tmp_path: Path):
    rec = start_receiver(tmp_path / "otel", max_body_bytes=64 * 1024)
    yield rec
    rec.stop()


def written(receiver) -> int:
    return len(jsonl_lines(receiver.config.output_dir))


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b'{"resourceLogs": [', "application/json"),
        (b'["not", "an", "object"]', "application/json"),
        (b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"traceId": "zz"}]}]}]}',
         "application/json"),
        (b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"timeUnixNano": "soon"}]}]}]}',
         "application/json"),
        (b"\xff\xff\xff\xff not protobuf", "application/x-protobuf"),
    ],
)  # fmt: skip
def test_malformed_bodies_get_400_and_write_nothing(receiver, body: bytes, ctype: str) -> None:
    status, payload = post(receiver.http_port, "/v1/logs", body, ctype)
    assert status == 400
    if ctype == "application/x-protobuf":
        answer = status_pb2.Status.FromString(payload)
        assert answer.code == code_pb2.INVALID_ARGUMENT and answer.message
    else:
        assert b'"code": 3' in payload
    assert written(receiver) == 0
    assert receiver.stats.requests_refused("http", 400) == 1


def test_oversized_body_gets_413_and_writes_nothing(receiver) -> None:
    big = LOGS_JSON + b" " * (70 * 1024)  # valid JSON, over the 64 KiB limit
    status, payload = post(receiver.http_port, "/v1/logs", big, "application/json")
    assert status == 413
    assert b'"code": 8' in payload  # RESOURCE_EXHAUSTED
    assert written(receiver) == 0


def test_gzip_bomb_is_refused_once_it_inflates_past_the_limit(receiver) -> None:
    bomb = gzip.compress(b"{" + b" " * (2 << 20) + b"}")
    assert len(bomb) < 64 * 1024
    status, _ = post(
        receiver.http_port, "/v1/logs", bomb, "application/json",
        headers={"Content-Encoding": "gzip"},
    )  # fmt: skip
    assert status == 413
    assert written(receiver) == 0


def test_corrupt_gzip_is_a_400(receiver) -> None:
    status, _ = post(
        receiver.http_port, "/v1/logs", b"\x1f\x8b not gzip", "application/json",
        headers={"Content-Encoding": "gzip"},
    )  # fmt: skip
    assert status == 400
    assert written(receiver) == 0


def test_unknown_path_and_content_type(receiver) -> None:
    assert post(receiver.http_port, "/v1/profiles", LOGS_JSON, "application/json")[0] == 404
    assert post(receiver.http_port, "/v1/logs", LOGS_JSON, "text/plain")[0] == 415
    assert written(receiver) == 0


def test_chunked_body_and_keep_alive(receiver) -> None:
    """Claude Code's exporter sends chunked bodies over one kept-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", receiver.http_port, timeout=10)
    for _ in range(3):
        conn.putrequest("POST", "/v1/logs")
        conn.putheader("Content-Type", "application/x-protobuf")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for start in range(0, len(LOGS_PB), 500):
            chunk = LOGS_PB[start : start + 500]
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == b""  # an empty ExportLogsServiceResponse
    conn.close()
    assert written(receiver) == 3


def test_good_request_after_bad_ones_is_written(receiver) -> None:
    assert post(receiver.http_port, "/v1/logs", b"{", "application/json")[0] == 400
    assert post(receiver.http_port, "/v1/logs", LOGS_JSON, "application/json")[0] == 200
    assert written(receiver) == 1
