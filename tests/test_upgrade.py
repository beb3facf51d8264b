"""A database built by release v0.1.0, opened by this code, equals a database this code built:
same tables and columns, same view definitions, same totals, same reports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups import reports
from cc_pipeline.schema import discover_repeatables
from tests.conftest import TRANSCRIPT_FIXTURES
from tests.otlp_files import fixture_requests, write_jsonl

REPO = Path(__file__).resolve().parent.parent
RELEASE_TAG = "v0.1.0"
RELEASE_COMMIT = "5894159"
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # every fixture block has ended by then


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)


@pytest.fixture
def release_checkout(tmp_path: Path) -> Iterator[Path]:
    """A worktree of release v0.1.0 (by tag, else by commit), removed afterwards."""
    if git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    found = git("rev-parse", "--verify", "--quiet", f"{RELEASE_TAG}^{{commit}}")
    revision = found.stdout.strip() if found.returncode == 0 else RELEASE_COMMIT
    checkout = tmp_path / "release"
    added = git("worktree", "add", "--detach", str(checkout), revision)
    assert added.returncode == 0, added.stderr
    try:
        yield checkout
    finally:
        git("worktree", "remove", "--force", str(checkout))


def load_everything(code: Path, home: Path, telemetry: Path) -> None:
    """ingest, backfill and rollup as a user runs them, with the code of ``code``."""
    env = dict(os.environ, HOME=str(home), CC_PIPELINE_HOME=str(home / "cc_pipeline"))
    env["PYTHONPATH"] = str(code)
    env.pop("CC_PIPELINE_CHDB_DIR", None)
    for args in (
        ["ingest", "--source", str(telemetry)],
        ["backfill", "--claude-config-dir", str(TRANSCRIPT_FIXTURES)],
        ["rollup", "--no-dashboard"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "cc_pipeline.cli", *args],
            cwd=code,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{code} {args}: {done.stdout}\n{done.stderr}"


def rounded(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]


def describe(home: Path) -> dict[str, Any]:
    """Everything an upgraded database must share with a fresh one."""
    database = ClickHouseResource(mode="embedded", path=str(home / "cc_pipeline" / "chdb"))
    with database.connect() as client:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return rounded(client.query(sql).result_rows)

        return {
            "columns": rows(
                "SELECT table, name, type FROM system.columns "
                "WHERE database = currentDatabase() ORDER BY table, name"
            ),
            "views": rows(
                "SELECT name, create_table_query FROM system.tables WHERE database = "
                "currentDatabase() AND engine IN ('View', 'MaterializedView') ORDER BY name"
            ),
            "usage_requests": rows(
                "SELECT source, count(), sum(input_tokens), sum(output_tokens), "
                "sum(cache_read_tokens), sum(cache_creation_tokens), round(sum(cost_usd), 9) "
                "FROM usage_requests GROUP BY source ORDER BY source"
            ),
            "usage_daily": rows(
                "SELECT day, sum(requests), sum(total_tokens), round(sum(cost_usd), 9) "
                "FROM usage_daily GROUP BY day ORDER BY day"
            ),
            "repeatables": rows(
                "SELECT name, argMax(checksum, applied_at) FROM schema_repeatables "
                "GROUP BY name ORDER BY name"
            ),
            "billing_blocks": rows("SELECT * FROM billing_blocks ORDER BY ALL"),
            "daily": reports.usage_report(client, "daily"),
            "session": reports.session_report(client),
            "blocks": reports.blocks_report(client, now=NOW),
        }


def test_a_release_database_upgraded_equals_a_fresh_one(
    release_checkout: Path, tmp_path: Path
) -> None:
    telemetry = tmp_path / "otel"
    write_jsonl(telemetry / "claude-code.jsonl", [body for _signal, body in fixture_requests()])
    upgraded, fresh = tmp_path / "upgraded", tmp_path / "fresh"

    load_everything(release_checkout, upgraded, telemetry)
    load_everything(REPO, upgraded, telemetry)
    load_everything(REPO, fresh, telemetry)

    before, after = describe(upgraded), describe(fresh)
    assert after["usage_requests"] and after["billing_blocks"] and after["daily"]["daily"]
    assert after["repeatables"] == sorted((r.name, r.checksum) for r in discover_repeatables())
    for part in after:
        assert before[part] == after[part], part
