"""The probe reads the receiver's own Prometheus text with prometheus_client's parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from cc_pipeline.health.probe import ACCEPTED, REFUSED, fetch_metrics, parse_prometheus, sum_prefix
from tests.collector.helpers import post, start_receiver
from tests.conftest import OTLP_FIXTURES

LOGS_JSON = (OTLP_FIXTURES / "tools_json__0002_logs.json").read_bytes()


def test_counts_from_a_live_receiver_leave_out_created_timestamps(tmp_path: Path) -> None:
    receiver = start_receiver(tmp_path / "otel")
    try:
        assert post(receiver.http_port, "/v1/logs", LOGS_JSON, "application/json")[0] == 200
        assert post(receiver.http_port, "/v1/logs", b"{", "application/json")[0] == 400
        totals = fetch_metrics(f"http://127.0.0.1:{receiver.health_port}/metrics")
    finally:
        receiver.stop()
    assert totals is not None
    records = receiver.stats.accepted("log_records", "http")
    assert records > 0
    assert sum_prefix(totals, ACCEPTED) == records  # no *_created timestamps summed in
    assert sum_prefix(totals, REFUSED) == 0
    assert totals["cc_receiver_lines_written_total"] == 1
    assert totals["cc_receiver_requests_refused_total"] == 1
    assert totals["cc_receiver_last_write_timestamp_seconds"] > 0
    assert totals["otelcol_process_uptime_seconds_total"] > 0


def test_text_that_is_not_the_exposition_format_is_an_error() -> None:
    with pytest.raises(ValueError):
        parse_prometheus("otelcol_receiver_accepted_spans_total{receiver=otlp 3\n")
