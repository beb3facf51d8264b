"""Dagster face of the dashboard: an asset rebuilt after every rollup refresh."""

from datetime import timedelta

import dagster as dg

from cc_pipeline import automation, catalog
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.serve import WRITER_POOL

# The tables the dashboard's queries read (tests/test_catalog.py checks them against the SQL).
INPUTS = list(catalog.dashboard_inputs())
# Rebuilt after every rollup refresh, and the rollups run at least every five minutes.
STALE_AFTER = timedelta(minutes=15)
# Where `cc-pipeline serve` (make run) serves the dashboard.
DASHBOARD_URL = "http://127.0.0.1:8765/"


@dg.asset(
    name="dashboard",
    group_name="dashboard",
    deps=INPUTS,
    kinds={"html"},
    pool=WRITER_POOL,
    automation_condition=automation.dashboard_condition(["usage_requests"]),
    freshness_policy=dg.FreshnessPolicy.time_window(
        fail_window=STALE_AFTER, warn_window=timedelta(minutes=10)
    ),
)
def dashboard_asset(
    context: dg.AssetExecutionContext, clickhouse: ClickHouseResource
) -> dg.MaterializeResult:
    """Self-contained HTML dashboard of the rollups (cost, tokens, cache, sessions, tools,
    API latency and errors, billing blocks, projects, coverage); works offline.
    Served by `cc-pipeline serve` at the `url` below (`cc-pipeline dashboard` alone)."""
    from cc_pipeline.dashboard.build import build_dashboard

    with clickhouse.connect(on_wait=context.log.info) as client:
        summary = build_dashboard(client)
    totals = summary.totals
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(summary.path)),
            "url": dg.MetadataValue.url(DASHBOARD_URL),
            "file": dg.MetadataValue.url(summary.path.as_uri()),
            "since": dg.MetadataValue.text(summary.since.isoformat()),
            "bytes": dg.MetadataValue.int(summary.bytes),
            "cost_usd": dg.MetadataValue.float(float(totals.get("cost_usd") or 0)),
            "requests": dg.MetadataValue.int(int(totals.get("requests") or 0)),
            "seconds": dg.MetadataValue.float(round(summary.seconds, 3)),
        }
    )


with automation.freshness_builders():
    dashboard_freshness_checks = dg.build_last_update_freshness_checks(
        assets=[dashboard_asset], lower_bound_delta=STALE_AFTER
    )

defs = dg.Definitions(assets=[dashboard_asset], asset_checks=dashboard_freshness_checks)
