"""One cheap look at the collector: health endpoint, process or container state, output
freshness and the Collector's own counters. No database is touched."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from cc_pipeline.stack.base import StackError, http_health

ACCEPTED = "otelcol_receiver_accepted_"
REFUSED = "otelcol_receiver_refused_"
SEND_FAILED = "otelcol_exporter_send_failed_"


@dataclass
class CollectorCheck:
    """What one sensor evaluation learned; ``ok`` decides whether it counts as a failure."""

    mode: str
    state: str
    health_code: int | None
    health_text: str
    seconds_since_write: float | None
    accepted: float | None
    refused: float | None
    send_failed: float | None
    export_interval_s: float
    problems: list[str] = field(default_factory=list)

    @property
    def up(self) -> bool:
        return self.state == "running" and self.health_code == 200

    @property
    def ok(self) -> bool:
        return self.up and not self.problems

    @property
    def fresh(self) -> bool:
        """A write within three export intervals (Claude Code idle also makes this false)."""
        return (
            self.seconds_since_write is not None
            and self.seconds_since_write <= 3 * self.export_interval_s
        )

    def metadata(self) -> dict[str, float | int]:
        """Numeric values only, so the asset page plots each of them over time."""

        def num(value: float | None) -> float:
            return float(value) if value is not None else -1.0

        return {
            "up": int(self.up),
            "health_status_code": self.health_code or 0,
            "seconds_since_last_write": num(self.seconds_since_write),
            "fresh": int(self.fresh),
            "accepted_records": num(self.accepted),
            "refused_records": num(self.refused),
            "export_send_failed_records": num(self.send_failed),
        }

    def summary(self) -> str:
        since = (
            f"{self.seconds_since_write:.0f}s ago"
            if self.seconds_since_write is not None
            else "never"
        )
        text = (
            f"collector ({self.mode}) {self.state}, health {self.health_code or self.health_text}, "
            f"last write {since}, accepted {self.accepted}, refused {self.refused}"
        )
        return text + (f"; problems: {'; '.join(self.problems)}" if self.problems else "")


def parse_prometheus(text: str) -> dict[str, float]:
    """Sum each sample over its labels: ``{"otelcol_receiver_accepted_spans_total": 12.0}``.

    Counters' ``_created`` timestamps (written by Prometheus clients, not counts) are left out;
    text that is not the exposition format raises ValueError.
    """
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return {
        name: value
        for name, value in totals.items()
        if not (name.endswith("_created") and f"{name.removesuffix('_created')}_total" in totals)
    }


def sum_prefix(totals: dict[str, float], prefix: str) -> float:
    return sum(v for k, v in totals.items() if k.startswith(prefix))


def fetch_metrics(url: str, timeout: float = 2.0) -> dict[str, float] | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return parse_prometheus(response.read(4 << 20).decode(errors="replace"))
    except (urllib.error.URLError, OSError, ValueError):
        return None


def newest_write(folder: Path) -> float | None:
    """Modification time of the newest regular file in the output folder."""
    newest: float | None = None
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_file() and not entry.name.startswith("."):
                    mtime = entry.stat().st_mtime
                    newest = mtime if newest is None or mtime > newest else newest
    except FileNotFoundError:
        return None
    return newest


def check_collector(backend: Any, output_dir: Path, export_interval_s: float) -> CollectorCheck:
    """Probe ``backend`` (LocalStack or DockerStack) without touching any database."""
    problems: list[str] = []
    try:
        service = backend.collector_state()
        state = service.state
    except StackError as exc:
        state = "unknown"
        problems.append(str(exc))
    code, text = http_health(backend.health_url)
    if code != 200:
        problems.append(f"health endpoint {backend.health_url}: {code or text}")
    totals = fetch_metrics(backend.metrics_url) if code is not None else None
    accepted = refused = failed = None
    if totals is not None:
        accepted = sum_prefix(totals, ACCEPTED)
        refused = sum_prefix(totals, REFUSED)
        failed = sum_prefix(totals, SEND_FAILED)
    last = newest_write(output_dir)
    return CollectorCheck(
        mode=backend.mode,
        state=state,
        health_code=code,
        health_text=text,
        seconds_since_write=None if last is None else max(0.0, time.time() - last),
        accepted=accepted,
        refused=refused,
        send_failed=failed,
        export_interval_s=export_interval_s,
        problems=problems,
    )
