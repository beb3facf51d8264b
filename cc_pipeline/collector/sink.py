"""Where every accepted OTLP request ends: one Collector-style JSONL line per request."""

from __future__ import annotations

import threading
import time

from google.protobuf.message import Message

from cc_pipeline.collector.otlp import Signal, to_line
from cc_pipeline.collector.stats import ReceiverStats
from cc_pipeline.collector.writer import RotatingJsonlWriter


class SinkClosed(RuntimeError):
    """The receiver is shutting down; the client should retry (503 / UNAVAILABLE)."""


class JsonlSink:
    """Turns requests into lines, counts them and tracks requests in flight for shutdown."""

    def __init__(self, writer: RotatingJsonlWriter, stats: ReceiverStats) -> None:
        self.writer = writer
        self.stats = stats
        self._cond = threading.Condition()
        self._in_flight = 0
        self._closed = False

    def consume(self, signal: Signal, message: Message, transport: str) -> int:
        """Write one request as one line; returns its record count."""
        with self._cond:
            if self._closed:
                raise SinkClosed("receiver is shutting down")
            self._in_flight += 1
        try:
            records = signal.count(message)
            if records:
                try:
                    self.writer.write_line(to_line(message))
                except (OSError, ValueError) as exc:
                    self.stats.refuse(signal.unit, transport, records, 503)
                    raise SinkClosed(f"cannot write {self.writer.path}: {exc}") from exc
            self.stats.accept(signal.unit, transport, records)
            return records
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def close(self, timeout: float = 10.0) -> None:
        """Refuse new requests, let those in flight finish, then flush and close the file."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._closed = True
            while self._in_flight and time.monotonic() < deadline:
                self._cond.wait(max(0.0, deadline - time.monotonic()))
        self.writer.close()
