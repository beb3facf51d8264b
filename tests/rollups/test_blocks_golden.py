"""`cc-pipeline report blocks --json` equals ccusage 20.0.24 `claude blocks --json` (golden)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from cc_pipeline.cli import main
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.rollups.blocks import BLOCK_MS, cut_blocks
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import FIXTURES

CASES = {
    "marot-spotter": FIXTURES / "public-transcripts" / "marot-spotter",
    "othmanadi-margin": FIXTURES / "public-transcripts" / "othmanadi-margin",
    "claude-code-2.1.197": FIXTURES / "claude-code-2.1.197" / "claude-config",
}
CLOCK_FIELDS = {"isActive", "burnRate", "projection"}


def _compare(mine: dict[str, Any], golden: dict[str, Any]) -> None:
    assert [b["id"] for b in mine["blocks"]] == [b["id"] for b in golden["blocks"]]
    for ours, theirs in zip(mine["blocks"], golden["blocks"], strict=True):
        assert set(ours) == set(theirs)
        for key, value in theirs.items():
            if key in CLOCK_FIELDS and theirs["isActive"]:
                continue
            if key == "costUSD":
                assert ours[key] == pytest.approx(value, rel=0.005, abs=1e-9), theirs["id"]
            else:
                assert ours[key] == value, (theirs["id"], key)


@pytest.mark.parametrize("name", list(CASES))
def test_report_blocks_equals_ccusage(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    golden = json.loads((FIXTURES / "golden" / f"{name}.ccusage-blocks.json").read_text())
    with clickhouse_from_env().connect() as client:
        backfill_transcripts(client, [CASES[name]])
        refresh_rollups(client)
    capsys.readouterr()
    assert main(["report", "blocks", "--json"]) == 0
    _compare(json.loads(capsys.readouterr().out), golden)


def test_block_rules() -> None:
    h = 3600 * 1000
    base = 1_700_000_000_000 - 1_700_000_000_000 % h
    # 5 h after the block start (not after the first entry) starts a new block
    cuts = cut_blocks(np.array([base + h // 2, base + 5 * h - 1, base + 5 * h + 1]))
    assert [(c.start_ms - base, c.stop - c.first, c.is_gap) for c in cuts] == [
        (0, 2, False),
        (5 * h, 1, False),
    ]
    # exactly 5 h later stays in the block (ccusage compares with >)
    assert len(cut_blocks(np.array([base, base + 5 * h]))) == 1
    # a pause longer than 5 h leaves a gap block from last entry + 5 h to the next entry
    cuts = cut_blocks(np.array([base, base + h, base + 7 * h + 30]))
    assert [(c.is_gap, c.start_ms - base, c.end_ms - base) for c in cuts] == [
        (False, 0, BLOCK_MS),
        (True, 6 * h, 7 * h + 30),
        (False, 7 * h, 12 * h),
    ]
