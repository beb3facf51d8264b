"""5-hour billing blocks per user: Claude Code's official windows where the status line saw
them, else cut the way ccusage ``blocks`` cuts them.

Entries (requests, ``<synthetic>`` API-error lines excluded) are taken in time order. Blocks
are kept per ``user_id`` (requests from transcripts take their session's telemetry user when
it has one, else user '').

- Official windows (``sql/rollups/block_windows.sql``): a five_hour observation in
  ``rate_limit_observations`` with ``resets_at`` R makes [R - 5 h, R) the block of every entry
  of that user inside it. Of a user's windows that overlap, the one that resets first wins.
- Elsewhere, as ccusage: a block starts at its first entry's time floored to the UTC hour and
  lasts 5 hours; an entry more than 5 hours after the block's start, or more than 5 hours
  after the previous entry, starts a new block. Such a block never overlaps an official
  window: it starts no earlier than the previous window's end and ends at the next window's
  start at the latest. Without observations the blocks are exactly ccusage's.
- When the pause between two entries is longer than 5 hours a gap block covers it, from the
  last entry + 5 h to the next entry (as ccusage, official windows or not).

Refreshing from a day D recomputes, per user, from the start of the last block that began
before D (whose first entry is before D, so the chain up to it is unchanged) to the end; the
(monthly) partitions from the earliest such start (or official window reaching into D) on are
restaged whole in a staging twin, the blocks before the restart points copied over, and
swapped in. A new official window makes the refresh start from the day it begins
(``window_digests`` tells which days' windows changed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from cc_pipeline import sqlfiles
from cc_pipeline.rollups.partitions import partition_id, partition_ids, swap_partitions

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

BLOCK_MS = 5 * 3600 * 1000
HOUR_MS = 3600 * 1000


@dataclass(frozen=True)
class Cut:
    """One block over sorted entries [first, stop) (none for a gap block)."""

    start_ms: int
    end_ms: int
    first: int
    stop: int
    is_gap: bool


NO_WINDOWS = np.empty((0, 2), dtype=np.int64)


def official_windows(resets_ms: Iterable[int]) -> np.ndarray:
    """One user's official windows [reset - 5 h, reset) as rows (start, end), in time order;
    a window starting before the end of the previous one kept is dropped."""
    kept: list[tuple[int, int]] = []
    for reset in sorted(set(resets_ms)):
        if not kept or reset - BLOCK_MS >= kept[-1][1]:
            kept.append((reset - BLOCK_MS, reset))
    return np.array(kept, dtype=np.int64).reshape(-1, 2)


def _computed_cut(ts_ms: np.ndarray, i: int, windows: np.ndarray, gaps: np.ndarray) -> Cut:
    """The ccusage block of entry ``i`` (outside every official window), clamped between the
    official window before it and the one after it."""
    t = int(ts_ms[i])
    w = int(np.searchsorted(windows[:, 0], t, side="right"))  # windows starting up to t
    start = max(t - t % HOUR_MS, int(windows[w - 1, 1]) if w else t - t % HOUR_MS)
    next_window = int(windows[w, 0]) if w < len(windows) else None
    end = start + BLOCK_MS if next_window is None else min(start + BLOCK_MS, next_window)
    n = len(ts_ms)
    by_length = int(np.searchsorted(ts_ms, start + BLOCK_MS, side="right"))
    by_window = n if next_window is None else int(np.searchsorted(ts_ms, next_window, "left"))
    g = int(np.searchsorted(gaps, i, side="right"))
    by_gap = int(gaps[g]) if g < len(gaps) else n
    return Cut(start, end, i, max(i + 1, min(by_length, by_window, by_gap, n)), False)


def _window_of(ts_ms: np.ndarray, i: int, windows: np.ndarray) -> Cut | None:
    """The official block of entry ``i``, or None when no window holds it."""
    t = int(ts_ms[i])
    w = int(np.searchsorted(windows[:, 0], t, side="right")) - 1
    if w < 0 or t >= int(windows[w, 1]):
        return None
    start, end = int(windows[w, 0]), int(windows[w, 1])
    return Cut(start, end, i, int(np.searchsorted(ts_ms, end, side="left")), False)


def cut_blocks(ts_ms: np.ndarray, windows: np.ndarray = NO_WINDOWS) -> list[Cut]:
    """Blocks over one user's entry times (milliseconds, sorted ascending), given the user's
    official windows (``official_windows``; none: ccusage's blocks)."""
    n = len(ts_ms)
    cuts: list[Cut] = []
    # indices j where the pause before entry j exceeds the block length
    gaps = np.flatnonzero(np.diff(ts_ms) > BLOCK_MS) + 1
    i = 0
    while i < n:
        cut = _window_of(ts_ms, i, windows) or _computed_cut(ts_ms, i, windows, gaps)
        cuts.append(cut)
        stop = cut.stop
        if stop < n and int(ts_ms[stop]) - int(ts_ms[stop - 1]) > BLOCK_MS:
            cuts.append(Cut(int(ts_ms[stop - 1]) + BLOCK_MS, int(ts_ms[stop]), stop, stop, True))
        i = stop
    return cuts


def user_windows(client: Warehouse) -> dict[str, np.ndarray]:
    """Every user's official windows (``sql/rollups/block_windows.sql``)."""
    resets: dict[str, list[int]] = {}
    for user, reset in client.query(sqlfiles.load("rollups/block_windows.sql")).result_rows:
        resets.setdefault(str(user), []).append(int(reset))
    return {user: official_windows(values) for user, values in resets.items()}


def window_digests(windows: dict[str, np.ndarray]) -> dict[str, str]:
    """{day a window starts (ISO): digest of that day's windows}: comparing them with the
    last refresh's names the days from which the blocks must be recomputed."""
    found: dict[str, list[str]] = {}
    for user, rows in windows.items():
        for start, end in rows.tolist():
            day = _dt(int(start)).date().isoformat()
            found.setdefault(day, []).append(f"{user}\t{start}\t{end}")
    return {
        day: hashlib.sha256("\n".join(sorted(items)).encode()).hexdigest()[:16]
        for day, items in found.items()
    }


def changed_window_days(old: dict[str, str] | None, new: dict[str, str]) -> set[date]:
    """The days whose official windows differ between two ``window_digests``."""
    old = old or {}
    return {date.fromisoformat(d) for d in set(old) | set(new) if old.get(d) != new.get(d)}


def restart_points(client: Warehouse, from_day: date) -> dict[str, tuple[datetime, datetime]]:
    """Per user, (start, first entry) of the last block that began before ``from_day``."""
    rows = client.query(
        "SELECT user_id, max(start_time), argMax(first_entry_time, start_time) "
        "FROM billing_blocks WHERE NOT is_gap AND start_time < toDateTime64({d:Date}, 3, 'UTC') "
        "GROUP BY user_id",
        parameters={"d": from_day},
    ).result_rows
    return {user: (start, first) for user, start, first in rows}


def _first_day(
    from_day: date, restarts: dict[str, tuple[datetime, datetime]], windows: dict[str, np.ndarray]
) -> date:
    """The first day whose (monthly) partition is restaged: ``from_day``, a restart point's,
    or that of an official window that begins before ``from_day`` and reaches into it (a
    user without a restart point can get such a block)."""
    midnight = int(datetime.combine(from_day, datetime.min.time(), UTC).timestamp() * 1000)
    reaching = [
        _dt(int(start)).date()
        for rows in windows.values()
        for start, end in rows.tolist()
        if start < midnight < end
    ]
    return min([from_day, *(start.date() for start, _ in restarts.values()), *reaching])


def refresh_blocks(
    client: Warehouse, from_day: date, windows: dict[str, np.ndarray] | None = None
) -> int:
    """Recompute billing_blocks from ``from_day`` on with the users' official ``windows``
    (default: read them); return the number of blocks written."""
    windows = user_windows(client) if windows is None else windows
    restarts = restart_points(client, from_day)
    params = {
        "from_day": from_day,
        "users": list(restarts),
        "starts": [start for start, _ in restarts.values()],
        "firsts": [first for _, first in restarts.values()],
    }
    first_day = _first_day(from_day, restarts, windows)
    params["first_day"] = first_day
    frame = client.query_df(sqlfiles.load("rollups/block_entries.sql"), parameters=params)
    client.command("TRUNCATE TABLE _stage_billing_blocks")
    # blocks of the rebuilt partitions that lie before each user's restart point stay
    sqlfiles.run_script(client, "rollups/block_keep.sql", params)
    rows = build_rows(frame, windows) if not frame.empty else []
    if rows:
        client.insert(
            "_stage_billing_blocks",
            rows,
            column_names=BLOCK_COLUMNS,
            settings={"max_partitions_per_insert_block": 0},  # a full rebuild spans every day
        )
    # every partition from the one holding first_day on is restaged whole: swap them all
    first = partition_id("billing_blocks", first_day)
    ids = partition_ids(client, "billing_blocks") | partition_ids(client, "_stage_billing_blocks")
    swap_partitions(client, "billing_blocks", {p for p in ids if p >= first})
    return len(rows)


BLOCK_COLUMNS = [
    "day",
    "user_id",
    "block_id",
    "start_time",
    "end_time",
    "actual_end_time",
    "first_entry_time",
    "is_gap",
    "entries",
    "input_tokens",
    "output_tokens",
    "cache_creation_tokens",
    "cache_read_tokens",
    "total_tokens",
    "cost_usd",
    "models",
]


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _iso(ms: int) -> str:
    """JavaScript's toISOString(): milliseconds and a Z."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _gap_row(user: str, cut: Cut) -> list[Any]:
    """A gap block's row: a pause, no entries, nothing spent."""
    start, end = _dt(cut.start_ms), _dt(cut.end_ms)
    return (
        [start.date(), user, f"gap-{_iso(cut.start_ms)}", start, end, None, None, True]
        + [0] * 6
        + [0.0, []]
    )


def build_rows(frame: Any, windows: dict[str, np.ndarray] | None = None) -> list[list[Any]]:
    """billing_blocks rows from entries sorted by (user_id, ts_ms), with each user's official
    ``windows``."""
    windows = windows or {}
    out: list[list[Any]] = []
    tokens = frame[
        ["input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens"]
    ].to_numpy(dtype=np.int64)
    cost = frame["cost_usd"].to_numpy(dtype=np.float64)
    entries = frame["entries"].to_numpy(dtype=np.int64)
    models = frame["model"].to_numpy()
    ts_all = frame["ts_ms"].to_numpy(dtype=np.int64)
    users = frame["user_id"].to_numpy()
    bounds = np.flatnonzero(users[1:] != users[:-1]) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(users)], strict=True):
        user = str(users[lo])
        ts = ts_all[lo:hi]
        for cut in cut_blocks(ts, windows.get(user, NO_WINDOWS)):
            a, b = lo + cut.first, lo + cut.stop
            if cut.is_gap:
                out.append(_gap_row(user, cut))
                continue
            sums = tokens[a:b].sum(axis=0)
            seen: dict[str, None] = {}
            for model in models[a:b]:
                seen.setdefault(str(model), None)
            out.append(
                [
                    _dt(cut.start_ms).date(),
                    user,
                    _iso(cut.start_ms),
                    _dt(cut.start_ms),
                    _dt(cut.end_ms),
                    _dt(int(ts_all[b - 1])),
                    _dt(int(ts_all[a])),
                    False,
                    int(entries[a:b].sum()),
                    int(sums[0]),
                    int(sums[1]),
                    int(sums[2]),
                    int(sums[3]),
                    int(sums.sum()),
                    float(cost[a:b].sum()),
                    list(seen),
                ]
            )
    return out
