"""Persisted per-file read positions, written atomically."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import orjson

from cc_pipeline.resources.engine_lock import acquire_lock


@dataclass
class FileCursor:
    """How far one file (by identity, not by name) has been committed."""

    key: str
    path: str
    dev: int
    ino: int
    fingerprint: str
    fingerprint_len: int
    offset: int = 0
    size: int = 0
    # Modification time seen with ``size``: a file with both unchanged is not re-fingerprinted.
    mtime_ns: int = 0
    binary: bool = False
    # Start of a batch whose rows may be partly written: discard rows from here on resume.
    pending_start: int | None = None
    updated_at: float = field(default_factory=time.time)


_FIELDS = frozenset(f.name for f in fields(FileCursor))


def _cursor(saved: dict[str, Any]) -> FileCursor:
    """The cursor a saved entry describes. An entry with exactly the current fields becomes
    the cursor's attributes as they are: a store holds thousands, and ``FileCursor(**saved)``
    would be the larger part of reading it. Any other entry goes through the constructor."""
    if saved.keys() != _FIELDS:
        return FileCursor(**saved)
    cursor = object.__new__(FileCursor)
    cursor.__dict__ = saved
    return cursor


class CursorStore:
    """A JSON file of FileCursors for one source folder."""

    def __init__(self, path: Path):
        self.path = path
        self.cursors: dict[str, FileCursor] = {}
        # Entries left out as unreadable, by quarantine key: their reason, already recorded.
        self.skipped: dict[str, str] = {}
        if path.exists():
            raw = orjson.loads(path.read_bytes())
            self.cursors = {k: _cursor(v) for k, v in raw.get("files", {}).items()}
            self.skipped = raw.get("skipped", {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        # orjson writes the dataclasses directly: a save stays cheap for thousands of files,
        # and it happens twice per loaded batch.
        payload = orjson.dumps({"version": 1, "files": self.cursors, "skipped": self.skipped})
        with open(tmp, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def by_inode(self) -> dict[tuple[int, int], FileCursor]:
        return {(c.dev, c.ino): c for c in self.cursors.values()}


class SourceBusy(RuntimeError):
    """Another process is ingesting the same source."""


@contextmanager
def source_lock(
    lock_path: Path, timeout_s: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive lock on a source's cursor file for the duration of a run."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = acquire_lock(
        lock_path,
        timeout_s,
        on_wait,
        subject=f"This source's ingestion lock {lock_path}",
        busy=lambda holder: SourceBusy(
            f"Another process ({holder}) is ingesting this source (lock {lock_path}); "
            f"gave up after {timeout_s:.0f}s"
        ),
        record_holder=True,
    )
    try:
        yield
    finally:
        lock.release()
