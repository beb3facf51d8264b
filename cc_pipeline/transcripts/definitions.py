"""Dagster face of the transcript backfill: the transcript_* assets, their job and schedule.

transcript_entries sits downstream of every transcript root (``transcript_root_*``) and is
loaded when one is observed with new bytes (see ``cc_pipeline.automation``); the job can be
launched by hand with other roots, and the schedule is the backstop.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from pydantic import Field

from cc_pipeline import automation, catalog
from cc_pipeline.health.sources import TRANSCRIPT_ROOTS
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.serve import WRITER_POOL
from cc_pipeline.warehouse.assets import asset_specs

GROUP = catalog.TRANSCRIPTS
FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=24), warn_window=timedelta(hours=6)
)


class TranscriptBackfillConfig(dg.Config):
    roots: list[str] | None = Field(
        default=None,
        description="Claude config folders to read; default CLAUDE_CONFIG_DIR, else "
        "~/.config/claude and ~/.claude.",
    )
    since: str | None = Field(
        default=None,
        description="Optional YYYY-MM-DD: skip transcripts not modified since then (they stay "
        "unread).",
    )
    prices_file: str | None = Field(
        default=None,
        description="Optional price file laid over the shipped table (default CC_PIPELINE_PRICES).",
    )
    machine: str | None = Field(
        default=None,
        description="Machine label every loaded line carries (default: the host name of the run).",
    )


def _specs() -> list[dg.AssetSpec]:
    """The catalog's specs; the tables read by no other transcript table sit downstream of
    the transcript roots. Loaded when a root has new bytes."""
    specs = []
    for spec in asset_specs(GROUP):
        if not spec.deps:
            spec = spec.merge_attributes(deps=list(TRANSCRIPT_ROOTS))
        specs.append(
            spec.replace_attributes(
                automation_condition=automation.ingest_condition(),
                freshness_policy=FRESHNESS,
                skippable=True,
            )
        )
    return specs


@dg.multi_asset(
    name="backfill_transcripts",
    specs=_specs(),
    check_specs=[
        dg.AssetCheckSpec(
            "every_model_priced",
            asset="transcript_requests",
            description="Every model with tokens has a price (WARN lists the unpriced ones).",
        ),
        dg.AssetCheckSpec(
            "no_lines_quarantined",
            asset="transcript_entries",
            description="Every line read by this run was loadable and well typed.",
        ),
    ],
    pool=WRITER_POOL,
)
def backfill_transcripts_asset(
    context: dg.AssetExecutionContext,
    config: TranscriptBackfillConfig,
    clickhouse: ClickHouseResource,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Load Claude Code session transcripts into transcript_entries, exactly once.

    Reads only new bytes and new files (per-file cursors), stores metadata only (never
    prompts, responses, code or tool output) and counts requests like ccusage 20 in the
    transcript_requests view. Progress (files and MB) goes to the run log; the metadata
    holds totals per model over everything loaded.
    """
    from cc_pipeline.files.loader import quarantine_of_run
    from cc_pipeline.transcripts.backfill import backfill_transcripts
    from cc_pipeline.transcripts.discovery import parse_roots

    roots = parse_roots(",".join(config.roots)) if config.roots else None
    since = date.fromisoformat(config.since) if config.since else None
    last_logged = [0]
    files_done: set[str] = set()

    def progress(done: int, total: int, path: str) -> None:
        files_done.add(path)
        if done - last_logged[0] >= 64 << 20 or done == total:
            last_logged[0] = done
            context.log.info(
                f"{done / 2**20:.1f} of {total / 2**20:.1f} MB read, "
                f"{len(files_done)} file(s) loaded so far"
            )

    prices = Path(config.prices_file) if config.prices_file else None
    with clickhouse.connect(on_wait=context.log.info) as client:
        summary = backfill_transcripts(
            client,
            roots,
            since=since,
            prices=prices,
            progress=progress,
            log=context.log.info,
            machine=config.machine,
        )
        reasons = quarantine_of_run(client, "transcripts", summary.ranges)
    context.log.info(
        f"read {summary.files_read} of {summary.files_seen} file(s), "
        f"{summary.bytes_read / 2**20:.1f} MB, +{summary.entries} lines, "
        f"{summary.quarantined} quarantined, in {summary.seconds:.1f}s"
    )
    per_model = {
        m.model or "(none)": {
            "requests": m.requests,
            "input_tokens": m.input_tokens,
            "output_tokens": m.output_tokens,
            "cache_creation_tokens": m.cache_creation_tokens,
            "cache_read_tokens": m.cache_read_tokens,
            "cost_usd": None if m.cost_usd is None else round(m.cost_usd, 6),
        }
        for m in summary.models
    }
    total_cost = sum(m.cost_usd or 0.0 for m in summary.models)
    if summary.bytes_read:  # nothing new: nothing materialized, nothing downstream runs
        yield dg.MaterializeResult(
            asset_key="transcript_entries",
            metadata={
                "lines_added": dg.MetadataValue.int(summary.entries),
                "files_read": dg.MetadataValue.int(summary.files_read),
                "files_seen": dg.MetadataValue.int(summary.files_seen),
                "bytes_read": dg.MetadataValue.int(summary.bytes_read),
                "lines_quarantined": dg.MetadataValue.int(summary.quarantined),
                "compact_seconds": dg.MetadataValue.float(round(summary.compact_seconds, 3)),
                "roots": dg.MetadataValue.text(", ".join(summary.roots) or "-"),
            },
        )
        yield dg.MaterializeResult(
            asset_key="transcript_requests",
            metadata={
                "requests": dg.MetadataValue.int(sum(m.requests for m in summary.models)),
                "cost_usd": dg.MetadataValue.float(round(total_cost, 6)),
                "totals_per_model": dg.MetadataValue.json(per_model),
                "prices": dg.MetadataValue.text("; ".join(summary.price_sources)),
            },
        )
    yield dg.AssetCheckResult(
        check_name="every_model_priced",
        asset_key="transcript_requests",
        passed=not summary.unpriced,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "unpriced_models": dg.MetadataValue.md(
                "\n".join(f"- {m}: {n} requests, {t} tokens" for m, n, t in summary.unpriced)
                or "none"
            )
        },
    )
    yield dg.AssetCheckResult(
        check_name="no_lines_quarantined",
        asset_key="transcript_entries",
        passed=not reasons,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "lines_quarantined": dg.MetadataValue.int(sum(n for _, n in reasons)),
            "byte_ranges_read": dg.MetadataValue.int(len(summary.ranges)),
            "reasons": dg.MetadataValue.md(
                "\n".join(f"- {reason}: {n}" for reason, n in reasons[:10]) or "none"
            ),
        },
    )


backfill_transcripts_job = dg.define_asset_job(
    "backfill_transcripts_job",
    selection=dg.AssetSelection.assets(backfill_transcripts_asset),
    description="Load Claude Code transcripts (usage history before telemetry) into ClickHouse. "
    "Runs when a transcript root has new bytes; launch by hand with config roots, since.",
)

backfill_transcripts_schedule = automation.backstop_schedule(
    name="backfill_transcripts_every_15_minutes",
    job=backfill_transcripts_job,
    cron="*/15 * * * *",
    description="Backstop: load new transcript lines every fifteen minutes, whatever the "
    "source sensor saw (skipped while a load is queued or running).",
)

defs = dg.Definitions(
    assets=[backfill_transcripts_asset],
    jobs=[backfill_transcripts_job],
    schedules=[backfill_transcripts_schedule],
)
