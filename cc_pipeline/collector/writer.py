"""A JSONL file that rotates by size the way the Collector's file exporter does.

The file exporter rotates through lumberjack: when the next write would pass
``max_megabytes``, the live file is renamed to ``<name>-<YYYY-MM-DDTHH-MM-SS.mmm><ext>`` (UTC
unless ``localtime``) and a new live file starts; backups beyond ``max_backups`` (or older than
``max_days``) are deleted. Each line goes out in ``write`` calls under a lock, so lines from
concurrent requests never interleave, and nothing waits in a user-space buffer.

A line is whole or absent: a write that fails half way (disk full, I/O error) is cut back to
where the line started before the error is raised, and a fragment left by a killed process is
closed with a newline when the file is opened again, so the next line never joins it. How far
a written line is carried to the disk before ``write_line`` returns is the ``fsync`` policy.
"""

from __future__ import annotations

import enum
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BACKUP_TIME_FORMAT = "%Y-%m-%dT%H-%M-%S"
FILE_MODE = 0o600  # raw telemetry can name users, projects and (opted in) content


class FsyncPolicy(enum.StrEnum):
    """When written lines are forced to the disk.

    ``always``: before ``write_line`` returns (an acknowledged request survives a crash of the
    machine); ``interval``: at most ``fsync_interval`` seconds after the write, by the next
    write or a background thread (a crash of the machine loses at most that window);
    ``never``: only at rotation and close. Every policy keeps an acknowledged line through a
    crash or ``kill -9`` of the receiver itself: the line is in the kernel before it returns.
    """

    ALWAYS = "always"
    INTERVAL = "interval"
    NEVER = "never"


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
        fsync: FsyncPolicy | str = FsyncPolicy.INTERVAL,
        fsync_interval: float = 1.0,
    ) -> None:
        self.path = path
        self.max_bytes = int(max_megabytes * 1024 * 1024) if max_megabytes > 0 else 0
        self.max_backups = max_backups
        self.max_days = max_days
        self.localtime = localtime
        self.fsync = FsyncPolicy(fsync)
        self.fsync_interval = fsync_interval
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._size = 0
        self._dirty = False
        self._last_sync = time.monotonic()
        self._torn_at: int | None = None  # start of a line whose write failed half way
        self.lines_written = 0
        self.bytes_written = 0
        self.write_errors = 0
        self.last_write: float | None = None
        self._closed = threading.Event()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._open()
        if self.fsync is FsyncPolicy.INTERVAL:
            syncer = threading.Thread(target=self._sync_periodically, name="fsync", daemon=True)
            syncer.start()

    def _open(self) -> None:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.fchmod(self._fd, FILE_MODE)  # also a file an older version created 0644
        self._size = os.fstat(self._fd).st_size
        if self._size and not self._ends_with_newline():
            # A process killed mid-write left a fragment: end it so it stays one bad line
            # (never acknowledged) instead of swallowing the next good one.
            self._write_all(b"\n")
            self._size += 1
            os.fsync(self._fd)
        if self.fsync is FsyncPolicy.ALWAYS:
            _fsync_dir(self.path.parent)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def _write_all(self, data: bytes | memoryview) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def write_line(self, line: bytes) -> None:
        """Append one complete line (ending in a newline), rotating first if it would not fit.

        Returns only once the whole line is written (and synced under ``fsync=always``); on
        an error the partial line is removed and the error raised.
        """
        if not line.endswith(b"\n"):
            raise ValueError("a JSONL line must end with a newline")
        with self._lock:
            if self._fd is None:
                raise ValueError("writer is closed")
            self._repair_torn_line()
            if self.max_bytes and self._size and self._size + len(line) > self.max_bytes:
                self._rotate()
            start = self._size
            try:
                self._write_all(line)
                self._size += len(line)
                self._sync_after_write()
            except OSError:
                self.write_errors += 1
                self._torn_at = start
                self._repair_torn_line()
                raise
            self.lines_written += 1
            self.bytes_written += len(line)
            self.last_write = time.time()

    def _sync_after_write(self) -> None:
        assert self._fd is not None
        self._dirty = True
        due = time.monotonic() - self._last_sync >= self.fsync_interval
        if self.fsync is FsyncPolicy.ALWAYS or (self.fsync is FsyncPolicy.INTERVAL and due):
            os.fdatasync(self._fd)
            self._dirty = False
            self._last_sync = time.monotonic()

    def _repair_torn_line(self) -> None:
        """Cut a half-written line back to where it started; if that fails, the next line
        starts with a newline so the fragment stays a line of its own."""
        if self._torn_at is None or self._fd is None:
            return
        try:
            os.ftruncate(self._fd, self._torn_at)
            self._size = self._torn_at
        except OSError:
            self._size = os.fstat(self._fd).st_size
            if self._size == self._torn_at:
                self._torn_at = None
                return
            self._write_all(b"\n")  # raises while the disk still refuses: repaired next time
            self._size += 1
        self._torn_at = None

    def _sync_periodically(self) -> None:
        while not self._closed.wait(self.fsync_interval):
            with self._lock:
                if self._fd is not None and self._dirty:
                    try:
                        os.fdatasync(self._fd)
                    except OSError:
                        self.write_errors += 1
                        continue
                    self._dirty = False
                    self._last_sync = time.monotonic()

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
        self._closed.set()
        with self._lock:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None


def _fsync_dir(folder: Path) -> None:
    """Make a file's creation or rename durable (its directory entry)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
