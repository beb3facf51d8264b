"""OTLP/HTTP (protobuf and JSON, optionally gzip) and the health/metrics endpoint."""

from __future__ import annotations

import json
import threading
import zlib
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from google.protobuf.json_format import MessageToJson
from google.rpc import code_pb2, status_pb2

from cc_pipeline.collector.otlp import BY_PATH, BadRequest, Signal, parse_json, parse_protobuf
from cc_pipeline.collector.sink import JsonlSink, SinkClosed

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
STATUS_CODES = {
    400: code_pb2.INVALID_ARGUMENT,
    413: code_pb2.RESOURCE_EXHAUSTED,
    415: code_pb2.INVALID_ARGUMENT,
    503: code_pb2.UNAVAILABLE,
    404: code_pb2.NOT_FOUND,
    405: code_pb2.UNIMPLEMENTED,
}


class TooLarge(Exception):
    """The body (as sent or decompressed) is larger than the receiver accepts."""


class OtlpHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512  # listen backlog: many exporters connect at once (default 5)

    def __init__(self, address: tuple[str, int], sink: JsonlSink, max_body: int) -> None:
        self.sink = sink
        self.max_body = max_body
        super().__init__(address, OtlpHttpHandler)


class OtlpHttpHandler(BaseHTTPRequestHandler):
    """POST /v1/logs, /v1/metrics, /v1/traces as the Collector's otlp receiver answers them."""

    protocol_version = "HTTP/1.1"
    server: OtlpHttpServer
    timeout = 30

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
        try:
            body = self._read_body()
            body = self._decode(body)
            parse = parse_protobuf if ctype == PROTOBUF else parse_json
            message = parse(signal, body)
        except TooLarge as exc:
            self.close_connection = True
            self._fail(413, str(exc), ctype, signal)
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

    # -- body handling -------------------------------------------------------------------

    def _read_body(self) -> bytes:
        limit = self.server.max_body
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit)
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            raise TooLarge(f"body of {length} bytes exceeds the limit of {limit} bytes")
        return self.rfile.read(length)

    def _read_chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024)
            if not size_line:
                raise BadRequest("truncated chunked body")
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > limit:
                raise TooLarge(f"chunked body exceeds the limit of {limit} bytes")
            parts.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _decode(self, body: bytes) -> bytes:
        encoding = (self.headers.get("Content-Encoding") or "").strip().lower()
        if encoding in ("", "identity"):
            return body
        if encoding not in ("gzip", "deflate"):
            raise BadRequest(f"unsupported content encoding {encoding!r}")
        limit = self.server.max_body
        inflater = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
        out = inflater.decompress(body, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise TooLarge(f"decompressed body exceeds the limit of {limit} bytes")
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
        if signal is not None and count:
            self.server.sink.stats.refuse(signal.unit, "http", 0, code)
        status = status_pb2.Status(code=STATUS_CODES.get(code, code_pb2.UNKNOWN), message=message)
        if ctype == PROTOBUF:
            self._send(code, status.SerializeToString(), PROTOBUF)
        else:
            self._send(code, MessageToJson(status, indent=None).encode(), JSON)

    def _send(self, code: int, payload: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)


class HealthServer(ThreadingHTTPServer):
    """Answers like the health_check extension on ``/`` and serves ``/metrics``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], metrics: Any) -> None:
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
            self._send(200, self.server.metrics().encode(), "text/plain; version=0.0.4")
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
