"""ClickHouse RowBinary framing: how batches of lines travel to ClickHouse, in spool files of
about equal bytes that a parse query reads on every core.

Kept instead of clickhouse-connect's own insert serialization (``NativeTransform.build_insert``
of an ``InsertContext``; the library has no RowBinary encoder) because framing the same rows
with it is slower: measured by ``make bench-rowbinary`` (same rows checked equal in chDB),
project/library speed, median of 9 runs (two runs of the bench): 2.3-2.5x for Collector
telemetry lines, 1.2-1.3x for one-record telemetry lines (best run: 1.0-1.2x) and 1.7-1.9x
for transcript blobs. The sinks frame whole lines with a length prefix, where the library
first builds a list per column of every row.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

# Threads of a parse query: it reads one spool file (or staged block) per thread at a time.
PARSE_THREADS = max(1, min(8, os.cpu_count() or 1))


def varint(n: int) -> bytes:
    """LEB128, the length prefix of RowBinary strings and arrays."""
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def string(value: str | bytes) -> list[bytes]:
    """A RowBinary String: its length, then its bytes."""
    data = value.encode() if isinstance(value, str) else value
    return [varint(len(data)), data]


def balanced_runs(sizes: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """Split items of the given sizes into at most ``parts`` runs ``[start, stop)`` of
    consecutive items, of about equal total size."""
    target = max(1, -(-sum(sizes) // max(1, parts)))
    runs: list[tuple[int, int]] = []
    start = held = 0
    for index, size in enumerate(sizes):
        held += size
        if held >= target and len(runs) < parts - 1:
            runs.append((start, index + 1))
            start, held = index + 1, 0
    if start < len(sizes):
        runs.append((start, len(sizes)))
    return runs
