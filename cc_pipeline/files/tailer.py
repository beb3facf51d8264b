"""Find the files of a folder, match them to their cursors and read their new complete lines.

A file is known by its inode plus a fingerprint of its first bytes, so a rotation by rename
keeps its cursor, while a truncation (a Collector restart without ``append``) or a new file
on a reused inode starts again from zero. Only bytes up to the last newline are read; a
line longer than ``max_line_bytes`` is skipped without being held in memory and reported.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cc_pipeline.files.cursors import CursorStore, FileCursor

StrPath = str | Path  # a file's path, as a string where thousands of files are handled

FINGERPRINT_BYTES = 4096
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True)
class Reject:
    """A span of a file that is not loadable as a line, and why."""

    offset: int
    length: int
    reason: str


@dataclass
class LineBatch:
    """Complete lines of one file in ``[start, end)``: what the sink loads in one go."""

    cursor: FileCursor
    start: int
    end: int
    offsets: list[int] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    prepared: Any = None  # what the sink made of the lines on the reader thread, if anything

    @property
    def nbytes(self) -> int:
        return self.end - self.start


@dataclass
class FileEvent:
    """Something about a file worth telling the user (truncation, vanishing, binary)."""

    path: str
    kind: str
    detail: str


@dataclass(frozen=True)
class SkippedEntry:
    """A folder entry that cannot be read (a symlink loop, a name that is not UTF-8, no
    permission): reported once with ``reason`` and left out, so the rest of the folder loads."""

    path: str  # as the operating system spells it (may hold surrogate escapes)
    reason: str

    @property
    def shown(self) -> str:
        """The path as valid UTF-8 text (undecodable bytes as ``\\xNN``): safe to print or store."""
        return display_path(self.path)

    @property
    def key(self) -> str:
        """A stable ``_file_key`` for the entry's quarantine row (from the path's bytes)."""
        digest = hashlib.sha256(os.fsencode(self.path)).hexdigest()[:16]
        return f"entry-{digest}"

    def covers(self, path: str) -> bool:
        """True when ``path`` is this entry or lies below it."""
        return path == self.path or path.startswith(self.path + os.sep)


def display_path(path: StrPath) -> str:
    """``path`` as valid UTF-8 text: bytes a file name holds that are not UTF-8 become
    ``\\xNN``, the same text on every run."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def valid_name(name: str) -> bool:
    """True when a folder entry's name is valid UTF-8 (undecodable bytes arrive as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


NOT_UTF8 = "name is not valid UTF-8"


def os_reason(exc: OSError) -> str:
    """Why an entry could not be read, in the operating system's words."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (too many levels of symbolic links)"
    return exc.strerror or str(exc)


@dataclass
class TailPlan:
    files: list[tuple[StrPath, FileCursor]]
    events: list[FileEvent]
    vanished: list[FileCursor]
    skipped: list[SkippedEntry] = field(default_factory=list)

    @property
    def with_new_bytes(self) -> list[tuple[StrPath, FileCursor]]:
        """The files that grew past their cursor (the only ones a run needs to open)."""
        return [(path, cursor) for path, cursor in self.files if cursor.size > cursor.offset]

    @property
    def pending_bytes(self) -> int:
        return sum(max(0, cursor.size - cursor.offset) for _, cursor in self.files)


def _fingerprint(path: StrPath, length: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read(length)).hexdigest()


def folder_entries(folder: str, skipped: list[SkippedEntry]) -> list[os.DirEntry[str]]:
    """The entries of ``folder``: none when it is gone; a folder that cannot be listed is
    reported in ``skipped``."""
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        skipped.append(SkippedEntry(folder, f"folder not readable: {os_reason(exc)}"))
        return []


def list_files(
    folder: Path,
    pattern: str = "*",
    recursive: bool = False,
    skipped: list[SkippedEntry] | None = None,
) -> list[Path]:
    """Regular, non-hidden files of ``folder``, oldest first (rotated backups before the live file).

    Symlinks are followed only when they point at a regular file; the identity used is the
    target's, so a file reached twice through links is read once. ``recursive`` descends into
    subfolders, never through a link. An entry that cannot be read (a symlink loop, a name
    that is not UTF-8, a folder without permission) goes to ``skipped`` instead.
    """
    problems = skipped if skipped is not None else []
    found: list[tuple[float, str, Path]] = []
    stack = [str(folder)]
    while stack:
        for entry in folder_entries(stack.pop(), problems):
            if entry.name.startswith("."):
                continue
            try:
                st = entry.stat()
            except FileNotFoundError:  # removed since listed, or a link to nothing
                continue
            except OSError as exc:
                problems.append(SkippedEntry(entry.path, os_reason(exc)))
                continue
            if stat.S_ISDIR(st.st_mode):
                if recursive and not entry.is_symlink():
                    stack.append(entry.path)
                continue
            if not stat.S_ISREG(st.st_mode) or not fnmatch.fnmatchcase(entry.name, pattern):
                continue
            if not valid_name(entry.name):
                problems.append(SkippedEntry(entry.path, NOT_UTF8))
                continue
            found.append((st.st_mtime, entry.path, Path(entry.path)))
    found.sort()
    return [p for _, _, p in found]


class CopyIndex:
    """Known files with bytes already read, by the fingerprint of their start: a new file
    that starts the same way is a copy (copy-and-truncate rotation: logrotate's
    ``copytruncate`` copies the live file to a new name, then truncates it to zero)."""

    def __init__(self, cursors: Iterable[FileCursor]):
        self.known: dict[tuple[int, str], FileCursor] = {}
        for cursor in cursors:
            if cursor.offset <= 0 or cursor.fingerprint_len <= 0 or cursor.binary:
                continue
            key = (cursor.fingerprint_len, cursor.fingerprint)
            if key not in self.known or self.known[key].offset < cursor.offset:
                self.known[key] = cursor
        self.lengths = sorted({length for length, _ in self.known})

    def original(self, path: StrPath, size: int) -> FileCursor | None:
        """The known file ``path`` (of ``size`` bytes) is a copy of, the one read furthest."""
        lengths = [n for n in self.lengths if n <= size]
        if not lengths:
            return None
        with open(path, "rb") as fh:
            head = fh.read(lengths[-1])
        found = None
        for length in lengths:
            known = self.known.get((length, hashlib.sha256(head[:length]).hexdigest()))
            if known is None or known.offset > size:
                continue
            if found is None or known.offset > found.offset:
                found = known
        return found


def reconcile(
    store: CursorStore,
    files: Sequence[StrPath],
    stats: Mapping[str, os.stat_result] | None = None,
    skipped: Sequence[SkippedEntry] = (),
    copies: bool = False,
) -> TailPlan:
    """Match files to cursors by identity, creating, resetting and retiring cursors.

    ``stats``: each path's ``os.stat`` when the caller just took it (a regular file's).
    ``skipped``: entries the listing could not read; a file that cannot be opened joins them.
    Their cursors are kept (not retired), so a file readable again later goes on where it was.
    ``copies``: a new file whose start matches a known file's is a copy of it, read only
    past the bytes already read from the original.
    Call after unfinished batches were discarded: no cursor here has ``pending_start`` set.
    """
    by_inode = store.by_inode()
    seen_keys: set[str] = set()
    seen_identities: set[tuple[int, int]] = set()
    plan_files: list[tuple[StrPath, FileCursor]] = []
    events: list[FileEvent] = []
    unreadable = list(skipped)
    known = stats or {}
    index = CopyIndex(store.cursors.values()) if copies else None
    known_keys = set(store.cursors) if copies else set()
    for path in files:
        identity = None
        try:
            st = known.get(str(path)) or os.stat(path)
            identity = (st.st_dev, st.st_ino)
            if identity in seen_identities:
                continue  # the same file reached through a second path (hard link or symlink)
            seen_identities.add(identity)
            cursor = _cursor_for(store, by_inode.get(identity), path, st, events)
            if index is not None and cursor.key not in known_keys:
                _skip_copied(index, path, st, cursor, events)
        except FileNotFoundError:  # removed after it was listed
            events.append(FileEvent(str(path), "vanished", "file disappeared before it was read"))
            continue
        except OSError as exc:  # cannot be opened: reported, its position kept
            unreadable.append(SkippedEntry(str(path), f"file not readable: {os_reason(exc)}"))
            kept = by_inode.get(identity) if identity else None
            if kept is not None and kept.key in store.cursors:
                seen_keys.add(kept.key)
            continue
        seen_keys.add(cursor.key)
        plan_files.append((path, cursor))
    vanished = [
        c
        for c in store.cursors.values()
        if c.key not in seen_keys and not any(entry.covers(c.path) for entry in unreadable)
    ]
    for cursor in vanished:
        if cursor.offset < cursor.size:
            events.append(
                FileEvent(
                    cursor.path,
                    "vanished",
                    f"removed with {cursor.size - cursor.offset} bytes never read",
                )
            )
        del store.cursors[cursor.key]
    return TailPlan(plan_files, events, vanished, unreadable)


def _skip_copied(
    index: CopyIndex,
    path: StrPath,
    st: os.stat_result,
    cursor: FileCursor,
    events: list[FileEvent],
) -> None:
    """Start a new file's ``cursor`` past what was read of the file it is a copy of."""
    original = index.original(path, st.st_size)
    if original is None or original.key == cursor.key:
        return
    cursor.offset = original.offset
    events.append(
        FileEvent(
            str(path),
            "copied",
            f"a copy of {original.path} (copy-and-truncate rotation); its first "
            f"{original.offset} bytes were already read from there",
        )
    )


def _cursor_for(
    store: CursorStore,
    cursor: FileCursor | None,
    path: StrPath,
    st: os.stat_result,
    events: list[FileEvent],
) -> FileCursor:
    """The cursor of a file: its known ``cursor`` (moved with a rename), or a new one when the
    file is new or its content changed under the same inode; size and mtime brought up to
    date."""
    if cursor is not None:
        # Size and modification time as last seen: the file was not written since.
        unchanged = st.st_size == cursor.size and st.st_mtime_ns == cursor.mtime_ns
        same_start = unchanged or (
            st.st_size >= cursor.fingerprint_len
            and _fingerprint(path, cursor.fingerprint_len) == cursor.fingerprint
        )
        if not same_start or st.st_size < cursor.offset:
            events.append(
                FileEvent(
                    str(path),
                    "truncated",
                    f"content changed under the same inode ({cursor.offset} bytes had been"
                    f" read, now {st.st_size} bytes); reading it again from the start",
                )
            )
            del store.cursors[cursor.key]
            cursor = None
        elif str(path) != cursor.path:
            events.append(FileEvent(str(path), "renamed", f"was {cursor.path}"))
            cursor.path = str(path)
    if cursor is None:
        fp_len = min(st.st_size, FINGERPRINT_BYTES)
        fingerprint = _fingerprint(path, fp_len)
        key = hashlib.sha256(
            f"{st.st_dev}:{st.st_ino}:{fingerprint}:{st.st_mtime_ns}".encode()
        ).hexdigest()[:16]
        cursor = FileCursor(
            key=key,
            path=str(path),
            dev=st.st_dev,
            ino=st.st_ino,
            fingerprint=fingerprint,
            fingerprint_len=fp_len,
        )
        store.cursors[key] = cursor
    elif cursor.fingerprint_len < FINGERPRINT_BYTES and st.st_size > cursor.fingerprint_len:
        cursor.fingerprint_len = min(st.st_size, FINGERPRINT_BYTES)
        cursor.fingerprint = _fingerprint(path, cursor.fingerprint_len)
    cursor.size = st.st_size
    cursor.mtime_ns = st.st_mtime_ns
    return cursor


def looks_binary(head: bytes) -> str | None:
    """A reason when the first bytes of a file say it is not JSONL text."""
    if head.startswith(ZSTD_MAGIC):
        return "binary file (zstd-compressed), not JSONL"
    if b"\x00" in head:
        return "binary file (NUL bytes; protobuf or other binary format), not JSONL"
    return None


def read_batches(
    path: StrPath,
    cursor: FileCursor,
    max_batch_bytes: int = 32 << 20,
    max_line_bytes: int = 32 << 20,
    read_block: int = 8 << 20,
) -> Iterator[LineBatch]:
    """Yield batches of complete lines from ``cursor.offset`` up to the last newline.

    The cursor is not moved here: the caller commits ``batch.end`` once the batch is stored.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except FileNotFoundError:
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if cursor.binary or cursor.offset == 0:
            head = fh.read(FINGERPRINT_BYTES)
            reason = looks_binary(head) if not cursor.binary else "binary file, not JSONL"
            if reason:
                cursor.binary = True
                if size > cursor.offset:
                    yield LineBatch(
                        cursor,
                        cursor.offset,
                        size,
                        rejects=[Reject(cursor.offset, size - cursor.offset, reason)],
                    )
                return
        fh.seek(cursor.offset)
        batch = LineBatch(cursor, cursor.offset, cursor.offset)
        batch_bytes = 0
        pos = cursor.offset  # file offset of carry[0]
        carry = b""
        skip_from: int | None = None  # start offset of an over-long line being skipped
        while True:
            data = fh.read(read_block)
            if not data:
                break
            if skip_from is not None:
                newline = data.find(b"\n")
                if newline < 0:
                    pos += len(data)
                    continue
                end = pos + newline + 1
                batch.rejects.append(
                    Reject(skip_from, end - skip_from, f"line longer than {max_line_bytes} bytes")
                )
                batch.end = end
                pos, data, skip_from = end, data[newline + 1 :], None
            chunk = carry + data if carry else data
            last = chunk.rfind(b"\n")
            if last < 0:
                carry = chunk
                if len(carry) > max_line_bytes:
                    skip_from, pos, carry = pos, pos + len(carry), b""
                continue
            complete, carry = chunk[: last + 1], chunk[last + 1 :]
            line_start = pos
            for raw in complete.split(b"\n")[:-1]:
                length = len(raw) + 1
                if len(raw) > max_line_bytes:
                    batch.rejects.append(
                        Reject(line_start, length, f"line longer than {max_line_bytes} bytes")
                    )
                elif raw.strip():
                    batch.offsets.append(line_start)
                    batch.lines.append(raw)
                    batch_bytes += length
                line_start += length
                batch.end = line_start
                if batch_bytes >= max_batch_bytes:
                    yield batch
                    batch = LineBatch(cursor, line_start, line_start)
                    batch_bytes = 0
            pos = line_start
            if len(carry) > max_line_bytes:
                skip_from, pos, carry = pos, pos + len(carry), b""
        if batch.end > batch.start:
            yield batch
