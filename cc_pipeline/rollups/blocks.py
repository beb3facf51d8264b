"""5-hour billing blocks, cut the way ccusage ``blocks`` cuts them, per user.

Entries (requests, ``<synthetic>`` API-error lines excluded) are taken in time order. A block
starts at its first entry's time floored to the UTC hour and lasts 5 hours; an entry more
than 5 hours after the block's start, or more than 5 hours after the previous entry, starts
a new block. When the pause between two entries is longer than 5 hours a gap block covers it,
from the last entry + 5 h to the next entry. Blocks are kept per ``user_id`` (requests from
transcripts take their session's telemetry user when it has one, else user '').

Refreshing from a day D recomputes, per user, from the start of the last block that began
before D (whose first entry is before D, so the chain up to it is unchanged) to the end; the
(monthly) partitions from the earliest such start on are restaged whole in a staging twin, the
blocks before the restart points copied over, and swapped in.
"""

from __future__ import annotations

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


def cut_blocks(ts_ms: np.ndarray) -> list[Cut]:
    """Blocks over one user's entry times (milliseconds, sorted ascending)."""
    n = len(ts_ms)
    cuts: list[Cut] = []
    if n == 0:
        return cuts
    # indices j where the pause before entry j exceeds the block length
    gaps = np.flatnonzero(np.diff(ts_ms) > BLOCK_MS) + 1
    i = 0
    while i < n:
        start = int(ts_ms[i]) - int(ts_ms[i]) % HOUR_MS
        by_length = int(np.searchsorted(ts_ms, start + BLOCK_MS, side="right"))
        g = int(np.searchsorted(gaps, i, side="right"))
        by_gap = int(gaps[g]) if g < len(gaps) else n
        stop = max(i + 1, min(by_length, by_gap, n))
        cuts.append(Cut(start, start + BLOCK_MS, i, stop, False))
        if stop < n and int(ts_ms[stop]) - int(ts_ms[stop - 1]) > BLOCK_MS:
            cuts.append(Cut(int(ts_ms[stop - 1]) + BLOCK_MS, int(ts_ms[stop]), stop, stop, True))
        i = stop
    return cuts


def restart_points(client: Warehouse, from_day: date) -> dict[str, tuple[datetime, datetime]]:
    """Per user, (start, first entry) of the last block that began before ``from_day``."""
    rows = client.query(
        "SELECT user_id, max(start_time), argMax(first_entry_time, start_time) "
        "FROM billing_blocks WHERE NOT is_gap AND start_time < toDateTime64({d:Date}, 3, 'UTC') "
        "GROUP BY user_id",
        parameters={"d": from_day},
    ).result_rows
    return {user: (start, first) for user, start, first in rows}


def refresh_blocks(client: Warehouse, from_day: date) -> int:
    """Recompute billing_blocks from ``from_day`` on; return the number of blocks written."""
    restarts = restart_points(client, from_day)
    params = {
        "from_day": from_day,
        "users": list(restarts),
        "starts": [start for start, _ in restarts.values()],
        "firsts": [first for _, first in restarts.values()],
    }
    first_day = min([from_day, *(start.date() for start, _ in restarts.values())])
    params["first_day"] = first_day
    frame = client.query_df(sqlfiles.load("rollups/block_entries.sql"), parameters=params)
    client.command("TRUNCATE TABLE _stage_billing_blocks")
    # blocks of the rebuilt partitions that lie before each user's restart point stay
    sqlfiles.run_script(client, "rollups/block_keep.sql", params)
    rows = build_rows(frame) if not frame.empty else []
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


def build_rows(frame: Any) -> list[list[Any]]:
    """billing_blocks rows from entries sorted by (user_id, ts_ms)."""
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
        for cut in cut_blocks(ts):
            a, b = lo + cut.first, lo + cut.stop
            if cut.is_gap:
                out.append(
                    [
                        _dt(cut.start_ms).date(),
                        user,
                        f"gap-{_iso(cut.start_ms)}",
                        _dt(cut.start_ms),
                        _dt(cut.end_ms),
                        None,
                        None,
                        True,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0.0,
                        [],
                    ]
                )
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
