"""Each request keeps the cost Claude Code reported beside the cost the price table computes,
with telemetry's 5-minute / 1-hour cache-write split; a check lists the largest gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.rollups.checks import cost_provenance
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.transcripts.pricing import install_prices, load_price_table
from tests.otlp_files import write_jsonl
from tests.rollups.test_attribution import MODEL, api_request


def test_computed_cost_prices_the_cache_write_split_telemetry_reports(
    ch: Any, tmp_path: Path
) -> None:
    install_prices(ch, load_price_table(None))
    body = api_request(
        "2026-03-02T10:00:00.000Z",
        "req-split",
        (100, 20),
        0.5,  # what Claude Code said: far from the price table's cost
        cache_creation_tokens=1000,
        cache_creation_5m_tokens=400,
        cache_creation_1h_tokens=600,
    )
    ingest_telemetry(ch, write_jsonl(tmp_path / "otel" / "otel.jsonl", [body]).parent)
    refresh_rollups(ch)

    five, one, reported, computed = ch.query(
        "SELECT cache_creation_5m_tokens, cache_creation_1h_tokens, cost_reported_usd, "
        "cost_computed_usd FROM usage_requests WHERE request_id = 'req-split'"
    ).result_rows[0]
    price = ch.query(
        "SELECT input, output, cache_write_5m, cache_write_1h FROM transcript_prices "
        "WHERE startsWith({m:String}, model) ORDER BY length(model) DESC LIMIT 1",
        parameters={"m": MODEL},
    ).result_rows[0]
    assert (five, one, reported) == (400, 600, 0.5)
    expected = (100 * price[0] + 20 * price[1] + 400 * price[2] + 600 * price[3]) / 1e6
    assert computed == pytest.approx(expected)
    assert price[3] > price[2]  # the split matters: 1-hour writes cost more

    daily = ch.query("SELECT sum(cost_reported_usd), sum(cost_computed_usd) FROM usage_daily")
    assert daily.result_rows[0] == pytest.approx((0.5, expected))
    outcome = cost_provenance(ch)
    assert not outcome.passed and outcome.warn_only
    assert outcome.metadata["requests_with_gaps"] == 1
    assert MODEL in outcome.metadata["largest_gaps"][1]


def test_an_unpriced_model_has_no_computed_cost_and_is_listed(ch: Any, tmp_path: Path) -> None:
    install_prices(ch, load_price_table(None))
    body = api_request("2026-03-02T10:00:00.000Z", "req-new", (10, 5), 0.25, model="claude-x-9")
    ingest_telemetry(ch, write_jsonl(tmp_path / "otel" / "otel.jsonl", [body]).parent)
    refresh_rollups(ch)
    row = ch.query(
        "SELECT cost_usd, cost_reported_usd, cost_computed_usd FROM usage_requests"
    ).result_rows
    assert row == [(0.25, 0.25, None)]
    outcome = cost_provenance(ch)
    assert outcome.metadata["unpriced_requests"] == 1
    assert "claude-x-9" in outcome.metadata["largest_gaps"][1]
