"""Scratch files that carry a batch's rows from the reader thread to ClickHouse.

The reader thread frames a batch into RowBinary files while the previous batch is being
parsed; loading a file then costs ClickHouse one read instead of Python building rows on
the loading thread. An embedded engine reads the files itself: a query can read them in
place (``file()``, see ``files_source``) or insert them (``INSERT ... FROM INFILE``, which is
also how clickhouse-connect inserts into chDB); a server is sent their bytes.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def is_embedded(client: Any) -> bool:
    """True for a clickhouse-connect client of an in-process chDB engine."""
    return type(client).__name__ == "ChdbClient"


# Characters file() reads as a glob: a folder whose path holds one is staged, not globbed.
GLOB_CHARS = frozenset("*?{}[]")


def files_source(client: Any, folder: Path) -> bool:
    """True when queries can read the spool files of ``folder`` in place with ``file()``:
    an embedded engine shares this machine's files, a server does not."""
    return is_embedded(client) and not GLOB_CHARS.intersection(str(folder))


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def load_file(
    client: Any, table: str, columns: Sequence[str], path: Path, fmt: str = "RowBinary"
) -> None:
    """Insert the rows of a file in ``fmt`` into ``table``."""
    if is_embedded(client):
        client.command(
            f"INSERT INTO {table} ({', '.join(columns)}) FROM INFILE {_quote(str(path))} "
            f"FORMAT {fmt}"
        )
    else:
        with open(path, "rb") as fh:
            client.raw_insert(table, column_names=list(columns), insert_block=fh, fmt=fmt)


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
        spool = cls(path or Path(tempfile.mkdtemp(prefix="cc-pipeline-spool-")))
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

    def write(
        self, chunks: Iterable[bytes], suffix: str = ".bin", folder: Path | None = None
    ) -> Path:
        """Write ``chunks`` to a new file (of ``folder``, else of the spool) and return its
        path."""
        path = (folder or self.path) / f"{self._next_name()}{suffix}"
        with open(path, "wb") as fh:
            fh.writelines(chunks)
        return path

    @staticmethod
    def remove(paths: Iterable[Path]) -> None:
        """Delete spool files and subfolders."""
        for path in paths:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
