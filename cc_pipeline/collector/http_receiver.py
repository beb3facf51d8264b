"""OTLP/HTTP (protobuf and JSON, optionally gzip) and the health/metrics endpoint.

Memory and time are bounded (see ``limits.Limits``): a body needs a valid length (a
``Content-Length`` of digits, or chunked sizes in hex), its bytes are reserved in a budget
shared by every connection before they are read, it must arrive before a deadline, and the
number of connections is capped. A request is answered 200 only after its line is written.
"""

from __future__ import annotations

import io
import json
import re
import sys
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from google.protobuf.json_format import MessageToJson
from google.rpc import code_pb2, status_pb2
from prometheus_client import CONTENT_TYPE_LATEST

from cc_pipeline.collector.limits import (
    Busy,
    ByteBudget,
    DeadlineReader,
    HeaderTooLarge,
    Lease,
    Limits,
)
from cc_pipeline.collector.otlp import BY_PATH, BadRequest, Signal, parse_json, parse_protobuf
from cc_pipeline.collector.sink import JsonlSink, SinkClosed

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
STATUS_CODES = {
    400: code_pb2.INVALID_ARGUMENT,
    404: code_pb2.NOT_FOUND,
    405: code_pb2.UNIMPLEMENTED,
    408: code_pb2.DEADLINE_EXCEEDED,
    411: code_pb2.INVALID_ARGUMENT,
    413: code_pb2.RESOURCE_EXHAUSTED,
    415: code_pb2.INVALID_ARGUMENT,
    503: code_pb2.UNAVAILABLE,
}
DIGITS = re.compile(rb"[0-9]{1,19}")
HEX = re.compile(rb"[0-9a-fA-F]{1,15}")
READ_SLICE = 1 << 20
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)


class RequestError(Exception):
    """A request refused with ``status``; the connection closes since its body is unread."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class OtlpHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # listen backlog: many exporters connect at once (default 5)

    def __init__(self, address: tuple[str, int], sink: JsonlSink, limits: Limits) -> None:
        self.sink = sink
        self.limits = limits
        self.budget = ByteBudget(limits.max_inflight_bytes, sink.stats.inflight_bytes.set)
        self._connections = 0
        self._connections_lock = threading.Lock()
        super().__init__(address, OtlpHttpHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection on a thread, or answer 503 at once when at the cap."""
        with self._connections_lock:
            full = self._connections >= self.limits.max_connections
            if not full:
                self._connections += 1
                self.sink.stats.open_connections.set(self._connections)
        if full:
            self.sink.stats.refuse_request("http", 503)
            try:
                request.setblocking(False)
                request.send(BUSY_RESPONSE)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connection_done()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connection_done()

    def _connection_done(self) -> None:
        with self._connections_lock:
            self._connections -= 1
            self.sink.stats.open_connections.set(self._connections)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A peer that hangs up, stalls or floods headers is not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class OtlpHttpHandler(BaseHTTPRequestHandler):
    """POST /v1/logs, /v1/metrics, /v1/traces as the Collector's otlp receiver answers them."""

    protocol_version = "HTTP/1.1"
    server: OtlpHttpServer
    timeout = None  # deadlines instead: see setup() and handle_one_request()

    def setup(self) -> None:
        super().setup()
        self.reader = DeadlineReader(self.connection)
        self.buffered = io.BufferedReader(self.reader, 64 * 1024)
        self.rfile = self.buffered

    def handle_one_request(self) -> None:
        """Wait ``idle_timeout`` for a request, then give its headers ``header_timeout``."""
        limits = self.server.limits
        self.reader.phase(limits.idle_timeout)
        try:
            if not self.buffered.peek(1):
                self.close_connection = True
                return
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        self.reader.phase(limits.header_timeout, cap=limits.max_header_bytes)
        try:
            super().handle_one_request()
        except HeaderTooLarge:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per request would drown the log."""

    def do_POST(self) -> None:
        signal = BY_PATH.get(self.path.split("?", 1)[0])
        if signal is None:
            self._drain_and_fail(404, f"unknown path {self.path}", JSON)
            return
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype not in (PROTOBUF, JSON):
            self._drain_and_fail(415, f"unsupported content type {ctype!r}", JSON)
            return
        with self.server.budget.lease() as lease:
            try:
                message = self._receive(signal, ctype, lease)
            except RequestError as exc:
                self.close_connection = True
                self._fail(exc.status, str(exc), ctype, signal)
                return
            except (BadRequest, zlib.error, EOFError, ValueError) as exc:
                self._fail(400, str(exc), ctype, signal)
                return
            try:
                self.server.sink.consume(signal, message, "http")
            except SinkClosed as exc:
                self._fail(503, str(exc), ctype, signal, count=False)
                return
        response = signal.response()
        payload = response.SerializeToString() if ctype == PROTOBUF else b"{}"
        self._send(200, payload, ctype)

    def do_GET(self) -> None:
        self._drain_and_fail(405, "OTLP/HTTP accepts POST only", JSON)

    def _receive(self, signal: Signal, ctype: str, lease: Lease) -> Any:
        """Read, inflate and parse the body within the deadline and the byte budget."""
        self.reader.phase(self.server.limits.body_timeout)
        try:
            body = self._decode(self._read_body(lease), lease)
        except TimeoutError as exc:
            raise RequestError(408, f"body not received within the deadline: {exc}") from exc
        except Busy as exc:
            raise RequestError(503, str(exc)) from exc
        parse = parse_protobuf if ctype == PROTOBUF else parse_json
        return parse(signal, body)

    # -- body handling -------------------------------------------------------------------

    def _read_body(self, lease: Lease) -> bytearray:
        limit = self.server.limits.max_body_bytes
        encoding = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if encoding:
            codings = [c.strip().lower() for e in encoding for c in e.split(",")]
            if codings != ["chunked"]:
                raise RequestError(400, f"unsupported transfer encoding {', '.join(codings)!r}")
            if lengths:
                raise RequestError(400, "both Content-Length and Transfer-Encoding given")
            return self._read_chunked(limit, lease)
        if not lengths:
            raise RequestError(411, "a body needs Content-Length or chunked transfer encoding")
        if len(set(lengths)) > 1 or not DIGITS.fullmatch(lengths[0].strip().encode()):
            raise RequestError(400, f"invalid Content-Length {', '.join(lengths)[:40]!r}")
        length = int(lengths[0])
        if length > limit:
            raise RequestError(413, f"body of {length} bytes exceeds the limit of {limit} bytes")
        lease.take(length)
        body = bytearray(length)
        self._read_into(memoryview(body))
        return body

    def _read_into(self, view: memoryview) -> None:
        while view:
            count = self.rfile.readinto(view[:READ_SLICE])
            if not count:
                raise RequestError(400, "body ended before its announced length")
            view = view[count:]

    def _read_chunked(self, limit: int, lease: Lease) -> bytearray:
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024)
            if not size_line.endswith(b"\n"):
                raise RequestError(400, "truncated chunked body")
            size_text = size_line.split(b";", 1)[0].strip()
            if not HEX.fullmatch(size_text):
                raise RequestError(400, f"invalid chunk size {size_text[:20]!r}")
            size = int(size_text, 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return body
            if len(body) + size > limit:
                raise RequestError(413, f"chunked body exceeds the limit of {limit} bytes")
            lease.take(size)
            while size:
                data = self.rfile.read(min(size, READ_SLICE))
                if not data:
                    raise RequestError(400, "truncated chunked body")
                body += data
                size -= len(data)
            if self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise RequestError(400, "chunk not followed by CRLF")

    def _decode(self, body: bytearray, lease: Lease) -> bytes | bytearray:
        """Inflate gzip/deflate a slice at a time, each slice reserved in the budget."""
        encoding = (self.headers.get("Content-Encoding") or "").strip().lower()
        if encoding in ("", "identity"):
            return body
        if encoding not in ("gzip", "deflate"):
            raise BadRequest(f"unsupported content encoding {encoding!r}")
        limit = self.server.limits.max_body_bytes
        inflater = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
        out = bytearray()
        pending: bytes | bytearray = body
        while pending and not inflater.eof:
            piece = inflater.decompress(pending, READ_SLICE)
            pending = inflater.unconsumed_tail
            if len(out) + len(piece) > limit:
                raise RequestError(413, f"decompressed body exceeds the limit of {limit} bytes")
            lease.take(len(piece))
            out += piece
        if not inflater.eof:
            raise BadRequest("truncated compressed body")
        return out

    # -- responses -----------------------------------------------------------------------

    def _drain_and_fail(self, code: int, message: str, ctype: str) -> None:
        self.close_connection = True
        self._fail(code, message, ctype, None)

    def _fail(
        self, code: int, message: str, ctype: str, signal: Signal | None, count: bool = True
    ) -> None:
        if count:
            if signal is not None:
                self.server.sink.stats.refuse(signal.unit, "http", 0, code)
            else:
                self.server.sink.stats.refuse_request("http", code)
        status = status_pb2.Status(code=STATUS_CODES.get(code, code_pb2.UNKNOWN), message=message)
        if ctype == PROTOBUF:
            self._send(code, status.SerializeToString(), PROTOBUF)
        else:
            self._send(code, MessageToJson(status, indent=None).encode(), JSON)

    def _send(self, code: int, payload: bytes, ctype: str) -> None:
        self.connection.settimeout(self.server.limits.header_timeout)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        if code == 503:
            self.send_header("Retry-After", "1")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)


class HealthServer(ThreadingHTTPServer):
    """Answers like the health_check extension on ``/`` and serves ``/metrics``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], metrics: Callable[[], bytes]) -> None:
        self.ready = threading.Event()
        self.up_since = datetime.now(UTC)
        self.metrics = metrics
        super().__init__(address, HealthHandler)


class HealthHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HealthServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sensors poll this endpoint."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, self.server.metrics(), CONTENT_TYPE_LATEST)
            return
        if path not in ("/", "/health", "/health/status"):
            self._send(404, b'{"status":"not found"}', JSON)
            return
        if self.server.ready.is_set():
            uptime = datetime.now(UTC) - self.server.up_since
            body = {
                "status": "Server available",
                "upSince": self.server.up_since.isoformat().replace("+00:00", "Z"),
                "uptime": f"{uptime.total_seconds():.3f}s",
            }
            self._send(200, json.dumps(body).encode(), JSON)
        else:
            self._send(503, b'{"status":"Server not available"}', JSON)

    def _send(self, code: int, payload: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
