"""Content stays out of every column a telemetry string can reach, not only event attributes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import write_jsonl

MARKER = "Secret prompt text: rm -rf ~/private-4f2a9c"
NANOS = 1_767_225_600_000_000_000  # 2026-01-01
TRACE = "5b8efff798038103d269b633813fc60c"
SPAN = "eee19b7ec3c1b174"


def string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


RESOURCE = {
    "attributes": [
        string("service.name", "claude-code"),
        string("service.version", "2.1.300"),
        string("custom.note", MARKER),
    ]
}
SCOPE = {
    "name": "com.anthropic.claude_code.events",
    "version": "2.1.300",
    "attributes": [string("scope.note", MARKER)],
}


def log_body() -> dict[str, Any]:
    def record(body: str, event: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "timeUnixNano": str(NANOS),
            "observedTimeUnixNano": str(NANOS),
            "body": {"stringValue": body},
            "attributes": [string("event.name", event), string("session.id", "s-1"), *extra],
        }

    records = [
        record("claude_code.api_request", "api_request", [string("model", "claude-opus-4")]),
        record("claude_code.user_prompt", "user_prompt", [string("prompt", MARKER)]),
        record(f"claude_code.{MARKER}", "tool_result", []),
        record(MARKER, "tool_result", []),
        {**record("claude_code.tool_result", "tool_result", []), "eventName": MARKER},
    ]
    return {
        "resourceLogs": [
            {"resource": RESOURCE, "scopeLogs": [{"scope": SCOPE, "logRecords": records}]}
        ]
    }


def span_body() -> dict[str, Any]:
    def span(name: str, span_id: str, **fields: Any) -> dict[str, Any]:
        return {
            "traceId": TRACE,
            "spanId": span_id,
            "name": name,
            "kind": 1,
            "startTimeUnixNano": str(NANOS),
            "endTimeUnixNano": str(NANOS + 1_000_000),
            "attributes": [string("span.type", "tool"), string("tool_input", MARKER)],
            **fields,
        }

    spans = [
        span(
            "claude_code.tool",
            SPAN,
            events=[
                {"timeUnixNano": str(NANOS), "name": "gen_ai.request.attempt", "attributes": []},
                {
                    "timeUnixNano": str(NANOS),
                    "name": MARKER,
                    "attributes": [string("output", MARKER)],
                },
            ],
            links=[
                {
                    "traceId": TRACE,
                    "spanId": SPAN,
                    "attributes": [string("session.id", "s-1"), string("link.note", MARKER)],
                }
            ],
            status={"code": 2, "message": MARKER},
        ),
        span(MARKER, "aaa19b7ec3c1b174"),
    ]
    return {
        "resourceSpans": [{"resource": RESOURCE, "scopeSpans": [{"scope": SCOPE, "spans": spans}]}]
    }


def metric_body() -> dict[str, Any]:
    def point(value: float) -> dict[str, Any]:
        return {
            "attributes": [
                string("session.id", "s-1"),
                string("type", "input"),
                string("model", "claude-opus-4"),
                string("file.path", MARKER),
            ],
            "startTimeUnixNano": str(NANOS),
            "timeUnixNano": str(NANOS),
            "asDouble": value,
        }

    histogram_point = {
        **{k: v for k, v in point(0).items() if k != "asDouble"},
        "count": "2",
        "sum": 3.0,
        "bucketCounts": ["1", "1"],
        "explicitBounds": [1.0],
    }
    metrics = [
        {
            "name": "claude_code.token.usage",
            "unit": "tokens",
            "sum": {"aggregationTemporality": 1, "isMonotonic": True, "dataPoints": [point(5)]},
        },
        {"name": "claude_code.gauge.example", "gauge": {"dataPoints": [point(1)]}},
        {
            "name": "claude_code.histogram.example",
            "histogram": {"aggregationTemporality": 1, "dataPoints": [histogram_point]},
        },
    ]
    return {
        "resourceMetrics": [
            {"resource": RESOURCE, "scopeMetrics": [{"scope": SCOPE, "metrics": metrics}]}
        ]
    }


def tables_holding(ch: Any, text: str) -> dict[str, int]:
    """Rows of every table of the database whose columns, as text, contain ``text``."""
    tables = [
        name
        for (name,) in ch.query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() "
            "AND engine NOT IN ('View', 'MaterializedView')"
        ).result_rows
    ]
    assert "otel_logs" in tables and "ingest_quarantine" in tables
    found = {}
    for table in tables:
        rows = scalar(
            ch,
            "SELECT count() FROM {table:Identifier} "
            "WHERE positionCaseInsensitive(toString(tuple(*)), {text:String}) > 0",
            table=table,
            text=text,
        )
        if rows:
            found[table] = rows
    return found


@pytest.fixture
def ingested(ch: Any, tmp_path: Path) -> Any:
    def ingest(keep_content: bool) -> Any:
        write_jsonl(tmp_path / "otel" / "x.jsonl", [log_body(), span_body(), metric_body()])
        summary = ingest_telemetry(ch, tmp_path / "otel", keep_content=keep_content)
        assert summary.quarantined == 0
        return ch

    return ingest


def test_content_in_names_bodies_statuses_and_every_attribute_map_is_not_stored(
    ingested, batch_lines
):
    ch = ingested(keep_content=False)
    assert tables_holding(ch, MARKER) == {}


def test_non_content_attributes_and_names_are_kept(ingested):
    ch = ingested(keep_content=False)
    assert ch.query(
        "SELECT ServiceName, ResourceAttributes['service.version'], LogAttributes['model'] "
        "FROM otel_logs WHERE Body = 'claude_code.api_request'"
    ).result_rows == [("claude-code", "2.1.300", "claude-opus-4")]
    bodies = [b for (b,) in ch.query("SELECT Body FROM otel_logs ORDER BY Body").result_rows]
    assert bodies == [
        "",
        "",
        "claude_code.api_request",
        "claude_code.tool_result",
        "claude_code.user_prompt",
    ]
    assert ch.query(
        "SELECT SpanName, ServiceName, `Events.Name`, `Links.Attributes`, StatusCode, "
        "SpanAttributes FROM otel_traces WHERE SpanId = {s:String}",
        parameters={"s": SPAN},
    ).result_rows == [
        (
            "claude_code.tool",
            "claude-code",
            ["gen_ai.request.attempt", ""],
            [{"session.id": "s-1"}],
            "Error",
            {"span.type": "tool"},
        )
    ]
    for table in ("otel_metrics_sum", "otel_metrics_gauge", "otel_metrics_histogram"):
        assert ch.query(
            "SELECT MetricName != '', ServiceName, Attributes FROM {t:Identifier}",
            parameters={"t": table},
        ).result_rows == [
            (True, "claude-code", {"session.id": "s-1", "type": "input", "model": "claude-opus-4"})
        ]


def test_opt_in_stores_the_content_in_every_place(ingested):
    ch = ingested(keep_content=True)
    stored = {t: n for t, n in tables_holding(ch, MARKER).items() if t.startswith("otel_")}
    assert stored == {
        "otel_logs": 5,  # every record carries the resource and scope attributes
        "otel_traces": 2,
        "otel_metrics_sum": 1,
        "otel_metrics_gauge": 1,
        "otel_metrics_histogram": 1,
    }
    assert scalar(ch, "SELECT countIf(SpanName = {m:String}) FROM otel_traces", m=MARKER) == 1
    assert scalar(ch, "SELECT countIf(StatusMessage = {m:String}) FROM otel_traces", m=MARKER) == 1
    assert scalar(ch, "SELECT countIf(Body = {m:String}) FROM otel_logs", m=MARKER) == 1
    assert scalar(ch, "SELECT countIf(EventName = {m:String}) FROM otel_logs", m=MARKER) == 1
    assert (
        scalar(
            ch,
            "SELECT countIf(has(`Events.Name`, {m:String})"
            " AND `Links.Attributes`[1]['link.note'] = {m:String}"
            " AND ResourceAttributes['custom.note'] = {m:String}) FROM otel_traces",
            m=MARKER,
        )
        == 1
    )
    assert (
        scalar(
            ch,
            "SELECT countIf(ScopeAttributes['scope.note'] = {m:String}"
            " AND Attributes['file.path'] = {m:String}) FROM otel_metrics_sum",
            m=MARKER,
        )
        == 1
    )
