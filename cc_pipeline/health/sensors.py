"""Collector health and run-failure sensors (RUNNING by default, cheap, no database)."""

import json

import dagster as dg

from cc_pipeline.health.probe import check_collector
from cc_pipeline.resources.stack import StackResource
from cc_pipeline.stack.base import StackError

COLLECTOR_ASSET = dg.AssetKey("otel_collector")

otel_collector = dg.AssetSpec(
    COLLECTOR_ASSET,
    description="The OTLP collector Claude Code sends to (local receiver or Collector in "
    "Docker). Observed by collector_health: up, seconds since last write, accepted and "
    "refused records.",
    group_name="health",
    kinds={"opentelemetry"},
)


def _failures(cursor: str | None) -> int:
    try:
        return int(json.loads(cursor or "{}").get("failures", 0))
    except (ValueError, AttributeError, TypeError):
        return 0


@dg.sensor(
    name="collector_health",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Checks the collector (health endpoint, process/container, output freshness, "
    "refused and failed counts), records an observation on otel_collector and restarts the "
    "collector after repeated failures.",
)
def collector_health(context: dg.SensorEvaluationContext, stack: StackResource) -> dg.SensorResult:
    backend = stack.backend()
    check = check_collector(backend, stack.output_path(), stack.export_interval_s)
    failures = 0 if check.ok else _failures(context.cursor) + 1
    if check.ok:
        context.log.info(check.summary())
    else:
        context.log.warning(f"{check.summary()} (failed check {failures} in a row)")
    if not check.fresh and check.up:
        context.log.info(
            f"no new telemetry for over {3 * stack.export_interval_s:.0f}s "
            "(Claude Code idle, or not pointed at this collector: see cc-pipeline env)"
        )
    restarted = 0
    limit = stack.restart_after_failures
    if limit > 0 and failures >= limit:
        try:
            backend.restart_collector()
            restarted = 1
            context.log.warning(
                f"restarted the {backend.mode} collector after {failures} failed checks"
            )
            failures = 0
        except StackError as exc:
            context.log.error(f"could not restart the {backend.mode} collector: {exc}")
    metadata = {**check.metadata(), "consecutive_failures": failures, "restarted": restarted}
    return dg.SensorResult(
        asset_events=[dg.AssetObservation(asset_key=COLLECTOR_ASSET, metadata=metadata)],
        cursor=json.dumps({"failures": failures}),
    )


def failure_line(job_name: str, run_id: str, error: str | None) -> str:
    """One line: the failed job, its run and the error's first meaningful line."""
    text = " ".join((error or "no error message").split())
    if len(text) > 500:
        text = text[:497] + "..."
    return f"run {run_id} of job {job_name} failed: {text}"


@dg.run_failure_sensor(
    name="log_run_failures",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs each failed run as one line: job, run id and error.",
)
def log_run_failures(context: dg.RunFailureSensorContext) -> None:
    event = context.failure_event
    error = event.message
    data = getattr(event, "event_specific_data", None)
    cause = getattr(data, "error", None) if data is not None else None
    while cause is not None and getattr(cause, "cause", None) is not None:
        cause = cause.cause  # the user's exception, not Dagster's wrappers
    if cause is not None:
        error = f"{event.message} {cause.cls_name}: {cause.message}"
    context.log.error(failure_line(context.dagster_run.job_name, context.dagster_run.run_id, error))
