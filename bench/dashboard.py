"""Dashboard benchmark: server response time of a filter change on N generated requests.

Generates N requests over a year (``bench.rollups``, in SQL), refreshes the rollups, publishes
the dashboard's data, starts ``cc-pipeline dashboard`` on it and times full pages, each with a
filter set no earlier page had (a period, attribution values and a split drawn without
repeats), so every filtered panel is computed by the engine: p50/p95, target p95 <= 100 ms.
For reference it also times the empty-filter page: the first one after a publish (it loads the
generation) and the same page again (its queries answered from the generation's cache).
Run: ``python -m bench.dashboard --requests 10000000``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import urlopen

from bench.rollups import START, USERS, generate
from cc_pipeline.dashboard.build import build_dashboard
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.schema import migrate

DAYS = 365
END = START + timedelta(days=DAYS - 1)
# the models bench/rollups_events.sql generates
MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-6", "claude-haiku-4-5-20251001")
SPLITS = ("model", "user_id", "project", "team")
WINDOWS = (None, 7, 30, 91, DAYS)  # None: the page's default (the last 30 days of data)


def _period(rng: random.Random) -> tuple[tuple[str, str], ...]:
    days = rng.choice(WINDOWS)
    if days is None:
        return ()
    until = END - timedelta(days=0 if days == DAYS else rng.randrange(DAYS - days + 1))
    since = until - timedelta(days=days - 1)
    return (("since", since.isoformat()), ("until", until.isoformat()))


def _values(rng: random.Random) -> tuple[tuple[str, str], ...]:
    user = f"user-{rng.randrange(USERS)}"
    kinds = (
        (),
        (("model", rng.choice(MODELS)),),
        (("user_id", user),),
        (("user_id", user), ("model", rng.choice(MODELS))),
        (("user_id", user), ("user_id", f"user-{rng.randrange(USERS)}")),
    )
    return rng.choice(kinds)


def filter_sets(count: int, seed: int = 7) -> list[str]:
    """``count`` page query strings whose (period, filter values) pairs are all different."""
    rng = random.Random(seed)
    seen: set[tuple[Any, ...]] = set()
    queries: list[str] = []
    while len(queries) < count:
        key = (_period(rng), _values(rng))
        if key in seen or key == ((), ()):
            continue
        seen.add(key)
        split = rng.choice(SPLITS)
        pairs = [*key[0], *key[1], *([("split", split)] if split != "model" else [])]
        queries.append("?" + urlencode(pairs))
    return queries


def timed_ms(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def prepare(requests: int, home: Path) -> None:
    """The generated year in an embedded database under ``home``, refreshed and published (a
    database already holding ``requests`` generated requests is only published again)."""
    marker = home / "generated-requests"
    with ClickHouseResource(path=str(home / "chdb")).connect() as client:
        migrate(client)
        if not marker.exists() or marker.read_text() != str(requests):
            seconds = timed_ms(lambda: generate(client, requests, 0, DAYS, seed=7)) / 1000
            print(f"generate {seconds:.1f} s", flush=True)
            seconds = timed_ms(lambda: refresh_rollups(client, full=True)) / 1000
            print(f"refresh {seconds:.1f} s", flush=True)
            marker.write_text(str(requests))
        seconds = timed_ms(lambda: build_dashboard(client)) / 1000
        print(f"publish and build {seconds:.1f} s", flush=True)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="keep (and reuse) the data here")
    args = parser.parse_args()
    home = args.dir or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ["CC_PIPELINE_HOME"] = str(home)
    prepare(args.requests, home)
    port = "8791"
    server = subprocess.Popen(
        [sys.executable, "-m", "cc_pipeline.cli", "dashboard", "--no-open", "--port", port]
    )
    try:
        base = f"http://127.0.0.1:{port}/"

        def get(query: str) -> None:
            urlopen(base + query, timeout=120).read()

        for _ in range(200):
            try:
                urlopen(base + "static/page.css", timeout=120).read()
                break
            except OSError:
                time.sleep(0.5)
        first = timed_ms(lambda: get(""))
        again = statistics.median(timed_ms(lambda: get("")) for _ in range(20))
        times = [timed_ms(lambda q=query: get(q)) for query in filter_sets(args.pages)]
        p50 = statistics.median(times)
        print(f"{args.requests} requests since {START}: filter change p50 {p50:.1f} ms, ")
        print(f"p95 {p95(times):.1f} ms over {len(times)} pages, each a new filter set")
        print(
            f"empty-filter page: first after publish {first:.1f} ms (loads the data), "
            f"again p50 {again:.1f} ms (cached per generation)"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
