"""How a batch of Collector JSONL lines becomes rows of the otel_* tables.

Python frames the lines and reads the signal from each line's first key, on the reader
thread while the previous batch loads, into RowBinary spool files; ClickHouse parses them in
SQL (``sql/telemetry``) straight into the tables, reading the files in place (embedded) or
from a staging table they are loaded into (server). Log lines are framed in several files
of about equal bytes so each parse query runs on every core. A line that parses to nothing
is checked afterwards, so validation costs a pass only over lines that produced no row.
Metric lines wait in a table and are parsed together; their points pass through a scratch
table where points without a numeric value are set aside.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cc_pipeline import settings, sqlfiles
from cc_pipeline.files.loader import BatchResult, BatchSink
from cc_pipeline.files.rowbinary import PARSE_THREADS, balanced_runs, varint
from cc_pipeline.files.spool import SpoolDir, SpoolTable, files_source
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.telemetry.privacy import (
    ALLOWED_EVENT_ATTRIBUTES,
    KNOWN_NAMES,
    allowed_attributes,
)

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# A batch's lines, as the batch queries read them (from its spool files where they can).
LINES = SpoolTable(
    "_staging_telemetry_lines",
    (("offset", "UInt64"), ("signal", "UInt8"), ("line", "String")),
    files_name="_spool_telemetry_lines",
    files_sql="telemetry/spool_lines.sql",
)
STAGING = LINES.name
SIGNALS = {"resourceLogs": 1, "resourceMetrics": 2, "resourceSpans": 3}
PREFIXES = tuple((b'{"' + key.encode() + b'"', code) for key, code in SIGNALS.items())
# A parse reads one spool file (or staged block) per thread at a time: a batch's log lines
# are framed in this many files per thread, of about equal bytes, so the threads stay busy
# even when line sizes differ a lot, and the memory a parse holds at once is a few files',
# not the batch's.
BLOCKS_PER_THREAD = 4
PARSE_SETTINGS = {
    "max_threads": PARSE_THREADS,
    "max_insert_threads": PARSE_THREADS,
    # otel_logs has a materialized view: without this the insert is pushed through it on one
    # thread, which halves the parse's throughput on two cores
    "parallel_view_processing": 1,
    "min_insert_block_size_rows": 65536,
    "min_insert_block_size_bytes": 64 << 20,
}
# Every log record the Collector writes has an observed time: counting the key counts records.
RECORD_MARK = b'"observedTimeUnixNano"'


def insert_settings(records: int) -> dict[str, Any]:
    """PARSE_SETTINGS with the insert split into one block per thread, so each thread sorts,
    compresses and writes a part of its own in parallel (ClickHouse's default gathers rows
    into blocks of 64k, so a batch of fewer records is written by one thread)."""
    if records <= 0:
        return PARSE_SETTINGS
    return {**PARSE_SETTINGS, "min_insert_block_size_rows": max(1024, -(-records // PARSE_THREADS))}


# What a batch wrote to a table: rows, newest time, lines with rows, records with malformed
# numbers (only log records note them).
BATCH_ROWS = {
    "otel_logs": (
        "SELECT count(), max(Timestamp), uniqExact(_offset), countIf(notEmpty(_malformed)) "
        "FROM otel_logs WHERE _file_key = {file_key:String} "
        "AND _offset >= {start:UInt64} AND _offset < {end:UInt64}"
    ),
    "otel_traces": (
        "SELECT count(), max(Timestamp), uniqExact(_offset), 0 "
        "FROM otel_traces WHERE _file_key = {file_key:String} "
        "AND _offset >= {start:UInt64} AND _offset < {end:UInt64}"
    ),
}
METRIC_BYTES = -3  # tally key: bytes of metric lines
PENDING = "_pending_metric_lines"
# Metric lines wait in PENDING and are parsed together once they reach this size, and at
# the end of a run: a metric parse costs about the same for a few lines as for many.
PENDING_LIMIT = 64 << 20


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


def row_binary(
    offsets: list[int], lines: list[bytes], signals: list[int], picked: Iterable[int]
) -> Iterator[bytes]:
    """(offset UInt64, signal UInt8, line String) rows in RowBinary of the ``picked`` lines,
    streamed line by line."""
    for index in picked:
        line = lines[index]
        yield offsets[index].to_bytes(8, "little") + bytes((signals[index],)) + varint(len(line))
        yield line


@dataclass
class SpooledLines:
    """A batch framed on the reader thread: the folder of its spool files and what they hold.

    Log lines are in ``*.logs`` files of about equal bytes (a parse reads one per thread);
    every other line (metrics, spans, lines of no known signal) is in one ``*.other`` file.
    """

    folder: Path
    line_count: int
    lines_by_signal: dict[int, int]
    log_records: int = 0  # about how many: a hint to split the insert evenly over threads

    def glob(self, kind: str = "*") -> str:
        return str(self.folder / f"*.{kind}")


@dataclass
class TelemetrySink(BatchSink):
    """Loads OTLP JSON lines into otel_logs, otel_metrics_*, otel_traces."""

    keep_content: bool = False
    # (column or '', key): label keys kept besides the defaults (CC_PIPELINE_LABEL_KEYS)
    label_keys: tuple[tuple[str, str], ...] = field(default_factory=settings.label_keys)
    source: str = "telemetry"
    tables: tuple[str, ...] = (
        "otel_logs",
        "otel_metrics_sum",
        "otel_metrics_gauge",
        "otel_metrics_histogram",
        "otel_traces",
        PENDING,
        "telemetry_attribute_counts",
    )
    allowed_hashes: list[int] = field(default_factory=list)
    allowed_pair_hashes: list[int] = field(default_factory=list)
    spool_dir: Path | None = None  # default: a temporary folder for the run
    _spool: SpoolDir | None = field(default=None, init=False, repr=False)
    _pending_bytes: int = field(default=0, init=False, repr=False)
    _recovered: BatchResult | None = field(default=None, init=False, repr=False)

    def prepare(self, client: Warehouse) -> None:
        self._spool = SpoolDir.open_at(self.spool_dir)
        sqlfiles.run_script(client, "telemetry/batch_tables.sql")
        self._pending_bytes = 0
        record_label_keys(client, self.label_keys)
        allowed = allowed_attributes(key for _, key in self.label_keys)
        # The allow-list is matched by hash: comparing integers per attribute is much cheaper.
        self.allowed_hashes, self.allowed_pair_hashes = client.query(
            "SELECT arrayMap(k -> cityHash64(k), {keys:Array(String)}), "
            "arrayMap(p -> cityHash64(p.1, p.2), {pairs:Array(Tuple(String, String))})",
            parameters={"keys": list(allowed), "pairs": list(ALLOWED_EVENT_ATTRIBUTES)},
        ).result_rows[0]
        # Metric lines left by a run that stopped before parsing them: parse them again, after
        # deleting whatever that run wrote for them.
        self._recovered = self._parse_pending(client, recovering=True)

    def finish(self, client: Warehouse) -> BatchResult:
        """Parse the metric lines still pending; called once all batches are loaded."""
        result = self._parse_pending(client)
        # The raw lines (content included) leave the database with the run.
        _truncate(client, STAGING)
        if self._recovered is not None:
            result.absorb(self._recovered)
            self._recovered = None
        return result

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def frame(self, batch: LineBatch) -> None:
        """Write the batch's lines as staging rows to spool files and release them."""
        if self._spool is None:
            raise RuntimeError("TelemetrySink.prepare() must run before frame()")
        lines, offsets = batch.lines, batch.offsets
        signals = [signal_of(line) for line in lines]
        lines_by_signal: dict[int, int] = {}
        for signal in signals:
            lines_by_signal[signal] = lines_by_signal.get(signal, 0) + 1
        log_lines = [i for i, signal in enumerate(signals) if signal == 1]
        other_lines = [i for i, signal in enumerate(signals) if signal != 1]
        folder = self._spool.new_folder()
        runs = balanced_runs([len(lines[i]) for i in log_lines], PARSE_THREADS * BLOCKS_PER_THREAD)
        for start, stop in runs:
            self._spool.write(
                row_binary(offsets, lines, signals, log_lines[start:stop]), ".logs", folder
            )
        if other_lines:
            self._spool.write(row_binary(offsets, lines, signals, other_lines), ".other", folder)
            lines_by_signal[METRIC_BYTES] = sum(
                len(lines[i]) for i in other_lines if signals[i] == 2
            )
        log_records = sum(lines[i].count(RECORD_MARK) for i in log_lines)
        batch.prepared = SpooledLines(folder, len(lines), lines_by_signal, log_records)
        batch.lines, batch.offsets = [], []

    def load(self, client: Warehouse, batch: LineBatch) -> BatchResult:
        result = BatchResult()
        if batch.prepared is None:
            self.frame(batch)
        spooled: SpooledLines = batch.prepared
        try:
            if spooled.line_count:
                for table in ("_batch_point_notes", "_batch_otel_metrics_histogram"):
                    _truncate(client, table)
                staged = None
                if not files_source(client, spooled.folder):
                    staged = LINES.stage(client, spooled.folder)
                self._parse(client, batch, spooled, result, staged)
        finally:
            SpoolDir.remove(spooled.folder)
        if self._pending_bytes >= PENDING_LIMIT:
            result.absorb(self._parse_pending(client))
        return result

    def _parse(
        self,
        client: Warehouse,
        batch: LineBatch,
        spooled: SpooledLines,
        result: BatchResult,
        staged: str | None,
    ) -> None:
        """Parse the batch's lines from the staging table ``staged``, or, when None, from its
        spool files in place."""
        lines_by_signal = spooled.lines_by_signal
        params: dict[str, Any] = {
            "file_key": batch.cursor.key,
            "file_path": batch.cursor.path,
            "start": batch.start,
            "end": batch.end,
            "keep_content": int(self.keep_content),
            "allowed": self.allowed_hashes,
            "allowed_pairs": self.allowed_pair_hashes,
            "known_names": list(KNOWN_NAMES),
            "deferred_metrics": 1,
        }

        def run(sql: str, kind: str = "*", settings: dict[str, Any] | None = None) -> None:
            """Run a query of the batch's lines (the table parameter ``lines``): read in place
            from the spool files of ``kind``, else from the staging table."""
            lines = staged or LINES.point_at(client, spooled.glob(kind))
            client.command(sql, parameters={**params, "lines": lines}, settings=settings)

        if lines_by_signal.get(1):
            # _otel_logs_to_attribute_counts counts the records' attribute names as they are written
            run(sqlfiles.load("telemetry/logs.sql"), "logs", insert_settings(spooled.log_records))
        if lines_by_signal.get(3):
            run(sqlfiles.load("telemetry/traces.sql"), "other", PARSE_SETTINGS)
        lines_with_rows = malformed = 0
        for code, table in ((1, "otel_logs"), (3, "otel_traces")):
            if lines_by_signal.get(code):
                count, newest, lines, bad = client.query(
                    BATCH_ROWS[table], parameters=params
                ).result_rows[0]
                result.rows[table] += count
                lines_with_rows += lines
                malformed += bad
                _note_newest(result, newest)
        if lines_by_signal.get(2):
            run(
                "INSERT INTO _pending_metric_lines (_file_key, file_path, _offset, line) "
                "SELECT {file_key:String}, {file_path:String}, offset, line "
                "FROM {lines:Identifier} WHERE signal = 2",
                "other",
            )
            lines_with_rows += lines_by_signal[2]  # checked when they are parsed
            self._pending_bytes += lines_by_signal.get(METRIC_BYTES, 0)
        # Lines that produced no row (invalid JSON, no known signal, or empty exports) and
        # lines with malformed numbers get a second look; usually there are none.
        unexplained = spooled.line_count - lines_with_rows
        if unexplained or malformed or lines_by_signal.get(3):
            before = _quarantine_count(client, params)
            if unexplained:
                run(sqlfiles.load("telemetry/rejected_lines.sql"))
            if malformed or lines_by_signal.get(3):
                run(sqlfiles.load("telemetry/malformed_values.sql"))
            result.quarantined += _quarantine_count(client, params) - before

    def _parse_pending(self, client: Warehouse, recovering: bool = False) -> BatchResult:
        """Parse the pending metric lines, file by file, then clear them.

        After a crash (``recovering``) the rows and quarantine entries a half-finished parse
        may have written for these lines are deleted first, so nothing is counted twice.
        """
        result = BatchResult()
        files = client.query(
            "SELECT _file_key, any(file_path), min(_offset), max(_offset) + 1, count(), "
            "countIf(position(line, '\"histogram\"') > 0) FROM _pending_metric_lines "
            "GROUP BY _file_key"
        ).result_rows
        if not files:
            return result
        if recovering:
            sqlfiles.run_script(client, "telemetry/discard_pending.sql")
        for file_key, file_path, start, end, lines, histograms in files:
            for table in (STAGING, "_batch_point_notes", "_batch_otel_metrics_histogram"):
                _truncate(client, table)
            params = {
                "file_key": file_key,
                "file_path": file_path,
                "start": start,
                "end": end,
                "keep_content": int(self.keep_content),
                "allowed": self.allowed_hashes,
                "deferred_metrics": 0,
                "lines": STAGING,
            }
            client.command(
                "INSERT INTO _staging_telemetry_lines (offset, signal, line) "
                "SELECT _offset, 2, line FROM _pending_metric_lines "
                "WHERE _file_key = {file_key:String}",
                parameters=params,
            )
            client.command(
                sqlfiles.load("telemetry/metrics.sql"), parameters=params, settings=PARSE_SETTINGS
            )
            unexplained = lines - self._load_metrics(
                client, params, result, histograms=bool(histograms)
            )
            if unexplained:
                before = _quarantine_count(client, params)
                client.command(sqlfiles.load("telemetry/rejected_lines.sql"), parameters=params)
                result.quarantined += _quarantine_count(client, params) - before
        _truncate(client, PENDING)
        self._pending_bytes = 0
        return result

    def _load_metrics(
        self, client: Warehouse, params: dict[str, Any], result: BatchResult, histograms: bool
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


def record_label_keys(client: Warehouse, label_keys: tuple[tuple[str, str], ...]) -> None:
    """Write the configured label keys to telemetry_label_keys (read by cc_api_requests),
    when they differ from what it holds."""
    wanted = [(column, key, rank) for rank, (column, key) in enumerate(label_keys)]
    held = client.query(
        "SELECT feeds, key, rank FROM telemetry_label_keys ORDER BY rank"
    ).result_rows
    if [tuple(row) for row in held] == wanted:
        return
    client.command("TRUNCATE TABLE telemetry_label_keys")
    if wanted:
        client.insert("telemetry_label_keys", wanted, column_names=["feeds", "key", "rank"])


def _truncate(client: Warehouse, table: str) -> None:
    client.command("TRUNCATE TABLE {table:Identifier}", parameters={"table": table})


def _quarantine_count(client: Warehouse, params: dict[str, Any]) -> int:
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
