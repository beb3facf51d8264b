"""Drive a folder through a sink exactly once: discard, reconcile, read, load, commit.

The protocol for each batch is: mark the cursor ``pending_start = batch.start`` (saved), load
the rows, then move ``offset`` to ``batch.end`` and clear the mark (saved with the next
group's marks, or at the end). After a crash the marks tell which rows may be half written
(or written but not yet recorded); they are deleted by ``(_file_key, _offset)`` before
anything is read, so a re-run reloads them once.
"""

from __future__ import annotations

import os
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cc_pipeline import sqlfiles
from cc_pipeline.files.cursors import CursorStore, FileCursor, source_lock
from cc_pipeline.files.spool import remove_stale_spools
from cc_pipeline.files.tailer import (
    FileEvent,
    LineBatch,
    Reject,
    SkippedEntry,
    StrPath,
    list_files,
    read_batches,
    reconcile,
)

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

QUARANTINE_TABLE = "ingest_quarantine"


@dataclass
class BatchResult:
    rows: Counter[str] = field(default_factory=Counter)
    quarantined: int = 0
    newest_event: datetime | None = None

    def absorb(self, other: BatchResult) -> None:
        """Add another result's rows, quarantined lines and newest event."""
        _add_result(self, other)


def _note_range(summary: IngestSummary, batch: LineBatch) -> None:
    start, _ = summary.ranges.get(batch.cursor.key, (batch.start, batch.end))
    summary.ranges[batch.cursor.key] = (min(start, batch.start), batch.end)


def _add_result(target: BatchResult | IngestSummary, result: BatchResult) -> None:
    target.rows.update(result.rows)
    target.quarantined += result.quarantined
    newest = result.newest_event
    if newest and (target.newest_event is None or newest > target.newest_event):
        target.newest_event = newest


@dataclass
class BatchGroup:
    """Batches loaded together: at most one per file, up to the run's batch size."""

    batches: list[LineBatch]
    nbytes: int
    prepared: Any = None  # what the sink's ``frame_group`` made of the group


@dataclass
class FileEnd:
    """The reader is done with a file: ``read_any`` when it had new lines."""

    path: StrPath
    cursor: FileCursor
    read_any: bool


class BatchSink(ABC):
    """Turns a batch of lines into rows. Every row it writes carries ``_file_key``/``_offset``.

    ``prepare`` runs once before the first batch, ``load`` once per batch. The hooks below
    do nothing unless a sink needs them: ``frame(batch)`` runs on the reader thread as each
    batch is read (to prepare its rows while the previous batch loads); ``finish(client)``
    after the last batch (rows it still had to write; they must come from committed batches
    and be safe to write again after a crash); ``close()`` when the run ends.

    A sink with ``loads_groups`` loads batches of several files at once (``load_many``):
    ``ingest_folder`` then groups the batches of many small files up to ``max_batch_bytes``
    into one load, so a folder of thousands of small files costs a few loads, not thousands;
    ``frame_group(group)`` runs on the reader thread once a group is complete.
    """

    loads_groups: ClassVar[bool] = False

    @property
    @abstractmethod
    def source(self) -> str:
        """The name quarantined lines and cursors are filed under."""

    @property
    @abstractmethod
    def tables(self) -> Sequence[str]:
        """Every table the sink writes (rows of an unfinished batch are deleted from them)."""

    @abstractmethod
    def prepare(self, client: Warehouse) -> None:
        """Set up what the run's batches need."""

    @abstractmethod
    def load(self, client: Warehouse, batch: LineBatch) -> BatchResult:
        """Write one batch's rows."""

    def load_many(self, client: Warehouse, group: BatchGroup) -> BatchResult:
        """Write the rows of a group of batches (at most one per file)."""
        result = BatchResult()
        for batch in group.batches:
            result.absorb(self.load(client, batch))
        return result

    def frame(self, batch: LineBatch) -> None:  # noqa: B027 - a hook, empty by default
        """Prepare a batch's rows on the reader thread."""

    def frame_group(self, group: BatchGroup) -> None:  # noqa: B027 - a hook, empty by default
        """Prepare a complete group's rows on the reader thread."""

    def finish(self, client: Warehouse) -> BatchResult:
        """Rows still to write after the last batch."""
        return BatchResult()

    def close(self) -> None:  # noqa: B027 - a hook, empty by default
        """Release what the run held."""


@dataclass
class IngestSummary:
    source: str
    folder: str
    files_seen: int = 0
    files_read: int = 0
    bytes_read: int = 0
    batches: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    quarantined: int = 0
    newest_event: datetime | None = None
    discarded_batches: int = 0
    events: list[FileEvent] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)  # raw files deleted after being read
    # per file key, the bytes whose quarantine rows are this run's: [first batch's start, last
    # batch's end) of what it committed; [0, 1) for a file it left out and recorded so
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def absorb(self, result: BatchResult) -> None:
        """Add a batch's rows, quarantined lines and newest event."""
        _add_result(self, result)


ProgressFn = Callable[[int, int, str], None]


def quarantine_of_run(
    client: Warehouse, source: str, ranges: Mapping[str, tuple[int, int]]
) -> list[tuple[str, int]]:
    """(reason, lines) quarantined in the byte ranges a run committed (``IngestSummary.ranges``),
    most frequent first."""
    if not ranges:
        return []
    keys = list(ranges)
    rows = client.query(
        sqlfiles.load("files/quarantine_of_run.sql"),
        parameters={
            "source": source,
            "keys": keys,
            "starts": [ranges[k][0] for k in keys],
            "ends": [ranges[k][1] for k in keys],
        },
    ).result_rows
    return [(str(reason), int(lines)) for reason, lines in rows]


def quarantine(
    client: Warehouse, source: str, path: str, file_key: str, rejects: Sequence[Reject]
) -> int:
    """Record rejected spans (location and reason only, never content)."""
    if not rejects:
        return 0
    client.insert(
        QUARANTINE_TABLE,
        [[source, path, file_key, r.offset, r.length, r.reason] for r in rejects],
        column_names=["source", "file_path", "_file_key", "_offset", "length", "reason"],
    )
    return len(rejects)


def report_skipped(
    client: Warehouse,
    source: str,
    store: CursorStore,
    entries: Sequence[SkippedEntry],
    summary: IngestSummary,
    say: Callable[[str], None],
) -> None:
    """Warn about every entry left out, and give each one row in the quarantine the first
    run it is seen (again after its reason changed). The store remembers what was recorded
    once it is saved; a crash before that replaces the row instead of adding a second."""
    recorded = store.skipped
    for entry in entries:
        event = FileEvent(entry.shown, "skipped", entry.reason)
        summary.events.append(event)
        say(f"{event.kind}: {event.path}: {event.detail}")
        if recorded.get(entry.key) == entry.reason:
            continue
        client.command(
            "DELETE FROM {t:Identifier} WHERE _file_key = {k:String}",
            parameters={"t": QUARANTINE_TABLE, "k": entry.key},
        )
        client.insert(
            QUARANTINE_TABLE,
            [[source, entry.shown, entry.key, 0, 0, entry.reason]],
            column_names=["source", "file_path", "_file_key", "_offset", "length", "reason"],
        )
        summary.quarantined += 1
        summary.ranges[entry.key] = (0, 1)
    store.skipped = {entry.key: entry.reason for entry in entries}


def discard_from(client: Warehouse, sink: BatchSink, file_key: str, offset: int) -> None:
    """Delete every row a sink may have written for ``file_key`` at or after ``offset``."""
    for table in [*sink.tables, QUARANTINE_TABLE]:
        client.command(
            "DELETE FROM {t:Identifier} WHERE _file_key = {k:String} AND _offset >= {o:UInt64}",
            parameters={"t": table, "k": file_key, "o": offset},
        )


class _ByteQueue:
    """A FIFO bounded by the bytes it holds (one item always fits)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: deque[tuple[Any, int]] = deque()
        self.held = 0
        self.closed = False
        self.cond = threading.Condition()

    def put(self, item: Any, nbytes: int) -> bool:
        with self.cond:
            while self.items and self.held + nbytes > self.limit and not self.closed:
                self.cond.wait()
            if self.closed:
                return False
            self.items.append((item, nbytes))
            self.held += nbytes
            self.cond.notify_all()
            return True

    def get(self) -> Any:
        with self.cond:
            while not self.items:
                self.cond.wait()
            item, nbytes = self.items.popleft()
            self.held -= nbytes
            self.cond.notify_all()
            return item

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.items.clear()
            self.cond.notify_all()


def read_ahead(
    files: Sequence[tuple[StrPath, FileCursor]],
    max_batch_bytes: int,
    max_line_bytes: int,
    sink: BatchSink,
) -> Generator[BatchGroup | FileEnd, None, None]:
    """The files' new lines as groups of batches to load, and a ``FileEnd`` after each file,
    read, grouped and framed by a background thread up to one group ahead.

    Reading and framing lines (Python) then overlaps with loading the previous group
    (ClickHouse, which releases the GIL). A group holds one batch when the sink loads one at
    a time, else batches of several files up to ``max_batch_bytes``, at most one per file
    (its cursor's pending mark covers one batch). Cursors are only read here, never moved.
    """
    queue = _ByteQueue(max_batch_bytes)
    done = object()
    many = sink.loads_groups

    def produce() -> None:
        group: list[LineBatch] = []
        held = 0

        def emit() -> bool:
            nonlocal group, held
            if not group:
                return True
            item = BatchGroup(group, held)
            sink.frame_group(item)
            group, held = [], 0
            return queue.put(item, item.nbytes)

        try:
            for path, cursor in files:
                read_any = False
                for batch in read_batches(path, cursor, max_batch_bytes, max_line_bytes):
                    sink.frame(batch)
                    full = group and (
                        held + batch.nbytes > max_batch_bytes
                        or any(b.cursor is cursor for b in group)
                    )
                    if full and not emit():
                        return
                    group.append(batch)
                    held += batch.nbytes
                    read_any = True
                    if not many and not emit():  # a group of one batch leaves at once
                        return
                if not queue.put(FileEnd(path, cursor, read_any), 0):
                    return
            if emit():
                queue.put(done, 0)
        except BaseException as exc:  # handed to the consumer
            queue.put(exc, 0)

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        queue.close()
        thread.join()


def _note_file_end(summary: IngestSummary, end: FileEnd, say: Callable[[str], None]) -> None:
    summary.files_read += int(end.read_any)
    cursor = end.cursor
    if not end.read_any and cursor.offset < cursor.size and not os.path.exists(end.path):
        event = FileEvent(str(end.path), "vanished", "file disappeared before it was read")
        summary.events.append(event)
        say(f"{event.kind}: {event.path}: {event.detail}")


def ingest_folder(
    client: Warehouse,
    sink: BatchSink,
    folder: Path,
    cursor_path: Path,
    *,
    pattern: str = "*",
    recursive: bool = False,
    max_batch_bytes: int = 32 << 20,
    max_line_bytes: int = 32 << 20,
    lock_timeout_s: float = 600.0,
    progress: ProgressFn | None = None,
    log: Callable[[str], None] | None = None,
    files: Sequence[StrPath] | None = None,
    stats: Mapping[str, os.stat_result] | None = None,
    skipped: Sequence[SkippedEntry] = (),
    detect_copies: bool = False,
) -> IngestSummary:
    """Load every complete new line under ``folder`` through ``sink``, exactly once.

    ``files``: the files to read, when the caller listed them (else those of ``folder``
    matching ``pattern``), with ``stats``, their ``os.stat`` when it took them, and
    ``skipped``, the entries it could not read. Entries that cannot be read are reported
    (a warning and a quarantine row) and left out; the rest loads. ``detect_copies``: a new
    file that is a copy of a known one (copy-and-truncate rotation) is read only past the
    bytes already read from the original.
    """
    started = time.monotonic()
    summary = IngestSummary(source=sink.source, folder=str(folder))
    say = log or (lambda _msg: None)
    with source_lock(cursor_path.with_suffix(".lock"), lock_timeout_s, say):
        for spool in remove_stale_spools(cursor_path.parent):
            say(f"removed the spool files a stopped run left: {spool}")
        store = CursorStore(cursor_path)
        for cursor in store.cursors.values():
            if cursor.pending_start is not None:
                say(
                    f"Discarding rows of an unfinished batch of {cursor.path} from byte "
                    f"{cursor.pending_start} (the previous run stopped before committing it)"
                )
                discard_from(client, sink, cursor.key, cursor.pending_start)
                cursor.offset = min(cursor.offset, cursor.pending_start)
                cursor.pending_start = None
                summary.discarded_batches += 1
        if summary.discarded_batches:
            store.save()

        unreadable = list(skipped)
        if files is None:
            found: Sequence[StrPath] = list_files(folder, pattern, recursive, unreadable)
        else:
            found = files
        # saved with the first group's marks, or at the end
        plan = reconcile(store, found, stats, unreadable, copies=detect_copies)
        summary.files_seen = len(plan.files)
        summary.events.extend(plan.events)
        for event in plan.events:
            say(f"{event.kind}: {event.path}: {event.detail}")
        if plan.skipped or store.skipped:
            report_skipped(client, sink.source, store, plan.skipped, summary, say)

        total = plan.pending_bytes
        done = 0
        sink.prepare(client)
        items = read_ahead(plan.with_new_bytes, max_batch_bytes, max_line_bytes, sink)
        try:
            for item in items:
                if isinstance(item, FileEnd):
                    _note_file_end(summary, item, say)
                    continue
                for batch in item.batches:
                    batch.cursor.pending_start = batch.start
                store.save()
                if sink.loads_groups:
                    result = sink.load_many(client, item)
                else:
                    result = sink.load(client, item.batches[0])
                for batch in item.batches:
                    result.quarantined += quarantine(
                        client, sink.source, batch.cursor.path, batch.cursor.key, batch.rejects
                    )
                    batch.cursor.offset = batch.end
                    batch.cursor.pending_start = None
                    _note_range(summary, batch)
                summary.batches += 1
                summary.bytes_read += item.nbytes
                summary.absorb(result)
                done += item.nbytes
                if progress:
                    progress(done, max(total, done), item.batches[-1].cursor.path)
            store.save()
            summary.absorb(sink.finish(client))
        finally:
            items.close()  # the reader thread stops before the sink closes
            sink.close()
    summary.seconds = time.monotonic() - started
    return summary
