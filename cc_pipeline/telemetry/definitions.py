"""Dagster face of telemetry ingestion: the otel_* table assets, their job and schedule."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg

from cc_pipeline import catalog
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.serve import WRITER_POOL
from cc_pipeline.telemetry.attributes import attribute_catalog, database_now
from cc_pipeline.warehouse.assets import asset_specs

GROUP = catalog.TELEMETRY
TABLES = {relation.name: relation.description for relation in catalog.assets(GROUP)}


class TelemetryIngestConfig(dg.Config):
    source_dir: str | None = None
    """Folder of Collector JSONL; default CC_PIPELINE_HOME/otel."""
    keep_content: bool | None = None
    """Store prompts, responses and tool inputs too (default off; env CC_PIPELINE_KEEP_CONTENT)."""


@dg.multi_asset(
    name="ingest_telemetry",
    specs=asset_specs(GROUP),
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
    are not stored unless opted in.
    """
    from cc_pipeline.telemetry.ingest import ingest_telemetry

    last_logged = [0]

    def progress(done: int, total: int, path: str) -> None:
        if done - last_logged[0] >= 64 << 20 or done == total:
            last_logged[0] = done
            context.log.info(f"{done / 2**20:.1f} of {total / 2**20:.1f} MB read ({path})")

    folder = Path(config.source_dir) if config.source_dir else None
    with clickhouse.connect(on_wait=context.log.info) as client:
        started = database_now(client)
        summary = ingest_telemetry(
            client,
            folder,
            keep_content=config.keep_content,
            progress=progress,
            log=context.log.info,
        )
        totals = dict(
            client.query(
                "SELECT table, sum(rows) FROM system.parts "
                "WHERE database = currentDatabase() AND active AND table IN {t:Array(String)} "
                "GROUP BY table",
                parameters={"t": list(TABLES)},
            ).result_rows
        )
        reasons = client.query(
            "SELECT reason, count() FROM ingest_quarantine WHERE source = 'telemetry' "
            "AND quarantined_at >= now64(3) - toIntervalSecond({s:UInt32}) "
            "GROUP BY reason ORDER BY count() DESC LIMIT 10",
            parameters={"s": int(summary.seconds) + 5},
        ).result_rows
        new_dropped = new_dropped_attributes_check(client, started)
    context.log.info(
        f"ingested {summary.total_rows} rows from {summary.files_read} file(s), "
        f"{summary.bytes_read} bytes; {summary.quarantined} line(s) quarantined"
    )
    newest = summary.newest_event.isoformat() if summary.newest_event else None
    for table in TABLES:
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
    yield dg.AssetCheckResult(
        check_name="no_lines_quarantined",
        asset_key="otel_logs",
        passed=summary.quarantined == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "lines_quarantined": dg.MetadataValue.int(summary.quarantined),
            "reasons": dg.MetadataValue.md(
                "\n".join(f"- {reason}: {count}" for reason, count in reasons) or "none"
            ),
        },
    )
    yield new_dropped


def new_dropped_attributes_check(client: Any, since: datetime) -> dg.AssetCheckResult:
    """WARN when ingestion met, at or after ``since``, an attribute name the allow-list drops
    that it had never met before; lists them with the events that carried them."""
    new = attribute_catalog(client, dropped_only=True, since=since)
    return dg.AssetCheckResult(
        check_name="no_new_dropped_attributes",
        asset_key="otel_logs",
        passed=not new,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "new_dropped_attributes": dg.MetadataValue.int(len(new)),
            "names": dg.MetadataValue.md(
                "\n".join(
                    f"- `{n.event_name}`: `{n.attribute}` ({n.seen} record(s), versions "
                    f"{', '.join(n.app_versions) or '-'})"
                    for n in new
                )
                or "none"
            ),
        },
    )


ingest_telemetry_job = dg.define_asset_job(
    "ingest_telemetry_job",
    selection=dg.AssetSelection.assets(ingest_telemetry_asset),
    description="Load new Collector JSONL into ClickHouse.",
)

ingest_telemetry_schedule = dg.ScheduleDefinition(
    name="ingest_telemetry_every_5_minutes",
    job=ingest_telemetry_job,
    cron_schedule="*/5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Ingest the Collector's new JSONL every five minutes.",
)

defs = dg.Definitions(
    assets=[ingest_telemetry_asset],
    jobs=[ingest_telemetry_job],
    schedules=[ingest_telemetry_schedule],
)
