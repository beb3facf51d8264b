"""Benchmark: telemetry ingestion records/s and peak RSS against a plain ClickHouse load.

Generates Collector-style JSONL (bench/otlp_generator.py), then, each in a fresh process on a
fresh embedded database:
  - project: ``ingest_telemetry`` (the function the Dagster asset and ``cc-pipeline ingest`` run)
  - baseline: ``INSERT INTO otel_logs SELECT ... FROM file(..., 'JSONEachRow', <nested schema>)``
    of the same bytes (no validation, no quarantine, no privacy filter, no exactly-once books)
and prints records/s, MB/s and peak RSS of both, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.otlp_generator import write

BASELINE_SCHEMA = (
    "resourceLogs Array(Tuple(resource Tuple(attributes Array(Tuple(key String, "
    "value Map(String, String)))), scopeLogs Array(Tuple(scope Tuple(name String, "
    "version String), logRecords Array(Tuple(timeUnixNano UInt64, observedTimeUnixNano UInt64, "
    "body Map(String, String), attributes Array(Tuple(key String, value Map(String, String))))"
    "))))), resourceMetrics Array(Tuple(resource Tuple(attributes Array(Tuple(key String, "
    "value Map(String, String))))))"
)
BASELINE_SQL = """
INSERT INTO otel_logs (Timestamp, ServiceName, Body, ResourceAttributes, ScopeName,
                       ScopeVersion, LogAttributes)
SELECT
    fromUnixTimestamp64Nano(toInt64(rec.timeUnixNano), 'UTC'),
    resource_attrs['service.name'],
    mapValues(rec.body)[1],
    mapFromArrays(arrayMap(a -> a.key, rl.resource.attributes),
                  arrayMap(a -> mapValues(a.value)[1], rl.resource.attributes)) AS resource_attrs,
    sl.scope.name,
    sl.scope.version,
    mapFromArrays(arrayMap(a -> a.key, rec.attributes),
                  arrayMap(a -> mapValues(a.value)[1], rec.attributes))
FROM file({path:String}, 'JSONEachRow', {schema:String})
ARRAY JOIN resourceLogs AS rl
ARRAY JOIN rl.scopeLogs AS sl
ARRAY JOIN sl.logRecords AS rec
"""


def run_child(kind: str, folder: Path, db: Path) -> dict:
    """One measurement in this process; prints a JSON result line."""
    import resource

    from cc_pipeline.resources.clickhouse import ClickHouseResource
    from cc_pipeline.schema import migrate

    with ClickHouseResource(path=str(db)).connect() as client:
        migrate(client)
        started = time.perf_counter()
        if kind == "project":
            from cc_pipeline.telemetry.ingest import ingest_telemetry

            summary = ingest_telemetry(client, folder)
            logs = summary.rows["otel_logs"]
        else:
            for path in sorted(folder.iterdir()):
                client.command(
                    BASELINE_SQL, parameters={"path": str(path), "schema": BASELINE_SCHEMA}
                )
            logs = client.query("SELECT count() FROM otel_logs").result_rows[0][0]
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "seconds": seconds, "log_records": logs, "peak_rss_mb": peak_kb / 1024}


def measure(kind: str, folder: Path, work: Path) -> dict:
    db = work / f"db-{kind}"
    shutil.rmtree(db, ignore_errors=True)
    env = dict(os.environ, CC_PIPELINE_HOME=str(work / f"home-{kind}"))
    os.sync()  # the previous measurement's writes do not land on this one
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.telemetry_ingest",
            "--child",
            kind,
            "--folder",
            str(folder),
            "--db",
            str(db),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    shutil.rmtree(db, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300_000, help="log records to generate")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: temp)")
    parser.add_argument("--child", choices=("project", "baseline"))
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.folder, args.db)))
        return 0

    work = args.work or Path(tempfile.mkdtemp(prefix="cc-bench-"))
    folder = work / "otel"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    logs, points, size = write(folder / "claude-code.jsonl", args.records)
    os.sync()  # the generated file reaches the disk before anything is timed
    print(
        f"generated {logs:,} log records + {points:,} metric points, "
        f"{size / 2**20:,.0f} MB of Collector JSONL in {time.perf_counter() - started:.1f}s"
    )
    results = {kind: measure(kind, folder, work) for kind in ("baseline", "project")}
    print(f"{'':<10}{'seconds':>9}{'log rec/s':>12}{'MB/s':>8}{'peak RSS MB':>13}")
    for kind, r in results.items():
        rate = r["log_records"] / r["seconds"]
        print(
            f"{kind:<10}{r['seconds']:>9.2f}{rate:>12,.0f}{size / 2**20 / r['seconds']:>8.1f}"
            f"{r['peak_rss_mb']:>13,.0f}"
        )
    for kind, r in results.items():
        if r["log_records"] != logs:
            print(f"ERROR: {kind} loaded {r['log_records']} of {logs} log records")
            return 1
    ratio = results["baseline"]["seconds"] / results["project"]["seconds"]
    print(f"project / baseline throughput: {ratio:.2f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
