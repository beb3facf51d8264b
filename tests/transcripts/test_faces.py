"""The shell command and the Dagster job call the same backfill."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from cc_pipeline.cli import main
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.transcripts.definitions import backfill_transcripts_asset
from tests.conftest import PUBLIC_TRANSCRIPTS, TRANSCRIPT_FIXTURES
from tests.transcripts.helpers import assistant, write_session


def test_cli_backfill_and_quick_rerun(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(PUBLIC_TRANSCRIPTS / "marot-spotter")
    assert main(["backfill", "--claude-config-dir", folder, "--totals"]) == 0
    out = capsys.readouterr().out
    assert "claude-opus-4-6" in out and "163,852" in out
    started = time.monotonic()
    assert main(["backfill", "--claude-config-dir", folder]) == 0
    assert time.monotonic() - started < 3.0
    out = capsys.readouterr().out
    assert "0 read of 17" in out and "+0 lines" in out


def test_dagster_job_reports_totals_per_model(tmp_path: Path) -> None:
    resource = ClickHouseResource(mode="embedded", path=str(tmp_path / "chdb"))
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [backfill_transcripts_asset],
        instance=instance,
        resources={"clickhouse": resource},
        run_config={
            "ops": {
                "backfill_transcripts": {
                    "config": {"roots": [str(TRANSCRIPT_FIXTURES)], "since": "2020-01-01"}
                }
            }
        },
    )
    assert result.success
    mats = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("backfill_transcripts")
    }
    per_model: Any = mats["transcript_requests"]["totals_per_model"].value
    assert per_model["claude-sonnet-4-5-20250929"]["output_tokens"] == 3_312
    assert per_model["claude-opus-4-8"]["cache_creation_tokens"] == 19_104
    assert mats["transcript_entries"]["files_read"].value == 19
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"every_model_priced": True, "no_lines_quarantined": True}
    messages = [r.user_message for r in instance.all_logs(result.run_id)]
    assert any("MB read" in m and "file(s) loaded" in m for m in messages)


def test_the_quarantine_check_reads_the_lines_of_this_run_by_their_keys(tmp_path: Path) -> None:
    root = tmp_path / "claude"
    write_session(root, [assistant("m1", "r1"), "not json at all", assistant("m2", "r2")])
    resource = ClickHouseResource(mode="embedded", path=str(tmp_path / "chdb"))
    config = {"ops": {"backfill_transcripts": {"config": {"roots": [str(root)]}}}}

    def check() -> dg.AssetCheckEvaluation:
        result = dg.materialize(
            [backfill_transcripts_asset], resources={"clickhouse": resource}, run_config=config
        )
        assert result.success
        (found,) = [
            c
            for c in result.get_asset_check_evaluations()
            if c.check_name == "no_lines_quarantined"
        ]
        return found

    first = check()
    assert not first.passed
    assert first.metadata["lines_quarantined"].value == 1
    assert "invalid JSON" in str(first.metadata["reasons"].value)
    # a run that reads nothing new passes, though the earlier line is still in the quarantine
    again = check()
    assert again.passed and again.metadata["lines_quarantined"].value == 0
    # new bytes of the same file: only their bad line is this run's
    with open(next(root.rglob("*.jsonl")), "a") as fh:
        fh.write("[1, 2, 3]\n")
    third = check()
    assert not third.passed and third.metadata["lines_quarantined"].value == 1
