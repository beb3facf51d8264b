"""Load the status line's rate-limit record into ``rate_limit_observations``, exactly once.

The status line appends one JSON line per observation to ``CC_PIPELINE_HOME/limits/*.jsonl``;
this folder goes through the same tailer as the telemetry (``cc_pipeline.files.loader``):
cursors by file identity, a pending mark saved before each batch and the batch's rows deleted
by ``(_file_key, _offset)`` after a crash, so a re-run or a crash mid-run loads every line
once. A line is small and a batch holds few, so rows are framed in Python and inserted.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cc_pipeline import settings
from cc_pipeline.files.loader import BatchResult, BatchSink, IngestSummary, ingest_folder
from cc_pipeline.files.tailer import LineBatch, Reject

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

TABLE = "rate_limit_observations"
COLUMNS = ["observed_at", "session_id", "window", "used_percentage", "resets_at"]
WINDOWS = ("five_hour", "seven_day")
SOURCE = "rate_limits"


def limits_dir() -> Path:
    """Folder the status line appends its observations to (``CC_PIPELINE_HOME/limits``)."""
    return settings.current().home / "limits"


def _seconds(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return datetime.fromtimestamp(float(value), tz=UTC)


def parse_line(line: bytes) -> list[list[Any]] | str:
    """The rows (one per window) of one observation line, or why it is not loadable."""
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "not valid JSON"
    if not isinstance(document, dict):
        return "not a JSON object"
    observed = _seconds(document.get("observed_at"))
    if observed is None:
        return "observed_at is not a time in epoch seconds"
    limits = document.get("rate_limits")
    if not isinstance(limits, dict):
        return "rate_limits is not an object"
    session = document.get("session_id")
    rows: list[list[Any]] = []
    for window in WINDOWS:
        seen = limits.get(window)
        if not isinstance(seen, dict):
            continue
        used = seen.get("used_percentage")
        if isinstance(used, bool) or not isinstance(used, int | float) or not math.isfinite(used):
            return f"{window}.used_percentage is not a number"
        resets = seen.get("resets_at")
        resets_at = _seconds(resets)
        if resets is not None and resets_at is None:
            return f"{window}.resets_at is not a time in epoch seconds"
        rows.append([observed, str(session or ""), window, float(used), resets_at])
    return rows or "no five_hour or seven_day window"


@dataclass
class RateLimitSink(BatchSink):
    """Turns observation lines into rows of ``rate_limit_observations``."""

    source: str = SOURCE
    tables: Sequence[str] = (TABLE,)

    def prepare(self, client: Warehouse) -> None:
        """Nothing to set up: the table is created by the migrations."""

    def load(self, client: Warehouse, batch: LineBatch) -> BatchResult:
        """Insert a batch's rows; a line that is not an observation is quarantined."""
        rows: list[list[Any]] = []
        for offset, line in zip(batch.offsets, batch.lines, strict=True):
            parsed = parse_line(line)
            if isinstance(parsed, str):
                batch.rejects.append(Reject(offset, len(line) + 1, parsed))
                continue
            rows.extend([*row, batch.cursor.key, offset] for row in parsed)
        result = BatchResult()
        if rows:
            client.insert(TABLE, rows, column_names=[*COLUMNS, "_file_key", "_offset"])
            result.rows[TABLE] = len(rows)
            result.newest_event = max(row[0] for row in rows)
        return result


def cursor_path_for(folder: Path) -> Path:
    """The cursor file of one observation folder."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return settings.cursors_dir() / f"rate-limits-{digest}.json"


def ingest_rate_limits(
    client: Warehouse, folder: Path | None = None, log: Callable[[str], None] | None = None
) -> IngestSummary:
    """Load every complete new observation line of the status line's folder, exactly once."""
    folder = (folder or limits_dir()).expanduser().resolve()
    return ingest_folder(
        client, RateLimitSink(), folder, cursor_path_for(folder), pattern="*.jsonl", log=log
    )
