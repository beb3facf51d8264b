"""Command-line output: messages on stderr, the one printer of every table a command prints
(``--format table|json|csv``), a progress bar, byte sizes."""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# Exit statuses every command keeps (sysexits' numbers where one fits).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_DISK_FULL = 74
EXIT_BUSY = 75
EXIT_SCHEMA_CHANGED = 78
EXIT_CODES_HELP = (
    "exit status: 0 ok, 1 a check failed (or a query was refused), 2 bad usage, 74 a disk is "
    "full, 75 the database or a source is busy (held by another process past --wait), "
    "78 an applied schema migration was changed, 130 interrupted"
)

OutputFormat = Literal["table", "json", "csv"]
FORMATS: tuple[OutputFormat, ...] = ("table", "json", "csv")

# Data may hold terminal escape sequences (a model or project name is whatever the source
# said): every C0/C1 control character but the line break is shown as a visible escape.
_CONTROLS = {
    code: f"\\x{code:02x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0)) if code != 0x0A
}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def add_wait_option(parser: Any, default: float = 600.0) -> None:
    """``--wait``: how long a command waits for a busy embedded database."""
    parser.add_argument(
        "--wait",
        type=float,
        default=default,
        help=f"seconds to wait for a busy embedded database (default {default:.0f})",
    )


def add_format_option(parser: argparse.ArgumentParser, default: OutputFormat = "table") -> None:
    """``--format table|json|csv`` and its alias ``--json``."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=default,
        help=f"how to print the rows (default {default}); json and csv print only data on "
        "stdout, messages go to stderr",
    )
    parser.add_argument(
        "--json", dest="format", action="store_const", const="json", help="same as --format json"
    )


def visible(text: str) -> str:
    """``text`` with terminal control characters shown as escapes, never sent to the terminal."""
    return text.translate(_CONTROLS)


def jsonable(value: Any) -> Any:
    """A query result value as plain JSON data (a NaN or an infinity becomes null)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _cell(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict | list):
        return visible(json.dumps(value, ensure_ascii=False))
    return value


def print_rows(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: OutputFormat = "table",
    out: TextIO | None = None,
    *,
    thousands: bool = False,
) -> int:
    """Print rows as an aligned table, one JSON array of objects, or CSV; return the count.
    ``thousands`` groups the digits of a table's whole numbers (1,234)."""
    out = out or sys.stdout
    materialized = [list(row) for row in rows]
    if fmt == "json":
        records = [
            {name: jsonable(v) for name, v in zip(headers, row, strict=True)}
            for row in materialized
        ]
        json.dump(records, out, allow_nan=False, default=str)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([visible(h) for h in headers])
        writer.writerows([_cell(v) for v in row] for row in materialized)
    else:
        from tabulate import tabulate

        table = [[_cell(v) for v in row] for row in materialized]
        headers_shown = [visible(h) for h in headers]
        text = tabulate(table, headers=headers_shown, intfmt="," if thousands else "")
        out.write(text + "\n")
    return len(materialized)


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@contextmanager
def open_warehouse(wait: float, *, migrated: bool = True) -> Iterator[Warehouse]:
    """The configured warehouse for a command, waiting up to ``wait`` seconds for a busy
    embedded database; its schema brought up to date first unless ``migrated`` is False (for
    a command whose own function migrates)."""
    from cc_pipeline.resources.connection import connection_from_env
    from cc_pipeline.schema import migrate

    with connection_from_env(busy_timeout_s=wait).connect(on_wait=say) as client:
        if migrated:
            migrate(client)
        yield client


@contextmanager
def load_session(
    args: argparse.Namespace, description: str
) -> Iterator[tuple[Warehouse, ByteProgress]]:
    """The warehouse and a byte progress bar for a one-shot load command (``--wait`` from
    ``args``); a command that exits at once leaves the client to the process exit."""
    from cc_pipeline.resources.connection import connection_from_env

    progress = ByteProgress(description)
    try:
        connection = connection_from_env(busy_timeout_s=args.wait)
        with connection.connect(on_wait=say, close=not args.exits_at_once) as client:
            yield client, progress
    finally:
        progress.close()


class ByteProgress:
    """A tqdm bar over bytes on stderr, none when stderr is not a terminal."""

    def __init__(self, description: str):
        self._bar: Any = None
        if not sys.stderr.isatty():
            return
        from tqdm import tqdm

        self._bar = tqdm(
            total=0,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=description,
            file=sys.stderr,
            leave=False,
        )

    def __call__(self, done: int, total: int, _path: str) -> None:
        if self._bar is None:
            return
        if self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
