"""The two file sources as the pipeline sees them from outside the database.

A source is a folder the ingestion reads: the collector's output folder, or a Claude Code
config folder (a transcript root). What it holds that the ingestion has not read yet is its
size on disk minus the positions in its cursor file (JSON under ``CC_PIPELINE_HOME/cursors``),
matched by file identity (device and inode) as the tailer matches them. Reading that costs a
directory listing and one small JSON file: it never opens the embedded database, so sensors
can do it every few seconds while a run holds the database.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from cc_pipeline import settings
from cc_pipeline.files.tailer import list_files
from cc_pipeline.telemetry.ingest import cursor_path_for as telemetry_cursor_path
from cc_pipeline.transcripts.backfill import cursor_path_for as transcript_cursor_path
from cc_pipeline.transcripts.discovery import default_roots, discover

COLLECTOR_FILES = "otel_collector_files"
TRANSCRIPT_ROOT_PREFIX = "transcript_root_"


@dataclass(frozen=True)
class Backlog:
    """What a source folder holds beyond its cursors."""

    folder: str
    files: int  # regular files the ingestion would consider
    files_waiting: int  # files with bytes past their cursor (or no cursor yet)
    bytes_waiting: int
    bytes_total: int
    newest_mtime: float | None  # seconds since the epoch, of the newest file

    def version(self) -> str:
        """A data version that changes whenever the unread part changes."""
        text = f"{self.files_waiting}:{self.bytes_waiting}:{self.bytes_total}:{self.newest_mtime}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_positions(cursor_path: Path) -> dict[tuple[int, int], int]:
    """Committed offset per (device, inode) in a cursor file; empty when there is none yet.

    A cursor file being replaced at this moment is read whole or not at all (it is renamed
    into place), so an unreadable one only means "no positions known" for this look.
    """
    try:
        raw = orjson.loads(cursor_path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}
    positions: dict[tuple[int, int], int] = {}
    for entry in raw.get("files", {}).values():
        try:
            positions[(int(entry["dev"]), int(entry["ino"]))] = int(entry.get("offset", 0))
        except (KeyError, TypeError, ValueError):
            continue
    return positions


def backlog_of(folder: Path, stats: Iterable[os.stat_result], cursor_path: Path) -> Backlog:
    """The backlog of ``folder`` given its files' stats and its cursor file."""
    positions = read_positions(cursor_path)
    files = waiting_files = waiting = total = 0
    newest: float | None = None
    for st in stats:
        files += 1
        total += st.st_size
        offset = positions.get((st.st_dev, st.st_ino), 0)
        # A file shorter than its cursor was truncated: it is read again from the start.
        unread = st.st_size if st.st_size < offset else st.st_size - offset
        if unread > 0:
            waiting_files += 1
            waiting += unread
        if newest is None or st.st_mtime > newest:
            newest = st.st_mtime
    return Backlog(str(folder), files, waiting_files, waiting, total, newest)


def _stats(paths: Iterable[Path]) -> list[os.stat_result]:
    found = []
    for path in paths:
        try:
            found.append(path.stat())
        except (FileNotFoundError, PermissionError):
            continue
    return found


def collector_backlog(folder: Path | None = None) -> Backlog:
    """The backlog of the collector's output folder (``CC_PIPELINE_TELEMETRY_DIR``)."""
    folder = (folder or settings.current().telemetry_dir).expanduser().resolve()
    return backlog_of(folder, _stats(list_files(folder)), telemetry_cursor_path(folder))


def transcript_backlog(root: Path) -> Backlog:
    """The backlog of one Claude Code config folder's ``projects`` transcripts."""
    root = root.expanduser().absolute()
    stats = [f.stat for f in discover(root)]
    return backlog_of(root, stats, transcript_cursor_path(root))


def transcript_root_key(root: Path) -> str:
    """A stable asset name for a transcript root, readable in the UI:
    ``~/.claude`` -> ``transcript_root_claude``, ``~/.config/claude`` ->
    ``transcript_root_config_claude``; roots outside the home keep their whole path."""
    path = root.expanduser().absolute()
    try:
        shown = str(path.relative_to(Path.home()))
    except ValueError:
        shown = str(path)
    slug = re.sub(r"[^A-Za-z0-9]+", "_", shown).strip("_").lower() or "root"
    return TRANSCRIPT_ROOT_PREFIX + slug


def transcript_roots() -> dict[str, Path]:
    """The transcript roots the backfill reads by default, by asset name (whether or not
    they exist yet: a root that appears later is then already an asset)."""
    roots: dict[str, Path] = {}
    for root in default_roots():
        roots.setdefault(transcript_root_key(root), root.expanduser().absolute())
    return roots
