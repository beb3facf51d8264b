"""Content stays out unless opted in; cumulative counters sum like delta ones."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.telemetry.privacy import ALLOWED_ATTRIBUTES
from tests.conftest import scalar
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl

CONTENT_KEYS = {"prompt", "response", "tool_input", "tool_parameters", "user_prompt", "error"}


@pytest.fixture(scope="module")
def requests() -> list[tuple[str, dict[str, Any]]]:
    return fixture_requests()


def content_texts(requests: list[tuple[str, dict[str, Any]]]) -> set[str]:
    texts = set()
    allowed_values = set()

    def visit(attrs: list[dict[str, Any]], event: str | None) -> None:
        for a in attrs:
            value = a["value"].get("stringValue", "")
            if a["key"] in ALLOWED_ATTRIBUTES:
                allowed_values.add(value)
            if a["key"] in CONTENT_KEYS and len(value) >= 6 and value != "<REDACTED>":
                if a["key"] == "error" and event in ("api_error", "api_retries_exhausted"):
                    continue  # the API's own message, kept on purpose
                texts.add(value)

    for _, body in requests:
        for rl in body.get("resourceLogs", []):
            for sl in rl["scopeLogs"]:
                for rec in sl["logRecords"]:
                    event = next(
                        (
                            a["value"].get("stringValue")
                            for a in rec["attributes"]
                            if a["key"] == "event.name"
                        ),
                        None,
                    )
                    visit(rec["attributes"], event)
        for rs in body.get("resourceSpans", []):
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:
                    visit(span["attributes"], None)
    return texts - allowed_values


def stored_anywhere(ch: Any, text: str) -> int:
    """Rows holding ``text`` inside any stored attribute value, body or quarantine reason."""
    return scalar(
        ch,
        """
        SELECT
            (SELECT count() FROM otel_logs
             WHERE arrayExists(v -> position(v, {t:String}) > 0, mapValues(LogAttributes))
                OR position(Body, {t:String}) > 0)
          + (SELECT count() FROM otel_traces
             WHERE arrayExists(v -> position(v, {t:String}) > 0, mapValues(SpanAttributes)))
          + (SELECT count() FROM ingest_quarantine WHERE position(reason, {t:String}) > 0)
        """,
        t=text,
    )


def test_prompts_responses_and_tool_inputs_are_not_stored(ch, tmp_path, requests):
    texts = content_texts(requests)
    assert len(texts) >= 10  # the verbose scenario logged prompts, responses, tool inputs
    write_jsonl(tmp_path / "otel" / "x.jsonl", [b for _, b in requests])
    ingest_telemetry(ch, tmp_path / "otel")
    leaked = [t for t in texts if stored_anywhere(ch, t)]
    assert leaked == []
    keys = {
        k
        for (k,) in ch.query(
            "SELECT DISTINCT arrayJoin(mapKeys(LogAttributes)) FROM otel_logs"
        ).result_rows
    }
    assert keys <= set(ALLOWED_ATTRIBUTES) | {"error"}
    assert "prompt_length" in keys and "prompt" not in keys


def test_opt_in_keeps_everything(ch, tmp_path, requests):
    texts = content_texts(requests)
    write_jsonl(tmp_path / "otel" / "x.jsonl", [b for _, b in requests])
    ingest_telemetry(ch, tmp_path / "otel", keep_content=True)
    assert all(stored_anywhere(ch, t) for t in texts)


def cumulative_bodies(requests: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The same counters re-expressed as cumulative series, with a counter reset half way."""
    points = []
    bodies = []
    for signal, body in requests:
        if signal != "metrics":
            continue
        body = copy.deepcopy(body)
        bodies.append(body)
        for rm in body["resourceMetrics"]:
            for sm in rm["scopeMetrics"]:
                for metric in sm["metrics"]:
                    if "sum" not in metric:
                        continue
                    metric["sum"]["aggregationTemporality"] = 2
                    for dp in metric["sum"]["dataPoints"]:
                        key = (
                            metric["name"],
                            tuple(sorted((a["key"], str(a["value"])) for a in dp["attributes"])),
                        )
                        points.append((int(dp["timeUnixNano"]), key, dp))
    series: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for _, key, dp in sorted(points, key=lambda p: p[0]):
        series[key].append(dp)
    resets = 0
    for dps in series.values():
        start = dps[0]["startTimeUnixNano"]
        running = 0.0
        for i, dp in enumerate(dps):
            if i and i == len(dps) // 2:  # the process restarted: a new series start
                start, running, resets = dp["startTimeUnixNano"], 0.0, resets + 1
            running += float(dp.get("asDouble", dp.get("asInt", 0)))
            dp["startTimeUnixNano"] = start
            dp.pop("asInt", None)
            dp["asDouble"] = running
    assert resets > 0
    return bodies


def test_cumulative_series_are_differenced_with_resets(ch, tmp_path, requests):
    expected = expected_totals(requests)["token_metric"]
    write_jsonl(tmp_path / "otel" / "x.jsonl", cumulative_bodies(requests))
    ingest_telemetry(ch, tmp_path / "otel")
    assert scalar(ch, "SELECT uniqExact(AggregationTemporality) FROM otel_metrics_sum") == 1
    got = dict(
        ch.query(
            "SELECT type, sum(delta) FROM cc_metric_deltas "
            "WHERE metric_name = 'claude_code.token.usage' GROUP BY type"
        ).result_rows
    )
    assert got == pytest.approx(expected)
