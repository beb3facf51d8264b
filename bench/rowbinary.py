"""Benchmark: the project's RowBinary framing against clickhouse-connect's own serialization.

The same realistic batches are framed twice, in this process:
  - project: the sinks' own framing (``cc_pipeline.files.rowbinary``), exactly as
    ``TelemetrySink.frame`` (Claude Code-shaped OTLP JSONL lines from bench/otlp_generator.py)
    and ``TranscriptSink.frame_group`` (transcript lines from bench/transcripts_gen.py) cut
    them into spool files;
  - library: clickhouse-connect's insert serialization of the same rows, columns and types
    (an ``InsertContext`` encoded by ``NativeTransform.build_insert``, the codec its insert()
    uses, with the statement prefix its chDB backend strips before ``INSERT ... FROM INFILE``).
    clickhouse-connect has no RowBinary encoder: Native is the format its inserts are in.

Both outputs are loaded into chDB (``file()``, RowBinary and Native) and must give the same
rows in the same order, file by file. Then each framing is timed ``--runs`` times; the best
and median MB/s (input line bytes per second) and the ratio project/library are printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from clickhouse_connect.datatypes.registry import get_from_name
from clickhouse_connect.driver.insert import InsertContext
from clickhouse_connect.driver.transform import NativeTransform

from bench.otlp_generator import Generator
from bench.transcripts_gen import generate
from cc_pipeline.files.cursors import FileCursor
from cc_pipeline.files.rowbinary import PARSE_THREADS, balanced_runs
from cc_pipeline.files.spool import SpoolTable
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.telemetry import sink as telemetry_sink
from cc_pipeline.transcripts import sink as transcript_sink
from cc_pipeline.transcripts.discovery import TranscriptFile, discover
from cc_pipeline.warehouse.client import Warehouse

# One framing: the bytes of each spool file it would write.
Framing = Callable[[], list[bytes]]


def native(table: SpoolTable, columns: Sequence[Sequence[object]]) -> bytes:
    """clickhouse-connect's insert bytes of column-oriented ``columns`` for ``table``, without
    the ``INSERT ... FORMAT Native`` line its first chunk starts with (the bytes a file holds,
    as its chDB backend writes them for ``INSERT ... FROM INFILE``)."""
    context = InsertContext(
        table.name,
        [name for name, _ in table.columns],
        [get_from_name(kind) for _, kind in table.columns],
        data=columns,
        column_oriented=True,
    )
    body = b"".join(NativeTransform.build_insert(context))
    return body[body.index(b"\n") + 1 :]


# --- telemetry: the lines as the Collector writes them ---------------------------------------


class TelemetryBatch:
    """Generated Collector JSONL lines with their offsets and signals, split into the log
    runs and the one file of other lines that ``TelemetrySink.frame`` writes."""

    def __init__(self, records: int, per_line: int | None = None) -> None:
        generator = Generator(seed=1)
        if per_line is None:  # the generator's mix of export batch sizes, metric lines among them
            self.lines = [line.encode() for line, _, _ in generator.lines(records)]
        else:
            self.lines = [
                generator.logs_line(per_line).encode() for _ in range(records // per_line)
            ]
        self.offsets: list[int] = []
        offset = 0
        for line in self.lines:
            self.offsets.append(offset)
            offset += len(line) + 1
        self.signals = [telemetry_sink.signal_of(line) for line in self.lines]
        logs = [i for i, signal in enumerate(self.signals) if signal == 1]
        runs = balanced_runs(
            [len(self.lines[i]) for i in logs], PARSE_THREADS * telemetry_sink.BLOCKS_PER_THREAD
        )
        self.files = [logs[start:stop] for start, stop in runs]
        other = [i for i, signal in enumerate(self.signals) if signal != 1]
        if other:
            self.files.append(other)
        self.nbytes = sum(len(line) for line in self.lines)

    def project(self) -> list[bytes]:
        return [
            b"".join(telemetry_sink.row_binary(self.offsets, self.lines, self.signals, picked))
            for picked in self.files
        ]

    def library(self) -> list[bytes]:
        out = []
        for picked in self.files:
            columns = (
                [self.offsets[i] for i in picked],
                [self.signals[i] for i in picked],
                [self.lines[i] for i in picked],
            )
            out.append(native(telemetry_sink.LINES, columns))
        return out


# --- transcripts: a generated tree, one batch per file ----------------------------------------


def read_batch(info: TranscriptFile) -> LineBatch:
    """The whole file as one batch, as the tailer hands it to the sink."""
    data = Path(info.path).read_bytes()
    lines = data.split(b"\n")[:-1]
    offsets, offset = [], 0
    for line in lines:
        offsets.append(offset)
        offset += len(line) + 1
    cursor = FileCursor(info.path, info.path, 0, 0, "", 0)
    return LineBatch(cursor, 0, len(data), offsets, lines)


class TranscriptBatches:
    """A generated transcript tree of about ``mb`` MB, read into one batch per file and
    spread over spool files as ``TranscriptSink.frame_group`` spreads a group."""

    def __init__(self, root: Path, mb: float) -> None:
        generate(root, mb)
        self.batches = [(read_batch(info), info) for info in discover(root)]
        self.nbytes = sum(len(line) for batch, _ in self.batches for line in batch.lines)

    def project(self) -> list[bytes]:
        pieces = [
            piece
            for batch, info in self.batches
            for piece in transcript_sink.frame_pieces(batch, info)
        ]
        return [
            b"".join(chunk for piece in pieces[start:stop] for chunk in piece.chunks)
            for start, stop in self._runs([piece.nbytes for piece in pieces])
        ]

    def library(self) -> list[bytes]:
        rows: list[tuple[int, tuple[object, ...]]] = []
        for batch, info in self.batches:
            facts = transcript_sink.blob_facts(batch, info)
            sizes = [len(line) + 1 for line in batch.lines]
            parts = -(-sum(sizes) // transcript_sink.PIECE_BYTES)
            for start, stop in balanced_runs(sizes, parts):
                row = (
                    *facts,
                    batch.offsets[start:stop],
                    b"\n".join(batch.lines[start:stop]),
                )
                rows.append((sum(sizes[start:stop]), row))
        return [
            native(
                transcript_sink.BLOBS, list(zip(*(row for _, row in rows[start:stop]), strict=True))
            )
            for start, stop in self._runs([size for size, _ in rows])
        ]

    @staticmethod
    def _runs(sizes: list[int]) -> list[tuple[int, int]]:
        return balanced_runs(sizes, PARSE_THREADS * transcript_sink.BLOCKS_PER_THREAD)


# --- checking and timing ----------------------------------------------------------------------

DIGEST = (
    "SELECT count(), sum(cityHash64(rowNumberInAllBlocks(), *)) "
    "FROM file({path:String}, {format:String}, {structure:String}) SETTINGS max_threads = 1"
)


def digests(client: Warehouse, table: SpoolTable, paths: list[Path], fmt: str) -> list[tuple]:
    """Row count and an order-sensitive hash of every row, per file, as ClickHouse reads it."""
    structure = ", ".join(f"{name} {kind}" for name, kind in table.columns)
    return [
        client.query_rows(
            DIGEST, parameters={"path": str(path), "format": fmt, "structure": structure}
        )[0]
        for path in paths
    ]


def check_same_rows(
    client: Warehouse, table: SpoolTable, ours: list[bytes], theirs: list[bytes], work: Path
) -> int:
    """Write both framings to files and assert chDB reads the same rows from each pair; the
    number of rows."""
    paths: dict[str, list[Path]] = {"RowBinary": [], "Native": []}
    for fmt, outputs in (("RowBinary", ours), ("Native", theirs)):
        for index, data in enumerate(outputs):
            path = work / f"{table.name}-{index:03d}.{fmt}"
            path.write_bytes(data)
            paths[fmt].append(path)
    project = digests(client, table, paths["RowBinary"], "RowBinary")
    library = digests(client, table, paths["Native"], "Native")
    if project != library:
        raise SystemExit(f"{table.name}: the two framings load differently: {project} {library}")
    for path in paths["RowBinary"] + paths["Native"]:
        path.unlink()
    return sum(count for count, _ in project)


def timed(framing: Framing, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        framing()
        seconds.append(time.perf_counter() - started)
    return seconds


def compare(name: str, nbytes: int, ours: Framing, theirs: Framing, runs: int) -> None:
    """Time both framings, alternating so neither gets a warmer machine, and print them."""
    project: list[float] = []
    library: list[float] = []
    for _ in range(runs):
        project += timed(ours, 1)
        library += timed(theirs, 1)
    mb = nbytes / 2**20
    print(f"{name}: {mb:.1f} MB of lines, {runs} runs each")
    for label, seconds in (("project RowBinary", project), ("clickhouse-connect", library)):
        best, median = min(seconds), statistics.median(seconds)
        print(f"  {label:<19} best {mb / best:8.1f} MB/s   median {mb / median:8.1f} MB/s")
    best = min(library) / min(project)
    median = statistics.median(library) / statistics.median(project)
    print(f"  ratio project/library (speed): best {best:.2f}x   median {median:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--records",
        type=int,
        default=100_000,
        help="telemetry log records (a quarter of them again, one per line)",
    )
    parser.add_argument("--mb", type=float, default=64, help="MB of transcripts")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each framing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rowbinary-") as scratch:
        work = Path(scratch)
        telemetry = TelemetryBatch(args.records)
        single = TelemetryBatch(args.records // 4, per_line=1)
        transcripts = TranscriptBatches(work / "claude", args.mb)
        with ClickHouseResource(path=str(work / "db")).connect() as client:
            for table, batch in (
                (telemetry_sink.LINES, telemetry),
                (telemetry_sink.LINES, single),
                (transcript_sink.BLOBS, transcripts),
            ):
                rows = check_same_rows(client, table, batch.project(), batch.library(), work)
                print(f"{table.name}: both framings load the same {rows} rows into chDB")
        for name, batch in (
            ("telemetry lines (generator mix)", telemetry),
            ("telemetry lines (1 record each)", single),
            ("transcript blobs", transcripts),
        ):
            compare(name, batch.nbytes, batch.project, batch.library, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
