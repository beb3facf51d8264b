"""Where a served page's numbers come from, and running the panel queries with the filters.

- ``PublishedSource`` (embedded engine): the Parquet files the pipeline publishes
  (``publish.py``), loaded into an in-memory chDB inside this process. It never opens the
  embedded database, so the pipeline never waits for a reader; a new generation is loaded on
  the first request after it appears.
- ``LiveSource`` (a ClickHouse server, or a client the caller already holds): the live tables,
  the published views of ``usage_requests`` as subqueries; on a server, read-only.

Every value travels as a query parameter; column names only from ``DIMENSIONS``, as
``Identifier`` parameters.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cc_pipeline import catalog, sqlfiles
from cc_pipeline.dashboard.publish import TABLES, data_link, derived_queries, published_names
from cc_pipeline.warehouse.client import Warehouse

if TYPE_CHECKING:
    from cc_pipeline.budgets.evaluate import Evaluation
    from cc_pipeline.resources.connection import ClickHouseConnection

# The attribution columns a page can be filtered and split by (the allow-list).
DIMENSIONS = (
    "team", "user_id", "project", "repo", "branch", "model", "agent", "skill", "mcp_server",
    "machine", "department", "cost_center", "user_email", "provider", "plugin",
)  # fmt: skip
FILTER_MARKER = "/*filters*/"
# Each panel reads small tables; one thread keeps the tail short on a busy machine.
QUERY_SETTINGS = {"max_threads": 2}
# A ClickHouse server is only read: readonly=2 forbids writes but lets the client set settings.
READ_ONLY = {"readonly": 2, "session_timezone": "UTC"}
Row = dict[str, Any]


@cache
def panel_queries() -> dict[str, str]:
    """The panels' named queries (``sql/dashboard/panels.sql``)."""
    text = sqlfiles.load("dashboard/panels.sql")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.MULTILINE)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


@cache
def _table_columns() -> dict[str, frozenset[str]]:
    columns = {r.name: frozenset(c.name for c in r.columns) for r in catalog.CATALOG}
    everything = frozenset(DIMENSIONS)
    return {**columns, **{name: everything for name in derived_queries()}}


def _table_of(sql: str) -> str:
    match = re.search(r"\bFROM\s+(\w+)\s*\n\s*WHERE", sql)
    return match.group(1) if match else ""


def filtered_query(
    name: str, filters: Mapping[str, Sequence[str]]
) -> tuple[str, dict[str, Any], list[str]]:
    """The query ``name`` with ``filters`` appended as parameterised conditions: its text,
    the filter parameters, and the filter columns its table cannot apply (ignored)."""
    before, marker, after = panel_queries()[name].partition(FILTER_MARKER)
    active = {col: list(values) for col, values in filters.items() if values}
    if not marker:
        return before, {}, sorted(active)
    known = _table_columns().get(_table_of(before), frozenset())
    params: dict[str, Any] = {}
    conditions = ""
    for index, (column, values) in enumerate(sorted(active.items())):
        if column not in DIMENSIONS:
            raise ValueError(f"not a filter column: {column!r}")
        if column not in known:
            continue
        # only parameter names are added to the text: the column and the values are parameters
        col_param, val_param = "f_" + str(index), "v_" + str(index)
        params[col_param], params[val_param] = column, values
        conditions += " AND {" + col_param + ":Identifier} IN {" + val_param + ":Array(String)}"
    ignored = sorted(c for c in active if c not in known)
    return before + conditions + after, params, ignored


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


class Source(Protocol):
    """What a page reads: panel rows and budget states."""

    def rows(
        self, name: str, params: Mapping[str, Any], filters: Mapping[str, Sequence[str]]
    ) -> list[Row]: ...

    def budgets(self) -> list[Evaluation]: ...

    def describe(self) -> str: ...


class _Base:
    _lock: threading.Lock

    def _client(self) -> Warehouse:
        raise NotImplementedError

    def _text(self, sql: str) -> str:
        return sql

    def rows(
        self, name: str, params: Mapping[str, Any], filters: Mapping[str, Sequence[str]]
    ) -> list[Row]:
        """Rows of panel ``name`` under ``filters``, as plain values."""
        sql, extra, _ = filtered_query(name, filters)
        with self._lock:
            result = self._client().query(
                self._text(sql), parameters={**params, **extra}, settings=QUERY_SETTINGS
            )
        return [
            {col: _plain(v) for col, v in zip(result.column_names, row, strict=True)}
            for row in result.result_rows
        ]

    def budgets(self) -> list[Evaluation]:
        """The budgets of ``budgets.yaml`` evaluated now on this source's ``usage_daily``;
        BudgetError names the file and the problem (its ``where`` columns are checked too)."""
        from cc_pipeline.budgets.config import check_columns, load_budgets
        from cc_pipeline.budgets.evaluate import evaluate_budgets

        budgets = load_budgets()
        if not budgets:
            return []
        with self._lock:
            client = self._client()
            check_columns(client, budgets)
            return evaluate_budgets(client, budgets)


class PublishedSource(_Base):
    """The published Parquet files in an in-memory chDB of this process (embedded engine)."""

    def __init__(self, root: Path | None = None) -> None:
        self._link = data_link(root)
        self._lock = threading.Lock()
        self._engine: Warehouse | None = None
        self._generation: Path | None = None

    def describe(self) -> str:
        return f"published data {self._generation or self._link}"

    def _client(self) -> Warehouse:
        # called with the lock held
        if self._engine is None:
            import clickhouse_connect

            raw = clickhouse_connect.get_client(
                interface="chdb", settings={"session_timezone": "UTC"}
            )
            self._engine = Warehouse(raw, embedded=True)
        current = self._link.resolve() if self._link.exists() else None
        if current is None:
            raise FileNotFoundError(
                f"no published dashboard data at {self._link}: run `cc-pipeline rollup` first"
            )
        if current != self._generation:
            self._load(self._engine, current)
        return self._engine

    def _load(self, engine: Warehouse, generation: Path) -> None:
        missing = [n for n in published_names() if not (generation / f"{n}.parquet").exists()]
        if missing:
            raise FileNotFoundError(
                f"{generation} has no {', '.join(missing)} (published by an older version): "
                "run `cc-pipeline rollup` to publish the dashboard's data again"
            )
        for table in (*TABLES, "session_usage"):
            engine.command("DROP TABLE IF EXISTS {t:Identifier}", parameters={"t": table})
            engine.command(
                "CREATE TABLE {t:Identifier} ENGINE = Memory AS "
                "SELECT * FROM file({path:String}, Parquet)",
                parameters={"t": table, "path": str(generation / f"{table}.parquet")},
            )
        # One session's requests are read from the file when asked for (row groups are
        # skipped by session_id), not held in memory.
        engine.command("DROP TABLE IF EXISTS session_requests")
        engine.command(
            "CREATE TABLE session_requests AS file({path:String}, Parquet)",
            parameters={"path": str(generation / "session_requests.parquet")},
        )
        self._generation = generation


class LiveSource(_Base):
    """The live tables through a client: a ClickHouse server (read-only), or one already open."""

    def __init__(self, client: Warehouse, owner: ClickHouseConnection | None = None) -> None:
        self._warehouse = client
        self._lock = threading.Lock()
        self._owner = owner

    @classmethod
    def server(cls, connection: ClickHouseConnection) -> LiveSource:
        """A read-only client of the ClickHouse server ``connection`` describes."""
        raw = connection.http_client(READ_ONLY, connection.database)
        return cls(Warehouse(raw, embedded=False), connection)

    def describe(self) -> str:
        return self._owner.describe() if self._owner else "live tables"

    def _client(self) -> Warehouse:
        return self._warehouse

    def _text(self, sql: str) -> str:
        views = [
            name + " AS (" + select + "\n)"
            for name, select in derived_queries().items()
            if re.search(rf"\b{name}\b", sql)
        ]
        return "WITH " + ", ".join(views) + "\n" + sql if views else sql
