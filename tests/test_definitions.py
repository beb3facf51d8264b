"""The code location loads the way `dagster dev -w workspace.yaml` loads it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

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
