"""Starting receivers on free loopback ports, posting bodies and reading totals back."""

from __future__ import annotations

import gzip
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import grpc

from cc_pipeline.collector.limits import Limits
from cc_pipeline.collector.receiver import Receiver, ReceiverConfig
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.stack.base import http_health

GRPC_METHODS = {
    "logs": "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
    "metrics": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "traces": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_receiver(output: Path, **overrides: Any) -> Receiver:
    """A receiver on free ports; ``overrides`` are ReceiverConfig fields or Limits fields."""
    limit_names = set(Limits.__dataclass_fields__)
    limits = Limits(**{k: v for k, v in overrides.items() if k in limit_names})
    config = ReceiverConfig(
        output_dir=output, grpc_port=0, http_port=0, health_port=0, limits=limits
    )
    for key, value in overrides.items():
        if key not in limit_names:
            setattr(config, key, value)
    return Receiver(config).start()


def wait_until_healthy(proc: subprocess.Popen[Any], health_port: int) -> None:
    """Wait (20 s at most) until a receiver process answers on its health port."""
    deadline = time.monotonic() + 20
    while http_health(f"http://127.0.0.1:{health_port}/", 0.5)[0] != 200:
        assert proc.poll() is None and time.monotonic() < deadline, "receiver did not start"
        time.sleep(0.05)


def post(
    port: int,
    path: str,
    body: bytes,
    content_type: str,
    *,
    gzip_body: bool = False,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """POST a body; returns (status, response body) for successes and HTTP errors alike."""
    all_headers = {"Content-Type": content_type, **(headers or {})}
    if gzip_body:
        body = gzip.compress(body)
        all_headers["Content-Encoding"] = "gzip"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers=all_headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def grpc_export(port: int, signal: str, message_bytes: bytes, gzip_body: bool = False) -> bytes:
    """Send already-serialised request bytes to the Export method, as a client library would."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary(GRPC_METHODS[signal])
        compression = grpc.Compression.Gzip if gzip_body else grpc.Compression.NoCompression
        return call(message_bytes, timeout=10, compression=compression)


def jsonl_lines(folder: Path) -> list[bytes]:
    lines: list[bytes] = []
    for path in sorted(folder.glob("*.jsonl")):
        lines += path.read_bytes().splitlines()
    return lines


def query_totals(chdb_dir: Path) -> dict[str, Any]:
    """Totals from the views ingestion fills, read from a real embedded database."""
    resource = ClickHouseResource(mode="embedded", path=str(chdb_dir))
    with resource.connect() as client:
        api = client.query(
            "SELECT count(), round(sum(cost_usd), 9), sum(input_tokens), sum(output_tokens), "
            "sum(cache_read_tokens), sum(cache_creation_tokens) FROM cc_api_requests"
        ).result_rows[0]
        tokens = dict(
            client.query(
                "SELECT type, sum(delta) FROM cc_metric_deltas "
                "WHERE metric_name = 'claude_code.token.usage' GROUP BY type"
            ).result_rows
        )
        logs = client.query("SELECT count() FROM otel_logs").result_rows[0][0]
        spans = client.query("SELECT count() FROM otel_traces").result_rows[0][0]
        points = client.query("SELECT count() FROM otel_metrics_sum").result_rows[0][0]
    return {"api": api, "tokens": tokens, "logs": logs, "spans": spans, "points": points}
