"""Small helpers for command-line output: messages on stderr, a progress bar, byte sizes."""

from __future__ import annotations

import sys
from typing import Any


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


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


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
