"""Attacks on the receiver's memory and time over raw sockets: bad lengths are refused, the
bytes in flight and the connections are bounded, slow bodies time out, and the process stays
small throughout."""

from __future__ import annotations

import contextlib
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.collector.helpers import free_port, post, wait_until_healthy
from tests.conftest import OTLP_FIXTURES

LOGS_PB = (OTLP_FIXTURES / "hi_protobuf__0001_logs.pb").read_bytes()
RSS_LIMIT = 300 << 20
BODY_TIMEOUT = 3.0
MAX_CONNECTIONS = 64


class Receiver:
    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc = proc
        self.port = port

    def peak_rss(self) -> int:
        """VmHWM: the most resident memory the process ever had."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    output = tmp_path_factory.mktemp("otel")
    http_port, health_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_pipeline.collector", "--output", str(output),
         "--grpc-port", str(free_port()), "--http-port", str(http_port),
         "--health-port", str(health_port), "--body-timeout", str(BODY_TIMEOUT),
         "--header-timeout", "2", "--max-connections", str(MAX_CONNECTIONS)],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_healthy(proc, health_port)
        yield Receiver(proc, http_port)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def headers(extra: str) -> bytes:
    return (
        "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/x-protobuf\r\n{extra}\r\n"
    ).encode()


def status_of(sock: socket.socket, timeout: float = 10) -> int:
    """The status code of the response on ``sock`` (0 when the connection ended first)."""
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(ConnectionError):
        while b"\r\n" not in data:
            piece = sock.recv(4096)
            if not piece:
                break
            data += piece
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0


def stream_until_refused(sock: socket.socket, total: int, seconds: float) -> int:
    """Keep sending body bytes until the peer stops taking them; returns bytes sent."""
    sent, piece, deadline = 0, b"x" * (1 << 20), time.monotonic() + seconds
    sock.settimeout(1)
    with contextlib.suppress(OSError):
        while sent < total and time.monotonic() < deadline:
            sent += sock.send(piece)
    return sent


def assert_still_serving_and_small(receiver: Receiver) -> None:
    assert post(receiver.port, "/v1/logs", LOGS_PB, "application/x-protobuf")[0] == 200
    assert receiver.peak_rss() < RSS_LIMIT


def test_negative_content_length_is_400_and_no_body_is_read(receiver: Receiver) -> None:
    with connect(receiver.port) as sock:
        sock.sendall(headers("Content-Length: -1\r\n") + b"x" * 4096)
        assert status_of(sock) == 400
        assert stream_until_refused(sock, 400 << 20, 10) < 400 << 20
    assert_still_serving_and_small(receiver)


@pytest.mark.parametrize("value", ["+5", "1_0", "0x10", "5, 6", "99999999999999999999999"])
def test_content_length_that_is_not_plain_digits_is_400(receiver: Receiver, value: str) -> None:
    with connect(receiver.port) as sock:
        sock.sendall(headers(f"Content-Length: {value}\r\n"))
        assert status_of(sock) == 400


def test_negative_chunk_size_is_400(receiver: Receiver) -> None:
    with connect(receiver.port) as sock:
        sock.sendall(headers("Transfer-Encoding: chunked\r\n") + b"-1\r\n" + b"x" * 4096)
        assert status_of(sock) == 400
        assert stream_until_refused(sock, 400 << 20, 10) < 400 << 20
    assert_still_serving_and_small(receiver)


def test_a_body_without_a_length_is_411(receiver: Receiver) -> None:
    with connect(receiver.port) as sock:
        sock.sendall(headers(""))
        assert status_of(sock) == 411


def test_slow_large_bodies_are_bounded_in_bytes_and_time_out_with_408(
    receiver: Receiver,
) -> None:
    size = 19 << 20
    socks = [connect(receiver.port) for _ in range(60)]
    try:
        for sock in socks:
            sock.sendall(headers(f"Content-Length: {size}\r\n"))
        statuses: dict[int, int] = {}
        most_admitted = (64 << 20) // size
        # the refusals come at once, however busy the machine: wait for all but the few the
        # budget admits (10 s at most), then half a second more for any late one
        deadline = time.monotonic() + 10
        settle: float | None = None
        while time.monotonic() < (settle or deadline) and len(statuses) < 60:
            pending = [s for i, s in enumerate(socks) if i not in statuses]
            readable, _, _ = select.select(pending, [], [], 0.2)
            for sock in readable:
                statuses[socks.index(sock)] = status_of(sock)
            if settle is None and len(statuses) >= 60 - most_admitted:
                settle = time.monotonic() + 0.5
        admitted = [s for i, s in enumerate(socks) if i not in statuses]
        assert set(statuses.values()) == {503}  # over the bytes-in-flight budget at once
        assert 1 <= len(admitted) <= most_admitted
        for sock in admitted:
            sock.sendall(b"x" * (1 << 20))
        trickle_until = time.monotonic() + BODY_TIMEOUT + 5
        while time.monotonic() < trickle_until and len(statuses) < 60:
            for sock in admitted:
                if socks.index(sock) not in statuses:
                    with contextlib.suppress(OSError):
                        sock.send(b"x")  # a byte at a time: never idle, never done
            pending = [s for s in admitted if socks.index(s) not in statuses]
            readable, _, _ = select.select(pending, [], [], 0.5)
            for sock in readable:
                statuses[socks.index(sock)] = status_of(sock)
        assert sorted(statuses) == list(range(60))
        assert [statuses[socks.index(s)] for s in admitted] == [408] * len(admitted)
    finally:
        for sock in socks:
            sock.close()
    assert_still_serving_and_small(receiver)


def test_connections_beyond_the_cap_get_503(receiver: Receiver) -> None:
    socks = [connect(receiver.port) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.5)  # every idle connection has its serving thread
        with connect(receiver.port) as extra:
            assert status_of(extra) == 503
    finally:
        for sock in socks:
            sock.close()
    time.sleep(0.5)
    assert_still_serving_and_small(receiver)
