"""Publish what the served dashboard reads as Parquet files, so it never opens the database.

After each refresh the pipeline writes the tables the page reads (the rollups and
``rate_limit_observations``), and two views of ``usage_requests``
(``sql/dashboard/publish.sql``), into a new folder ``CC_PIPELINE_HOME/dashboard/data-<ns>/``
(first under a temporary name, renamed when every file is written), then points the symlink
``dashboard/data`` at it with an atomic rename. A reader resolves the link once and sees one
whole generation; the previous one is kept for a reader still on it, older ones are removed.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from cc_pipeline import settings, sqlfiles

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# The tables the panels read, published as they are: the rollups and the rate limits the
# status line recorded (tests/test_catalog.py holds this against sql/dashboard/panels.sql).
TABLES = (
    "usage_daily",
    "session_days",
    "tool_usage_daily",
    "api_health_daily",
    "rate_limit_observations",
)
GENERATION_PREFIX = "data-"
KEEP_GENERATIONS = 2
WRITE_SETTINGS = {
    "engine_file_truncate_on_insert": 1,
    "output_format_parquet_compression_method": "lz4",
}


@cache
def derived_queries() -> dict[str, str]:
    """The named views of ``usage_requests`` the pipeline publishes (name -> SELECT)."""
    text = sqlfiles.load("dashboard/publish.sql")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.MULTILINE)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def published_names() -> tuple[str, ...]:
    """Every relation a generation holds, one ``<name>.parquet`` file each."""
    return TABLES + tuple(derived_queries())


def dashboard_dir() -> Path:
    """``CC_PIPELINE_HOME/dashboard``: the static page and the published data."""
    return settings.home() / "dashboard"


def data_link(root: Path | None = None) -> Path:
    """The symlink to the current generation of published data."""
    return (root or dashboard_dir()) / "data"


def _write(client: Warehouse, folder: Path) -> None:
    insert = "INSERT INTO FUNCTION file({path:String}, 'Parquet') "
    for table in TABLES:
        client.command(
            insert + "SELECT * FROM {table:Identifier}",
            parameters={"path": str(folder / f"{table}.parquet"), "table": table},
            settings=WRITE_SETTINGS,
        )
    for name, select in derived_queries().items():
        client.command(
            insert + select,
            parameters={"path": str(folder / f"{name}.parquet")},
            settings=WRITE_SETTINGS,
        )


def _prune(root: Path, current: Path) -> None:
    generations = sorted(p for p in root.glob(GENERATION_PREFIX + "*") if p.is_dir())
    keep = {current, *generations[-KEEP_GENERATIONS:]}
    for old in generations:
        if old not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".tmp-*"):
        if stale.is_dir() and time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def publish_data(client: Warehouse, root: Path | None = None) -> Path:
    """Write a new generation of the dashboard's data and make it current; its folder."""
    root = root or dashboard_dir()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{GENERATION_PREFIX}{time.time_ns()}"
    staging = root / f".tmp-{name}"
    staging.mkdir()
    try:
        _write(client, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    generation = root / name
    staging.rename(generation)
    pointer = root / f".link-{name}"
    os.symlink(name, pointer)
    os.replace(pointer, data_link(root))
    _prune(root, generation)
    return generation
