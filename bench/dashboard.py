"""Dashboard benchmark: server response time of a filter change on N generated requests.

Generates N requests over a year (``bench.rollups``), refreshes the rollups, publishes the
dashboard's data, starts ``cc-pipeline dashboard`` on it and times pages with filters
(p50/p95; target p95 <= 100 ms). Run: ``python -m bench.dashboard --requests 10000000``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from bench.rollups import START, generate
from cc_pipeline.dashboard.build import build_dashboard
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.schema import migrate

FILTERS = (
    "",
    "?model=claude-opus-4-6",
    "?user_id=user-3",
    "?split=user_id",
    "?since=2025-03-01&until=2026-02-28",
    "?model=claude-sonnet-4-6&split=project",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    os.environ["CC_PIPELINE_HOME"] = str(home)
    with ClickHouseResource(path=str(home / "chdb")).connect() as client:
        migrate(client)
        generate(client, args.requests, 0, 365, seed=7)
        refresh_rollups(client, full=True)
        build_dashboard(client)
    port = "8791"
    server = subprocess.Popen(
        [sys.executable, "-m", "cc_pipeline.cli", "dashboard", "--no-open", "--port", port]
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(100):
            try:
                urlopen(base, timeout=120).read()
                break
            except OSError:
                time.sleep(0.5)
        times = []
        for _ in range(args.repeat):
            for query in FILTERS:
                started = time.perf_counter()
                urlopen(base + query, timeout=120).read()
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        p50 = statistics.median(times)
        print(f"{args.requests} requests since {START}: filter change p50 {p50:.1f} ms, ")
        print(f"p95 {p95:.1f} ms over {len(times)} pages")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
