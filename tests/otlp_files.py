"""Collector-style JSONL built from the real Claude Code 2.1.197 OTLP fixture bodies.

JSON bodies are used as they are; protobuf and gRPC bodies are decoded with
opentelemetry-proto into the same JSON form the Collector's file exporter writes (hex ids,
int64 as strings, enums as integers). Each request is counted once.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.conftest import OTLP_FIXTURES

MESSAGES = {
    "logs": ExportLogsServiceRequest,
    "metrics": ExportMetricsServiceRequest,
    "traces": ExportTraceServiceRequest,
}
ID_FIELDS = {"traceId", "spanId", "parentSpanId"}


def _hex_ids(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (base64.b64decode(v).hex() if k in ID_FIELDS and isinstance(v, str) else _hex_ids(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids(v) for v in node]
    return node


def decode_binary(path: Path, signal: str) -> dict[str, Any]:
    message = MESSAGES[signal]()
    message.ParseFromString(path.read_bytes())
    return _hex_ids(MessageToDict(message, use_integers_for_enums=True))


def fixture_requests(folder: Path = OTLP_FIXTURES) -> list[tuple[str, dict[str, Any]]]:
    """Every request of a fixture run (default 2.1.197's) once, as (signal, OTLP JSON body)."""
    requests = []
    for line in (folder / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        path = folder / entry["file"]
        signal = entry["signal"]
        if path.suffix == ".json":
            body = json.loads(path.read_text())
        else:
            body = decode_binary(path, signal)
        requests.append((signal, body))
    return requests


def jsonl_line(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def write_jsonl(path: Path, bodies: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        for body in bodies:
            fh.write(jsonl_line(body))
    return path


def _value(v: dict[str, Any]) -> Any:
    ((_kind, raw),) = v.items()
    return raw


def _number(raw: Any) -> float:
    """A payload value as a number; a malformed one (e.g. ``{}``) counts as 0."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return 0.0


def expected_totals(requests: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Sums computed in Python straight from the payloads, independent of the pipeline."""
    logs = 0
    api_requests = 0
    cost = 0.0
    tokens = Counter()
    token_metric = Counter()
    points = 0
    spans = 0
    events = Counter()
    for _signal, body in requests:
        for rl in body.get("resourceLogs", []):
            for sl in rl.get("scopeLogs", []):
                for rec in sl.get("logRecords", []):
                    logs += 1
                    attrs = {a["key"]: _value(a["value"]) for a in rec.get("attributes", [])}
                    events[attrs.get("event.name")] += 1
                    if attrs.get("event.name") == "api_request":
                        api_requests += 1
                        cost += _number(attrs["cost_usd"])
                        for key in (
                            "input_tokens",
                            "output_tokens",
                            "cache_read_tokens",
                            "cache_creation_tokens",
                        ):
                            tokens[key] += int(_number(attrs[key]))
        for rm in body.get("resourceMetrics", []):
            for sm in rm.get("scopeMetrics", []):
                for metric in sm.get("metrics", []):
                    for dp in metric.get("sum", {}).get("dataPoints", []):
                        points += 1
                        if metric["name"] == "claude_code.token.usage":
                            attrs = {a["key"]: _value(a["value"]) for a in dp["attributes"]}
                            token_metric[attrs["type"]] += float(
                                dp.get("asDouble", dp.get("asInt", 0))
                            )
        for rs in body.get("resourceSpans", []):
            for ss in rs.get("scopeSpans", []):
                spans += len(ss.get("spans", []))
    return {
        "logs": logs,
        "api_requests": api_requests,
        "cost_usd": cost,
        "tokens": dict(tokens),
        "token_metric": dict(token_metric),
        "sum_points": points,
        "spans": spans,
        "events": dict(events),
    }
