"""Scratch files that carry a batch's rows from the reader thread to ClickHouse.

The reader thread frames a batch into RowBinary files while the previous batch is being
parsed; loading a file then costs ClickHouse one read instead of Python building rows on
the loading thread. An embedded engine reads the files itself: a query can read them in
place (``file()``, see ``files_source``) or insert them (``INSERT ... FROM INFILE``, which is
also how clickhouse-connect inserts into chDB); a server is sent their bytes.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cc_pipeline import sqlfiles

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


# Characters file() reads as a glob: a folder whose path holds one is staged, not globbed.
GLOB_CHARS = frozenset("*?{}[]")


def files_source(client: Warehouse, folder: Path) -> bool:
    """True when queries can read the spool files of ``folder`` in place with ``file()``:
    an embedded engine shares this machine's files, a server does not."""
    return client.is_embedded and not GLOB_CHARS.intersection(str(folder))


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def load_file(client: Warehouse, table: str, columns: Sequence[str], path: Path) -> None:
    """Insert the RowBinary rows of a file into ``table`` (``columns``: all of its columns,
    in the order the file holds them)."""
    if client.is_embedded:
        # ClickHouse takes no query parameter after FROM INFILE (a syntax error), so the path
        # is written as a quoted string literal; the table name is a parameter.
        client.command(
            "INSERT INTO {table:Identifier} FROM INFILE " + _quote(str(path)) + " FORMAT RowBinary",
            parameters={"table": table},
        )
    else:
        with open(path, "rb") as fh:
            client.raw_insert(table, column_names=list(columns), insert_block=fh, fmt="RowBinary")


@dataclass(frozen=True)
class SpoolTable:
    """A staging table whose rows a batch's spool files hold in RowBinary.

    The batch queries (``sql/``) read it through a ``{name:Identifier}`` query parameter:
    where the files can be read in place (``files_source``), ``point_at`` names a temporary
    table of the File engine reading them (the ``files_sql`` script creates it, with the
    files' glob as the parameter ``spool``); elsewhere ``stage`` loads them into the staging
    table ``name`` and names it.
    """

    name: str
    columns: tuple[tuple[str, str], ...]  # (name, type) of every column, in the files' order
    files_name: str
    files_sql: str

    def point_at(self, client: Warehouse, glob: str) -> str:
        """Point the temporary table at the spool files matching ``glob``; its name."""
        sqlfiles.run_script(client, self.files_sql, {"spool": glob})
        return self.files_name

    def stage(self, client: Warehouse, folder: Path) -> str:
        """Replace the table's rows with those of every spool file of ``folder``; its name."""
        client.command("TRUNCATE TABLE {table:Identifier}", parameters={"table": self.name})
        names = [name for name, _ in self.columns]
        for path in sorted(folder.iterdir()):
            load_file(client, self.name, names, path)
        return self.name


# A spool folder without a fixed place is a temporary folder named after its process.
TEMP_PREFIX = "cc-pipeline-spool-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a live process of another user
        return True
    return True


def _owner_gone(lock_path: Path) -> int | None:
    """An fd holding ``lock_path`` when no process holds it (-1 when there is no such file),
    None while its owner runs."""
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except FileNotFoundError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def remove_stale_spools(folder: Path) -> list[Path]:
    """Delete the spool folders a killed run left (they may hold prompts and tool inputs);
    the folders removed.

    A source's spool ``<name>.spool`` in ``folder`` belongs to the run holding the source's
    lock ``<name>.lock``: it is stale when no process holds that lock. A temporary spool
    (``cc-pipeline-spool-<pid>-*``) is stale when its process is gone.
    """
    removed: list[Path] = []
    try:
        spools = [Path(e.path) for e in os.scandir(folder) if e.name.endswith(".spool")]
    except FileNotFoundError:
        spools = []
    for spool in spools:
        fd = _owner_gone(spool.with_suffix(".lock"))
        if fd is None:
            continue
        try:
            shutil.rmtree(spool, ignore_errors=True)
            removed.append(spool)
        finally:
            if fd >= 0:
                os.close(fd)
    temp = Path(tempfile.gettempdir())
    for spool in temp.glob(f"{TEMP_PREFIX}*"):
        pid = spool.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(spool, ignore_errors=True)
            removed.append(spool)
    return removed


class SpoolDir:
    """A private folder of scratch files, emptied when opened (a crashed run's leftovers
    go) and when closed."""

    def __init__(self, path: Path):
        self.path = path
        self._names = itertools.count()
        self._lock = threading.Lock()

    @classmethod
    def open_at(cls, path: Path | None) -> SpoolDir:
        """Open (emptied) the folder at ``path``, or a new temporary folder when None."""
        spool = cls(path or Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")))
        shutil.rmtree(spool.path, ignore_errors=True)
        spool.path.mkdir(parents=True, exist_ok=True)
        return spool

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _next_name(self) -> str:
        with self._lock:
            return f"{next(self._names):08d}"

    def new_folder(self) -> Path:
        """A new empty subfolder, for the files of one batch."""
        path = self.path / self._next_name()
        path.mkdir()
        return path

    def write(self, chunks: Iterable[bytes], suffix: str, folder: Path) -> Path:
        """Write ``chunks`` to a new file of ``folder`` (from ``new_folder``); its path."""
        path = folder / f"{self._next_name()}{suffix}"
        with open(path, "wb") as fh:
            fh.writelines(chunks)
        return path

    @staticmethod
    def remove(folder: Path) -> None:
        """Delete a batch's folder and its files."""
        shutil.rmtree(folder, ignore_errors=True)
