"""The dashboard's named queries (``sql/dashboard/queries.sql``) and running them."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from cc_pipeline import sqlfiles

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


@cache
def named_queries() -> dict[str, str]:
    text = sqlfiles.load("dashboard/queries.sql")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.MULTILINE)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


# The panels read small month-partitioned rollups (a few thousand rows a month): one thread
# answers as fast as several and keeps the tail short when the machine is busy.
QUERY_SETTINGS = {"max_threads": 1}


def run_query(client: Warehouse, name: str, since: date) -> list[dict[str, Any]]:
    """Rows of the named dashboard query over the days from ``since``, as plain values."""
    result = client.query(
        named_queries()[name], parameters={"since": since}, settings=QUERY_SETTINGS
    )
    return [
        {col: _plain(v) for col, v in zip(result.column_names, row, strict=True)}
        for row in result.result_rows
    ]


def dashboard_data(client: Warehouse, since: date) -> dict[str, list[dict[str, Any]]]:
    return {name: run_query(client, name, since) for name in named_queries()}
