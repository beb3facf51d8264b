"""The code location loads the way `dagster dev -w workspace.yaml` loads it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from cc_pipeline import catalog
from cc_pipeline.definitions import defs

ROOT = Path(__file__).resolve().parent.parent


def test_workspace_validates(tmp_path):
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path))
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            str(ROOT / "workspace.yaml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful for code location cc_pipeline.definitions" in (
        done.stdout + done.stderr
    )


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


def test_every_table_asset_comes_from_the_catalog_with_its_group_and_deps():
    specs = _specs()
    tables = {key: spec for key, spec in specs.items() if "dagster/table_name" in spec.metadata}
    assert set(tables) == {r.name for r in catalog.CATALOG if r.asset}
    for name, spec in tables.items():
        relation = catalog.get(name)
        assert spec.group_name == relation.group
        assert spec.description == relation.description
        assert {dep.asset_key.to_user_string() for dep in spec.deps} == set(
            catalog.asset_deps(name)
        )
    assert {dep.asset_key.to_user_string() for dep in specs["dashboard"].deps} == set(
        catalog.dashboard_inputs()
    )


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
