"""Waiting for a lock file, and who holds the embedded ClickHouse (chDB) data directory.

chDB takes an exclusive ``flock`` on ``<dir>/status`` and writes the holder's PID into it.
A second process cannot open the directory; chDB itself then only says "Error initializing
EmbeddedServer". Reading the lock ourselves lets the error name the process that holds it.
The project's own lock files carry their holder's PID the same way (``PID: ...`` and
``Started at: ...`` lines), so one helper, ``acquire_lock``, waits for either kind and says who
holds it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filelock import BaseFileLock

# Seconds between two attempts at a held lock.
POLL_S = 0.1


class EmbeddedDatabaseBusy(RuntimeError):
    """The chDB directory is locked by another process."""


def describe_holder(lock_file: Path) -> str:
    """The holder a lock file names (``process PID (started ...)``), as well as it can say."""
    try:
        text = lock_file.read_text(errors="replace")
    except OSError:
        text = ""
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    if "PID" not in fields:
        return "another process"
    return f"process {fields['PID'].strip()} (started {fields.get('Started at', '?').strip()})"


def _record_holder(fd: int) -> None:
    """Write this process into the lock file it has just taken, for waiters to name it."""
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"PID: {os.getpid()}\nStarted at: {started}\n".encode(), 0)


def acquire_lock(
    lock_file: Path,
    timeout_s: float,
    on_wait: Callable[[str], None] | None,
    *,
    subject: str,
    busy: Callable[[str], Exception],
    record_holder: bool = False,
) -> BaseFileLock:
    """Take the ``flock`` on ``lock_file``, waiting up to ``timeout_s`` seconds for it.

    When another process holds it, ``on_wait`` is told once who (``subject`` names what is
    busy); at the deadline ``busy(holder)`` is raised. ``record_holder`` writes this process's
    PID into the file for others to read. The file is never removed: other programs (chDB)
    may read it. The caller releases the returned lock.
    """
    from filelock import FileLock, Timeout  # a few tens of ms to import: only when locking

    lock = FileLock(
        str(lock_file),
        preserve_lock_file=True,
        thread_local=False,
        on_acquired=_record_holder if record_holder else None,
    )
    try:
        lock.acquire(blocking=False)
        return lock
    except Timeout:
        pass
    if on_wait is not None:
        on_wait(
            f"{subject} is busy ({describe_holder(lock_file)}); "
            f"waiting up to {timeout_s:.0f}s for it..."
        )
    try:
        lock.acquire(timeout=max(0.0, timeout_s), poll_interval=POLL_S)
    except Timeout:
        raise busy(describe_holder(lock_file)) from None
    return lock


def lock_holder(data_dir: Path) -> str | None:
    """Describe the process holding ``data_dir``, or None when it is free."""
    status = data_dir / "status"
    try:
        fd = os.open(status, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return describe_holder(status)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def busy_message(data_dir: Path, holder: str) -> str:
    return (
        f"Cannot lock file {data_dir / 'status'}: the embedded ClickHouse directory {data_dir} "
        f"is held by {holder}. Only one process can open it at a time; a Dagster run that is "
        "writing holds it until the run ends."
    )


def wait_until_free(
    data_dir: Path, timeout_s: float, on_wait: Callable[[str], None] | None = None
) -> None:
    """Block until ``data_dir`` is free, up to ``timeout_s``; raise EmbeddedDatabaseBusy after.

    Free means free at that moment: another process may open the directory right after, so an
    open that follows can still find it held (``ClickHouseConnection`` then waits again).
    """
    status = data_dir / "status"
    if lock_holder(data_dir) is None:
        return
    acquire_lock(
        status,
        timeout_s,
        on_wait,
        subject=f"The embedded database {data_dir}",
        busy=lambda holder: EmbeddedDatabaseBusy(busy_message(data_dir, holder)),
    ).release()
