"""The built wheel is the whole program: installed into a new virtualenv (dependencies at the
versions of constraints.txt), ``cc-pipeline`` works from an empty folder with no checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.otlp_files import expected_totals, fixture_requests, write_jsonl

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.integration


def run(cmd: list[str], timeout: float, **kw: Any) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def without_checkout(env: dict[str, str]) -> dict[str, str]:
    """The environment minus anything that would let Python find the checkout."""
    return {k: v for k, v in env.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources in which a developer's generated files lie:
    a docker/.env with passwords, another *.env and collector output."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("cc_pipeline", "sql", "docker"):
        shutil.copytree(ROOT / name, src / name, symlinks=True, ignore=skip)
    (src / "docker" / ".env").write_text("CLICKHOUSE_WRITER_PASSWORD=not-for-the-wheel\n")
    (src / "docker" / "local.env").write_text("CLICKHOUSE_READER_PASSWORD=nor-this\n")
    (src / "docker" / "otel-output" / "otel.jsonl").write_text("{}\n")
    out = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
        timeout=300,
        env=without_checkout(dict(os.environ)),
    )
    (built,) = out.glob("cc_pipeline-*.whl")
    return built


def test_wheel_carries_the_sql_and_docker_files_as_copies_and_no_secrets(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for migration in sorted((ROOT / "sql" / "migrations").glob("*.sql")):
            entry = f"cc_pipeline/sql/migrations/{migration.name}"
            assert entry in names, entry
            assert archive.read(entry) == migration.read_bytes(), entry
        for source in ("compose.yaml", "otel-collector/config.yaml"):
            entry = f"cc_pipeline/docker/{source}"
            assert archive.read(entry) == (ROOT / "docker" / source).read_bytes(), entry
        for entry in (
            "cc_pipeline/py.typed",
            "cc_pipeline/transcripts/prices.json",
            "cc_pipeline/dashboard/static/uPlot.iife.min.js",
            "cc_pipeline/docker/clickhouse/users.d/cc_reader.xml",
        ):
            assert entry in names, entry
    docker_entries = {n for n in names if n.startswith("cc_pipeline/docker/")}
    assert not [n for n in names if Path(n).name == ".env" or "otel-output" in n]
    assert [n for n in docker_entries if n.endswith(".env")] == ["cc_pipeline/docker/example.env"]


def test_installed_wheel_runs_demo_ingest_and_sql_from_an_empty_folder(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    # --no-compile: byte-compiling all of dagster, pandas and pyarrow up front costs a third
    # of the install; the commands below compile what they import.
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile"]
    started = time.monotonic()
    run(
        [*pip, "-c", str(ROOT / "constraints.txt"), str(wheel)],
        timeout=900,
        env=without_checkout(dict(os.environ)),
    )
    print(f"wheel and dependencies installed in {time.monotonic() - started:.0f}s")

    empty = tmp_path / "empty"
    empty.mkdir()
    user = tmp_path / "user"
    env = without_checkout(dict(os.environ))
    env |= {
        "HOME": str(user),
        "CC_PIPELINE_HOME": str(user / "state"),
        "CLAUDE_CONFIG_DIR": str(user / "claude"),
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
    }

    def cli(*args: str) -> str:
        command = [str(venv / "bin" / "cc-pipeline"), *args]
        return run(command, timeout=600, cwd=empty, env=env).stdout

    def otel_logs() -> int:
        (row,) = json.loads(cli("sql", "SELECT count() FROM otel_logs", "--format", "json"))
        return int(next(iter(row.values())))

    where = run(
        [str(venv / "bin" / "python"), "-c", "import cc_pipeline; print(cc_pipeline.__file__)"],
        timeout=60,
        cwd=empty,
        env=env,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    cli("demo")
    after_demo = otel_logs()
    assert after_demo > 0
    usage_days = cli("sql", "SELECT count() FROM usage_daily", "--format", "json")
    assert int(next(iter(json.loads(usage_days)[0].values()))) > 0

    # The real Claude Code run of tests/fixtures as the Collector's file exporter writes it.
    requests = fixture_requests()
    source = write_jsonl(tmp_path / "otlp" / "otel.jsonl", [body for _, body in requests]).parent
    report = cli("ingest", "--source", str(source))
    expected = expected_totals(requests)["logs"]
    assert expected > 0
    assert re.search(rf"^otel_logs +\+{expected} rows$", report, re.MULTILINE), report
    assert otel_logs() - after_demo == expected
    assert list(empty.iterdir()) == []
