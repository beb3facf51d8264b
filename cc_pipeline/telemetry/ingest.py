"""Load a folder of Collector JSONL into ClickHouse: the plain function behind the asset and CLI."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_pipeline import settings
from cc_pipeline.files.cursors import CursorStore, source_lock
from cc_pipeline.files.diskfull import load_places, reporting_disk_full
from cc_pipeline.files.loader import IngestSummary, ProgressFn, ingest_folder
from cc_pipeline.files.retention import prune_ingested
from cc_pipeline.limits.sink import ingest_rate_limits
from cc_pipeline.schema import migrate
from cc_pipeline.telemetry.sink import TelemetrySink

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# 48 MB of lines per batch: few enough batches that each one's fixed cost (query planning,
# a part written per table) stays small, with peak memory under 1 GiB (the batch is parsed in
# blocks of a few MB, see sink.BLOCKS_PER_THREAD).
DEFAULT_BATCH_BYTES = 48 << 20

RETENTION_VARIABLE = "CC_PIPELINE_RAW_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 7.0


def cursor_path_for(folder: Path) -> Path:
    """One cursor file per source folder, so two folders never share positions."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return settings.cursors_dir() / f"telemetry-{digest}.json"


def ingest_telemetry(
    client: Warehouse,
    folder: Path | None = None,
    *,
    keep_content: bool | None = None,
    max_batch_bytes: int = DEFAULT_BATCH_BYTES,
    max_line_bytes: int = 32 << 20,
    progress: ProgressFn | None = None,
    log: Any = None,
    retention_days: float | None = None,
) -> IngestSummary:
    """Ingest every complete new line of the Collector output folder, exactly once.

    Then rotated files read to their end and older than ``retention_days`` (default
    ``CC_PIPELINE_RAW_RETENTION_DAYS``, 7; 0 keeps them) are deleted; never the live file.
    A full disk raises ``DiskFull``, saying which folders are full and what to do.
    """
    days = raw_retention_days() if retention_days is None else retention_days
    folder = (folder or settings.telemetry_dir()).expanduser().resolve()
    migrate(client)
    cursor_path = cursor_path_for(folder)
    sink = TelemetrySink(
        keep_content=settings.keep_content() if keep_content is None else keep_content,
        # scratch files of the run, beside the cursors and emptied by the next run if a
        # crash left any
        spool_dir=cursor_path.with_suffix(".spool"),
    )
    with reporting_disk_full("telemetry", load_places(client, cursor_path.parent)):
        summary = ingest_folder(
            client,
            sink,
            folder,
            cursor_path,
            max_batch_bytes=max_batch_bytes,
            max_line_bytes=max_line_bytes,
            progress=progress,
            log=log,
            # rotated by logrotate's copytruncate: the copy's bytes read are not read again
            detect_copies=True,
        )
    if days > 0:
        with source_lock(cursor_path.with_suffix(".lock"), 600.0, log):
            summary.pruned = prune_ingested(folder, CursorStore(cursor_path), days)
        for path in summary.pruned:
            if log:
                log(f"pruned: {path}: rotated, read to its end and older than {days:g} days")
    # the status line's rate-limit record is loaded with every telemetry ingestion
    limits = ingest_rate_limits(client, log=log)
    summary.rows.update(limits.rows)
    summary.quarantined += limits.quarantined
    return summary


def raw_retention_days() -> float:
    """``CC_PIPELINE_RAW_RETENTION_DAYS``: days a rotated telemetry file read to its end is
    kept (default 7; 0 keeps it forever)."""
    raw = os.environ.get(RETENTION_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not days >= 0 or days == float("inf"):
        raise ValueError(
            f"{RETENTION_VARIABLE}={raw!r}: expected a number of days (0 keeps raw files forever)"
        )
    return days
