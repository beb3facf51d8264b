"""Swap rebuilt day partitions from a staging twin into a rollup table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


def staged_days(client: Any, table: str) -> set[date]:
    rows = client.query(
        "SELECT DISTINCT toDate(partition) FROM system.parts WHERE database = currentDatabase() "
        "AND table = {t:String} AND active",
        parameters={"t": table},
    ).result_rows
    return {row[0] for row in rows}


def swap_days(client: Any, table: str, days: Iterable[date]) -> None:
    """Move the staged partitions of ``days`` into ``table``; drop the days left empty."""
    stage = f"_stage_{table}"
    staged = staged_days(client, stage)
    for day in days:
        partition = day.strftime("%Y%m%d")  # from a date object: digits only
        if day in staged:
            client.command(f"ALTER TABLE {table} REPLACE PARTITION ID '{partition}' FROM {stage}")
        else:
            client.command(f"ALTER TABLE {table} DROP PARTITION ID '{partition}'")
    client.command(f"TRUNCATE TABLE {stage}")
