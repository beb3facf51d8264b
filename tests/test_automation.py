"""Declarative automation over the real definitions: a Dagster instance, the automation
conditions evaluated as the daemon's sensor would, and the runs they ask for executed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from cc_pipeline import catalog, sources
from cc_pipeline.definitions import defs
from cc_pipeline.health.sources import observe_collector_output
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.rollups.definitions import DAYS
from tests.conftest import TRANSCRIPT_FIXTURES, scalar
from tests.otlp_files import fixture_requests, write_jsonl

ROLLUPS = {dg.AssetKey(r.name) for r in catalog.assets(catalog.ROLLUPS)}
TELEMETRY = {dg.AssetKey(r.name) for r in catalog.assets(catalog.TELEMETRY)}
TRANSCRIPTS = {dg.AssetKey(r.name) for r in catalog.assets(catalog.TRANSCRIPTS)}
DASHBOARD = dg.AssetKey("dashboard")
USAGE_REQUESTS = dg.AssetKey("usage_requests")
AUTOMATION_TAGS = {"dagster/from_automation_condition": "true"}


class Ticks:
    """Successive evaluations of every automation condition, carrying the cursor."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance
        self.cursor = None

    def tick(self) -> dict[dg.AssetKey, set[str | None]]:
        result = dg.evaluate_automation_conditions(
            defs=defs, instance=self.instance, cursor=self.cursor
        )
        self.cursor = result.cursor
        return {
            r.key: set(result.get_requested_partitions(r.key))
            for r in result.results
            if isinstance(r.key, dg.AssetKey) and r.true_subset.size
        }


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def run_requested(
    instance: dg.DagsterInstance, requested: dict[dg.AssetKey, set[str | None]], job: str
) -> None:
    """Execute what a tick asked for, as the daemon does: with the rest of each requested
    multi-asset (which runs as a whole) and tagged as the automation sensor tags its runs."""
    (partitions,) = {frozenset(p) for p in requested.values()}
    (partition,) = partitions
    graph = defs.resolve_asset_graph()
    keys = {
        key
        for requested_key in requested
        for key in graph.get(requested_key).execution_set_entity_keys
        if isinstance(key, dg.AssetKey)
    }
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance,
        asset_selection=sorted(keys),
        partition_key=partition,
        tags=AUTOMATION_TAGS,
    )
    assert result.success


def test_backfill_launched_by_hand_brings_rollups_then_dashboard_without_a_schedule(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    ticks = Ticks(instance)
    assert ticks.tick() == {}  # the first tick only records where the event log stands
    root = tmp_path / "claude-config"
    shutil.copytree(TRANSCRIPT_FIXTURES, root)

    backfill = defs.resolve_job_def("backfill_transcripts_job").execute_in_process(
        instance=instance,
        run_config={"ops": {"backfill_transcripts": {"config": {"roots": [str(root)]}}}},
    )
    assert backfill.success

    requested = ticks.tick()
    # the rollups' multi-asset runs as a whole; not the dashboard yet: it waits for them
    assert USAGE_REQUESTS in requested and set(requested) <= ROLLUPS
    assert all(p == {DAYS.get_last_partition_key()} for p in requested.values())
    run_requested(instance, requested, "refresh_rollups_job")
    with clickhouse_from_env().connect() as client:
        requests = scalar(client, "SELECT count() FROM usage_requests")
        transcript_requests = scalar(client, "SELECT count() FROM transcript_requests")
    assert requests == transcript_requests > 0

    requested = ticks.tick()
    assert requested == {DASHBOARD: {None}}
    run_requested(instance, requested, "refresh_rollups_job")
    dashboard = instance.get_latest_materialization_event(DASHBOARD)
    assert dashboard is not None
    assert dashboard.asset_materialization.metadata["requests"].value == requests

    assert ticks.tick() == {}  # settled: nothing re-triggers itself
    for key in ROLLUPS:  # the whole multi-asset ran: every rollup shows the day's status
        assert DAYS.get_last_partition_key() in instance.get_materialized_partitions(key)
    assert instance.get_runs_count(dg.RunsFilter(tags={"dagster/schedule_name": ""})) == 0


def observe_once(instance: dg.DagsterInstance, cursor: str | None) -> tuple[int, str | None]:
    """Evaluate the collector output sensor and record its observations, as the daemon does."""
    with dg.build_sensor_context(instance=instance, cursor=cursor) as context:
        result = observe_collector_output(context)
    for event in result.asset_events:
        instance.report_runless_asset_event(event)
    return len(result.asset_events), result.cursor


def test_new_collector_bytes_trigger_one_ingestion_and_the_rollups_after_it(
    instance: dg.DagsterInstance,
) -> None:
    ticks = Ticks(instance)
    ticks.tick()
    observed, cursor = observe_once(instance, None)
    assert observed == 0 and ticks.tick() == {}  # an empty folder asks for nothing

    folder = sources.collector_backlog().folder
    write_jsonl(Path(folder) / "claude-code.jsonl", [b for _, b in fixture_requests()])
    observed, cursor = observe_once(instance, cursor)
    assert observed == 1
    assert observe_once(instance, cursor)[0] == 0  # the same backlog is not observed twice
    requested = ticks.tick()
    assert set(requested) <= TELEMETRY and dg.AssetKey("otel_logs") in requested
    assert ticks.tick() == {}  # requested once, not again on the next tick
    run_requested(instance, requested, "ingest_telemetry_job")
    assert sources.collector_backlog().bytes_waiting == 0

    requested = ticks.tick()
    assert USAGE_REQUESTS in requested and set(requested) <= ROLLUPS
    run_requested(instance, requested, "refresh_rollups_job")
    assert set(ticks.tick()) == {DASHBOARD}


def test_a_run_that_reads_nothing_new_triggers_nothing_downstream(
    instance: dg.DagsterInstance,
) -> None:
    ticks = Ticks(instance)
    ticks.tick()
    result = defs.resolve_job_def("ingest_telemetry_job").execute_in_process(instance=instance)
    assert result.success
    assert ticks.tick() == {}
