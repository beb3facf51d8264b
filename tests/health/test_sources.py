"""The sources' backlogs and observation sensors: listings and cursor files, never the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import dagster as dg

from cc_pipeline import settings, sources
from cc_pipeline.health.sources import observe
from cc_pipeline.telemetry.definitions import ingest_telemetry_asset
from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.otlp_files import fixture_requests, write_jsonl

ROOT = Path(__file__).resolve().parent.parent.parent


def _live_file() -> Path:
    folder = settings.telemetry_dir()
    bodies = [b for _, b in fixture_requests()]
    return write_jsonl(folder / "claude-code.jsonl", bodies[: len(bodies) // 2])


def test_backlog_is_what_the_cursors_have_not_covered(ch: Any) -> None:
    live = _live_file()
    size = live.stat().st_size
    backlog = sources.collector_backlog()
    assert (backlog.files, backlog.files_waiting, backlog.bytes_waiting) == (1, 1, size)
    assert backlog.newest_mtime == live.stat().st_mtime

    ingest_telemetry(ch)
    backlog = sources.collector_backlog()
    assert (backlog.files_waiting, backlog.bytes_waiting, backlog.bytes_total) == (0, 0, size)

    with open(live, "ab") as fh:
        fh.write(b'{"resourceLogs": []}\n')
    assert sources.collector_backlog().bytes_waiting == 21
    rotated = live.rename(live.with_name("claude-code-2026.jsonl"))
    live.write_bytes(b"{}\n")  # a rotated backup and a new live file
    backlog = sources.collector_backlog()
    assert (backlog.files, backlog.files_waiting, backlog.bytes_waiting) == (2, 2, 24)
    rotated.write_bytes(b"{}\n")  # truncated below its cursor: read again from the start
    assert sources.collector_backlog().bytes_waiting == 6


def test_an_observation_only_when_unread_bytes_move() -> None:
    sizes = iter([0, 10, 10, 25, 0])

    def look() -> sources.Backlog:
        waiting = next(sizes)
        return sources.Backlog("/x", 1, int(waiting > 0), waiting, 100, 1.0)

    observed = []
    cursor = None
    for _ in range(5):
        result = observe({"otel_collector_files": look}, cursor)
        cursor = result.cursor
        observed.append([e.metadata["bytes_waiting"].value for e in result.asset_events])
    assert observed == [[], [10], [], [25], []]
    (event,) = observe({"otel_collector_files": lambda: sources.Backlog("/x", 1, 1, 7, 7, 2.0)},
                       None).asset_events  # fmt: skip
    assert event.tags["dagster/data_version"] == sources.Backlog("/x", 1, 1, 7, 7, 2.0).version()


def test_sensors_observe_while_a_run_holds_the_database_and_never_open_it(ch: Any) -> None:
    """This process holds the embedded database (as a run would); the sensors, evaluated in a
    fresh interpreter, still answer at once with the right numbers and load no engine."""
    live = _live_file()
    claude = Path(os.environ["HOME"]) / ".claude"
    (claude / "projects" / "p").mkdir(parents=True)
    (claude / "projects" / "p" / "s.jsonl").write_bytes(b'{"type":"user"}\n')
    ch.query("SELECT 1")
    code = (
        "import json, sys, dagster as dg\n"
        "from cc_pipeline.definitions import defs\n"
        "out = {}\n"
        "for name in ('observe_collector_output', 'observe_transcript_folders'):\n"
        "    with dg.build_sensor_context() as ctx:\n"
        "        result = defs.resolve_sensor_def(name)(ctx)\n"
        "    for e in result.asset_events:\n"
        "        out[e.asset_key.to_user_string()] = e.metadata['bytes_waiting'].value\n"
        "out['engine_loaded'] = [m for m in ('chdb', 'clickhouse_connect') if m in sys.modules]\n"
        "print(json.dumps(out))\n"
    )
    env = dict(os.environ, CLAUDE_CONFIG_DIR="")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen == {
        "otel_collector_files": live.stat().st_size,
        "transcript_root_claude": 16,
        "engine_loaded": [],
    }
    assert time.monotonic() - started < 30


def test_a_run_that_finds_the_database_busy_waits_then_succeeds(tmp_path: Path) -> None:
    """Another process (a user's query, another run) holds the embedded database: the
    ingestion says it waits, and succeeds once the database is free."""
    _live_file()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from cc_pipeline.resources.clickhouse import clickhouse_from_env\n"
            "with clickhouse_from_env().connect() as c:\n"
            "    c.query('SELECT 1')\n"
            "    print('held', flush=True)\n"
            "    time.sleep(4)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with dg.instance_for_test() as instance:
            from cc_pipeline.resources.clickhouse import clickhouse_from_env

            result = dg.materialize(
                [ingest_telemetry_asset],
                instance=instance,
                resources={"clickhouse": clickhouse_from_env()},
            )
            waited = time.monotonic() - started
            messages = [
                e.message for e in instance.all_logs(result.run_id) if e.message is not None
            ]
        assert result.success
        assert any("busy" in m and "waiting" in m for m in messages), messages[-20:]
        assert waited >= 1
        (logs,) = [
            m.metadata
            for m in result.asset_materializations_for_node("ingest_telemetry")
            if m.asset_key == dg.AssetKey("otel_logs")
        ]
        assert logs["rows_added"].value > 0
    finally:
        holder.wait(timeout=30)
