"""Shared test fixtures: an isolated HOME and a real embedded ClickHouse per test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.schema import migrate

FIXTURES = Path(__file__).parent / "fixtures"
OTLP_FIXTURES = FIXTURES / "claude-code-2.1.197" / "otlp"
TRANSCRIPT_FIXTURES = FIXTURES / "claude-code-2.1.197" / "claude-config"
PUBLIC_TRANSCRIPTS = FIXTURES / "public-transcripts"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Never read or write the machine's own ~/.claude, ~/.config/claude or ~/.cc_pipeline."""
    root = tmp_path_factory.mktemp("home")
    home = root / "user"
    (home / ".config").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(root / "claude-config-unset"))
    monkeypatch.setenv("CC_PIPELINE_HOME", str(root / "cc_pipeline"))
    monkeypatch.delenv("CC_PIPELINE_CHDB_DIR", raising=False)
    monkeypatch.delenv("CC_PIPELINE_TELEMETRY_DIR", raising=False)
    monkeypatch.delenv("CC_PIPELINE_KEEP_CONTENT", raising=False)
    monkeypatch.delenv("CC_PIPELINE_LABEL_KEYS", raising=False)
    monkeypatch.delenv("CC_PIPELINE_CLICKHOUSE_MODE", raising=False)
    return root


@pytest.fixture(params=["read in place", "staged"])
def batch_lines(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """Both ways a batch's spool files reach its queries. file() cannot name a folder whose
    path holds glob characters, so such a batch goes through a staging table, as every
    batch does on a server."""
    if request.param == "staged":
        monkeypatch.setenv("CC_PIPELINE_HOME", str(tmp_path / "home[staged]"))
    return request.param


@pytest.fixture
def clickhouse_resource(tmp_path: Path) -> ClickHouseResource:
    return ClickHouseResource(mode="embedded", path=str(tmp_path / "chdb"))


@pytest.fixture
def ch(clickhouse_resource: ClickHouseResource) -> Iterator[Any]:
    """A migrated client on a fresh embedded database."""
    with clickhouse_resource.connect() as client:
        migrate(client)
        yield client


def scalar(client: Any, sql: str, **params: Any) -> Any:
    return client.query(sql, parameters=params).result_rows[0][0]


def assert_workspace_validates(workspace: Path, cwd: Path, dagster_home: Path) -> None:
    """``dagster definitions validate`` of ``workspace`` run from ``cwd`` loads the project."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-w",
         str(workspace)],
        cwd=cwd,
        env=dict(os.environ, DAGSTER_HOME=str(dagster_home)),
        capture_output=True,
        text=True,
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful for code location cc_pipeline.definitions" in (
        done.stdout + done.stderr
    )
