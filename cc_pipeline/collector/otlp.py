"""OTLP request bodies in, Collector file-exporter JSON lines out.

The three signals share one shape: an ``Export*ServiceRequest`` holding ``resource*`` lists.
Bodies are parsed with opentelemetry-proto and protobuf's own JSON support, with one rule
protobuf does not know: OTLP/JSON writes trace and span ids as hex, while protobuf's JSON
mapping reads and writes ``bytes`` fields as base64 (and 32 hex digits are valid base64, so
mixing them up corrupts ids silently). Ids are therefore converted explicitly both ways.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId"})


class BadRequest(ValueError):
    """The body is not a valid OTLP request of its signal (answered with 400)."""


@dataclass(frozen=True)
class Signal:
    """One OTLP signal: its HTTP path, messages and how to count its records."""

    name: str
    path: str
    request: type[Message]
    response: type[Message]
    root_key: str
    count: Callable[[Any], int]
    unit: str


def _count_logs(req: Any) -> int:
    return sum(len(sl.log_records) for rl in req.resource_logs for sl in rl.scope_logs)


def _count_spans(req: Any) -> int:
    return sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)


def _count_points(req: Any) -> int:
    total = 0
    for rm in req.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                kind = metric.WhichOneof("data")
                if kind is not None:
                    total += len(getattr(metric, kind).data_points)
    return total


LOGS = Signal(
    "logs",
    "/v1/logs",
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
    "resourceLogs",
    _count_logs,
    "log_records",
)
METRICS = Signal(
    "metrics",
    "/v1/metrics",
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
    "resourceMetrics",
    _count_points,
    "metric_points",
)
TRACES = Signal(
    "traces",
    "/v1/traces",
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
    "resourceSpans",
    _count_spans,
    "spans",
)
SIGNALS = {s.name: s for s in (LOGS, METRICS, TRACES)}
BY_PATH = {s.path: s for s in SIGNALS.values()}


def _convert_ids(node: Any, convert: Callable[[str], str]) -> None:
    """Rewrite every trace/span id string in a decoded OTLP JSON tree in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_KEYS and isinstance(value, str):
                node[key] = convert(value)
            elif isinstance(value, dict | list):
                _convert_ids(value, convert)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, dict | list):
                _convert_ids(item, convert)


def _hex_to_b64(value: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(value)).decode("ascii")
    except ValueError as exc:
        raise BadRequest(f"invalid hex id {value[:40]!r}") from exc


def _b64_to_hex(value: str) -> str:
    return base64.b64decode(value).hex()


def parse_protobuf(signal: Signal, body: bytes | bytearray) -> Message:
    message = signal.request()
    try:
        message.ParseFromString(body)
    except DecodeError as exc:
        raise BadRequest(f"cannot decode {signal.name} protobuf: {exc}") from exc
    return message


def parse_json(signal: Signal, body: bytes | bytearray) -> Message:
    """Parse an OTLP/JSON body (hex ids; unknown fields ignored as the spec requires)."""
    try:
        tree = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"invalid JSON: {exc}") from exc
    if not isinstance(tree, dict):
        raise BadRequest("an OTLP/JSON body must be an object")
    _convert_ids(tree, _hex_to_b64)
    message = signal.request()
    try:
        ParseDict(tree, message, ignore_unknown_fields=True)
    except (ParseError, binascii.Error, TypeError, ValueError) as exc:
        raise BadRequest(f"invalid OTLP/JSON {signal.name} request: {exc}") from exc
    return message


def to_dict(message: Message) -> dict[str, Any]:
    """The Collector's JSON form: camelCase, int64 as strings, enums as ints, hex ids."""
    tree = MessageToDict(message, use_integers_for_enums=True)
    _convert_ids(tree, _b64_to_hex)
    return tree


def to_line(message: Message) -> bytes:
    """One JSONL line (with its newline) exactly as the file exporter writes a batch."""
    return orjson.dumps(to_dict(message)) + b"\n"
