"""The tailer on its own: identity, rotation, truncation, partial and over-long lines."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from cc_pipeline.files.cursors import CursorStore
from cc_pipeline.files.tailer import list_files, read_batches, reconcile


def plan_for(folder: Path, store: CursorStore):
    return reconcile(store, list_files(folder))


def read_all(path: Path, cursor, **kw):
    batches = list(read_batches(path, cursor, **kw))
    lines = [line for b in batches for line in b.lines]
    offsets = [o for b in batches for o in b.offsets]
    rejects = [r for b in batches for r in b.rejects]
    end = batches[-1].end if batches else cursor.offset
    return lines, offsets, rejects, end


def test_only_complete_lines_are_read(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":2}\n{"c":')
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = plan_for(tmp_path, store).files
    lines, offsets, rejects, end = read_all(path, cursor)
    assert lines == [b'{"a":1}', b'{"b":2}'] and offsets == [0, 8] and not rejects
    assert end == 16


def test_long_lines_are_skipped_across_reads_without_holding_them(tmp_path):
    path = tmp_path / "a.jsonl"
    long_line = b"x" * 5000
    path.write_bytes(b"{}\n" + long_line + b"\n" + b'{"ok":1}\n' + long_line)
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = plan_for(tmp_path, store).files
    lines, _, rejects, end = read_all(path, cursor, max_line_bytes=1000, read_block=256)
    assert lines == [b"{}", b'{"ok":1}']
    assert [(r.offset, r.length) for r in rejects] == [(3, 5001)]
    assert "longer than 1000 bytes" in rejects[0].reason
    assert end == 3 + 5001 + 9  # the unfinished long line at the end is left for later


def test_small_batches_split_on_line_boundaries(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(b'{"n":%d}\n' % i for i in range(100)))
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = plan_for(tmp_path, store).files
    batches = list(read_batches(path, cursor, max_batch_bytes=64, read_block=50))
    assert len(batches) > 5
    assert all(a.end == b.start for a, b in itertools.pairwise(batches))
    assert sum(len(b.lines) for b in batches) == 100


def test_binary_file_is_one_reject(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"\x0a\x84\x00\x01" * 100)
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = plan_for(tmp_path, store).files
    lines, _, rejects, end = read_all(path, cursor)
    assert lines == [] and len(rejects) == 1 and rejects[0].length == 400 and end == 400


def test_rename_keeps_the_cursor_and_truncation_resets_it(tmp_path):
    live = tmp_path / "otel.jsonl"
    live.write_bytes(b'{"a":1}\n')
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = plan_for(tmp_path, store).files
    cursor.offset = 8
    backup = tmp_path / "otel-2026-11-24T00-00-00.000-size.jsonl"
    live.rename(backup)
    live.write_bytes(b'{"b":2}\n')
    plan = plan_for(tmp_path, store)
    by_path = {str(p): c for p, c in plan.files}
    assert by_path[str(backup)].key == cursor.key and by_path[str(backup)].offset == 8
    assert by_path[str(live)].offset == 0
    assert [e.kind for e in plan.events] == ["renamed"]

    with open(backup, "r+b") as fh:  # same inode, new content
        fh.truncate(0)
        fh.write(b'{"c":3}\n{"d":4}\n')
    plan = plan_for(tmp_path, store)
    assert any(e.kind == "truncated" for e in plan.events)
    assert {str(p): c.offset for p, c in plan.files}[str(backup)] == 0


def test_vanished_and_hard_linked_files(tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_bytes(b"{}\n{}\n")
    os.link(a, tmp_path / "b.jsonl")
    store = CursorStore(tmp_path / "c.json")
    plan = plan_for(tmp_path, store)
    assert len(plan.files) == 1  # one file reached through two names is read once
    (tmp_path / "b.jsonl").unlink()
    a.unlink()
    plan = plan_for(tmp_path, store)
    assert plan.files == [] and [e.kind for e in plan.events] == ["vanished"]
    assert store.cursors == {}


def test_cursor_store_round_trips(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.jsonl").write_bytes(b"{}\n")
    store = CursorStore(tmp_path / "c.json")
    ((_, cursor),) = plan_for(tmp_path / "d", store).files
    cursor.offset, cursor.pending_start = 3, 0
    store.save()
    again = CursorStore(tmp_path / "c.json")
    assert again.cursors[cursor.key].offset == 3 and again.cursors[cursor.key].pending_start == 0
