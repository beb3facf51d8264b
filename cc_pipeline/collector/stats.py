"""Counters of the local receiver, served in the Collector's own Prometheus metric names."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from cc_pipeline.collector.writer import RotatingJsonlWriter

UNITS = ("log_records", "metric_points", "spans")
TRANSPORTS = ("grpc", "http")


class ReceiverStats:
    """Accepted and refused records per signal and transport, requests refused per status,
    bytes and connections in flight; one registry per receiver."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.started = time.time()
        self._accepted = self._per_unit("otelcol_receiver_accepted", "pushed into the pipeline")
        self._refused = self._per_unit("otelcol_receiver_refused", "refused by the receiver")
        self._requests_refused = Counter(
            "cc_receiver_requests_refused",
            "Requests answered with an error, by transport and status.",
            ["transport", "status"],
            registry=self.registry,
        )
        self.inflight_bytes = Gauge(
            "cc_receiver_inflight_bytes",
            "Request body bytes held by requests being received or processed.",
            registry=self.registry,
        )
        self.open_connections = Gauge(
            "cc_receiver_open_connections",
            "OTLP/HTTP connections being served.",
            registry=self.registry,
        )

    def _per_unit(self, prefix: str, what: str) -> dict[str, Counter]:
        counters = {}
        for unit in UNITS:
            counter = Counter(
                f"{prefix}_{unit}",
                f"Number of {unit.replace('_', ' ')} {what}.",
                ["receiver", "transport"],
                registry=self.registry,
            )
            for transport in TRANSPORTS:
                counter.labels(receiver="otlp", transport=transport)  # shown as 0 from the start
            counters[unit] = counter
        return counters

    def accept(self, unit: str, transport: str, records: int) -> None:
        self._accepted[unit].labels(receiver="otlp", transport=transport).inc(records)

    def refuse(self, unit: str, transport: str, records: int, status: int) -> None:
        self._refused[unit].labels(receiver="otlp", transport=transport).inc(records)
        self.refuse_request(transport, status)

    def refuse_request(self, transport: str, status: int) -> None:
        """A request refused before its signal was known (bad length, busy, timeout)."""
        self._requests_refused.labels(transport=transport, status=str(status)).inc()

    def _sample(self, name: str, labels: dict[str, str]) -> int:
        return int(self.registry.get_sample_value(name, labels) or 0)

    def accepted(self, unit: str, transport: str) -> int:
        """Records of ``unit`` accepted over ``transport`` so far."""
        labels = {"receiver": "otlp", "transport": transport}
        return self._sample(f"otelcol_receiver_accepted_{unit}_total", labels)

    def refused(self, unit: str, transport: str) -> int:
        labels = {"receiver": "otlp", "transport": transport}
        return self._sample(f"otelcol_receiver_refused_{unit}_total", labels)

    def requests_refused(self, transport: str, status: int) -> int:
        labels = {"transport": transport, "status": str(status)}
        return self._sample("cc_receiver_requests_refused_total", labels)

    def totals(self) -> tuple[int, int]:
        """All records accepted and refused, over signals and transports."""
        accepted = sum(self.accepted(u, t) for u in UNITS for t in TRANSPORTS)
        refused = sum(self.refused(u, t) for u in UNITS for t in TRANSPORTS)
        return accepted, refused

    def watch_writer(self, writer: Callable[[], RotatingJsonlWriter | None]) -> None:
        """Serve the writer's counters and the uptime, read at each scrape."""
        self.registry.register(_WriterCollector(writer, self.started))

    def exposition(self) -> bytes:
        """The text exposition format of every metric above."""
        return generate_latest(self.registry)


class _WriterCollector(Collector):
    def __init__(self, writer: Callable[[], RotatingJsonlWriter | None], started: float) -> None:
        self._writer = writer
        self._started = started

    def collect(self) -> Iterator[Metric]:
        writer = self._writer()
        lines = writer.lines_written if writer else 0
        size = writer.bytes_written if writer else 0
        errors = writer.write_errors if writer else 0
        last = (writer.last_write if writer else None) or 0.0
        yield CounterMetricFamily("cc_receiver_lines_written", "JSONL lines written.", lines)
        yield CounterMetricFamily("cc_receiver_bytes_written", "JSONL bytes written.", size)
        yield CounterMetricFamily(
            "cc_receiver_write_errors", "Writes that failed and were cut back.", errors
        )
        yield GaugeMetricFamily(
            "cc_receiver_last_write_timestamp_seconds", "Unix time of the last line.", last
        )
        yield CounterMetricFamily(
            "otelcol_process_uptime_seconds",
            "Seconds since the receiver started.",
            time.time() - self._started,
        )
