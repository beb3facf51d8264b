"""Bad lines are quarantined with a reason; the good records around them are kept."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, jsonl_line, write_jsonl


@pytest.fixture(scope="module")
def logs() -> list[dict[str, Any]]:
    return [b for s, b in fixture_requests() if s == "logs"]


def quarantine(ch: Any) -> list[tuple[int, int, str]]:
    return ch.query(
        "SELECT _offset, length, reason FROM ingest_quarantine ORDER BY _offset"
    ).result_rows


def test_every_bad_line_kind_in_one_batch(ch, tmp_path, logs, batch_lines):
    good = logs[:4]
    expected = expected_totals([("logs", b) for b in good])
    lines = [
        jsonl_line(good[0]),
        b'{"resourceLogs": [{"scopeLogs": [\n',  # truncated JSON
        jsonl_line(good[1]),
        b'{"resourceLogs":[],"note":"\xff\xfe not utf-8"}\n',
        jsonl_line(good[2]),
        b'{"hello": "world"}\n',  # valid JSON, not OTLP
        b"x" * (50 << 20) + b"\n",  # a 50 MB line
        jsonl_line(good[3]),
    ]
    folder = tmp_path / "otel"
    folder.mkdir()
    (folder / "claude-code.jsonl").write_bytes(b"".join(lines))
    summary = ingest_telemetry(ch, folder, max_line_bytes=16 << 20)

    assert summary.rows["otel_logs"] == expected["logs"]
    assert summary.quarantined == 4
    rows = quarantine(ch)
    offsets = [sum(len(x) for x in lines[:i]) for i in range(len(lines))]
    assert [(o, n) for o, n, _ in rows] == [
        (offsets[1], len(lines[1])),
        (offsets[3], len(lines[3])),
        (offsets[5], len(lines[5])),
        (offsets[6], len(lines[6])),
    ]
    reasons = [r for _, _, r in rows]
    assert reasons[0] == "invalid JSON"
    assert reasons[1] == "invalid UTF-8"
    assert reasons[2].startswith("valid JSON but not an OTLP export")
    assert reasons[3] == f"line longer than {16 << 20} bytes"
    # no content of a quarantined line is stored anywhere
    assert (
        scalar(ch, "SELECT count() FROM ingest_quarantine WHERE position(reason, 'hello') > 0") == 0
    )


def test_a_lone_non_utf8_log_line_is_quarantined(ch, tmp_path, logs):
    body = jsonl_line(logs[0]).replace(b"claude-code", b"claude-code-\xff", 1)
    folder = tmp_path / "otel"
    folder.mkdir()
    (folder / "x.jsonl").write_bytes(jsonl_line(logs[1]) + body)
    summary = ingest_telemetry(ch, folder)
    assert summary.rows["otel_logs"] == expected_totals([("logs", logs[1])])["logs"]
    assert [r for _, _, r in quarantine(ch)] == ["invalid UTF-8"]


def test_malformed_value_keeps_the_record_and_its_batch(ch, tmp_path, logs, batch_lines):
    body = copy.deepcopy(next(b for b in logs if "api_request" in json.dumps(b)))
    bad_record = None
    for rl in body["resourceLogs"]:
        for sl in rl["scopeLogs"]:
            for rec in sl["logRecords"]:
                names = [
                    a["value"].get("stringValue")
                    for a in rec["attributes"]
                    if a["key"] == "event.name"
                ]
                if names == ["api_request"] and bad_record is None:
                    bad_record = rec
    assert bad_record is not None
    for attr in bad_record["attributes"]:
        if attr["key"] == "cost_usd":
            attr["value"] = {"doubleValue": {}}
    expected = expected_totals([("logs", body)])
    write_jsonl(tmp_path / "otel" / "x.jsonl", [body])
    summary = ingest_telemetry(ch, tmp_path / "otel")
    assert summary.rows["otel_logs"] == expected["logs"]
    assert summary.quarantined == 1
    (reason,) = [r for _, _, r in quarantine(ch)]
    assert "cost_usd" in reason and "records kept" in reason
    # the record is there, its unusable cost reads as 0, the others are exact
    assert scalar(ch, "SELECT count() FROM cc_api_requests") == expected["api_requests"]
    good_cost = sum(
        float(a["value"]["doubleValue"])
        for rl in body["resourceLogs"]
        for sl in rl["scopeLogs"]
        for rec in sl["logRecords"]
        for a in rec["attributes"]
        if a["key"] == "cost_usd" and isinstance(a["value"].get("doubleValue"), float | int)
    )
    assert scalar(ch, "SELECT sum(cost_usd) FROM cc_api_requests") == pytest.approx(good_cost)


def test_binary_files_in_the_folder_are_quarantined_whole(ch, tmp_path, logs):
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", logs[:3])
    proto = tmp_path / "body.pb"
    proto.write_bytes(b"\x00\x00\x07\x0f" + b"\x0a\x84\x0e" * 100)
    (folder / "claude-code.pb").write_bytes(proto.read_bytes())
    (folder / "claude-code.jsonl.zst").write_bytes(b"\x28\xb5\x2f\xfd" + b"\x01\x02" * 64)
    summary = ingest_telemetry(ch, folder)
    assert summary.rows["otel_logs"] == expected_totals([("logs", b) for b in logs[:3]])["logs"]
    reasons = sorted(
        ch.query("SELECT file_path, length, reason FROM ingest_quarantine").result_rows
    )
    assert len(reasons) == 2
    assert reasons[0][0].endswith("claude-code.jsonl.zst") and "zstd" in reasons[0][2]
    assert reasons[1][0].endswith("claude-code.pb") and "binary" in reasons[1][2]
    # a re-run quarantines nothing new
    assert ingest_telemetry(ch, folder).quarantined == 0


def test_numbers_arrive_in_every_shape(ch, tmp_path, logs):
    """intValue as number or string, doubleValue, plain strings: all land as numbers."""
    body = copy.deepcopy(logs[0])
    record = body["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    shapes = {
        "input_tokens": {"intValue": 12},
        "output_tokens": {"intValue": "34"},
        "cache_read_tokens": {"stringValue": "56"},
        "cache_creation_tokens": {"doubleValue": 78.0},
        "cost_usd": {"stringValue": "0.25"},
        "duration_ms": {"intValue": "1500"},
        "ttft_ms": {"doubleValue": 250.5},
    }
    record["attributes"] = [
        {"key": "event.name", "value": {"stringValue": "api_request"}},
        {"key": "session.id", "value": {"stringValue": "s-1"}},
        {"key": "request_id", "value": {"stringValue": "req_1"}},
        {"key": "model", "value": {"stringValue": "claude-x"}},
    ] + [{"key": k, "value": v} for k, v in shapes.items()]
    body["resourceLogs"][0]["scopeLogs"][0]["logRecords"] = [record]
    write_jsonl(tmp_path / "otel" / "x.jsonl", [body])
    ingest_telemetry(ch, tmp_path / "otel")
    row = ch.query(
        "SELECT input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
        "cost_usd, duration_ms, ttft_ms FROM cc_api_requests"
    ).result_rows
    assert row == [(12, 34, 56, 78, 0.25, 1500.0, 250.5)]
