"""The file sources as Dagster assets, and the sensors that observe them.

``otel_collector_files`` (the collector's output folder, downstream of ``otel_collector``) and
one ``transcript_root_*`` per Claude Code config folder are observable source assets: the
lineage starts at them. Their sensors list the folders and read the cursor files (see
``cc_pipeline.sources``); they never open the embedded database. An observation is recorded
only when a source holds bytes past its cursors that were not seen before: that is what the
ingestion's automation condition waits for.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import dagster as dg

from cc_pipeline import automation, sources
from cc_pipeline.health.sensors import COLLECTOR_ASSET

DATA_VERSION_TAG = "dagster/data_version"
COLLECTOR_FILES = dg.AssetKey(sources.COLLECTOR_FILES)
TRANSCRIPT_ROOTS: dict[str, Path] = sources.transcript_roots()


def backlog_metadata(backlog: sources.Backlog) -> dict[str, dg.MetadataValue]:
    """What an observation shows: bytes and files waiting, totals, the newest file's time."""
    newest = (
        datetime.fromtimestamp(backlog.newest_mtime, tz=UTC).isoformat()
        if backlog.newest_mtime is not None
        else "-"
    )
    return {
        "bytes_waiting": dg.MetadataValue.int(backlog.bytes_waiting),
        "files_waiting": dg.MetadataValue.int(backlog.files_waiting),
        "files": dg.MetadataValue.int(backlog.files),
        "bytes_total": dg.MetadataValue.int(backlog.bytes_total),
        "newest_file_time": dg.MetadataValue.text(newest),
        "folder": dg.MetadataValue.path(backlog.folder),
    }


def _observe_result(key: dg.AssetKey, backlog: sources.Backlog) -> dg.ObserveResult:
    return dg.ObserveResult(
        asset_key=key,
        data_version=dg.DataVersion(backlog.version()),
        metadata=backlog_metadata(backlog),
    )


# Observable source assets are marked beta in Dagster 1.13; they are what makes the
# lineage start at the files and their observations count as updates for automation.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)

    @dg.multi_observable_source_asset(
        specs=[
            dg.AssetSpec(
                COLLECTOR_FILES,
                deps=[COLLECTOR_ASSET],
                group_name="sources",
                kinds={"file"},
                description="The collector's JSONL output folder (CC_PIPELINE_TELEMETRY_DIR): "
                "bytes and files not yet ingested, newest file time.",
            )
        ],
        name="observe_collector_files",
    )
    def collector_files() -> Iterator[dg.ObserveResult]:
        """Observe the collector output folder (what the ingestion has not read yet)."""
        yield _observe_result(COLLECTOR_FILES, sources.collector_backlog())

    @dg.multi_observable_source_asset(
        specs=[
            dg.AssetSpec(
                key,
                group_name="sources",
                kinds={"file"},
                description=f"Claude Code transcripts under {root}/projects: bytes and files not "
                "yet loaded, newest file time.",
            )
            for key, root in TRANSCRIPT_ROOTS.items()
        ],
        name="observe_transcript_roots",
    )
    def transcript_roots() -> Iterator[dg.ObserveResult]:
        """Observe every transcript root (what the backfill has not read yet)."""
        for key, root in TRANSCRIPT_ROOTS.items():
            yield _observe_result(dg.AssetKey(key), sources.transcript_backlog(root))


def _seen(cursor: str | None) -> dict[str, str]:
    try:
        seen = json.loads(cursor or "{}")
    except ValueError:
        return {}
    return seen if isinstance(seen, dict) else {}


def observe(
    backlogs: Mapping[str, Callable[[], sources.Backlog]], cursor: str | None
) -> dg.SensorResult:
    """Observations of the sources with unread bytes not seen at the previous look.

    The cursor holds each source's last data version, so a source whose backlog did not move
    (or is empty) records nothing and triggers no ingestion.
    """
    seen = _seen(cursor)
    events = []
    for key, look in backlogs.items():
        backlog = look()
        version = backlog.version()
        if backlog.bytes_waiting > 0 and seen.get(key) != version:
            events.append(
                dg.AssetObservation(
                    asset_key=key,
                    metadata=backlog_metadata(backlog),
                    tags={DATA_VERSION_TAG: version},
                )
            )
        seen[key] = version
    return dg.SensorResult(asset_events=events, cursor=json.dumps(seen, sort_keys=True))


Looks = dict[str, Callable[[], sources.Backlog]]


def observing_sensor(
    name: str, every_s: int, description: str, looks: Callable[[], Looks]
) -> dg.SensorDefinition:
    """A sensor, on by default, that records an observation of each source asset whose
    backlog ``looks`` finds changed."""

    @dg.sensor(
        name=name,
        minimum_interval_seconds=every_s,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=description,
    )
    def _observe(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        return observe(looks(), context.cursor)

    return _observe


def _collector_looks() -> Looks:
    return {sources.COLLECTOR_FILES: sources.collector_backlog}


def _transcript_looks() -> Looks:
    return {
        key: partial(sources.transcript_backlog, root) for key, root in TRANSCRIPT_ROOTS.items()
    }


observe_collector_output = observing_sensor(
    "observe_collector_output",
    automation.ingest_every_s(),
    "Looks at the collector output folder (listing and cursor file only, never the database) "
    "and records an observation of otel_collector_files when unread bytes appear.",
    _collector_looks,
)
observe_transcript_folders = observing_sensor(
    "observe_transcript_folders",
    automation.transcripts_every_s(),
    "Looks at every transcript root (listing and cursor file only, never the database) and "
    "records an observation when unread transcript bytes appear.",
    _transcript_looks,
)
