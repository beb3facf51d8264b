"""A load that stops because a disk is full says which one and what to do, not a traceback."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cc_pipeline.console import EXIT_DISK_FULL

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# What ClickHouse says when it cannot write a part or reserve room for a merge.
CLICKHOUSE_DISK_FULL = ("No space left on device", "Cannot reserve space", "NOT_ENOUGH_SPACE")
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


class DiskFull(RuntimeError):
    """A load stopped because a disk (or a quota) is full. The CLI prints the message
    without a traceback and exits with ``exit_code`` (74, ``EX_IOERR``)."""

    exit_code = EXIT_DISK_FULL


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says a disk is full."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno in FULL_ERRNOS:
            return True
        if any(text in str(error) for text in CLICKHOUSE_DISK_FULL):
            return True
    return False


def _usage(path: Path) -> str:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return f"{path}"
    return f"{path} ({usage.free >> 20} MB free of {usage.total >> 20} MB)"


def disk_full_message(source: str, exc: BaseException, places: Mapping[str, Path]) -> str:
    """Which file or places are full, how full their filesystems are, and what to do."""
    files = [
        str(e.filename) for e in _chain(exc) if isinstance(e, OSError) and e.filename is not None
    ]
    lines = [f"No space left on the disk while loading {source}."]
    if files:
        lines.append(f"  could not write: {files[0]}")
    lines += [f"  {label}: {_usage(path)}" for label, path in places.items()]
    lines.append(
        "Free space on the full disk (or set CC_PIPELINE_HOME to a folder on a larger one) and "
        "run again: the batch that was being written is discarded and loaded once by the next "
        "run."
    )
    return "\n".join(lines)


@contextmanager
def reporting_disk_full(source: str, places: Mapping[str, Path]) -> Iterator[None]:
    """Turn a disk-full error of the block into ``DiskFull`` naming ``places``
    (label -> folder: the embedded database, the cursors and spool files...)."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        raise DiskFull(disk_full_message(source, exc, places)) from exc


def load_places(client: Warehouse, cursors: Path) -> dict[str, Path]:
    """The folders a load writes to on this machine: its cursors and spool files, and the
    embedded database's folder when the engine is embedded."""
    from cc_pipeline import settings

    places = {"cursors and spool files": cursors}
    if client.is_embedded:
        places["embedded database"] = settings.chdb_dir()
    return places
