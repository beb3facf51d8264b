"""The backfill counts exactly what ccusage 20.0.24 counts, per day and model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.transcripts.parity import DAY_TOTAL, ccusage_rows, differences, project_rows
from tests.conftest import FIXTURES, PUBLIC_TRANSCRIPTS, TRANSCRIPT_FIXTURES
from tests.transcripts.helpers import run, totals

GOLDEN = FIXTURES / "golden"
CLAUDE_CODE_2_1_260 = FIXTURES / "claude-code-2.1.260" / "claude-config"
CASES = {
    "marot-spotter": PUBLIC_TRANSCRIPTS / "marot-spotter",
    "othmanadi-margin": PUBLIC_TRANSCRIPTS / "othmanadi-margin",
    "claude-code-2.1.197": TRANSCRIPT_FIXTURES,
    "claude-code-2.1.260": CLAUDE_CODE_2_1_260,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_per_day_and_model_equal_ccusage(ch: Any, name: str) -> None:
    run(ch, CASES[name])
    theirs = ccusage_rows(json.loads((GOLDEN / f"{name}.ccusage-daily.json").read_text()))
    ours = project_rows(ch)
    assert differences(ours, theirs) == []
    assert sorted(ours) == sorted(theirs)


def test_marot_spotter_totals(ch: Any, batch_lines: str) -> None:
    summary = run(ch, PUBLIC_TRANSCRIPTS / "marot-spotter")
    assert summary.quarantined == 0
    _, inp, out, write, read = totals(ch)
    assert (inp, out, write, read) == (7_508, 193_983, 2_008_302, 76_801_503)
    cost = ch.query("SELECT sum(cost_usd) FROM transcript_requests").result_rows[0][0]
    assert cost == pytest.approx(50.81, rel=0.005)
    days = {d for d, m in project_rows(ch) if m == DAY_TOTAL}
    assert days == {"2026-02-10", "2026-02-11", "2026-02-12"}


def test_fixture_totals_match_the_fixture_notes(ch: Any) -> None:
    run(ch, TRANSCRIPT_FIXTURES)
    _, inp, out, write, read = totals(ch)
    assert (inp, out, write, read) == (408, 3_349, 162_706, 1_535_997)
    cost = ch.query("SELECT sum(cost_usd) FROM transcript_requests").result_rows[0][0]
    assert cost == pytest.approx(1.1706, rel=0.005)
    run(ch, PUBLIC_TRANSCRIPTS / "othmanadi-margin")
    one_hour = ch.query(
        "SELECT sum(cache_creation_1h_tokens), sum(cache_creation_5m_tokens) "
        "FROM transcript_requests WHERE project = 'C--Users--user--CLEANROOM'"
    ).result_rows[0]
    assert one_hour == (11_821, 0)


def test_claude_code_2_1_260_default_model_is_priced_as_ccusage_prices_it(ch: Any) -> None:
    summary = run(ch, CLAUDE_CODE_2_1_260)
    assert summary.quarantined == 0
    assert summary.unpriced == []
    _, inp, out, write, read = totals(ch)
    assert (inp, out, write, read) == (438, 2_964, 155_666, 1_472_090)
    by_model = dict(
        ch.query(
            "SELECT model, sum(cost_usd) FROM transcript_requests "
            "WHERE model NOT IN ('', '<synthetic>') GROUP BY model"
        ).result_rows
    )
    assert set(by_model) == {"claude-sonnet-4-5-20250929", "claude-opus-5"}
    assert None not in by_model.values()
    assert by_model["claude-opus-5"] == pytest.approx(0.10133875, rel=0.005)
    assert sum(by_model.values()) == pytest.approx(1.111684, rel=0.005)


def test_subagents_fold_into_parent_session(ch: Any) -> None:
    root: Path = PUBLIC_TRANSCRIPTS / "marot-spotter"
    run(ch, root)
    rows = ch.query(
        "SELECT file_kind, uniqExact(session_id), countIf(session_id = '') FROM transcript_entries "
        "GROUP BY file_kind ORDER BY file_kind"
    ).result_rows
    kinds = {kind: (sessions, empty) for kind, sessions, empty in rows}
    assert kinds["subagent"][1] == 0
    parent_sessions = {p.stem for p in root.glob("projects/*/*.jsonl")}
    sub_sessions = {
        s
        for (s,) in ch.query(
            "SELECT DISTINCT session_id FROM transcript_entries WHERE file_kind = 'subagent'"
        ).result_rows
    }
    assert sub_sessions <= parent_sessions | {
        p.parent.parent.name for p in root.glob("projects/*/*/subagents/*.jsonl")
    }
    tools = ch.query(
        "SELECT sum(tool_use_count), uniqExact(arrayJoin(tool_names)) FROM transcript_entries"
    ).result_rows[0]
    assert tools[0] > 0 and tools[1] > 1
