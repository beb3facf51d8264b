"""ClickHouse RowBinary framing: how batches of lines travel to a staging table."""

from __future__ import annotations


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
