"""A JSONL file that rotates by size the way the Collector's file exporter does.

The file exporter rotates through lumberjack: when the next write would pass
``max_megabytes``, the live file is renamed to ``<name>-<YYYY-MM-DDTHH-MM-SS.mmm><ext>`` (UTC
unless ``localtime``) and a new live file starts; backups beyond ``max_backups`` (or older than
``max_days``) are deleted. Each line goes out in one ``write`` under a lock, so lines from
concurrent requests never interleave, and nothing waits in a user-space buffer.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BACKUP_TIME_FORMAT = "%Y-%m-%dT%H-%M-%S"


def backup_name(live: Path, when: datetime) -> Path:
    """``telemetry.jsonl`` -> ``telemetry-2026-11-24T00-14-32.095.jsonl``."""
    stamp = when.strftime(BACKUP_TIME_FORMAT) + f".{when.microsecond // 1000:03d}"
    return live.with_name(f"{live.stem}-{stamp}{live.suffix}")


class RotatingJsonlWriter:
    """Append-only JSONL writer with Collector-style size rotation; safe across threads."""

    def __init__(
        self,
        path: Path,
        *,
        max_megabytes: float = 100,
        max_backups: int = 100,
        max_days: int = 0,
        localtime: bool = False,
    ) -> None:
        self.path = path
        self.max_bytes = int(max_megabytes * 1024 * 1024) if max_megabytes > 0 else 0
        self.max_backups = max_backups
        self.max_days = max_days
        self.localtime = localtime
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self.lines_written = 0
        self.bytes_written = 0
        self.last_write: float | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        self._open()

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._size = os.fstat(self._fd).st_size

    def write_line(self, line: bytes) -> None:
        """Append one complete line (ending in a newline), rotating first if it would not fit."""
        if not line.endswith(b"\n"):
            raise ValueError("a JSONL line must end with a newline")
        with self._lock:
            if self._fd is None:
                raise ValueError("writer is closed")
            if self.max_bytes and self._size and self._size + len(line) > self.max_bytes:
                self._rotate()
            view = memoryview(line)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            self._size += len(line)
            self.lines_written += 1
            self.bytes_written += len(line)
            self.last_write = time.time()

    def _rotate(self) -> None:
        assert self._fd is not None
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        now = datetime.now().astimezone() if self.localtime else datetime.now(UTC)
        target = backup_name(self.path, now)
        while target.exists():  # two rotations within one millisecond
            now = now.fromtimestamp(now.timestamp() + 0.001, tz=now.tzinfo)
            target = backup_name(self.path, now)
        os.rename(self.path, target)
        self._open()
        self._prune()

    def backups(self) -> list[Path]:
        """Rotated backups of the live file, oldest first (the timestamp sorts by name)."""
        prefix = f"{self.path.stem}-"
        return sorted(
            p
            for p in self.path.parent.iterdir()
            if p.name.startswith(prefix) and p.suffix == self.path.suffix and p != self.path
        )

    def _prune(self) -> None:
        backups = self.backups()
        doomed: list[Path] = []
        if self.max_backups > 0 and len(backups) > self.max_backups:
            doomed += backups[: len(backups) - self.max_backups]
        if self.max_days > 0:
            cutoff = time.time() - self.max_days * 86400
            doomed += [p for p in backups if p not in doomed and p.stat().st_mtime < cutoff]
        for path in doomed:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """Flush to disk and close; later writes fail."""
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None
