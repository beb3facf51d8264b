"""The shell face: ``cc-pipeline ingest`` and ``cc-pipeline sql``, as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.otlp_files import expected_totals, fixture_requests, write_jsonl


def cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, CC_PIPELINE_HOME=str(tmp_path / "home"))


def test_ingest_then_sql_json(env, tmp_path):
    requests = fixture_requests()
    expected = expected_totals(requests)
    write_jsonl(tmp_path / "home" / "otel" / "claude-code.jsonl", [b for _, b in requests])

    done = cli("ingest", env=env)
    assert done.returncode == 0, done.stderr
    assert f"otel_logs               +{expected['logs']} rows" in done.stdout
    assert "quarantined 0 line(s)" in done.stdout

    out = cli(
        "sql",
        "SELECT model, count() AS requests, round(sum(cost_usd), 6) AS cost "
        "FROM cc_api_requests GROUP BY model ORDER BY model",
        "--format",
        "json",
        env=env,
    )
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)  # stdout holds exactly one JSON array
    assert isinstance(rows, list) and set(rows[0]) == {"model", "requests", "cost"}
    assert sum(r["requests"] for r in rows) == expected["api_requests"]
    assert sum(r["cost"] for r in rows) == pytest.approx(expected["cost_usd"], abs=1e-5)

    table = cli("sql", "SELECT count() AS n FROM otel_logs", env=env)
    assert table.returncode == 0 and str(expected["logs"]) in table.stdout


def test_sql_is_read_only(env):
    done = cli("sql", "DROP TABLE otel_logs", env=env)
    assert done.returncode == 1
    assert "Refused: DROP statements do not run here" in done.stderr
    assert "read-only queries only" in done.stderr
    assert cli("sql", "SELECT count() FROM otel_logs", "--format", "json", env=env).returncode == 0


HOLDER = """
import sys, time
from cc_pipeline.resources.clickhouse import ClickHouseResource
with ClickHouseResource().connect() as client:
    client.command("SELECT 1")
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def start_holder(env: dict[str, str], seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(seconds)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_busy_database_names_its_holder(env):
    holder = start_holder(env, 30)
    try:
        done = cli("sql", "SELECT 1", "--wait", "1", env=env)
        assert done.returncode == 75
        assert f"held by process {holder.pid}" in done.stderr
        assert "Cannot lock file" in done.stderr
    finally:
        holder.kill()
        holder.wait()


def test_busy_database_is_waited_for(env):
    holder = start_holder(env, 3)
    started = time.monotonic()
    done = cli("sql", "SELECT 42 AS answer", "--format", "json", "--wait", "60", env=env)
    holder.wait()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"answer": 42}]
    assert "busy" in done.stderr and "waiting" in done.stderr
    assert time.monotonic() - started >= 2


def test_damaged_database_is_not_reported_as_busy(env, tmp_path):
    assert cli("sql", "SELECT 1", env=env).returncode == 0
    # a copy that follows the engine's symbolic links cannot be opened (its metadata
    # folders exist twice); nothing holds it
    damaged = tmp_path / "damaged"
    shutil.copytree(Path(env["CC_PIPELINE_HOME"]) / "chdb", damaged)
    done = cli("sql", "SELECT 1", "--wait", "1", env={**env, "CC_PIPELINE_CHDB_DIR": str(damaged)})
    assert done.returncode not in (0, 75)
    assert "held by" not in done.stderr
    assert "Unable to open the chdb engine" in done.stderr


def test_commands_started_together_wait_for_each_other(env):
    assert cli("sql", "SELECT 1", env=env).returncode == 0  # the database exists
    command = ["sql", "SELECT count() AS n FROM system.tables", "--format", "json", "--wait", "60"]
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "cc_pipeline.cli", *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in started]
    for process, (out, err) in zip(started, outputs, strict=True):
        assert process.returncode == 0, err
        assert json.loads(out)[0]["n"] > 0
