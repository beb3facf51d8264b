"""Counters of the local receiver, served in the Collector's own Prometheus metric names."""

from __future__ import annotations

import threading
import time
from collections import Counter


class ReceiverStats:
    """Accepted and refused records per signal and transport, plus write counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.accepted: Counter[tuple[str, str]] = Counter()
        self.refused: Counter[tuple[str, str]] = Counter()
        self.requests_refused: Counter[tuple[str, int]] = Counter()

    def accept(self, unit: str, transport: str, records: int) -> None:
        with self._lock:
            self.accepted[(unit, transport)] += records

    def refuse(self, unit: str, transport: str, records: int, status: int) -> None:
        with self._lock:
            self.refused[(unit, transport)] += records
            self.requests_refused[(transport, status)] += 1

    def totals(self) -> tuple[int, int]:
        with self._lock:
            return sum(self.accepted.values()), sum(self.refused.values())

    def prometheus(self, lines_written: int, bytes_written: int, last_write: float | None) -> str:
        """Text exposition format; names follow ``otelcol_receiver_accepted_<unit>_total``."""
        out: list[str] = []
        with self._lock:
            for name, counter in (
                ("otelcol_receiver_accepted", self.accepted),
                ("otelcol_receiver_refused", self.refused),
            ):
                for unit in ("log_records", "metric_points", "spans"):
                    metric = f"{name}_{unit}_total"
                    out.append(f"# TYPE {metric} counter")
                    for transport in ("grpc", "http"):
                        value = counter[(unit, transport)]
                        out.append(f'{metric}{{receiver="otlp",transport="{transport}"}} {value}')
            out.append("# TYPE cc_receiver_requests_refused_total counter")
            for (transport, status), value in sorted(self.requests_refused.items()):
                out.append(
                    f'cc_receiver_requests_refused_total{{transport="{transport}",'
                    f'status="{status}"}} {value}'
                )
        out += [
            "# TYPE cc_receiver_lines_written_total counter",
            f"cc_receiver_lines_written_total {lines_written}",
            "# TYPE cc_receiver_bytes_written_total counter",
            f"cc_receiver_bytes_written_total {bytes_written}",
            "# TYPE cc_receiver_last_write_timestamp_seconds gauge",
            f"cc_receiver_last_write_timestamp_seconds {last_write or 0:.3f}",
            "# TYPE otelcol_process_uptime_seconds_total counter",
            f"otelcol_process_uptime_seconds_total {time.time() - self.started:.3f}",
        ]
        return "\n".join(out) + "\n"
