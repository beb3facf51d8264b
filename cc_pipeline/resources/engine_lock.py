"""Who holds an embedded ClickHouse (chDB) data directory.

chDB takes an exclusive ``flock`` on ``<dir>/status`` and writes the holder's PID into it.
A second process cannot open the directory; chDB itself then only says "Error initializing
EmbeddedServer". Reading the lock ourselves lets the error name the process that holds it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path


class EmbeddedDatabaseBusy(RuntimeError):
    """The chDB directory is locked by another process."""


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
            text = status.read_text(errors="replace").strip()
            fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
            pid = fields.get("PID", "?")
            started = fields.get("Started at", "?")
            return f"process {pid} (started {started})"
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
    data_dir: Path,
    timeout_s: float,
    on_wait: Callable[[str], None] | None = None,
    poll_s: float = 0.5,
) -> None:
    """Block until ``data_dir`` is free, up to ``timeout_s``; raise EmbeddedDatabaseBusy after."""
    deadline = time.monotonic() + timeout_s
    announced = False
    while True:
        holder = lock_holder(data_dir)
        if holder is None:
            return
        if time.monotonic() >= deadline:
            raise EmbeddedDatabaseBusy(busy_message(data_dir, holder))
        if on_wait is not None and not announced:
            on_wait(
                f"The embedded database {data_dir} is busy ({holder}); "
                f"waiting up to {timeout_s:.0f}s for it..."
            )
            announced = True
        time.sleep(poll_s)
