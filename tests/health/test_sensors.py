"""Collector health and run-failure sensors, evaluated with Dagster's own test contexts."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from cc_pipeline.health.definitions import defs
from cc_pipeline.health.probe import parse_prometheus, sum_prefix
from cc_pipeline.health.sensors import collector_health, failure_line, log_run_failures
from cc_pipeline.resources.stack import StackResource
from tests.collector.helpers import free_port, post
from tests.conftest import OTLP_FIXTURES

COLLECTOR_METRICS = """\
# HELP otelcol_receiver_accepted_log_records_total Number of log records pushed.
# TYPE otelcol_receiver_accepted_log_records_total counter
otelcol_receiver_accepted_log_records_total{receiver="otlp",service_name="a b",transport="grpc"} 120
otelcol_receiver_accepted_metric_points_total{receiver="otlp",transport="http"} 30
otelcol_receiver_refused_log_records_total{receiver="otlp",transport="grpc"} 2
otelcol_exporter_send_failed_log_records_total{exporter="file"} 0
otelcol_exporter_send_failed_metric_points_total{exporter="clickhouse"} 7
otelcol_process_uptime_total 1.5e+03
"""


def test_parse_collector_prometheus_text() -> None:
    totals = parse_prometheus(COLLECTOR_METRICS)
    assert sum_prefix(totals, "otelcol_receiver_accepted_") == 150
    assert sum_prefix(totals, "otelcol_receiver_refused_") == 2
    assert sum_prefix(totals, "otelcol_exporter_send_failed_") == 7
    assert totals["otelcol_process_uptime_total"] == 1500


def test_sensors_are_running_by_default() -> None:
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {
        "collector_health",
        "log_run_failures",
        "observe_collector_output",
        "observe_transcript_folders",
    }
    for sensor in sensors.values():
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


@pytest.fixture
def stack(tmp_path: Path):
    resource = StackResource(
        mode="local", grpc_port=free_port(), http_port=free_port(), health_port=free_port(),
        output_dir=str(tmp_path / "otel"), restart_after_failures=2,
    )  # fmt: skip
    yield resource
    resource.down()


def evaluate(stack: StackResource, cursor: str | None = None) -> tuple[dg.SensorResult, float]:
    with dg.build_sensor_context(resources={"stack": stack}, cursor=cursor) as context:
        started = time.monotonic()
        result = collector_health(context)
        return result, time.monotonic() - started


def observation(result: dg.SensorResult) -> dict[str, Any]:
    (event,) = result.asset_events
    assert isinstance(event, dg.AssetObservation)
    assert event.asset_key == dg.AssetKey("otel_collector")
    values = {k: v.value for k, v in event.metadata.items()}
    assert all(isinstance(v, int | float) for v in values.values()), values
    return values


def test_healthy_receiver_is_observed_with_numbers(stack: StackResource) -> None:
    stack.up()
    body = (OTLP_FIXTURES / "tools_json__0002_logs.json").read_bytes()
    assert post(stack.http_port, "/v1/logs", body, "application/json")[0] == 200
    assert post(stack.http_port, "/v1/logs", b"{", "application/json")[0] == 400
    result, seconds = evaluate(stack)
    values = observation(result)
    records = sum(
        len(sl["logRecords"]) for rl in json.loads(body)["resourceLogs"] for sl in rl["scopeLogs"]
    )
    assert values["up"] == 1 and values["health_status_code"] == 200
    assert values["accepted_records"] == records
    assert 0 <= values["seconds_since_last_write"] < 30 and values["fresh"] == 1
    assert values["consecutive_failures"] == 0 and values["restarted"] == 0
    assert json.loads(result.cursor) == {"failures": 0}
    assert seconds < 5  # far below Dagster's 60 s sensor limit


def test_failures_count_up_then_the_collector_is_restarted(stack: StackResource) -> None:
    result, _ = evaluate(stack)  # never started: down
    values = observation(result)
    assert values["up"] == 0 and values["seconds_since_last_write"] == -1
    assert json.loads(result.cursor) == {"failures": 1}
    assert stack.status().services[0].state == "absent"
    result, _ = evaluate(stack, result.cursor)  # second failure reaches the limit of 2
    values = observation(result)
    assert values["restarted"] == 1 and values["consecutive_failures"] == 0
    assert stack.status().healthy  # the sensor brought it back
    result, _ = evaluate(stack, result.cursor)
    assert observation(result)["up"] == 1


def test_restart_can_be_turned_off(stack: StackResource) -> None:
    quiet = StackResource(**{**stack.model_dump(), "restart_after_failures": 0})
    cursor = None
    for expected in (1, 2, 3):
        result, _ = evaluate(quiet, cursor)
        cursor = result.cursor
        assert observation(result)["consecutive_failures"] == expected
    assert quiet.status().services[0].state == "absent"


def test_failure_line_is_one_line() -> None:
    line = failure_line("ingest_telemetry_job", "abc123", "Step failed:\n  ValueError: bad\n\n")
    assert line == "run abc123 of job ingest_telemetry_job failed: Step failed: ValueError: bad"
    assert "\n" not in failure_line("j", "r", "x\n" * 1000)
    assert len(failure_line("j", "r", "x " * 1000)) < 600


@dg.op
def explode() -> None:
    raise ValueError("the disk is full")


@dg.job
def failing_job() -> None:
    explode()


def test_run_failure_sensor_logs_job_and_error(capsys: pytest.CaptureFixture[str]) -> None:
    instance = dg.DagsterInstance.ephemeral()
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="log_run_failures",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure,
    ).for_run_failure()
    capsys.readouterr()
    log_run_failures(context)
    lines = [line for line in capsys.readouterr().err.splitlines() if "failed:" in line]
    assert len(lines) == 1
    assert f"run {result.run_id} of job failing_job failed: " in lines[0]
    assert lines[0].endswith("ValueError: the disk is full")


def test_sensor_evaluation_never_imports_the_embedded_database(stack: StackResource) -> None:
    """Run in a fresh interpreter: loading Definitions and evaluating leaves chdb unimported."""
    code = (
        "import sys, dagster as dg\n"
        "from cc_pipeline.definitions import defs\n"
        "from cc_pipeline.health.sensors import collector_health\n"
        "from cc_pipeline.resources.stack import StackResource\n"
        f"stack = StackResource(mode='local', health_port={stack.health_port}, "
        f"output_dir={stack.output_dir!r}, restart_after_failures=0)\n"
        "with dg.build_sensor_context(resources={'stack': stack}) as ctx:\n"
        "    collector_health(ctx)\n"
        "print('chdb' in sys.modules, 'clickhouse_connect' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.split()[-2:] == ["False", "False"]
