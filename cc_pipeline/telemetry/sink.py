"""How a batch of Collector JSONL lines becomes rows of the otel_* tables.

Python only frames the lines; ClickHouse validates, classifies and parses them in SQL
(``sql/telemetry``). Log records and spans go straight into their tables; metric points pass
through a scratch table where points without a numeric value are set aside.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cc_pipeline import sqlfiles
from cc_pipeline.files.loader import BatchResult
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.telemetry.privacy import ALLOWED_ATTRIBUTES, ALLOWED_EVENT_ATTRIBUTES

STAGING = "_staging_telemetry_lines"
SCRATCH = ("_batch_metric_points", "_batch_otel_metrics_histogram")
POINT_COLUMNS = (
    "ResourceAttributes, ResourceSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, "
    "ScopeSchemaUrl, ServiceName, MetricName, MetricDescription, MetricUnit, Attributes, "
    "StartTimeUnix, TimeUnix, Value, Flags, _file_key, _offset"
)
# Lines are staged in small blocks and parsed rows are written in parts of bounded size, so
# memory stays flat whatever the batch or file size.
STAGING_BLOCKS = {"max_insert_block_size": 2048}
PARSE_SETTINGS = {"min_insert_block_size_rows": 65536, "min_insert_block_size_bytes": 32 << 20}
BATCH_ROWS = (
    "SELECT count(), max({time}) FROM {table} WHERE _file_key = {{file_key:String}} "
    "AND _offset >= {{start:UInt64}} AND _offset < {{end:UInt64}}"
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

    allowed_hashes: list[int] = field(default_factory=list)
    allowed_pair_hashes: list[int] = field(default_factory=list)

    def prepare(self, client: Any) -> None:
        sqlfiles.run_script(client, "telemetry/batch_tables.sql")
        # The allow-list is matched by hash: comparing integers per attribute is much cheaper.
        self.allowed_hashes, self.allowed_pair_hashes = client.query(
            "SELECT arrayMap(k -> cityHash64(k), {keys:Array(String)}), "
            "arrayMap(p -> cityHash64(p.1, p.2), {pairs:Array(Tuple(String, String))})",
            parameters={
                "keys": list(ALLOWED_ATTRIBUTES),
                "pairs": list(ALLOWED_EVENT_ATTRIBUTES),
            },
        ).result_rows[0]

    def load(self, client: Any, batch: LineBatch) -> BatchResult:
        result = BatchResult()
        if not batch.lines:
            return result
        client.command(f"TRUNCATE TABLE {STAGING}")
        client.raw_insert(
            STAGING,
            column_names=["offset", "line"],
            insert_block=row_binary(batch.offsets, batch.lines),
            fmt="RowBinary",
            settings=STAGING_BLOCKS,
        )
        params: dict[str, Any] = {
            "file_key": batch.cursor.key,
            "file_path": batch.cursor.path,
            "start": batch.start,
            "end": batch.end,
            "keep_content": int(self.keep_content),
            "allowed": self.allowed_hashes,
            "allowed_pairs": self.allowed_pair_hashes,
        }
        lines_by_signal = {}
        histogram_lines = 0
        for signal, lines, histograms, suspects in client.query(
            sqlfiles.load("telemetry/classify.sql")
        ).result_rows:
            lines_by_signal[signal] = (lines, suspects)
            histogram_lines += histograms if signal == "metrics" else 0
        rejected = sum(
            lines for signal, (lines, _) in lines_by_signal.items() if signal in ("", "invalid")
        )
        if rejected:
            client.command(sqlfiles.load("telemetry/rejected_lines.sql"), parameters=params)
            result.quarantined += rejected
        # Validation ran once, in classify: with no bad line the parse queries skip it.
        params["all_valid"] = int(lines_by_signal.get("invalid", (0, 0))[0] == 0)
        params["sanitize"] = int(any(s for _lines, s in lines_by_signal.values()))
        for signal, table in (("logs", "otel_logs"), ("traces", "otel_traces")):
            if lines_by_signal.get(signal, (0, 0))[0]:
                client.command(
                    sqlfiles.load(f"telemetry/{signal}.sql"),
                    parameters=params,
                    settings=PARSE_SETTINGS,
                )
                count, newest = client.query(
                    BATCH_ROWS.format(time="Timestamp", table=table), parameters=params
                ).result_rows[0]
                result.rows[table] += count
                _note_newest(result, newest)
        if params["sanitize"]:
            before = _quarantine_count(client, params)
            client.command(sqlfiles.load("telemetry/malformed_values.sql"), parameters=params)
            result.quarantined += _quarantine_count(client, params) - before
        if lines_by_signal.get("metrics", (0, 0))[0]:
            self._load_metrics(client, params, result, histogram_lines > 0)
        return result

    def _load_metrics(
        self, client: Any, params: dict[str, Any], result: BatchResult, histograms: bool
    ) -> None:
        for table in SCRATCH:
            client.command(f"TRUNCATE TABLE {table}")
        client.command(sqlfiles.load("telemetry/metrics.sql"), parameters=params)
        points = {
            kind: (count, newest)
            for kind, count, newest in client.query(
                "SELECT kind, count(), max(TimeUnix) FROM _batch_metric_points "
                "WHERE Value IS NOT NULL GROUP BY kind"
            ).result_rows
        }
        for kind, table, extra in (
            ("sum", "otel_metrics_sum", ", AggregationTemporality, IsMonotonic"),
            ("gauge", "otel_metrics_gauge", ""),
        ):
            if kind not in points:
                continue
            cols = POINT_COLUMNS + extra
            client.command(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _batch_metric_points "
                f"WHERE kind = '{kind}' AND Value IS NOT NULL"
            )
            count, newest = points[kind]
            result.rows[table] += count
            _note_newest(result, newest)
        bad_lines = client.query(
            "SELECT uniqExact(_offset) FROM _batch_metric_points WHERE Value IS NULL"
        ).result_rows[0][0]
        if bad_lines:
            client.command(
                """
                INSERT INTO ingest_quarantine
                    (source, file_path, _file_key, _offset, length, reason)
                SELECT 'telemetry', {file_path:String}, {file_key:String}, _offset,
                       any(_line_length),
                       concat('data point value is not a number (point skipped): ',
                              arrayStringConcat(groupUniqArray(MetricName), ', '))
                FROM _batch_metric_points WHERE Value IS NULL GROUP BY _offset
                """,
                parameters=params,
            )
            result.quarantined += bad_lines
        if not histograms:
            return
        client.command(sqlfiles.load("telemetry/histograms.sql"), parameters=params)
        count = client.query("SELECT count() FROM _batch_otel_metrics_histogram").result_rows[0][0]
        if count:
            client.command(
                "INSERT INTO otel_metrics_histogram SELECT * FROM _batch_otel_metrics_histogram"
            )
            result.rows["otel_metrics_histogram"] += count


def _quarantine_count(client: Any, params: dict[str, Any]) -> int:
    return int(
        client.query(
            "SELECT count() FROM ingest_quarantine WHERE _file_key = {file_key:String} "
            "AND _offset >= {start:UInt64} AND _offset < {end:UInt64}",
            parameters=params,
        ).result_rows[0][0]
    )


def _note_newest(result: BatchResult, newest: Any) -> None:
    if newest is None or getattr(newest, "year", 1970) <= 1970:
        return
    if result.newest_event is None or newest > result.newest_event:
        result.newest_event = newest
