"""Swap rebuilt days from a staging twin into a rollup table.

The large per-request tables (``usage_requests``, ``rollup_transcript_requests``) are
partitioned by day: a rebuilt day is its own partition. The small rollups dashboards read are
partitioned by month (``toYYYYMM(day)``), so a year is a dozen parts to open rather than
hundreds; to swap in rebuilt days, the other days of their months are first copied from the
live table into the staging twin, then the whole month is swapped. Either way readers never
see half a day, and a refresh costs at most a month of a small table per changed day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from cc_pipeline import catalog

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# Rollup tables partitioned by toYYYYMM(day); every other rollup table is partitioned by day.
# tests/rollups check this against the partition keys of the migrated schema.
MONTHLY_TABLES = catalog.names_with_grain("month")


def partition_id(table: str, day: date) -> str:
    """The partition ID holding ``day`` in ``table`` (digits only, from a date object)."""
    return day.strftime("%Y%m" if table in MONTHLY_TABLES else "%Y%m%d")


def partition_ids(client: Warehouse, table: str) -> set[str]:
    """IDs of the partitions ``table`` holds."""
    rows = client.query(
        "SELECT DISTINCT partition_id FROM system.parts WHERE database = currentDatabase() "
        "AND table = {t:String} AND active",
        parameters={"t": table},
    ).result_rows
    return {str(row[0]) for row in rows}


def swap_partitions(client: Warehouse, table: str, ids: Iterable[str]) -> None:
    """Replace each partition ``ids`` of ``table`` by the staging twin's (drop it when the
    twin has none), then empty the twin."""
    stage = f"_stage_{table}"
    staged = partition_ids(client, stage)
    for partition in sorted(set(ids)):
        if not partition.isdigit():
            raise ValueError(f"unexpected partition id {partition!r}")
        if partition in staged:
            client.replace_partition(table, partition, stage)
        else:
            client.drop_partition(table, partition)
    client.command("TRUNCATE TABLE {t:Identifier}", parameters={"t": stage})


def stage_rest_of_months(client: Warehouse, table: str, days: Iterable[date]) -> None:
    """Copy into the staging twin the rows of ``table`` in the months of ``days`` but not on
    those days, so swapping whole months keeps them."""
    wanted = sorted(set(days))
    if not wanted:
        return
    months = sorted({d.replace(day=1) for d in wanted})
    client.command(
        "INSERT INTO {stage:Identifier} SELECT * FROM {t:Identifier} "
        "WHERE toStartOfMonth(day) IN {months:Array(Date)} AND day NOT IN {days:Array(Date)} "
        "SETTINGS max_partitions_per_insert_block = 0",
        parameters={"stage": f"_stage_{table}", "t": table, "months": months, "days": wanted},
    )


def swap_days(client: Warehouse, table: str, days: Iterable[date]) -> None:
    """Move the staged rows of ``days`` into ``table`` (the staging twin holds exactly the
    rebuilt rows of those days); a day left empty ends up with no rows."""
    wanted = sorted(set(days))
    if table in MONTHLY_TABLES:
        stage_rest_of_months(client, table, wanted)
    swap_partitions(client, table, {partition_id(table, d) for d in wanted})
