"""Load a folder of Collector JSONL into ClickHouse: the plain function behind the asset and CLI."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cc_pipeline import settings
from cc_pipeline.files.loader import IngestSummary, ProgressFn, ingest_folder
from cc_pipeline.limits.sink import ingest_rate_limits
from cc_pipeline.schema import migrate
from cc_pipeline.telemetry.sink import TelemetrySink

# 48 MB of lines per batch: few enough batches that each one's fixed cost (query planning,
# a part written per table) stays small, with peak memory under 1 GiB (the batch is parsed in
# blocks of a few MB, see sink.BLOCKS_PER_THREAD).
DEFAULT_BATCH_BYTES = 48 << 20


def cursor_path_for(folder: Path) -> Path:
    """One cursor file per source folder, so two folders never share positions."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return settings.cursors_dir() / f"telemetry-{digest}.json"


def ingest_telemetry(
    client: Any,
    folder: Path | None = None,
    *,
    keep_content: bool | None = None,
    max_batch_bytes: int = DEFAULT_BATCH_BYTES,
    max_line_bytes: int = 32 << 20,
    progress: ProgressFn | None = None,
    log: Any = None,
) -> IngestSummary:
    """Ingest every complete new line of the Collector output folder, exactly once."""
    folder = (folder or settings.telemetry_dir()).expanduser().resolve()
    migrate(client)
    cursor_path = cursor_path_for(folder)
    sink = TelemetrySink(
        keep_content=settings.keep_content() if keep_content is None else keep_content,
        # scratch files of the run, beside the cursors and emptied by the next run if a
        # crash left any
        spool_dir=cursor_path.with_suffix(".spool"),
    )
    summary = ingest_folder(
        client,
        sink,
        folder,
        cursor_path,
        max_batch_bytes=max_batch_bytes,
        max_line_bytes=max_line_bytes,
        progress=progress,
        log=log,
    )
    # the status line's rate-limit record is loaded with every telemetry ingestion
    limits = ingest_rate_limits(client, log=log)
    summary.rows.update(limits.rows)
    summary.quarantined += limits.quarantined
    return summary
