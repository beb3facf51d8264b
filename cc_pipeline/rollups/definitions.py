"""Dagster face of the rollups: the rollup table assets, their checks, schedule and day job."""

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

import dagster as dg

from cc_pipeline import catalog
from cc_pipeline.dashboard.definitions import dashboard_asset
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
DAYS = dg.DailyPartitionsDefinition(start_date="2025-02-01", end_offset=1)


class RollupConfig(dg.Config):
    full: bool = False
    """Rebuild every day any source holds, not only the days that changed."""


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
    specs=asset_specs(GROUP),
    check_specs=[dg.AssetCheckSpec(name, asset=asset) for name, asset in CHECKS.items()],
    pool=WRITER_POOL,
)
def refresh_rollups_asset(
    context: dg.AssetExecutionContext, config: RollupConfig, clickhouse: ClickHouseResource
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Rebuild the rollup tables for the days whose telemetry or transcripts changed.

    Each changed day is rebuilt in a staging twin and swapped in with REPLACE PARTITION (its
    day partition of usage_requests, its month, other days copied over, of the small rollups),
    so a refresh costs what changed, not the whole history.
    A request seen in both sources is counted once (matched on request_id; telemetry wins for
    cost and timing). Billing blocks are recomputed from the first changed day on. The checks
    run over the whole tables after the refresh.
    """
    from cc_pipeline.rollups.refresh import refresh_rollups

    with clickhouse.connect(on_wait=context.log.info) as client:
        summary = refresh_rollups(client, full=config.full, log=context.log.info)
        yield from materialize_results(client, summary)


@dg.op(
    description="Rebuild the rollups of the run's day partitions (and blocks from the first).",
    pool=WRITER_POOL,
)
def rebuild_rollup_days(context: dg.OpExecutionContext, clickhouse: ClickHouseResource) -> None:
    from cc_pipeline.rollups.refresh import refresh_rollups

    window = context.partition_time_window
    first, last = window.start.date(), window.end.date()
    days = [first + timedelta(days=i) for i in range((last - first).days)]
    with clickhouse.connect(on_wait=context.log.info) as client:
        summary = refresh_rollups(client, days=days, log=context.log.info)
        for table in TABLES:
            context.log_event(
                dg.AssetMaterialization(
                    asset_key=table,
                    description=f"rebuilt {first} .. {last - timedelta(days=1)}",
                    metadata={
                        **_table_metadata(client, table),
                        "days_rebuilt": len(days),
                        "seconds": round(summary.seconds, 3),
                    },
                )
            )


@dg.job(
    name="rebuild_rollup_days_job",
    partitions_def=DAYS,
    description="Rebuild the rollups of chosen days (pick a day or launch a backfill of days).",
)
def rebuild_rollup_days_job() -> None:
    rebuild_rollup_days()


refresh_rollups_job = dg.define_asset_job(
    "refresh_rollups_job",
    selection=dg.AssetSelection.groups(GROUP, "dashboard"),
    description="Refresh the rollups of the changed days, run their checks, rebuild the dashboard.",
)

refresh_rollups_schedule = dg.ScheduleDefinition(
    name="refresh_rollups_every_5_minutes",
    job=refresh_rollups_job,
    cron_schedule="2-59/5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Two minutes after each telemetry ingestion: refresh changed days, then the "
    "dashboard.",
)


defs = dg.Definitions(
    assets=[refresh_rollups_asset, dashboard_asset],
    jobs=[refresh_rollups_job, rebuild_rollup_days_job],
    schedules=[refresh_rollups_schedule],
)
