"""When the pipeline's assets run: declarative conditions that follow the data, not the clock.

- Ingestion (``otel_*``, ``transcript_*``) runs when its source was observed with new bytes.
  The source sensors look at most every ``CC_PIPELINE_INGEST_EVERY_S`` seconds (telemetry,
  default 5) or ``CC_PIPELINE_TRANSCRIPTS_EVERY_S`` seconds (transcripts, default 60), and an
  observation is recorded only when unread bytes appeared, so ingestion runs at most that often.
- Rollups run after any upstream table changed, whatever changed it (an automated ingest, a
  schedule, a backfill launched by hand), once no upstream run is in progress.
- The dashboard runs after the rollups changed and their blocking checks passed.

No target is requested while it, or (for rollups and the dashboard) an upstream, is in
progress, so the automation never has more than one queued run per asset group; the
``clickhouse_writer`` pool runs them one at a time.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import dagster as dg

AUTOMATION_SENSOR = "automation"
# A schedule tick that finds its job already queued or running adds nothing to the queue.
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
RequestFn = Callable[[dg.ScheduleEvaluationContext], dg.RunRequest]


def seconds_from_env(name: str, default: int) -> int:
    """A positive whole number of seconds from the environment (``default`` when unset)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of seconds >= 1, not {raw!r}")
    return int(raw)


def ingest_every_s() -> int:
    """How often the collector output folder is looked at (and at most ingested)."""
    return seconds_from_env("CC_PIPELINE_INGEST_EVERY_S", 5)


def transcripts_every_s() -> int:
    """How often the transcript roots are looked at (and at most ingested)."""
    return seconds_from_env("CC_PIPELINE_TRANSCRIPTS_EVERY_S", 60)


def automation_every_s() -> int:
    """How often the automation conditions are evaluated."""
    return seconds_from_env("CC_PIPELINE_AUTOMATION_EVERY_S", 5)


def ingest_condition() -> dg.AutomationCondition:
    """Ingest when a source observation with new bytes arrived since the last request."""
    return (
        dg.AutomationCondition.any_deps_updated().since_last_handled()
        & ~dg.AutomationCondition.in_progress()
    ).with_label("source has new bytes")


def upstream_updated() -> dg.AutomationCondition:
    """An upstream asset was updated since the last tick by a run that did not also update
    the target (so a multi-asset's own tables never re-trigger it), without waiting on
    upstreams merely requested on this tick: those are awaited until they have run."""
    return dg.AutomationCondition.any_deps_match(
        dg.AutomationCondition.newly_updated() & ~dg.AutomationCondition.executed_with_root_target()
    ).with_label("upstream updated")


def blocking_checks_passed(keys: list[str]) -> dg.AutomationCondition:
    """The latest blocking checks of every asset in ``keys`` passed."""
    condition = None
    for key in keys:
        passed = dg.AutomationCondition.asset_matches(
            key,
            dg.AutomationCondition.all_checks_match(
                dg.AutomationCondition.check_passed(), blocking_only=True
            ),
        )
        condition = passed if condition is None else condition & passed
    if condition is None:
        raise ValueError("blocking_checks_passed needs at least one asset")
    return condition.with_label("blocking checks passed")


def rollup_condition() -> dg.AutomationCondition:
    """Eager on the latest day: any upstream update (including a hand-launched backfill) or a
    new day, once no upstream run is in progress. Unlike ``eager()`` it does not wait for
    every upstream to exist: telemetry alone, or transcripts alone, is enough."""
    return (
        dg.AutomationCondition.in_latest_time_window()
        & (dg.AutomationCondition.newly_missing() | upstream_updated()).since_last_handled()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
    ).with_label("eager after any upstream update")


def dashboard_condition(checked: list[str]) -> dg.AutomationCondition:
    """After the rollups changed, once none runs and the blocking checks of ``checked`` (the
    rollup tables that carry them) passed."""
    return (
        upstream_updated().since_last_handled()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
        & blocking_checks_passed(checked)
    ).with_label("after the rollups")


def automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """The sensor that evaluates every asset's condition, on by default."""
    return dg.AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=dg.AssetSelection.all(),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=automation_every_s(),
        description="Runs ingestion when a source has new bytes, the rollups after any "
        "upstream change and the dashboard after the rollups.",
    )


def job_in_flight(instance: dg.DagsterInstance, job_name: str) -> bool:
    """Whether a run of ``job_name`` is queued or running."""
    records = instance.get_run_records(
        dg.RunsFilter(job_name=job_name, statuses=IN_FLIGHT), limit=1
    )
    return bool(records)


def backstop_schedule(
    *,
    name: str,
    job: dg.UnresolvedAssetJobDefinition,
    cron: str,
    description: str,
    request: RequestFn | None = None,
) -> dg.ScheduleDefinition:
    """A schedule, RUNNING by default, that runs ``job`` on ``cron`` whatever the sensors saw,
    and skips a tick while a run of the job is still queued or running (no pile-up)."""

    @dg.schedule(
        name=name,
        job=job,
        cron_schedule=cron,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        if job_in_flight(context.instance, job.name):
            return dg.SkipReason(f"a run of {job.name} is already queued or running")
        return request(context) if request else dg.RunRequest()

    return _schedule


@contextmanager
def freshness_builders() -> Iterator[None]:
    """Quiet Dagster's note that its freshness-check builders are superseded by freshness
    policies: the assets carry both, the policies for the UI's freshness state (evaluated by
    the daemon, no runs), the checks for a pass/fail history in each asset's checks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        yield


def freshness_sensor(checks: Sequence[dg.AssetChecksDefinition]) -> dg.SensorDefinition:
    """The sensor that runs the freshness checks when they are due, on by default."""
    with freshness_builders():
        return dg.build_sensor_for_freshness_checks(
            freshness_checks=checks,
            default_status=dg.DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=60,
        )
