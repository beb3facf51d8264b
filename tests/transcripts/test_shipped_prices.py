"""The shipped price table charges each model name what ccusage 20.0.24 charges for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.transcripts.helpers import assistant, run, write_session

# USD that ccusage 20.0.24 charges for one request of 1,000,000 input tokens (or, for the
# haiku rows, 1,000,000 five-minute cache-write tokens), per model name as written.
CCUSAGE_COST = {
    "claude-opus-5": ("input_tokens", 5.0),
    "us.anthropic.claude-opus-5": ("input_tokens", 5.5),
    "anthropic/claude-opus-5": ("input_tokens", 5.0),
    "claude-sonnet-5": ("input_tokens", 2.0),
    "claude-3-haiku-20240307": ("cache_write", 0.3),
    "anthropic.claude-3-haiku-20240307-v1:0": ("cache_write", 0.3125),
}


def test_regional_and_dated_names_cost_what_ccusage_charges(ch: Any, tmp_path: Path) -> None:
    lines = []
    for n, (model, (kind, _)) in enumerate(sorted(CCUSAGE_COST.items())):
        tokens = {"input_tokens": 0, "output_tokens": 0, kind: 1_000_000}
        lines.append(assistant(f"msg_{n}", f"req_{n}", model=model, **tokens))
    write_session(tmp_path, lines)
    summary = run(ch, tmp_path)
    assert summary.unpriced == []
    costs = dict(ch.query("SELECT model, cost_usd FROM transcript_requests").result_rows)
    assert costs == {
        model: pytest.approx(cost, rel=1e-9) for model, (_, cost) in CCUSAGE_COST.items()
    }
