"""How batches of transcript lines become rows of transcript_entries.

Python only frames the lines (one row per file: its facts, the lines' offsets and the lines);
ClickHouse splits, validates and parses them in SQL (``sql/transcripts``). Batches of many
small files are loaded together.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cc_pipeline import settings, sqlfiles
from cc_pipeline.files.loader import BatchResult
from cc_pipeline.files.rowbinary import string, varint
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.transcripts.discovery import TranscriptFile

SOURCE = "transcripts"
BLOBS = "_staging_transcript_blobs"
SCRATCH = "_batch_transcript_entries"
PARSE_SETTINGS = {"max_insert_threads": 2}
ENTRY_COLUMNS = (
    "_file_key, _offset, line_length, root, file_path, file_kind, project, session_id, "
    "agent_id, entry_type, entry_subtype, uuid, timestamp, cwd, version, is_sidechain, "
    "is_api_error_message, usage_source, message_id, request_id, has_request_id, model, speed, "
    "input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, "
    "cache_creation_5m_tokens, cache_creation_1h_tokens, has_cache_breakdown, "
    "cache_creation_tokens, recorded_cost_usd, tool_names, tool_use_count, countable, "
    "skip_reason, loaded_at"
)


BLOB_COLUMNS = [
    "file_key",
    "file_path",
    "root",
    "kind",
    "project",
    "session",
    "agent",
    "offsets",
    "lines",
]


def row_binary(batches: Sequence[LineBatch], files: dict[str, TranscriptFile]) -> bytes:
    """One RowBinary row per batch (``BLOB_COLUMNS``): the file's identity, path facts, the
    lines' offsets, and the lines joined by newlines (a line holds none).

    The framing costs a few C-level joins per batch instead of Python work per line.
    """
    parts: list[bytes] = []
    for batch in batches:
        if not batch.lines:
            continue
        info = files[batch.cursor.path]
        for text in (
            batch.cursor.key,
            batch.cursor.path,
            str(info.root),
            info.kind,
            info.project,
            info.session_id,
            info.agent_id,
        ):
            parts += string(text)
        parts.append(varint(len(batch.offsets)))
        parts.append(array("Q", batch.offsets).tobytes())
        parts += string(b"\n".join(batch.lines))
    return b"".join(parts)


def stage_blobs(client: Any, rows: bytes) -> None:
    """Put the framed batches (RowBinary rows of ``row_binary``) into the blobs table.

    Embedded chDB reads them from a temporary file in-process (``FROM INFILE``), which is
    several times faster than its generic raw insert; a server gets a plain raw insert.
    """
    if type(client).__name__ == "ChdbClient":
        _infile_insert(client, rows)
    else:
        client.raw_insert(
            BLOBS,
            column_names=BLOB_COLUMNS,
            insert_block=rows,
            fmt="RowBinary",
        )


def _infile_insert(client: Any, rows: bytes) -> None:
    folder = settings.home() / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="transcripts-", suffix=".rowbinary", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(rows)
        if "'" in name or "\\" in name:
            raise ValueError(f"unsupported characters in temporary path {name!r}")
        client.command(
            f"INSERT INTO {BLOBS} ({', '.join(BLOB_COLUMNS)}) FROM INFILE '{name}' FORMAT RowBinary"
        )
    finally:
        os.unlink(name)


@dataclass
class TranscriptSink:
    """Loads Claude Code transcript lines into transcript_entries (metadata only)."""

    files: dict[str, TranscriptFile] = field(default_factory=dict)
    source: str = SOURCE
    tables: tuple[str, ...] = ("transcript_entries",)

    def prepare(self, client: Any) -> None:
        sqlfiles.run_script(client, "transcripts/batch_tables.sql")

    def load(self, client: Any, batch: LineBatch) -> BatchResult:
        return self.load_many(client, [batch])

    def load_many(self, client: Any, batches: Sequence[LineBatch]) -> BatchResult:
        result = BatchResult()
        if not any(b.lines for b in batches):
            return result
        try:
            return self._load(client, batches, result)
        finally:
            # the blobs table holds whole lines: never leave them behind
            for table in (BLOBS, SCRATCH):
                client.command(f"TRUNCATE TABLE {table}")

    def _load(self, client: Any, batches: Sequence[LineBatch], result: BatchResult) -> BatchResult:
        stage_blobs(client, row_binary(batches, self.files))
        client.command(sqlfiles.load("transcripts/entries.sql"), settings=PARSE_SETTINGS)
        rows, quarantined, newest = client.query(
            f"SELECT countIf(_problem = ''), countIf(_quarantine), max(timestamp) FROM {SCRATCH}"
        ).result_rows[0]
        if quarantined:
            client.command(sqlfiles.load("transcripts/rejected_lines.sql"))
        client.command(
            f"INSERT INTO transcript_entries ({ENTRY_COLUMNS}) "
            f"SELECT {ENTRY_COLUMNS} FROM {SCRATCH} WHERE _problem = ''"
        )
        result.rows["transcript_entries"] += int(rows)
        result.quarantined += int(quarantined)
        if newest is not None and getattr(newest, "year", 1970) > 1970:
            result.newest_event = newest
        return result
