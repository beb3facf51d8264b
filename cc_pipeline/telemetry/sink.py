"""How a batch of Collector JSONL lines becomes rows of the otel_* tables.

Python frames the lines and reads the signal from each line's first key; ClickHouse parses
them in SQL (``sql/telemetry``) straight into the tables. A line that parses to nothing is
checked afterwards, so validation costs a pass only over lines that produced no row. Metric
points pass through a scratch table where points without a numeric value are set aside.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from cc_pipeline import sqlfiles
from cc_pipeline.files.loader import BatchResult
from cc_pipeline.files.rowbinary import varint
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.telemetry.privacy import ALLOWED_ATTRIBUTES, ALLOWED_EVENT_ATTRIBUTES

STAGING = "_staging_telemetry_lines"
SIGNALS = {"resourceLogs": 1, "resourceMetrics": 2, "resourceSpans": 3}
PREFIXES = tuple((b'{"' + key.encode() + b'"', code) for key, code in SIGNALS.items())
# Lines are staged in small blocks so the parse queries stream them with bounded memory.
STAGING_BLOCKS = {"max_insert_block_size": 2048}
PARSE_SETTINGS = {"min_insert_block_size_rows": 65536, "min_insert_block_size_bytes": 32 << 20}
BATCH_ROWS = (
    "SELECT count(), max({time}), uniqExact(_offset) FROM {table} "
    "WHERE _file_key = {{file_key:String}} "
    "AND _offset >= {{start:UInt64}} AND _offset < {{end:UInt64}}"
)
HISTOGRAM = -2  # tally key: metric lines that mention a histogram


def signal_of(line: bytes) -> int:
    """1 logs, 2 metrics, 3 traces, 0 none: from the first key as the Collector writes it,
    else (another writer's key order or spacing) from the parsed document."""
    for prefix, code in PREFIXES:
        if line.startswith(prefix):
            return code
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        return 0
    if isinstance(document, dict):
        for key, code in SIGNALS.items():
            if key in document:
                return code
    return 0


def row_binary(offsets: list[int], lines: list[bytes], counts: dict[int, int]) -> Iterator[bytes]:
    """(offset UInt64, signal UInt8, line String) rows in RowBinary, streamed line by line;
    ``counts`` tallies lines per signal on the way."""
    for offset, line in zip(offsets, lines, strict=True):
        signal = signal_of(line)
        counts[signal] = counts.get(signal, 0) + 1
        if signal == 2 and b'"histogram"' in line:
            counts[HISTOGRAM] = counts.get(HISTOGRAM, 0) + 1
        yield offset.to_bytes(8, "little") + bytes((signal,)) + varint(len(line))
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
    helper_clients: list[Any] = field(default_factory=list)

    def prepare(self, client: Any) -> None:
        sqlfiles.run_script(client, "telemetry/batch_tables.sql")
        # The allow-list is matched by hash: comparing integers per attribute is much cheaper.
        self.allowed_hashes, self.allowed_pair_hashes = client.query(
            "SELECT arrayMap(k -> cityHash64(k), {keys:Array(String)}), "
            "arrayMap(p -> cityHash64(p.1, p.2), {pairs:Array(Tuple(String, String))})",
            parameters={"keys": list(ALLOWED_ATTRIBUTES), "pairs": list(ALLOWED_EVENT_ATTRIBUTES)},
        ).result_rows[0]

    def load(self, client: Any, batch: LineBatch) -> BatchResult:
        result = BatchResult()
        if not batch.lines:
            return result
        for table in (
            STAGING,
            "_batch_malformed",
            "_batch_point_notes",
            "_batch_otel_metrics_histogram",
        ):
            client.command(f"TRUNCATE TABLE {table}")
        lines_by_signal: dict[int, int] = {}
        client.raw_insert(
            STAGING,
            column_names=["offset", "signal", "line"],
            insert_block=row_binary(batch.offsets, batch.lines, lines_by_signal),
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
        lines_with_rows = 0
        self._parse(client, params, lines_by_signal)
        for code, table in ((1, "otel_logs"), (3, "otel_traces")):
            if lines_by_signal.get(code):
                count, newest, lines = client.query(
                    BATCH_ROWS.format(time="Timestamp", table=table), parameters=params
                ).result_rows[0]
                result.rows[table] += count
                lines_with_rows += lines
                _note_newest(result, newest)
        if lines_by_signal.get(2):
            lines_with_rows += self._load_metrics(
                client, params, result, histograms=bool(lines_by_signal.get(HISTOGRAM))
            )
        # Lines that produced no row (invalid JSON, no known signal, or empty exports) and
        # lines with malformed numbers get a second look; usually there are none.
        unexplained = len(batch.lines) - lines_with_rows
        malformed = client.query("SELECT count() FROM _batch_malformed").result_rows[0][
            0
        ] or lines_by_signal.get(3, 0)
        if unexplained or malformed:
            before = _quarantine_count(client, params)
            if unexplained:
                client.command(sqlfiles.load("telemetry/rejected_lines.sql"), parameters=params)
            if malformed:
                client.command(sqlfiles.load("telemetry/malformed_values.sql"), parameters=params)
            result.quarantined += _quarantine_count(client, params) - before
        return result

    def _parse(self, client: Any, params: dict[str, Any], lines_by_signal: dict[int, int]) -> None:
        """Run the batch's parse statements side by side, one client each.

        A query over one staged batch uses one core, and clients of the same database run
        their queries at the same time: log lines, the bulk, are split in shares over the
        first clients; metric and span lines, small, run on the last one meanwhile.
        """
        clients = [client, *self.helper_clients]
        small = [
            name for code, name in ((2, "metrics"), (3, "traces")) if lines_by_signal.get(code)
        ]
        log_clients = clients[:-1] if small and len(clients) > 2 else clients
        jobs: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in clients]
        if lines_by_signal.get(1):
            for shard in range(len(log_clients)):
                shares = {"shards": len(log_clients), "shard": shard}
                jobs[shard].append(("telemetry/logs.sql", {**params, **shares}))
        for name in small:
            jobs[-1].append((f"telemetry/{name}.sql", params))
        errors: list[BaseException] = []

        def run(index: int) -> None:
            try:
                for sql_file, job_params in jobs[index]:
                    clients[index].command(
                        sqlfiles.load(sql_file), parameters=job_params, settings=PARSE_SETTINGS
                    )
            except BaseException as exc:  # re-raised in the calling thread below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(1, len(clients))]
        for thread in threads:
            thread.start()
        run(0)
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def _load_metrics(
        self, client: Any, params: dict[str, Any], result: BatchResult, histograms: bool
    ) -> int:
        """Count the batch's parsed metric points, set aside unusable ones, load histograms;
        return how many lines produced points."""
        lines_with_points = 0
        for kind, points, newest, lines, bad_lines in client.query(
            "SELECT kind, countIf(has_value), maxIf(time, has_value), uniqExact(offset), "
            "uniqExactIf(offset, NOT has_value) FROM _batch_point_notes GROUP BY kind"
        ).result_rows:
            lines_with_points += lines
            if points:
                result.rows[f"otel_metrics_{kind}"] += points
                _note_newest(result, newest)
            if bad_lines:
                client.command(
                    """
                    INSERT INTO ingest_quarantine
                        (source, file_path, _file_key, _offset, length, reason)
                    SELECT 'telemetry', {file_path:String}, {file_key:String}, offset,
                           any(line_length),
                           concat('data point value is not a number (point skipped): ',
                                  arrayStringConcat(groupUniqArray(metric_name), ', '))
                    FROM _batch_point_notes WHERE kind = {kind:String} AND NOT has_value
                    GROUP BY offset
                    """,
                    parameters={**params, "kind": kind},
                )
                result.quarantined += bad_lines
        if histograms:
            client.command(sqlfiles.load("telemetry/histograms.sql"), parameters=params)
            count, lines = client.query(
                "SELECT count(), uniqExact(_offset) FROM _batch_otel_metrics_histogram"
            ).result_rows[0]
            if count:
                client.command(
                    "INSERT INTO otel_metrics_histogram SELECT * FROM _batch_otel_metrics_histogram"
                )
                result.rows["otel_metrics_histogram"] += count
                lines_with_points += lines
        return lines_with_points


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
