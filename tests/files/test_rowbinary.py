"""Spool framing: what the RowBinary writer frames, ClickHouse reads back unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.files.rowbinary import string, varint

# Lengths on both sides of each step of the LEB128 length prefix (1, 2, 3 and 4 bytes).
LENGTHS = (0, 1, 127, 128, 16383, 16384, (1 << 21) - 1, 1 << 21)


@pytest.mark.parametrize(
    ("n", "encoded"),
    [
        (0, b"\x00"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (300, b"\xac\x02"),
        (16384, b"\x80\x80\x01"),
    ],
)
def test_length_prefix_is_leb128(n: int, encoded: bytes) -> None:
    assert varint(n) == encoded


def test_strings_of_every_prefix_size_load_back_unchanged(ch: Any, tmp_path: Path) -> None:
    values = [bytes([65 + i]) * n for i, n in enumerate(LENGTHS)]
    values.append("naïve ✓ text".encode())
    path = tmp_path / "rows.rowbinary"
    with open(path, "wb") as fh:
        for number, value in enumerate(values):
            fh.write(number.to_bytes(8, "little"))
            fh.writelines(string(value))
    rows = ch.query_rows(
        "SELECT n, length(s), s FROM file({path:String}, 'RowBinary', 'n UInt64, s String') "
        "ORDER BY n",
        parameters={"path": str(path)},
    )
    assert [(n, size) for n, size, _ in rows] == list(enumerate(len(v) for v in values))
    assert [s.encode() for _, _, s in rows] == values


def test_text_is_framed_as_its_utf8_bytes() -> None:
    assert b"".join(string("é")) == b"\x02\xc3\xa9"
    assert string("é") == string("é".encode())
