"""Rollup benchmark: N generated requests over a year, dashboard query latency, incremental cost.

Generates Claude Code api_request, tool_result and api_error events straight into
``otel_logs`` (in SQL, from ``numbers()``), users working office hours so billing blocks
look real, then measures:
  * a full rollup build;
  * every dashboard query (p50/p95 over repeats; target p95 <= 100 ms embedded);
  * a refresh after one new day is added (incremental: change detection + that day + blocks),
    against a refresh of that day alone in an empty database (target <= 2x).

Run: ``python -m bench.rollups --requests 10000000`` (``make bench-rollups``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cc_pipeline.dashboard.queries import named_queries, run_query
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.schema import migrate

START = date(2025, 3, 1)
USERS = 25
EVENTS_SQL = (Path(__file__).with_name("rollups_events.sql")).read_text()


def generate(client: Any, requests: int, first_day: int, days: int, seed: int) -> None:
    events = int(requests / 0.7)
    client.command(
        EVENTS_SQL,
        parameters={
            "seed": seed,
            "first_day": first_day,
            "per_day": max(1, events // days),
            "users": USERS,
            "start": START,
            "count": events,
        },
        settings={"max_insert_block_size": 1_000_000, "max_partitions_per_insert_block": 0},
    )


def timed(fn: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def dashboard_latency(client: Any, repeats: int) -> dict[str, list[float]]:
    since = START
    times: dict[str, list[float]] = {}
    for name in named_queries():
        run_query(client, name, since)  # warm
        times[name] = [timed(lambda n=name: run_query(client, n, since))[0] for _ in range(repeats)]
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    root = Path(args.dir or tempfile.mkdtemp(prefix="bench-rollups-"))
    shutil.rmtree(root, ignore_errors=True)
    per_day = args.requests // args.days
    print(
        f"bench-rollups: {args.requests:,} requests over {args.days} days "
        f"({per_day:,}/day, {USERS} users), embedded chDB in {root}"
    )
    with ClickHouseResource(mode="embedded", path=str(root / "year")).connect() as client:
        migrate(client)
        t, _ = timed(lambda: generate(client, args.requests, 0, args.days, 1))
        n = client.query("SELECT count() FROM cc_api_requests").result_rows[0][0]
        print(f"generate      {t:8.2f} s  ({n:,} api_request events)")
        t, s = timed(lambda: refresh_rollups(client))
        print(f"full build    {t:8.2f} s  ({len(s.days)} days, {s.blocks_written:,} blocks)")
        rows = client.query("SELECT count() FROM usage_requests").result_rows[0][0]
        print(f"usage_requests {rows:,} rows")
        lat = dashboard_latency(client, args.repeats)
        print(f"dashboard queries ({args.repeats} runs each, ms):   p50     p95")
        for name, values in lat.items():
            print(f"  {name:<18}{statistics.median(values) * 1000:8.1f}{p95(values) * 1000:8.1f}")
        every = [v for values in lat.values() for v in values]
        worst = max(p95(v) for v in lat.values()) * 1000
        print(
            f"  all queries p95 {p95(every) * 1000:.1f} ms; worst query p95 {worst:.1f} ms "
            f"(target <= 100) -> {'OK' if worst <= 100 else 'MISSED'}"
        )
        new_day = START + timedelta(days=args.days)
        generate(client, per_day, args.days, 1, 2)
        t_inc, s = timed(lambda: refresh_rollups(client))
        print(
            f"refresh after one new day ({new_day}): {t_inc:.3f} s, days rebuilt "
            f"{[d.isoformat() for d in s.days]}"
        )
        t_same, _ = timed(lambda: refresh_rollups(client, days=[new_day]))
        print(f"rebuild of that day alone in the year database: {t_same:.3f} s")
    with ClickHouseResource(mode="embedded", path=str(root / "day")).connect() as client:
        migrate(client)
        generate(client, per_day, args.days, 1, 2)
        t_alone, s = timed(lambda: refresh_rollups(client))
        print(
            f"refresh of that day alone in an empty database: {t_alone:.3f} s "
            f"(days {[d.isoformat() for d in s.days]})"
        )
    ratio = t_inc / t_alone
    print(
        f"ratio incremental / alone = {ratio:.2f} (target <= 2) -> "
        f"{'OK' if ratio <= 2 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
