"""The counting rule (ccusage 20) and the pricing rules, on small hand-made transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline import settings
from tests.transcripts.helpers import assistant, dumps, run, totals, write_session


def test_one_response_counted_once_with_its_final_line(ch: Any, tmp_path: Path) -> None:
    # Claude Code writes one line per content block; the first carries a partial output count.
    write_session(
        tmp_path,
        [
            assistant("msg_1", "req_1", output_tokens=3, cache_read=100),
            assistant("msg_1", "req_1", output_tokens=3, cache_read=100),
            assistant("msg_1", "req_1", output_tokens=412, cache_read=100),
        ],
    )
    run(ch, tmp_path)
    assert totals(ch) == (1, 10, 412, 0, 100)
    offset = ch.query("SELECT _offset FROM transcript_requests").result_rows[0][0]
    assert offset > 0  # the last line, not the first


def test_final_line_wins_in_any_order_and_ties_keep_the_first(ch: Any, tmp_path: Path) -> None:
    write_session(
        tmp_path,
        [
            assistant("msg_1", "req_1", output_tokens=412),
            assistant("msg_1", "req_1", output_tokens=3),
            assistant("msg_2", "req_2", output_tokens=7, ts="2026-03-01T11:00:00.000Z"),
            assistant("msg_2", "req_2", output_tokens=7, ts="2026-03-01T12:00:00.000Z"),
        ],
    )
    run(ch, tmp_path)
    assert totals(ch) == (2, 20, 419, 0, 0)
    ts = ch.query(
        "SELECT toString(timestamp) FROM transcript_requests WHERE message_id = 'msg_2'"
    ).result_rows[0][0]
    assert ts == "2026-03-01 11:00:00.000"


def test_same_message_under_two_requests_counts_twice(ch: Any, tmp_path: Path) -> None:
    write_session(
        tmp_path,
        [
            assistant("msg_1", "req_1", output_tokens=5),
            assistant("msg_1", "req_2", output_tokens=6),
        ],
    )
    run(ch, tmp_path)
    assert totals(ch)[:3] == (2, 20, 11)


def test_sidechain_replay_of_a_parent_message_is_dropped(ch: Any, tmp_path: Path) -> None:
    write_session(tmp_path, [assistant("msg_p", "req_p", cache_read=20)])
    write_session(
        tmp_path,
        [
            assistant("msg_p", "req_replay", cache_read=50_000, sidechain=True),
            assistant("msg_a", "req_a", cache_read=700, sidechain=True),
        ],
        name="s1/subagents/agent-x1.jsonl",
    )
    run(ch, tmp_path)
    assert totals(ch) == (2, 20, 10, 0, 720)
    sessions = ch.query("SELECT DISTINCT session_id FROM transcript_requests").result_rows
    assert sessions == [("s1",)]


def test_synthetic_error_lines_count_in_their_day_only(ch: Any, tmp_path: Path) -> None:
    write_session(
        tmp_path,
        [
            assistant(
                "e1",
                "req_e",
                model="<synthetic>",
                input_tokens=0,
                output_tokens=0,
                ts="2026-03-02T08:00:00.000Z",
                isApiErrorMessage=True,
            ),
            assistant("msg_1", "req_1"),
        ],
    )
    run(ch, tmp_path)
    rows = ch.query(
        "SELECT toString(toDate(timestamp)), model, is_api_error_message, cost_usd "
        "FROM transcript_requests ORDER BY timestamp"
    ).result_rows
    assert rows[0] == ("2026-03-01", "claude-sonnet-4-5-20250929", False, pytest.approx(1.05e-4))
    assert rows[1] == ("2026-03-02", "<synthetic>", True, 0.0)


def test_lines_without_message_id_each_count(ch: Any, tmp_path: Path) -> None:
    write_session(
        tmp_path,
        [assistant(None, None, output_tokens=4, uuid="a"), assistant(None, None, uuid="b")],
    )
    run(ch, tmp_path)
    assert totals(ch)[:3] == (2, 20, 9)


def test_usage_replayed_in_agent_progress_lines_counts_once(ch: Any, tmp_path: Path) -> None:
    inner = assistant("msg_sub", "req_sub", output_tokens=30, sidechain=True)
    progress = {
        "type": "progress",
        "timestamp": "2026-03-01T10:00:01.000Z",
        "sessionId": "s1",
        "version": "2.1.39",
        "data": {
            "type": "agent_progress",
            "agentId": "a1",
            "message": {
                "type": "assistant",
                "timestamp": inner["timestamp"],
                "requestId": "req_sub",
                "isSidechain": True,
                "message": inner["message"],
            },
        },
    }
    write_session(tmp_path, [progress, assistant("msg_1", "req_1")])
    write_session(tmp_path, [inner], name="s1/subagents/agent-a1.jsonl")
    run(ch, tmp_path)
    assert totals(ch)[:3] == (2, 20, 35)


def test_recorded_cost_wins_and_unknown_models_are_reported(ch: Any, tmp_path: Path) -> None:
    write_session(
        tmp_path,
        [
            assistant("m1", "r1", costUSD=0.5),
            assistant("m2", "r2", model="claude-future-9"),
            assistant("m3", "r3", model="claude-future-9", input_tokens=0, output_tokens=0),
        ],
    )
    summary = run(ch, tmp_path)
    costs = dict(ch.query("SELECT message_id, cost_usd FROM transcript_requests").result_rows)
    assert costs == {"m1": 0.5, "m2": None, "m3": 0.0}
    assert summary.unpriced == [("claude-future-9", 1, 15)]
    by_model = {m.model: m for m in summary.models}
    assert by_model["claude-future-9"].cost_usd == 0.0  # the zero-token request is priced


def future_model_prices(folder: Path) -> Path:
    """A user price file that prices claude-future-9 (unknown to the shipped table)."""
    prices = folder / "prices.json"
    rates = {"input": 1, "output": 2, "cache_write_5m": 3, "cache_write_1h": 4, "cache_read": 5}
    prices.write_text(json.dumps({"version": "test", "models": {"claude-future-9": rates}}))
    return prices


def test_user_price_file_and_model_name_forms(ch: Any, tmp_path: Path) -> None:
    prices = future_model_prices(tmp_path)
    write_session(
        tmp_path,
        [
            assistant("m1", "r1", model="claude-future-9", input_tokens=1_000_000, output_tokens=0),
            assistant("m2", "r2", model="global.anthropic.claude-sonnet-4-5-20250929-v1:0"),
            assistant("m3", "r3", model="claude-opus-4-6", speed="fast"),
        ],
    )
    # `speed` belongs in usage: move it there for m3
    path = tmp_path / "projects" / "-home-dev-app" / "s1.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    lines[2]["message"]["usage"]["speed"] = lines[2].pop("speed")
    path.write_text("".join(dumps(x) + "\n" for x in lines))
    summary = run(ch, tmp_path, prices=prices)
    costs = dict(ch.query("SELECT message_id, cost_usd FROM transcript_requests").result_rows)
    assert costs["m1"] == pytest.approx(1.0)
    assert costs["m2"] == pytest.approx((10 * 3 + 5 * 15) / 1e6)
    assert costs["m3"] == pytest.approx((10 * 5 + 5 * 25) / 1e6 * 6)
    assert summary.unpriced == []
    assert any("prices.json" in s for s in summary.price_sources)


def test_tier_above_200k_tokens_per_kind(ch: Any, tmp_path: Path) -> None:
    write_session(tmp_path, [assistant("m1", "r1", input_tokens=300_000, output_tokens=0)])
    run(ch, tmp_path)
    cost = ch.query("SELECT cost_usd FROM transcript_requests").result_rows[0][0]
    assert cost == pytest.approx(200_000 * 3e-6 + 100_000 * 6e-6)


def test_one_hour_cache_writes_priced_at_twice_input(ch: Any, tmp_path: Path) -> None:
    line = assistant("m1", "r1", input_tokens=0, output_tokens=0, cache_write=1000)
    line["message"]["usage"]["cache_creation"] = {
        "ephemeral_5m_input_tokens": 400,
        "ephemeral_1h_input_tokens": 600,
    }
    write_session(tmp_path, [line])
    run(ch, tmp_path)
    row = ch.query(
        "SELECT cache_creation_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens, "
        "cost_usd FROM transcript_requests"
    ).result_rows[0]
    assert row[:3] == (1000, 400, 600)
    assert row[3] == pytest.approx((400 * 3.75 + 600 * 6) / 1e6)


def test_usage_written_with_spaces_is_not_counted_like_ccusage(ch: Any, tmp_path: Path) -> None:
    write_session(tmp_path, [json.dumps(assistant("m1", "r1")), assistant("m2", "r2")])
    run(ch, tmp_path)
    assert totals(ch)[0] == 1
    reason = ch.query(
        "SELECT skip_reason FROM transcript_entries WHERE message_id = 'm1'"
    ).result_rows[0][0]
    assert "ccusage skips" in reason


def test_unpriced_models_reported_without_totals(ch: Any, tmp_path: Path) -> None:
    write_session(tmp_path, [assistant("m1", "r1", model="claude-future-9")])
    messages: list[str] = []
    summary = run(ch, tmp_path, totals=False, log=messages.append)
    assert summary.models == []
    assert summary.unpriced == [("claude-future-9", 1, 15)]
    assert any("claude-future-9" in m for m in messages)
    write_session(tmp_path, [assistant("m2", "r2")])
    assert run(ch, tmp_path, totals=False).unpriced == []  # only this run's lines


def test_priced_models_are_remembered_per_price_table(ch: Any, tmp_path: Path) -> None:
    remembered = settings.cursors_dir() / "transcripts-priced-models.json"

    def priced_models() -> list[str]:
        return json.loads(remembered.read_text())["models"]

    def add_line(n: int, model: str) -> list[tuple[str, int, int]]:
        write_session(tmp_path, [assistant(f"m{n}", f"r{n}", model=model)], name=f"s{n}.jsonl")
        return run(ch, tmp_path, totals=False).unpriced

    assert add_line(1, "claude-opus-4-6") == []
    assert priced_models() == ["claude-opus-4-6"]
    assert add_line(2, "claude-future-9") == [("claude-future-9", 1, 15)]
    assert priced_models() == ["claude-opus-4-6"]  # an unpriced model is never remembered
    assert add_line(3, "claude-future-9") == [("claude-future-9", 1, 15)]
    assert add_line(4, "claude-opus-4-6") == []
    # a new price table starts over: the model it prices is found and remembered
    prices = future_model_prices(tmp_path)
    write_session(tmp_path, [assistant("m5", "r5", model="claude-future-9")], name="s5.jsonl")
    assert run(ch, tmp_path, totals=False, prices=prices).unpriced == []
    assert priced_models() == ["claude-future-9"]
