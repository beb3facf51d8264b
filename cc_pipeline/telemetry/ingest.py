"""Load a folder of Collector JSONL into ClickHouse: the plain function behind the asset and CLI."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

from cc_pipeline import settings
from cc_pipeline.files.loader import IngestSummary, ProgressFn, ingest_folder
from cc_pipeline.schema import migrate
from cc_pipeline.telemetry.sink import TelemetrySink

# 16 MB of lines per batch keeps peak memory well under 1 GiB at nearly full speed.
DEFAULT_BATCH_BYTES = 16 << 20


def helper_count() -> int:
    """Extra clients that parse beside the main one: one per further core (at most three),
    and one for the small metric and span parses that run meanwhile."""
    return max(0, min(4, os.cpu_count() or 1) - 1) + 1


@contextmanager
def parse_helpers(connect: Callable[[], AbstractContextManager[Any]]) -> Iterator[list[Any]]:
    """Open ``helper_count()`` more clients of the same database for ``ingest_telemetry``."""
    with ExitStack() as stack:
        yield [stack.enter_context(connect()) for _ in range(helper_count())]


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
    helper_clients: Sequence[Any] = (),
) -> IngestSummary:
    """Ingest every complete new line of the Collector output folder, exactly once.

    ``helper_clients`` (more clients of the same database) parse each batch's log lines side
    by side with ``client``, one core each.
    """
    folder = (folder or settings.telemetry_dir()).expanduser().resolve()
    migrate(client)
    sink = TelemetrySink(
        keep_content=settings.keep_content() if keep_content is None else keep_content,
        helper_clients=list(helper_clients),
    )
    return ingest_folder(
        client,
        sink,
        folder,
        cursor_path_for(folder),
        max_batch_bytes=max_batch_bytes,
        max_line_bytes=max_line_bytes,
        progress=progress,
        log=log,
    )
