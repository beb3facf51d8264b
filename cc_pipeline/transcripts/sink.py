"""How batches of transcript lines become rows of transcript_entries.

Python only frames the lines (rows of a file's facts, the lines' offsets and the lines), on
the reader thread while the previous group loads; ClickHouse splits, validates and parses
them in SQL (``sql/transcripts``). Batches of many small files are loaded together, framed
into several spool files of about equal bytes so the parse runs on every core; an embedded
engine reads those files in place, a server gets them staged in a table.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from cc_pipeline import sqlfiles
from cc_pipeline.files.loader import BatchGroup, BatchResult, BatchSink
from cc_pipeline.files.rowbinary import PARSE_THREADS, balanced_runs, string, varint
from cc_pipeline.files.spool import SpoolDir, SpoolTable, files_source
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.transcripts.discovery import TranscriptFile

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

SOURCE = "transcripts"
SCRATCH = "_batch_transcript_entries"
# A parse reads one spool file (or staged block) per thread at a time: this many files per
# thread keep the threads busy when files differ in size; a file's lines are framed in pieces
# of at most about PIECE_BYTES, so a big file spreads over several spool files.
BLOCKS_PER_THREAD = 2
PIECE_BYTES = 4 << 20
PARSE_SETTINGS = {"max_threads": PARSE_THREADS, "max_insert_threads": PARSE_THREADS}

# The framed lines of a group: one row per file piece (its identity, path facts, the lines'
# offsets and the lines joined by newlines), read from the group's spool files where they can.
BLOBS = SpoolTable(
    "_staging_transcript_blobs",
    (
        ("file_key", "String"),
        ("file_path", "String"),
        ("root", "String"),
        ("kind", "String"),
        ("project", "String"),
        ("session", "String"),
        ("agent", "String"),
        ("offsets", "Array(UInt64)"),
        ("lines", "String"),
    ),
    files_name="_spool_transcript_blobs",
    files_sql="transcripts/spool_blobs.sql",
)


def blob_facts(batch: LineBatch, info: TranscriptFile) -> tuple[str, ...]:
    """What every blob of a batch says of its file, in ``BLOBS`` column order."""
    return (
        batch.cursor.key,
        batch.cursor.path,
        str(info.root),
        info.kind,
        info.project,
        info.session_id,
        info.agent_id,
    )


def frame_pieces(batch: LineBatch, info: TranscriptFile) -> list[Piece]:
    """The batch's lines as RowBinary rows of ``BLOBS`` (the file's identity, path
    facts, the lines' offsets and the lines joined by newlines; a line holds none), cut into
    pieces of about ``PIECE_BYTES`` so one big file can fill several staged blocks.

    The framing costs a few C-level joins per piece, no Python work per line.
    """
    head = b"".join(chunk for text in blob_facts(batch, info) for chunk in string(text))
    sizes = [len(line) + 1 for line in batch.lines]
    pieces = []
    for start, stop in balanced_runs(sizes, -(-sum(sizes) // PIECE_BYTES)):
        offsets = batch.offsets[start:stop]
        chunks = [
            head,
            varint(len(offsets)),
            array("Q", offsets).tobytes(),
            *string(b"\n".join(batch.lines[start:stop])),
        ]
        pieces.append(Piece(sum(sizes[start:stop]), chunks))
    return pieces


@dataclass
class Piece:
    """Framed RowBinary rows of part of one file's batch."""

    nbytes: int
    chunks: list[bytes]


@dataclass
class TranscriptSink(BatchSink):
    """Loads Claude Code transcript lines into transcript_entries (metadata only)."""

    loads_groups: ClassVar[bool] = True

    files: dict[str, TranscriptFile] = field(default_factory=dict)
    source: str = SOURCE
    tables: tuple[str, ...] = ("transcript_entries",)
    spool_dir: Path | None = None  # default: a temporary folder for the run
    machine: str = ""  # the machine label every line of the run carries
    _spool: SpoolDir | None = field(default=None, init=False, repr=False)

    def prepare(self, client: Warehouse) -> None:
        self._spool = SpoolDir.open_at(self.spool_dir)
        sqlfiles.run_script(client, "transcripts/batch_tables.sql")

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def frame(self, batch: LineBatch) -> None:
        """Frame the batch's lines into pieces (on the reader thread) and release them."""
        if batch.lines:
            batch.prepared = frame_pieces(batch, self.files[batch.cursor.path])
        batch.lines, batch.offsets = [], []

    def frame_group(self, group: BatchGroup) -> None:
        """Write the group's pieces to a spool folder, in files of about equal bytes."""
        if self._spool is None:
            raise RuntimeError("TranscriptSink.prepare() must run before framing")
        for batch in group.batches:
            if batch.prepared is None:
                self.frame(batch)
        pieces = [piece for batch in group.batches for piece in batch.prepared or ()]
        if not pieces:
            return
        folder = self._spool.new_folder()
        runs = balanced_runs([p.nbytes for p in pieces], PARSE_THREADS * BLOCKS_PER_THREAD)
        for start, stop in runs:
            chunks = (chunk for p in pieces[start:stop] for chunk in p.chunks)
            self._spool.write(chunks, ".blobs", folder)
        for batch in group.batches:
            batch.prepared = None
        group.prepared = folder

    def load(self, client: Warehouse, batch: LineBatch) -> BatchResult:
        return self.load_many(client, BatchGroup([batch], batch.nbytes))

    def load_many(self, client: Warehouse, group: BatchGroup) -> BatchResult:
        result = BatchResult()
        if group.prepared is None:
            self.frame_group(group)
        folder: Path | None = group.prepared
        if folder is None:
            return result
        try:
            return self._load(client, folder, result)
        finally:
            SpoolDir.remove(folder)
            # the blobs table holds whole lines: never leave them behind
            for table in (BLOBS.name, SCRATCH):
                client.command("TRUNCATE TABLE {table:Identifier}", parameters={"table": table})

    def _load(self, client: Warehouse, folder: Path, result: BatchResult) -> BatchResult:
        if files_source(client, folder):
            blobs = BLOBS.point_at(client, str(folder / "*.blobs"))
        else:
            blobs = BLOBS.stage(client, folder)
        client.command(
            sqlfiles.load("transcripts/entries.sql"),
            parameters={"blobs": blobs, "machine": self.machine},
            settings=PARSE_SETTINGS,
        )
        rows, quarantined, newest = client.query(
            "SELECT countIf(_problem = ''), countIf(_quarantine), max(timestamp) "
            "FROM _batch_transcript_entries"
        ).result_rows[0]
        if quarantined:
            client.command(sqlfiles.load("transcripts/rejected_lines.sql"))
        client.command(sqlfiles.load("transcripts/append_entries.sql"))
        result.rows["transcript_entries"] += int(rows)
        result.quarantined += int(quarantined)
        if newest is not None and getattr(newest, "year", 1970) > 1970:
            result.newest_event = newest
        return result
