"""Real Claude Code 2.1.197 telemetry through the real ingestion into real chDB."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl


@pytest.fixture(scope="module")
def requests() -> list[tuple[str, dict[str, Any]]]:
    return fixture_requests()


@pytest.fixture(scope="module")
def expected(requests: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    return expected_totals(requests)


def api_totals(ch: Any) -> tuple[Any, ...]:
    return ch.query(
        "SELECT count(), round(sum(cost_usd), 9), sum(input_tokens), sum(output_tokens), "
        "sum(cache_read_tokens), sum(cache_creation_tokens) FROM cc_api_requests"
    ).result_rows[0]


def expected_api(expected: dict[str, Any]) -> tuple[Any, ...]:
    t = expected["tokens"]
    return (
        expected["api_requests"],
        round(expected["cost_usd"], 9),
        t["input_tokens"],
        t["output_tokens"],
        t["cache_read_tokens"],
        t["cache_creation_tokens"],
    )


def token_metric(ch: Any) -> dict[str, float]:
    return dict(
        ch.query(
            "SELECT type, sum(delta) FROM cc_metric_deltas "
            "WHERE metric_name = 'claude_code.token.usage' GROUP BY type"
        ).result_rows
    )


def test_mixed_signals_in_one_file_match_payload_sums(
    ch, tmp_path, requests, expected, batch_lines
):
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", [body for _, body in requests])
    summary = ingest_telemetry(ch, folder)

    assert summary.rows["otel_logs"] == expected["logs"] == 246
    assert summary.rows["otel_metrics_sum"] == expected["sum_points"]
    assert summary.rows["otel_traces"] == expected["spans"]
    assert summary.quarantined == 0
    assert api_totals(ch) == expected_api(expected)
    assert expected["api_requests"] == 59
    assert round(expected["cost_usd"], 6) == 1.186483
    assert token_metric(ch) == pytest.approx(expected["token_metric"])
    assert expected["token_metric"] == {
        "input": 415,
        "output": 3414,
        "cacheRead": 1566717,
        "cacheCreation": 164229,
    }
    events = dict(ch.query("SELECT event_name, count() FROM cc_events GROUP BY 1").result_rows)
    assert events == expected["events"]


def test_signals_split_over_files_give_the_same_totals(ch, tmp_path, requests, expected):
    folder = tmp_path / "otel"
    for signal in ("logs", "metrics", "traces"):
        write_jsonl(folder / f"{signal}.jsonl", [b for s, b in requests if s == signal])
    summary = ingest_telemetry(ch, folder)
    assert summary.files_read == 3
    assert api_totals(ch) == expected_api(expected)
    assert token_metric(ch) == pytest.approx(expected["token_metric"])


def test_rerun_and_same_bytes_add_nothing(ch, tmp_path, requests, expected):
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", [body for _, body in requests])
    ingest_telemetry(ch, folder)
    again = ingest_telemetry(ch, folder)
    assert again.bytes_read == 0 and again.total_rows == 0
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]
    assert api_totals(ch) == expected_api(expected)


def test_rotation_by_rename_is_followed(ch, tmp_path, requests, expected):
    folder = tmp_path / "otel"
    live = folder / "claude-code.jsonl"
    bodies = [body for _, body in requests]
    first, second, third = bodies[:20], bodies[20:40], bodies[40:]
    write_jsonl(live, first)
    ingest_telemetry(ch, folder)
    # the Collector writes more into the live file, then rotates it and starts a new one
    write_jsonl(live, second[:10])
    live.rename(folder / "claude-code-2026-11-24T00-14-39.190-size.jsonl")
    write_jsonl(live, second[10:])
    ingest_telemetry(ch, folder)
    # an older Collector's backup name
    live.rename(folder / "claude-code-2026-11-24T00-20-00.000.jsonl")
    write_jsonl(live, third)
    summary = ingest_telemetry(ch, folder)
    assert any(e.kind == "renamed" for e in summary.events)
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]
    assert api_totals(ch) == expected_api(expected)
    assert token_metric(ch) == pytest.approx(expected["token_metric"])


def test_truncation_on_collector_restart_reads_the_new_content(ch, tmp_path, requests):
    folder = tmp_path / "otel"
    live = folder / "claude-code.jsonl"
    logs = [b for s, b in requests if s == "logs"]
    write_jsonl(live, logs[:10])
    ingest_telemetry(ch, folder)
    before = scalar(ch, "SELECT count() FROM otel_logs")
    # restart without append: same inode, truncated, then new batches that outgrow the old size
    with open(live, "wb"):
        pass
    write_jsonl(live, logs[10:])
    summary = ingest_telemetry(ch, folder)
    assert any(e.kind == "truncated" for e in summary.events)
    expected_new = expected_totals([("logs", b) for b in logs[10:]])["logs"]
    assert scalar(ch, "SELECT count() FROM otel_logs") == before + expected_new


def test_partial_last_line_waits_for_its_newline(ch, tmp_path, requests, expected):
    folder = tmp_path / "otel"
    live = folder / "claude-code.jsonl"
    write_jsonl(tmp_path / "whole.jsonl", [body for _, body in requests])
    data = (tmp_path / "whole.jsonl").read_bytes()
    cut = len(data) - 700  # inside the last line
    folder.mkdir()
    live.write_bytes(data[:cut])
    first = ingest_telemetry(ch, folder)
    assert first.quarantined == 0
    assert first.bytes_read == data.rfind(b"\n", 0, cut) + 1
    with open(live, "ab") as fh:
        fh.write(data[cut:])
    ingest_telemetry(ch, folder)
    assert api_totals(ch) == expected_api(expected)
    assert scalar(ch, "SELECT count() FROM ingest_quarantine") == 0


def test_folder_copy_is_a_different_source(ch, tmp_path, requests, expected):
    """Two folders keep separate cursors; each is loaded once."""
    a = tmp_path / "a"
    write_jsonl(a / "x.jsonl", [b for s, b in requests if s == "logs"])
    ingest_telemetry(ch, a)
    shutil.copytree(a, tmp_path / "b")
    ingest_telemetry(ch, a)
    assert scalar(ch, "SELECT count() FROM otel_logs") == expected["logs"]


def test_unknown_event_names_are_kept(ch, tmp_path, requests):
    body = next(b for s, b in requests if s == "logs")
    record = body["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    for attr in record["attributes"]:
        if attr["key"] == "event.name":
            attr["value"] = {"stringValue": "brand_new_event"}
    record["body"] = {"stringValue": "claude_code.brand_new_event"}
    write_jsonl(tmp_path / "otel" / "x.jsonl", [body])
    ingest_telemetry(ch, tmp_path / "otel")
    assert scalar(ch, "SELECT count() FROM cc_events WHERE event_name = 'brand_new_event'") == 1


def test_empty_or_missing_folder_is_fine(ch, tmp_path: Path):
    summary = ingest_telemetry(ch, tmp_path / "nothing-here")
    assert summary.files_seen == 0 and summary.total_rows == 0
