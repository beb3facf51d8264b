"""`cc-pipeline demo` data through the whole pipeline: overlapping sources, one truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cc_pipeline.rollups.checks import run_all
from cc_pipeline.rollups.demo import run_demo
from tests.conftest import scalar


def test_demo_month(ch: Any, tmp_path: Path) -> None:
    result = run_demo(ch, tmp_path, log=lambda _m: None)
    sources = dict(
        ch.query("SELECT source, count() FROM usage_requests GROUP BY source").result_rows
    )
    assert set(sources) == {"telemetry", "transcript", "both"}
    assert sum(sources.values()) == result["requests"]
    assert scalar(ch, "SELECT count() FROM usage_requests") == scalar(
        ch, "SELECT uniqExact(request_id) FROM usage_requests"
    )
    # carol has no transcripts, so her telemetry carries no project
    assert scalar(ch, "SELECT uniqExact(project) FROM usage_daily WHERE project != ''") == 3
    assert scalar(ch, "SELECT countIf(has(sources, 'telemetry')) FROM usage_coverage") > 15
    outcomes = {o.name: o for o in run_all(ch)}
    for name in ("no_duplicate_requests", "no_negative_values", "rollup_totals_match"):
        assert outcomes[name].passed, outcomes[name].metadata
    assert outcomes["sources_agree"].metadata["token_mismatches"] == 0
    assert Path(result["dashboard"]).exists()
