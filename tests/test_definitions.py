"""The code location loads the way `dagster dev -w workspace.yaml` loads it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import dagster as dg

from cc_pipeline import catalog
from cc_pipeline.definitions import defs
from cc_pipeline.sources import COLLECTOR_FILES, TRANSCRIPT_ROOT_PREFIX
from tests.conftest import assert_workspace_validates

ROOT = Path(__file__).resolve().parent.parent


def test_workspace_validates(tmp_path):
    assert_workspace_validates(ROOT / "workspace.yaml", ROOT, tmp_path)


def test_schedules_and_sensors_are_on_by_default():
    schedules = list(defs.schedules or [])
    sensors = list(defs.sensors or [])
    assert schedules and sensors
    for schedule in schedules:
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING, schedule.name
    for sensor in sensors:
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING, sensor.name


def _specs() -> dict[str, dg.AssetSpec]:
    return {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}


def test_rollup_assets_show_their_contract_columns():
    specs = _specs()
    for relation in catalog.assets(catalog.ROLLUPS):
        schema = specs[relation.name].metadata["dagster/column_schema"]
        assert [(c.name, c.type, c.description) for c in schema.columns] == [
            (c.name, c.type, c.description) for c in relation.columns
        ], relation.name


def _deps(spec: dg.AssetSpec) -> set[str]:
    return {dep.asset_key.to_user_string() for dep in spec.deps}


def test_every_table_asset_comes_from_the_catalog_with_its_group_and_deps():
    specs = _specs()
    tables = {key: spec for key, spec in specs.items() if "dagster/table_name" in spec.metadata}
    assert set(tables) == {r.name for r in catalog.CATALOG if r.asset}
    sources = {key for key in specs if key.startswith(TRANSCRIPT_ROOT_PREFIX)}
    sources.add(COLLECTOR_FILES)
    for name, spec in tables.items():
        relation = catalog.get(name)
        assert spec.group_name == relation.group
        assert spec.description == relation.description
        assert _deps(spec) - sources == set(catalog.asset_deps(name))
    assert {dep.asset_key.to_user_string() for dep in specs["dashboard"].deps} == set(
        catalog.dashboard_inputs()
    )


def test_lineage_starts_at_the_collector_and_the_transcript_roots(tmp_path, monkeypatch):
    roots = [tmp_path / "work-claude", tmp_path / "home-claude"]
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", ",".join(map(str, roots)))
    code = (
        "from cc_pipeline.definitions import defs\n"
        "for s in defs.resolve_all_asset_specs():\n"
        "    print(s.key.to_user_string(), *sorted(d.asset_key.to_user_string() for d in s.deps))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    deps = {line.split()[0]: set(line.split()[1:]) for line in out.splitlines()}
    root_keys = {
        f"{TRANSCRIPT_ROOT_PREFIX}{'_'.join(r.parts[1:]).replace('-', '_')}" for r in roots
    }
    assert root_keys <= set(deps), sorted(deps)
    assert deps[COLLECTOR_FILES] == {"otel_collector"}
    for table in catalog.assets(catalog.TELEMETRY):
        assert COLLECTOR_FILES in deps[table.name]
    assert deps["transcript_entries"] == root_keys
    assert {"otel_logs", "transcript_requests"} <= deps["usage_requests"]
    assert "usage_daily" in deps["dashboard"]


def test_every_asset_that_runs_has_an_automation_condition_and_a_freshness_policy():
    for key, spec in _specs().items():
        if key == "otel_collector" or key == COLLECTOR_FILES or key.startswith("transcript_root"):
            continue  # sources are observed, never run
        assert spec.automation_condition is not None, key
        assert spec.freshness_policy is not None, key


def test_rollups_are_day_partitioned_and_backfill_in_one_run():
    rollups = defs.resolve_assets_def("usage_requests")
    assert isinstance(rollups.partitions_def, dg.DailyPartitionsDefinition)
    assert rollups.backfill_policy == dg.BackfillPolicy.single_run()
    assert set(rollups.keys) == {dg.AssetKey(r.name) for r in catalog.assets(catalog.ROLLUPS)}


def test_duplicate_ids_and_negative_values_block_downstream():
    blocking = {
        spec.name for spec in defs.resolve_assets_def("usage_requests").check_specs if spec.blocking
    }
    assert blocking == {"no_duplicate_requests", "no_negative_values"}


def test_schedules_have_no_offsets_between_them():
    crons = {s.name: s.cron_schedule for s in defs.schedules}
    assert crons["ingest_telemetry_every_5_minutes"] == "*/5 * * * *"
    assert crons["refresh_rollups_every_5_minutes"] == "*/5 * * * *"
    assert "rebuild_rollups_nightly" in crons


def test_run_config_fields_carry_descriptions_the_ui_shows():
    for job_name, op in (
        ("ingest_telemetry_job", "ingest_telemetry"),
        ("backfill_transcripts_job", "backfill_transcripts"),
        ("refresh_rollups_job", "refresh_rollups"),
    ):
        job = defs.resolve_job_def(job_name)
        config = job.run_config_schema.config_type.fields["ops"].config_type.fields[op]
        fields = config.config_type.fields["config"].config_type.fields
        assert fields, job_name
        for name, field in fields.items():
            assert field.description, f"{job_name}: {name}"


def test_no_domain_module_imports_the_cli_launcher():
    package = ROOT / "cc_pipeline"
    importers = []
    for path in package.rglob("*.py"):
        if path == package / "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [
                    f"{node.module}.{alias.name}" for alias in node.names
                ]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if "cc_pipeline.cli" in names:
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []
