"""Claude Code 2.1.260's own telemetry, replayed over its original protocols into the
collector, and its transcripts, land attributed to the team and git branch they were made on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.cli import main
from tests.collector.helpers import grpc_export, post, start_receiver
from tests.conftest import FIXTURES

FIXTURE = FIXTURES / "claude-code-2.1.260"
OTLP = FIXTURE / "otlp"


def replay_all(output: Path) -> int:
    """Every recorded request, to a running receiver, over the protocol it was sent with."""
    receiver = start_receiver(output)
    sent = 0
    try:
        for line in (OTLP / "index.jsonl").read_text().splitlines():
            entry: dict[str, Any] = json.loads(line)
            body = (OTLP / entry["file"]).read_bytes()
            if entry["content_type"] == "application/grpc":
                grpc_export(receiver.grpc_port, entry["signal"], body)
            else:
                status, _ = post(receiver.http_port, entry["path"], body, entry["content_type"])
                assert status == 200, entry["file"]
            sent += 1
    finally:
        receiver.stop()
    return sent


def test_fixture_lands_with_its_team_project_repo_and_branch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert replay_all(tmp_path / "otel") > 0
    monkeypatch.setenv("CC_PIPELINE_CHDB_DIR", str(tmp_path / "chdb"))
    assert main(["ingest", "--source", str(tmp_path / "otel")]) == 0
    assert main(["backfill", "--claude-config-dir", str(FIXTURE / "claude-config")]) == 0
    assert main(["rollup", "--no-dashboard"]) in (0, 1)  # checks may WARN, never break it
    capsys.readouterr()
    assert main(["sql", "SELECT DISTINCT team, department, cost_center, project, repo, branch "
                 "FROM usage_requests",
                 "--format", "json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out) == [
        {
            "team": "data-platform",
            "department": "research",
            "cost_center": "cc-7",
            "project": "/home/dev/analytics/work",
            "repo": "work",
            "branch": "feature/usage-attribution",
        }
    ]

    assert main(["report", "daily", "--by", "team", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    teams = {entry["team"] for entry in report["daily"]}
    assert "data-platform" in teams
    attributed = sum(e["totalCost"] for e in report["daily"] if e["team"] == "data-platform")
    assert attributed > 0
    assert set(report["daily"][0]) >= {"date", "team", "totalCost", "modelBreakdowns"}

    assert main(["report", "daily", "--by", "repo", "--format", "csv"]) == 0
    csv_lines = capsys.readouterr().out.splitlines()
    assert csv_lines[0].startswith("date,repo,models,")
    assert all(",work," in line for line in csv_lines[1:])
