"""Dagster face of telemetry ingestion: the otel_* table assets, their job and schedule.

The tables sit downstream of the collector's output folder (``otel_collector_files``) and are
ingested when it is observed with new bytes (see ``cc_pipeline.automation``); the schedule is
the backstop.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from cc_pipeline import automation, catalog, settings
from cc_pipeline.health.sources import COLLECTOR_FILES
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.serve import WRITER_POOL
from cc_pipeline.telemetry.attributes import attribute_catalog, database_now
from cc_pipeline.warehouse.assets import asset_specs

if TYPE_CHECKING:
    from cc_pipeline.warehouse import Warehouse

GROUP = catalog.TELEMETRY
TABLES = {relation.name: relation.description for relation in catalog.assets(GROUP)}
# Telemetry arrives while Claude Code is used: a day without any is worth a look.
FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=24), warn_window=timedelta(hours=6)
)


class TelemetryIngestConfig(dg.Config):
    source_dir: str | None = Field(
        default=None,
        description="Folder of Collector JSONL to read; default CC_PIPELINE_TELEMETRY_DIR, "
        "else CC_PIPELINE_HOME/otel.",
    )
    keep_content: bool | None = Field(
        default=None,
        description="Store prompts, responses and tool inputs too (default off; env "
        "CC_PIPELINE_KEEP_CONTENT).",
    )


def _specs() -> list[dg.AssetSpec]:
    """The catalog's specs, downstream of the collector output, ingested when it has new
    bytes; a run that finds nothing new materializes nothing (so nothing downstream runs)."""
    return [
        spec.merge_attributes(deps=[COLLECTOR_FILES]).replace_attributes(
            automation_condition=automation.ingest_condition(),
            freshness_policy=FRESHNESS,
            skippable=True,
        )
        for spec in asset_specs(GROUP)
    ]


@dg.multi_asset(
    name="ingest_telemetry",
    specs=_specs(),
    check_specs=[
        dg.AssetCheckSpec(
            "no_lines_quarantined",
            asset="otel_logs",
            description="Every line read by this run was loadable (WARN lists the reasons).",
        ),
        dg.AssetCheckSpec(
            "no_new_dropped_attributes",
            asset="otel_logs",
            description="This run met no attribute name the allow-list drops that was not seen "
            "before (WARN lists the new ones: what a new Claude Code sends, maybe content).",
        ),
    ],
    pool=WRITER_POOL,
)
def ingest_telemetry_asset(
    context: dg.AssetExecutionContext,
    config: TelemetryIngestConfig,
    clickhouse: ClickHouseResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Load new lines of the Collector's JSONL output into the otel_* tables, exactly once.

    Reads the live file and its rotated backups, follows renames, notices truncation, never
    consumes a partial last line and moves its cursor only after the rows are stored.
    Bad lines go to `ingest_quarantine` with the reason; prompts, responses and tool inputs
    are not stored unless opted in. A run that reads no new bytes materializes nothing.
    """
    from cc_pipeline.files.loader import quarantine_of_run
    from cc_pipeline.telemetry.ingest import ingest_telemetry

    last_logged = [0]

    def progress(done: int, total: int, path: str) -> None:
        if done - last_logged[0] >= 64 << 20 or done == total:
            last_logged[0] = done
            context.log.info(f"{done / 2**20:.1f} of {total / 2**20:.1f} MB read ({path})")

    folder = Path(config.source_dir) if config.source_dir else settings.telemetry_dir()
    with clickhouse.connect(on_wait=context.log.info) as client:
        started = database_now(client)
        summary = ingest_telemetry(
            client,
            folder,
            keep_content=config.keep_content,
            progress=progress,
            log=context.log.info,
        )
        totals = {
            str(table): int(rows)
            for table, rows in client.query(
                "SELECT table, sum(rows) FROM system.parts "
                "WHERE database = currentDatabase() AND active AND table IN {t:Array(String)} "
                "GROUP BY table",
                parameters={"t": list(TABLES)},
            ).result_rows
        }
        reasons = quarantine_of_run(client, "telemetry", summary.ranges)
        new_dropped = new_dropped_attributes_check(client, started)
    context.log.info(
        f"ingested {summary.total_rows} rows from {summary.files_read} file(s), "
        f"{summary.bytes_read} bytes; {summary.quarantined} line(s) quarantined"
    )
    newest = summary.newest_event.isoformat() if summary.newest_event else None
    for table in TABLES if summary.bytes_read else ():
        yield dg.MaterializeResult(
            asset_key=table,
            metadata={
                "rows_added": dg.MetadataValue.int(int(summary.rows.get(table, 0))),
                "total_rows": dg.MetadataValue.int(int(totals.get(table, 0))),
                "bytes_read": dg.MetadataValue.int(summary.bytes_read),
                "files_read": dg.MetadataValue.int(summary.files_read),
                "lines_quarantined": dg.MetadataValue.int(summary.quarantined),
                "newest_event": dg.MetadataValue.text(newest or "-"),
                "source_folder": dg.MetadataValue.path(summary.folder),
            },
        )
    yield _warn_check(
        "no_lines_quarantined",
        ("reasons", [f"{reason}: {count}" for reason, count in reasons[:10]]),
        lines_quarantined=sum(n for _, n in reasons),
        byte_ranges_read=len(summary.ranges),
    )
    yield new_dropped


def _warn_check(name: str, found: tuple[str, list[str]], **counts: int) -> dg.AssetCheckResult:
    """A WARN check on otel_logs that passes when the ``found`` list (its metadata name, its
    items) is empty; ``counts`` are plottable numbers."""
    label, items = found
    return dg.AssetCheckResult(
        check_name=name,
        asset_key="otel_logs",
        passed=not items,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            **{key: dg.MetadataValue.int(value) for key, value in counts.items()},
            label: dg.MetadataValue.md("\n".join(f"- {item}" for item in items) or "none"),
        },
    )


def new_dropped_attributes_check(client: "Warehouse", since: datetime) -> dg.AssetCheckResult:
    """WARN when ingestion met, at or after ``since``, an attribute name the allow-list drops
    that it had never met before; lists them with the events that carried them."""
    new = attribute_catalog(client, dropped_only=True, since=since)
    names = [
        f"`{n.event_name}`: `{n.attribute}` ({n.seen} record(s), versions "
        f"{', '.join(n.app_versions) or '-'})"
        for n in new
    ]
    return _warn_check(
        "no_new_dropped_attributes", ("names", names), new_dropped_attributes=len(new)
    )


ingest_telemetry_job = dg.define_asset_job(
    "ingest_telemetry_job",
    selection=dg.AssetSelection.assets(ingest_telemetry_asset),
    description="Load new Collector JSONL into ClickHouse.",
)

ingest_telemetry_schedule = automation.backstop_schedule(
    name="ingest_telemetry_every_5_minutes",
    job=ingest_telemetry_job,
    cron="*/5 * * * *",
    description="Backstop: ingest the Collector's new JSONL every five minutes, whatever the "
    "source sensor saw (skipped while an ingestion is queued or running).",
)

with automation.freshness_builders():
    freshness_checks = dg.build_last_update_freshness_checks(
        assets=[ingest_telemetry_asset], lower_bound_delta=timedelta(hours=24)
    )

defs = dg.Definitions(
    assets=[ingest_telemetry_asset],
    asset_checks=freshness_checks,
    jobs=[ingest_telemetry_job],
    schedules=[ingest_telemetry_schedule],
)
