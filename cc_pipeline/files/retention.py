"""Delete the raw telemetry files that were read to their end and are old enough.

Only rotated backups are ever deleted: ``<name>-<YYYY-MM-DDTHH-MM-SS.mmm>[-size]<ext>`` (the
Collector's file exporter and the local receiver) and logrotate's ``<name>.<N>``. The live
file is never deleted or truncated (the Collector keeps writing to the file it opened, and
what it writes after such a change is lost without a word).
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from cc_pipeline.files.cursors import CursorStore

ROTATED_NAME = re.compile(
    r"-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?(?:-size)?(?:\.[^.]+)?$|\.\d+$"
)
DAY_SECONDS = 86400


def is_rotated(name: str) -> bool:
    """True for the name of a rotated backup, never for a live file's."""
    return ROTATED_NAME.search(name) is not None


def prune_ingested(
    folder: Path, store: CursorStore, retention_days: float, now: float | None = None
) -> list[str]:
    """Delete the rotated files directly in ``folder`` whose cursor reached their end and
    that were last written more than ``retention_days`` ago; their paths. 0 keeps all.

    Call while holding the source's lock, with ``store`` read under it.
    """
    if retention_days <= 0:
        return []
    cutoff = (time.time() if now is None else now) - retention_days * DAY_SECONDS
    removed: list[str] = []
    for cursor in store.cursors.values():
        path = Path(cursor.path)
        if path.parent != folder or not is_rotated(path.name) or cursor.pending_start is not None:
            continue
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        same_file = (st.st_dev, st.st_ino) == (cursor.dev, cursor.ino)
        read_to_end = cursor.offset == cursor.size == st.st_size
        if same_file and stat.S_ISREG(st.st_mode) and read_to_end and st.st_mtime < cutoff:
            path.unlink()
            removed.append(str(path))
    return removed
