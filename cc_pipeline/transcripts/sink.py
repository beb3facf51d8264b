"""How batches of transcript lines become rows of transcript_entries.

Python only frames the lines (file number, byte offset, bytes); ClickHouse validates and
parses them in SQL (``sql/transcripts``). Batches of many small files are loaded together.
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
from cc_pipeline.files.tailer import LineBatch
from cc_pipeline.transcripts.discovery import TranscriptFile

SOURCE = "transcripts"
BLOBS = "_staging_transcript_blobs"
STAGING = "_staging_transcript_lines"
SCRATCH = "_batch_transcript_entries"
# Small blocks in the staging table let ClickHouse parse a batch on every core.
STAGING_BLOCKS = {
    "max_block_size": 8192,
    "max_insert_block_size": 8192,
    "min_insert_block_size_rows": 0,
    "min_insert_block_size_bytes": 0,
}
ENTRY_COLUMNS = (
    "_file_key, _offset, line_length, root, file_path, file_kind, project, session_id, "
    "agent_id, entry_type, entry_subtype, uuid, timestamp, cwd, version, is_sidechain, "
    "is_api_error_message, usage_source, message_id, request_id, has_request_id, model, speed, "
    "input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, "
    "cache_creation_5m_tokens, cache_creation_1h_tokens, has_cache_breakdown, "
    "cache_creation_tokens, recorded_cost_usd, tool_names, tool_use_count, countable, "
    "skip_reason, loaded_at"
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


def row_binary(batches: Sequence[LineBatch]) -> bytes:
    """One RowBinary row per batch: (file_index UInt32, offsets Array(UInt64), lines String).

    ``lines`` are the batch's lines joined by newlines (a line holds none), so the framing
    costs two C-level joins per batch instead of Python work per line.
    """
    parts: list[bytes] = []
    for index, batch in enumerate(batches):
        if not batch.lines:
            continue
        blob = b"\n".join(batch.lines)
        parts.append(index.to_bytes(4, "little"))
        parts.append(_varint(len(batch.offsets)))
        parts.append(array("Q", batch.offsets).tobytes())
        parts.append(_varint(len(blob)))
        parts.append(blob)
    return b"".join(parts)


def stage_lines(client: Any, rows: bytes) -> None:
    """Put the framed batches into the staging table, one row per line.

    Embedded chDB reads them from a temporary file in-process (``FROM INFILE``), which is
    several times faster than its generic raw insert; a server gets a plain raw insert.
    ClickHouse then splits the lines apart, in blocks small enough to validate in parallel.
    """
    if type(client).__name__ == "ChdbClient":
        _infile_insert(client, rows)
    else:
        client.raw_insert(
            BLOBS,
            column_names=["file_index", "offsets", "lines"],
            insert_block=rows,
            fmt="RowBinary",
        )
    client.command(
        f"INSERT INTO {STAGING} (file_index, offset, line) "
        f"SELECT file_index, offset, line FROM {BLOBS} "
        f"ARRAY JOIN offsets AS offset, splitByChar('\\n', lines) AS line",
        settings=STAGING_BLOCKS,
    )
    client.command(f"TRUNCATE TABLE {BLOBS}")


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
            f"INSERT INTO {BLOBS} (file_index, offsets, lines) FROM INFILE '{name}' "
            "FORMAT RowBinary"
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

    def _params(self, batches: Sequence[LineBatch]) -> dict[str, Any]:
        infos = [self.files[b.cursor.path] for b in batches]
        return {
            "file_keys": [b.cursor.key for b in batches],
            "file_paths": [b.cursor.path for b in batches],
            "roots": [str(i.root) for i in infos],
            "kinds": [i.kind for i in infos],
            "projects": [i.project for i in infos],
            "sessions": [i.session_id for i in infos],
            "agents": [i.agent_id for i in infos],
        }

    def load_many(self, client: Any, batches: Sequence[LineBatch]) -> BatchResult:
        result = BatchResult()
        if not any(b.lines for b in batches):
            return result
        try:
            return self._load(client, batches, result)
        finally:
            # the staging table holds whole lines: never leave them behind
            for table in (BLOBS, STAGING, SCRATCH):
                client.command(f"TRUNCATE TABLE {table}")

    def _load(self, client: Any, batches: Sequence[LineBatch], result: BatchResult) -> BatchResult:
        stage_lines(client, row_binary(batches))
        params = self._params(batches)
        client.command(sqlfiles.load("transcripts/rejected_lines.sql"), parameters=params)
        client.command(
            sqlfiles.load("transcripts/entries.sql"),
            parameters=params,
            settings={"max_insert_threads": 2},
        )
        rows, flagged, rejected, newest = client.query(
            f"SELECT count(), countIf(_quarantine), "
            f"(SELECT countIf(problem != '') FROM {STAGING}), max(timestamp) FROM {SCRATCH}"
        ).result_rows[0]
        if flagged:
            client.command(
                f"INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, "
                f"reason) SELECT '{SOURCE}', file_path, _file_key, _offset, line_length, "
                f"concat(skip_reason, ' (metadata kept, line not counted)') "
                f"FROM {SCRATCH} WHERE _quarantine"
            )
        client.command(
            f"INSERT INTO transcript_entries ({ENTRY_COLUMNS}) "
            f"SELECT {ENTRY_COLUMNS} FROM {SCRATCH}"
        )
        result.rows["transcript_entries"] += int(rows)
        result.quarantined += int(flagged) + int(rejected)
        if newest is not None and getattr(newest, "year", 1970) > 1970:
            result.newest_event = newest
        return result
