"""Dagster face of the rollups: the day-partitioned rollup assets, their checks and schedules.

The rollups run eagerly after any upstream table changed (see ``cc_pipeline.automation``); a
schedule every five minutes and a nightly full rebuild are the backstop. Days are partitions:
a backfill of chosen days from the UI rebuilds exactly those days (in one run).
"""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from cc_pipeline import automation, catalog
from cc_pipeline.automation import freshness_builders
from cc_pipeline.dashboard.definitions import dashboard_asset, dashboard_freshness_checks
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.serve import WRITER_POOL
from cc_pipeline.warehouse.assets import asset_specs

if TYPE_CHECKING:  # the refresh and its checks load only when a run starts
    from cc_pipeline.rollups.checks import CheckOutcome
    from cc_pipeline.rollups.refresh import RefreshSummary
    from cc_pipeline.warehouse import Warehouse

GROUP = catalog.ROLLUPS
TABLES = {relation.name: relation.description for relation in catalog.assets(GROUP)}
CHECKS = {
    "no_duplicate_requests": "usage_requests",
    "no_negative_values": "usage_requests",
    "rollup_totals_match": "usage_daily",
    "sources_agree": "usage_requests",
    "ingestion_fresh": "usage_requests",
    "cost_provenance": "usage_requests",
}
# A failure of these stops what reads the rollups (the dashboard) from being rebuilt.
BLOCKING = frozenset({"no_duplicate_requests", "no_negative_values"})
DAYS = dg.DailyPartitionsDefinition(start_date="2025-02-01", end_offset=1)
# The backstop schedule refreshes every five minutes: older than fifteen means it stopped.
FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(minutes=15), warn_window=timedelta(minutes=10)
)
# Tags of runs the pipeline launched itself; any other run of chosen days was asked for.
LAUNCHED_BY_PIPELINE = (
    "dagster/schedule_name",
    "dagster/sensor_name",
    "dagster/from_automation_condition",
    "dagster/auto_materialize",
)


class RollupConfig(dg.Config):
    full: bool = Field(
        default=False,
        description="Rebuild every day any source holds, not only the days that changed.",
    )


def _specs() -> list[dg.AssetSpec]:
    return [
        spec.replace_attributes(
            automation_condition=automation.rollup_condition(), freshness_policy=FRESHNESS
        )
        for spec in asset_specs(GROUP)
    ]


def chosen_days(context: dg.AssetExecutionContext) -> list[date] | None:
    """The days of the run's partitions when a person chose them (a launch or backfill from
    the UI or API); None for the pipeline's own runs, which rebuild what changed."""
    if any(tag in context.run.tags for tag in LAUNCHED_BY_PIPELINE):
        return None
    window = context.partition_time_window
    first, last = window.start.date(), window.end.date()
    return [first + timedelta(days=i) for i in range((last - first).days)]


def _preview(client: "Warehouse") -> str:
    rows = client.query(
        "SELECT day, sum(requests), sum(total_tokens), round(sum(cost_usd), 4), "
        "round(sum(cache_read_tokens) / greatest(1, sum(input_tokens + cache_read_tokens + "
        "cache_creation_tokens)), 3) FROM usage_daily GROUP BY day ORDER BY day DESC LIMIT 7"
    ).result_rows
    lines = ["| day | requests | tokens | cost $ | cache hit |", "|---|---|---|---|---|"]
    lines += [f"| {d} | {r} | {t:,} | {c} | {h} |" for d, r, t, c, h in rows]
    return "\n".join(lines)


def _table_metadata(client: "Warehouse", table: str) -> dict[str, dg.MetadataValue]:
    rows = client.query(
        "SELECT sum(rows), uniqExact(partition) FROM system.parts WHERE "
        "database = currentDatabase() AND active AND table = {t:String}",
        parameters={"t": table},
    ).result_rows[0]
    return {
        "dagster/row_count": dg.MetadataValue.int(int(rows[0] or 0)),
        "days": dg.MetadataValue.int(int(rows[1] or 0)),
    }


def _totals(client: "Warehouse") -> dict[str, dg.MetadataValue]:
    requests, tokens, cost, sessions = client.query(
        "SELECT count(), sum(total_tokens), sum(cost_usd), uniqExact(session_id) "
        "FROM usage_requests"
    ).result_rows[0]
    return {
        "total_requests": dg.MetadataValue.int(int(requests)),
        "total_tokens": dg.MetadataValue.int(int(tokens or 0)),
        "total_cost_usd": dg.MetadataValue.float(float(cost or 0)),
        "sessions": dg.MetadataValue.int(int(sessions)),
    }


def _check_result(outcome: "CheckOutcome") -> dg.AssetCheckResult:
    metadata = {}
    for key, value in outcome.metadata.items():
        if isinstance(value, tuple) and value[0] == "md":
            metadata[key] = dg.MetadataValue.md(value[1])
        else:
            metadata[key] = value
    return dg.AssetCheckResult(
        check_name=outcome.name,
        asset_key=CHECKS[outcome.name],
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.WARN if outcome.warn_only else dg.AssetCheckSeverity.ERROR,
        description=outcome.description,
        metadata=metadata,
    )


def materialize_results(
    client: "Warehouse", summary: "RefreshSummary"
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """The materializations of every rollup table after a refresh, then the checks' results."""
    from cc_pipeline.rollups.checks import run_all

    days = [d.isoformat() for d in summary.days]
    common = {
        "days_rebuilt": dg.MetadataValue.int(len(days)),
        "changed_days": dg.MetadataValue.text(
            ", ".join(days[:31]) + (" ..." if len(days) > 31 else "") or "-"
        ),
        "seconds": dg.MetadataValue.float(round(summary.seconds, 3)),
    }
    totals = _totals(client)
    preview = dg.MetadataValue.md(_preview(client))
    for table in TABLES:
        metadata = {**common, **_table_metadata(client, table)}
        if table in ("usage_requests", "usage_daily"):
            metadata.update(totals)
            metadata["last_days"] = preview
        if table == "billing_blocks":
            metadata["blocks_written"] = dg.MetadataValue.int(summary.blocks_written)
        yield dg.MaterializeResult(asset_key=table, metadata=metadata)
    for outcome in run_all(client):
        yield _check_result(outcome)


@dg.multi_asset(
    name="refresh_rollups",
    specs=_specs(),
    check_specs=[
        dg.AssetCheckSpec(name, asset=asset, blocking=name in BLOCKING)
        for name, asset in CHECKS.items()
    ],
    partitions_def=DAYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
)
def refresh_rollups_asset(
    context: dg.AssetExecutionContext, config: RollupConfig, clickhouse: ClickHouseResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Rebuild the rollup tables for the days whose telemetry or transcripts changed.

    Each changed day is rebuilt in a staging twin and swapped in with REPLACE PARTITION (its
    day partition of usage_requests, its month, other days copied over, of the small rollups),
    so a refresh costs what changed, not the whole history. A run of days chosen by hand (a
    backfill of partitions) also rebuilds exactly those days, after the changed ones.
    A request seen in both sources is counted once (matched on request_id; telemetry wins for
    cost and timing). Billing blocks are recomputed from the first changed day on. The checks
    run over the whole tables after the refresh; duplicate request ids and negative values
    block the dashboard.
    """
    from cc_pipeline.rollups.refresh import refresh_rollups

    days = chosen_days(context)
    with clickhouse.connect(on_wait=context.log.info) as client:
        summary = refresh_rollups(client, full=config.full, log=context.log.info)
        if days:
            context.log.info(f"rebuilding the chosen days {days[0]} .. {days[-1]}")
            chosen = refresh_rollups(client, days=days, log=context.log.info)
            summary.days = sorted(set(summary.days) | set(chosen.days))
            summary.blocks_written += chosen.blocks_written
            summary.seconds += chosen.seconds
        yield from materialize_results(client, summary)


refresh_rollups_job = dg.define_asset_job(
    "refresh_rollups_job",
    selection=dg.AssetSelection.groups(GROUP, "dashboard"),
    description="Refresh the rollups of the changed days (and of the chosen days when launched "
    "by hand), run their checks, rebuild the dashboard.",
)


def _latest_day(_context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(partition_key=DAYS.get_last_partition_key())


def _full_rebuild(_context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(
        partition_key=DAYS.get_last_partition_key(),
        run_config=dg.RunConfig(ops={"refresh_rollups": RollupConfig(full=True)}),
        tags={"cc_pipeline/reconciliation": "nightly"},
    )


refresh_rollups_schedule = automation.backstop_schedule(
    name="refresh_rollups_every_5_minutes",
    job=refresh_rollups_job,
    cron="*/5 * * * *",
    description="Backstop: refresh the changed days and the dashboard every five minutes. A "
    "refresh that starts while an ingestion runs waits for it (one writer at a time).",
    request=_latest_day,
)

reconcile_rollups_schedule = automation.backstop_schedule(
    name="rebuild_rollups_nightly",
    job=refresh_rollups_job,
    cron="30 3 * * *",
    description="Nightly full reconciliation: rebuild every day any source holds.",
    request=_full_rebuild,
)


# Yesterday's rollups are expected by 01:00 UTC (the backstop refreshes every five minutes).
with freshness_builders():
    freshness_checks = [
        *dg.build_time_partition_freshness_checks(
            assets=[refresh_rollups_asset], deadline_cron="0 1 * * *"
        ),
        *dashboard_freshness_checks,
    ]

defs = dg.Definitions(
    assets=[refresh_rollups_asset, dashboard_asset],
    asset_checks=freshness_checks,
    jobs=[refresh_rollups_job],
    schedules=[refresh_rollups_schedule, reconcile_rollups_schedule],
)
