"""How a batch of Collector JSONL lines becomes rows of the otel_* tables.

Python only frames the lines; ClickHouse validates, classifies and parses them in SQL
(``sql/telemetry``). Rows land first in in-memory scratch tables, where they are counted and
checked, and are then appended to the real tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cc_pipeline import sqlfiles
from cc_pipeline.files.loader import BatchResult
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.telemetry.privacy import ALLOWED_ATTRIBUTES, ALLOWED_EVENT_ATTRIBUTES

STAGING = "_staging_telemetry_lines"
LOG_COLUMNS = (
    "Timestamp, TimestampTime, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, "
    "ServiceName, Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName, "
    "ScopeVersion, ScopeAttributes, LogAttributes, EventName, _file_key, _offset"
)
POINT_COLUMNS = (
    "ResourceAttributes, ResourceSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, "
    "ScopeSchemaUrl, ServiceName, MetricName, MetricDescription, MetricUnit, Attributes, "
    "StartTimeUnix, TimeUnix, Value, Flags, _file_key, _offset"
)
TRACE_COLUMNS = (
    "Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, "
    "ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, "
    "StatusMessage, `Events.Timestamp`, `Events.Name`, `Events.Attributes`, `Links.TraceId`, "
    "`Links.SpanId`, `Links.TraceState`, `Links.Attributes`, _file_key, _offset"
)


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def row_binary(offsets: list[int], lines: list[bytes]) -> Iterator[bytes]:
    """(offset UInt64, line String) rows in ClickHouse RowBinary, streamed line by line."""
    for offset, line in zip(offsets, lines, strict=True):
        yield offset.to_bytes(8, "little") + _varint(len(line))
        yield line


@dataclass
class TelemetrySink:
    """Loads OTLP JSON lines into otel_logs, otel_metrics_*, otel_traces."""

    keep_content: bool = False
    source: str = "telemetry"
    tables: tuple[str, ...] = (
        "otel_logs",
        "otel_metrics_sum",
        "otel_metrics_gauge",
        "otel_metrics_histogram",
        "otel_traces",
    )

    def prepare(self, client: Any) -> None:
        sqlfiles.run_script(client, "telemetry/batch_tables.sql")

    def _params(self, batch: LineBatch) -> dict[str, Any]:
        return {
            "file_key": batch.cursor.key,
            "file_path": batch.cursor.path,
            "keep_content": int(self.keep_content),
            "allowed": list(ALLOWED_ATTRIBUTES),
            "allowed_pairs": list(ALLOWED_EVENT_ATTRIBUTES),
        }

    def load(self, client: Any, batch: LineBatch) -> BatchResult:
        result = BatchResult()
        if not batch.lines:
            return result
        for table in (
            STAGING,
            "_batch_otel_logs",
            "_batch_metric_points",
            "_batch_otel_metrics_histogram",
            "_batch_otel_traces",
        ):
            client.command(f"TRUNCATE TABLE {table}")
        client.raw_insert(
            STAGING,
            column_names=["offset", "line"],
            insert_block=row_binary(batch.offsets, batch.lines),
            fmt="RowBinary",
        )
        params = self._params(batch)
        signals = dict(
            client.query(f"SELECT signal, count() FROM {STAGING} GROUP BY signal").result_rows
        )
        if signals.get(""):
            client.command(sqlfiles.load("telemetry/rejected_lines.sql"), parameters=params)
            result.quarantined += signals[""]
        if signals.get("logs"):
            self._load_logs(client, params, result)
        if signals.get("metrics"):
            self._load_metrics(client, params, result)
        if signals.get("traces"):
            self._load_traces(client, params, result)
        return result

    def _insert_and_count(
        self, client: Any, scratch: str, params: dict[str, Any], condition: str, what: str
    ) -> int:
        lines = client.query(
            f"SELECT uniqExact(_offset) FROM {scratch} WHERE {condition}"
        ).result_rows[0][0]
        if lines:
            client.command(
                f"""
                INSERT INTO ingest_quarantine
                    (source, file_path, _file_key, _offset, length, reason)
                SELECT 'telemetry', {{file_path:String}}, {{file_key:String}}, _offset,
                       any(_line_length), {what}
                FROM {scratch} WHERE {condition} GROUP BY _offset
                """,
                parameters=params,
            )
        return int(lines)

    def _load_logs(self, client: Any, params: dict[str, Any], result: BatchResult) -> None:
        client.command(sqlfiles.load("telemetry/logs.sql"), parameters=params)
        count, newest = client.query(
            "SELECT count(), max(Timestamp) FROM _batch_otel_logs"
        ).result_rows[0]
        client.command(
            f"INSERT INTO otel_logs ({LOG_COLUMNS}) SELECT {LOG_COLUMNS} FROM _batch_otel_logs"
        )
        result.rows["otel_logs"] += count
        _note_newest(result, newest)
        result.quarantined += self._insert_and_count(
            client,
            "_batch_otel_logs",
            params,
            "notEmpty(_malformed)",
            "concat('malformed attribute value (record kept, value emptied): ', "
            "arrayStringConcat(arrayDistinct(flatten(groupArray(_malformed))), ', '))",
        )

    def _load_metrics(self, client: Any, params: dict[str, Any], result: BatchResult) -> None:
        client.command(sqlfiles.load("telemetry/metrics.sql"), parameters=params)
        for kind, table, extra in (
            ("sum", "otel_metrics_sum", ", AggregationTemporality, IsMonotonic"),
            ("gauge", "otel_metrics_gauge", ""),
        ):
            cols = POINT_COLUMNS + extra
            client.command(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch_metric_points "
                f"WHERE kind = '{kind}' AND Value IS NOT NULL"
            )
        for kind, count, newest in client.query(
            "SELECT kind, count(), max(TimeUnix) FROM _batch_metric_points "
            "WHERE Value IS NOT NULL GROUP BY kind"
        ).result_rows:
            result.rows[f"otel_metrics_{kind}"] += count
            _note_newest(result, newest)
        result.quarantined += self._insert_and_count(
            client,
            "_batch_metric_points",
            params,
            "Value IS NULL",
            "concat('data point value is not a number (point skipped): ', "
            "arrayStringConcat(groupUniqArray(MetricName), ', '))",
        )
        client.command(sqlfiles.load("telemetry/histograms.sql"), parameters=params)
        count = client.query("SELECT count() FROM _batch_otel_metrics_histogram").result_rows[0][0]
        if count:
            client.command(
                "INSERT INTO otel_metrics_histogram SELECT * FROM _batch_otel_metrics_histogram"
            )
            result.rows["otel_metrics_histogram"] += count

    def _load_traces(self, client: Any, params: dict[str, Any], result: BatchResult) -> None:
        client.command(sqlfiles.load("telemetry/traces.sql"), parameters=params)
        count, newest = client.query(
            "SELECT count(), max(Timestamp) FROM _batch_otel_traces"
        ).result_rows[0]
        client.command(
            f"INSERT INTO otel_traces ({TRACE_COLUMNS}) "
            f"SELECT {TRACE_COLUMNS} FROM _batch_otel_traces"
        )
        result.rows["otel_traces"] += count
        _note_newest(result, newest)
        result.quarantined += self._insert_and_count(
            client,
            "_batch_otel_traces",
            params,
            "notEmpty(_malformed)",
            "concat('malformed span attribute value (span kept, value emptied): ', "
            "arrayStringConcat(arrayDistinct(flatten(groupArray(_malformed))), ', '))",
        )


def _note_newest(result: BatchResult, newest: Any) -> None:
    if newest is None or getattr(newest, "year", 1970) <= 1970:
        return
    if result.newest_event is None or newest > result.newest_event:
        result.newest_event = newest
