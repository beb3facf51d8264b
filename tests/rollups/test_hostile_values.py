"""One record out of its sane range (docs/rollups.md, "Sane ranges") is quarantined with the
reason; every other record is still counted, nothing wraps, no day moves."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.rollups.checks import run_all
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import TRANSCRIPT_FIXTURES, scalar
from tests.otlp_files import fixture_requests, write_jsonl


def api_request_body(attribute: str, value: dict[str, Any]) -> dict[str, Any]:
    """The fixtures' first log body holding an api_request, with that record's ``attribute``
    replaced by ``value`` (an OTLP AnyValue) and a request_id of its own."""
    for _signal, body in fixture_requests():
        for resource in body.get("resourceLogs", []):
            for scope in resource["scopeLogs"]:
                for record in scope["logRecords"]:
                    attrs = {a["key"]: a for a in record["attributes"]}
                    if attrs.get("event.name", {}).get("value") == {"stringValue": "api_request"}:
                        hostile = copy.deepcopy(record)
                        for a in hostile["attributes"]:
                            if a["key"] == attribute:
                                a["value"] = value
                            if a["key"] == "request_id":
                                a["value"] = {"stringValue": "req_hostile"}
                        return {
                            "resourceLogs": [
                                {
                                    "resource": resource["resource"],
                                    "scopeLogs": [
                                        {"scope": scope["scope"], "logRecords": [hostile]}
                                    ],
                                }
                            ]
                        }
    raise AssertionError("no api_request in the fixtures")


def dated_api_request(iso: str, nanos: int) -> dict[str, Any]:
    """The fixtures' api_request record (request_id req_hostile) dated ``iso`` in its
    event.timestamp and ``nanos`` in its OTLP time."""
    body = api_request_body("event.timestamp", {"stringValue": iso})
    record = body["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    record["timeUnixNano"] = str(nanos)
    record["observedTimeUnixNano"] = str(nanos)
    return body


def load(client: Any, tmp_path: Path, otel: list[dict[str, Any]], lines: list[str]) -> None:
    """The fixtures' telemetry and transcripts plus the hostile body and transcript lines."""
    write_jsonl(tmp_path / "otel" / "otel.jsonl", [body for _s, body in fixture_requests()] + otel)
    ingest_telemetry(client, tmp_path / "otel")
    roots = [TRANSCRIPT_FIXTURES]
    if lines:
        folder = tmp_path / "hostile" / "projects" / "-home-dev-hostile"
        folder.mkdir(parents=True)
        (folder / "session-h.jsonl").write_text("\n".join(lines) + "\n")
        roots.append(tmp_path / "hostile")
    backfill_transcripts(client, roots)


def transcript_line(timestamp: str, tokens: str = "7", cost: str | None = None) -> str:
    """An assistant line whose raw JSON numbers are written as given."""
    line = {
        "type": "assistant",
        "sessionId": "session-h",
        "cwd": "/home/dev/hostile",
        "timestamp": timestamp,
        "requestId": "req_transcript_h",
        "uuid": "u-h",
        "version": "2.1.197",
        "message": {
            "id": "msg_h",
            "model": "claude-sonnet-4-5-20250929",
            "usage": {
                "input_tokens": "@TOKENS@",
                "output_tokens": 5,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        },
    }
    text = json.dumps(line, separators=(",", ":")).replace('"@TOKENS@"', tokens)
    return text if cost is None else text[:-1] + f',"costUSD":{cost}}}'


def baseline(client: Any, tmp_path: Path) -> tuple[Any, ...]:
    load(client, tmp_path, [], [])
    refresh_rollups(client)
    return totals(client)


TOTALS = """
SELECT (SELECT count() FROM usage_requests), (SELECT sum(total_tokens) FROM usage_daily),
       (SELECT round(sum(cost_usd), 9) FROM usage_daily),
       (SELECT groupArray(toString(day)) FROM (SELECT DISTINCT day FROM usage_daily ORDER BY day)),
       (SELECT count() FROM billing_blocks WHERE NOT is_gap),
       (SELECT round(sum(cost_usd), 9) FROM billing_blocks)
"""


def totals(client: Any) -> tuple[Any, ...]:
    return client.query(TOTALS).result_rows[0]


def quarantined(client: Any) -> list[tuple[str, str]]:
    return client.query("SELECT source, reason FROM ingest_quarantine ORDER BY reason").result_rows


def rollups_pass(client: Any) -> None:
    refresh_rollups(client, full=True)
    outcomes = {o.name: o for o in run_all(client)}
    for name in ("no_duplicate_requests", "no_negative_values", "rollup_totals_match"):
        assert outcomes[name].passed, outcomes[name].metadata


@pytest.mark.parametrize(
    ("attribute", "value", "why"),
    [
        ("input_tokens", {"intValue": "9223372036854775807"}, "input_tokens (above 10^9 tokens)"),
        ("cache_read_tokens", {"intValue": "1000000001"}, "cache_read_tokens (above 10^9"),
        ("cost_usd", {"doubleValue": "NaN"}, "cost_usd (not a cost within 0..10^6 USD)"),
        ("cost_usd", {"doubleValue": "Infinity"}, "cost_usd (not a cost within 0..10^6 USD)"),
        ("cost_usd", {"doubleValue": 2e6}, "cost_usd (not a cost within 0..10^6 USD)"),
    ],
)
def test_telemetry_usage_value_out_of_range_is_quarantined_and_the_rest_counted(
    ch: Any, tmp_path: Path, attribute: str, value: dict[str, Any], why: str
) -> None:
    load(ch, tmp_path, [api_request_body(attribute, value)], [])
    summary = refresh_rollups(ch)
    assert summary.days
    (reason,) = [r for s, r in quarantined(ch) if s == "telemetry"]
    assert why in reason
    # the request is counted, without the value out of range
    row = ch.query(
        "SELECT input_tokens, cache_read_tokens, cost_usd FROM usage_requests "
        "WHERE request_id = 'req_hostile'"
    ).result_rows
    assert len(row) == 1 and max(row[0][:2]) <= 10**9 and math.isfinite(row[0][2])
    _requests, tokens, cost, days, blocks, block_cost = totals(ch)
    assert days == ["2026-11-24"] and blocks >= 1
    assert tokens < 10**12 and math.isfinite(cost) and 0 <= cost < 10**3
    assert block_cost == cost
    rollups_pass(ch)


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (transcript_line("2026-11-24T10:00:00.000Z", tokens="9999999999999999999"), "10^9"),
        (transcript_line("2026-11-24T10:00:00.000Z", tokens="1000000001"), "10^9"),
        (transcript_line("2150-01-01T10:00:00.000Z"), "timestamp not within 2000..2099"),
        (transcript_line("1965-06-01T10:00:00.000Z"), "timestamp not within 2000..2099"),
        (transcript_line("2026-11-24T10:00:00.000Z", cost="2e6"), "costUSD"),
        (transcript_line("2026-11-24T10:00:00.000Z", cost="-3"), "costUSD"),
    ],
)
def test_transcript_value_out_of_range_is_quarantined_and_not_counted(
    ch: Any, tmp_path: Path, line: str, why: str
) -> None:
    with_fixtures_only = baseline(ch, tmp_path / "base")
    ch.command("TRUNCATE TABLE ingest_quarantine")
    load(ch, tmp_path, [], [line])
    refresh_rollups(ch)
    (reason,) = [r for s, r in quarantined(ch) if s == "transcripts"]
    assert "value out of range" in reason and why in reason
    assert scalar(ch, "SELECT count() FROM usage_requests WHERE session_id = 'session-h'") == 0
    assert totals(ch) == with_fixtures_only
    rollups_pass(ch)
    assert totals(ch) == with_fixtures_only


def test_transcript_value_within_range_is_counted(ch: Any, tmp_path: Path) -> None:
    """The bounds are inclusive: 10^9 tokens and a timestamp in 2099 still count."""
    load(ch, tmp_path, [], [transcript_line("2099-12-31T10:00:00.000Z", tokens="1000000000")])
    refresh_rollups(ch)
    assert [r for s, r in quarantined(ch) if s == "transcripts"] == []
    assert (
        scalar(ch, "SELECT sum(input_tokens) FROM usage_requests WHERE session_id = 'session-h'")
        == 10**9
    )
    assert scalar(ch, "SELECT max(day) FROM usage_daily").isoformat() == "2099-12-31"


@pytest.mark.parametrize(
    ("iso", "nanos"),
    [
        ("2150-01-01T10:00:00.000Z", 5_680_346_400 * 10**9),
        ("2100-01-01T00:00:00.000Z", 4_102_444_800 * 10**9),
        ("1965-06-01T10:00:00.000Z", 0),
    ],
)
def test_telemetry_record_dated_outside_the_sane_years_is_quarantined_and_not_counted(
    ch: Any, tmp_path: Path, iso: str, nanos: int
) -> None:
    expected = baseline(ch, tmp_path / "base")
    ch.command("TRUNCATE TABLE ingest_quarantine")
    write_jsonl(tmp_path / "hostile" / "otel.jsonl", [dated_api_request(iso, nanos)])
    ingest_telemetry(ch, tmp_path / "hostile")
    refresh_rollups(ch)
    assert ch.query(
        "SELECT count() FROM otel_logs WHERE LogAttributes['request_id'] = 'req_hostile'"
    ).result_rows == [(1,)]  # stored, nothing lost
    assert scalar(ch, "SELECT count() FROM cc_api_requests WHERE request_id = 'req_hostile'") == 0
    assert totals(ch) == expected  # counted on no day, no day moved
    if nanos:
        ((source, reason),) = quarantined(ch)
        assert source == "telemetry" and "timestamp (not within 2000..2099" in reason
    rollups_pass(ch)
