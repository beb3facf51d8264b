"""The OpenTelemetry Python SDK's own OTLP exporters (gRPC and http/protobuf) as clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogs
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
    OTLPMetricExporter as GrpcMetrics,
)
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpLogs
from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
    OTLPMetricExporter as HttpMetrics,
)
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import Counter, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.collector.helpers import start_receiver

RESOURCE = Resource.create(
    {"service.name": "claude-code", "service.version": "2.1.197", "os.type": "linux"}
)
MODEL = "claude-sonnet-4-5-20250929"


def claude_code_session(
    logger_provider: LoggerProvider, meter_provider: MeterProvider, session: str, n: int
) -> dict[str, float]:
    """Emit ``n`` api_request events plus matching token/cost counters, as Claude Code does."""
    logger = logger_provider.get_logger("com.anthropic.claude_code.events", "2.1.197")
    meter = meter_provider.get_meter("com.anthropic.claude_code", "2.1.197")
    tokens = meter.create_counter("claude_code.token.usage", unit="tokens")
    cost = meter.create_counter("claude_code.cost.usage", unit="USD")
    totals = {"input": 0.0, "output": 0.0, "cacheRead": 0.0, "cacheCreation": 0.0, "cost": 0.0}
    for i in range(n):
        usage = {"input": 3 + i, "output": 40 + i, "cacheRead": 1000 + i, "cacheCreation": 20}
        price = 0.001 * (i + 1)
        common = {"session.id": session, "user.id": "u-1", "terminal.type": "xterm"}
        logger.emit(
            body="claude_code.api_request",
            attributes={
                **common,
                "event.name": "api_request",
                "event.timestamp": "2026-11-24T00:14:32.095Z",
                "event.sequence": i,
                "model": MODEL,
                "cost_usd": price,
                "duration_ms": 1200 + i,
                "input_tokens": usage["input"],
                "output_tokens": usage["output"],
                "cache_read_tokens": usage["cacheRead"],
                "cache_creation_tokens": usage["cacheCreation"],
                "request_id": f"req_{session}_{i}",
            },
        )
        logger.emit(
            body="claude_code.tool_result",
            attributes={**common, "event.name": "tool_result", "tool_name": "Bash",
                        "success": "true", "duration_ms": "83"},
        )  # fmt: skip
        for kind, value in usage.items():
            tokens.add(value, {**common, "type": kind, "model": MODEL})
            totals[kind] += value
        cost.add(price, {**common, "model": MODEL})
        totals["cost"] += price
    return totals


def providers(logs_exporter: Any, metrics_exporter: Any) -> tuple[LoggerProvider, MeterProvider]:
    logger_provider = LoggerProvider(resource=RESOURCE)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(logs_exporter))
    reader = PeriodicExportingMetricReader(metrics_exporter, export_interval_millis=60_000)
    return logger_provider, MeterProvider(resource=RESOURCE, metric_readers=[reader])


DELTA = {Counter: AggregationTemporality.DELTA}


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_sdk_exporters_events_and_counters_arrive_and_ingest(
    ch: Any, tmp_path: Path, protocol: str
) -> None:
    output = tmp_path / "otel"
    receiver = start_receiver(output)
    try:
        if protocol == "grpc":
            endpoint = f"127.0.0.1:{receiver.grpc_port}"
            logs_exp = GrpcLogs(endpoint=endpoint, insecure=True)
            metrics_exp = GrpcMetrics(endpoint=endpoint, insecure=True, preferred_temporality=DELTA)
        else:
            base = f"http://127.0.0.1:{receiver.http_port}"
            logs_exp = HttpLogs(endpoint=f"{base}/v1/logs", compression=Compression.Gzip)
            metrics_exp = HttpMetrics(endpoint=f"{base}/v1/metrics", preferred_temporality=DELTA)
        logger_provider, meter_provider = providers(logs_exp, metrics_exp)
        sent = {}
        for session in ("s-a", "s-b"):
            sent[session] = claude_code_session(logger_provider, meter_provider, session, 25)
            assert logger_provider.force_flush()
            assert meter_provider.force_flush()
        logger_provider.shutdown()
        meter_provider.shutdown()
    finally:
        receiver.stop()

    transport = "grpc" if protocol == "grpc" else "http"
    assert receiver.stats.accepted("log_records", transport) == 100
    assert receiver.stats.accepted("metric_points", transport) > 0
    assert receiver.stats.totals()[1] == 0  # nothing refused
    summary = ingest_telemetry(ch, output)
    assert summary.quarantined == 0
    assert summary.rows["otel_logs"] == 100
    api = ch.query(
        "SELECT count(), sum(cost_usd), sum(input_tokens), sum(output_tokens), "
        "sum(cache_read_tokens), sum(cache_creation_tokens) FROM cc_api_requests"
    ).result_rows[0]
    want = {k: sum(s[k] for s in sent.values()) for k in sent["s-a"]}
    assert api[0] == 50
    assert api[1] == pytest.approx(want["cost"])
    assert api[2:] == (want["input"], want["output"], want["cacheRead"], want["cacheCreation"])
    tokens = dict(
        ch.query(
            "SELECT type, sum(delta) FROM cc_metric_deltas "
            "WHERE metric_name = 'claude_code.token.usage' GROUP BY type"
        ).result_rows
    )
    assert tokens == pytest.approx({k: want[k] for k in ("input", "output", "cacheRead",
                                                         "cacheCreation")})  # fmt: skip
