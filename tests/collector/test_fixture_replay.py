"""Every fixture body replayed over its original protocol, then `cc-pipeline ingest`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.cli import main as cli_main
from cc_pipeline.collector.otlp import SIGNALS, parse_json, parse_protobuf
from tests.collector.helpers import grpc_export, jsonl_lines, post, query_totals, start_receiver
from tests.conftest import OTLP_FIXTURES
from tests.otlp_files import expected_totals, fixture_requests

INDEX = [json.loads(line) for line in (OTLP_FIXTURES / "index.jsonl").read_text().splitlines()]


def replay(entry: dict[str, Any], receiver: Any, gzip_body: bool) -> None:
    body = (OTLP_FIXTURES / entry["file"]).read_bytes()
    if entry["content_type"] == "application/grpc":
        grpc_export(receiver.grpc_port, entry["signal"], body, gzip_body=gzip_body)
        return
    status, _ = post(
        receiver.http_port, entry["path"], body, entry["content_type"], gzip_body=gzip_body
    )
    assert status == 200, entry["file"]


def test_every_fixture_request_replayed_then_ingested_matches_payload_sums(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "otel"
    receiver = start_receiver(output)
    try:
        kinds = {"application/json": 0, "application/x-protobuf": 0, "application/grpc": 0}
        for i, entry in enumerate(INDEX):
            replay(entry, receiver, gzip_body=i % 3 == 0)  # a third of them gzip-compressed
            kinds[entry["content_type"]] += 1
    finally:
        receiver.stop()
    assert all(kinds.values()), kinds  # all three transports were exercised
    lines = jsonl_lines(output)
    assert len(lines) == len(INDEX)  # one line per request

    chdb_dir = tmp_path / "chdb"
    monkeypatch.setenv("CC_PIPELINE_CHDB_DIR", str(chdb_dir))
    assert cli_main(["ingest", "--source", str(output)]) == 0
    assert "quarantined 0 line(s)" in capsys.readouterr().out

    expected = expected_totals(fixture_requests())
    totals = query_totals(chdb_dir)
    t = expected["tokens"]
    assert totals["api"] == (
        59, round(expected["cost_usd"], 9), t["input_tokens"], t["output_tokens"],
        t["cache_read_tokens"], t["cache_creation_tokens"],
    )  # fmt: skip
    assert round(totals["api"][1], 6) == 1.186483
    assert totals["logs"] == expected["logs"] == 246
    assert totals["spans"] == expected["spans"]
    assert totals["points"] == expected["sum_points"]
    assert totals["tokens"] == pytest.approx(
        {"input": 415, "output": 3414, "cacheRead": 1566717, "cacheCreation": 164229}
    )


def test_lines_have_the_file_exporter_shape_and_round_trip_exactly(tmp_path: Path) -> None:
    """Hex ids, int64 as strings, enums as ints; parsing a line gives the request back."""
    output = tmp_path / "otel"
    receiver = start_receiver(output)
    sent = []
    try:
        for entry in INDEX:
            if entry["content_type"] == "application/grpc":
                continue
            body = (OTLP_FIXTURES / entry["file"]).read_bytes()
            assert post(receiver.http_port, entry["path"], body, entry["content_type"])[0] == 200
            signal = SIGNALS[entry["signal"]]
            parse = parse_json if entry["content_type"] == "application/json" else parse_protobuf
            sent.append((signal, parse(signal, body)))
    finally:
        receiver.stop()
    lines = jsonl_lines(output)
    assert len(lines) == len(sent)
    trace_ids = set()
    for (signal, message), line in zip(sent, lines, strict=True):
        tree = json.loads(line)
        assert list(tree) == [signal.root_key]
        assert parse_json(signal, line) == message  # ids survive hex -> bytes -> hex
        for rs in tree.get("resourceSpans", []):
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    assert len(span["traceId"]) == 32 and int(span["traceId"], 16) >= 0
                    assert len(span["spanId"]) == 16
                    assert isinstance(span["startTimeUnixNano"], str)
                    assert isinstance(span["kind"], int)
                    trace_ids.add(span["traceId"])
        for rl in tree.get("resourceLogs", []):
            for sl in rl["scopeLogs"]:
                for record in sl["logRecords"]:
                    assert isinstance(record["timeUnixNano"], str)
                    for attr in record.get("attributes", []):
                        if "intValue" in attr["value"]:
                            assert isinstance(attr["value"]["intValue"], str)
        for rm in tree.get("resourceMetrics", []):
            for sm in rm["scopeMetrics"]:
                for metric in sm["metrics"]:
                    if "sum" in metric:
                        assert isinstance(metric["sum"]["aggregationTemporality"], int)
    # The hex id of the fixture's first span, unchanged (base64 decoding would alter it).
    assert "eb7415294e5d8dc3450142431554efb7" in trace_ids
