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
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
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
# Each panel reads small tables; one thread keeps the tail short on a busy machine, and
# compiling expressions to machine code (done from their third use, ~10-30 ms each time a new
# filter combination shows up) costs far more than it saves on a few thousand rows.
QUERY_SETTINGS = {
    "max_threads": 1,
    "compile_expressions": 0,
    "compile_aggregate_expressions": 0,
    "compile_sort_description": 0,
}
# A ClickHouse server is only read: readonly=2 forbids writes but lets the client set settings.
READ_ONLY = {"readonly": 2, "session_timezone": "UTC"}
Row = dict[str, Any]
# The answers of a published generation kept for the same queries again (filter_values, a
# page opened again): up to this many rows in all (a few tens of MB at most).
CACHED_ROWS = 200_000
# A published table is loaded into memory as it is; a daily one with its days back as the Date
# the panels compare them with (Parquet keeps Date32), in day order.
LOAD = "CREATE TABLE {t:Identifier} ENGINE = Memory AS SELECT * FROM file({path:String}, Parquet)"
LOAD_DAILY = (
    "CREATE TABLE {t:Identifier} ENGINE = Memory AS "
    "SELECT * REPLACE (toDate(day) AS day) FROM file({path:String}, Parquet) ORDER BY day"
)


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
    """The table of the last ``FROM <table>`` followed by a ``WHERE`` line in ``sql``."""
    tables = re.findall(r"\bFROM\s+(\w+)\s*\n\s*WHERE", sql)
    return tables[-1] if tables else ""


def filtered_query(
    name: str, filters: Mapping[str, Sequence[str]]
) -> tuple[str, dict[str, Any], list[str]]:
    """The query ``name`` with ``filters`` appended as parameterised conditions at each
    ``/*filters*/`` marker (those the marker's table has columns for): its text, the filter
    parameters, and the filter columns no marker's table can apply (ignored)."""
    first, *pieces = panel_queries()[name].split(FILTER_MARKER)
    active = {col: list(values) for col, values in sorted(filters.items()) if values}
    unknown = [column for column in active if column not in DIMENSIONS]
    if unknown:
        raise ValueError(f"not a filter column: {unknown[0]!r}")
    text, applied = first, set()
    params: dict[str, Any] = {}
    for piece in pieces:
        known = _table_columns().get(_table_of(text), frozenset())
        for index, column in enumerate(active):
            if column not in known:
                continue
            # only parameter names are added to the text: the column and the values are
            # parameters
            col_param, val_param = "f_" + str(index), "v_" + str(index)
            params[col_param], params[val_param] = column, active[column]
            applied.add(column)
            text += " AND {" + col_param + ":Identifier} IN {" + val_param + ":Array(String)}"
        text += piece
    ignored = sorted(c for c in active if c not in applied)
    return text, params, ignored


def _frozen(parameters: Mapping[str, Any]) -> Hashable:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in parameters.items()))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _plain_records(records: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """``records`` with their dates and times as ISO text (a column and a distinct value at a
    time: a panel can return thousands of rows over a few hundred days)."""
    columns = list(zip(*records, strict=True))
    for index, column in enumerate(columns):
        sample = next((value for value in column if value is not None), None)
        if isinstance(sample, date):
            text = {value: _plain(value) for value in set(column)}
            columns[index] = tuple(map(text.__getitem__, column))
    return list(zip(*columns, strict=True))


Answer = tuple[Sequence[str], Sequence[Sequence[Any]]]


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

    def _answer(self, sql: str, parameters: dict[str, Any]) -> Answer:
        """Column names and rows (dates and times as text) of ``sql``, with the lock held."""
        result = self._client().query(
            self._text(sql), parameters=parameters, settings=QUERY_SETTINGS
        )
        return result.column_names, _plain_records(result.result_rows)

    def rows(
        self, name: str, params: Mapping[str, Any], filters: Mapping[str, Sequence[str]]
    ) -> list[Row]:
        """Rows of panel ``name`` under ``filters``, as plain values (new dicts each call)."""
        sql, extra, _ = filtered_query(name, filters)
        with self._lock:
            columns, records = self._answer(sql, {**params, **extra})
        return [dict(zip(columns, row, strict=True)) for row in records]

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
    """The published Parquet files in an in-memory chDB of this process (embedded engine).

    A generation never changes: answers are kept per query text and parameters (the latest, up
    to CACHED_ROWS rows in all) until the next generation is loaded."""

    def __init__(self, root: Path | None = None) -> None:
        self._link = data_link(root)
        self._lock = threading.Lock()
        self._engine: Warehouse | None = None
        self._generation: Path | None = None
        self._kept: OrderedDict[Hashable, Answer] = OrderedDict()
        self._kept_rows = 0

    def describe(self) -> str:
        return f"published data {self._generation or self._link}"

    def close(self) -> None:
        """Close the in-memory engine (its tables go; the next request loads them again)."""
        with self._lock:
            if self._engine is not None:
                self._engine.close()
            self._engine, self._generation = None, None

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

    def _answer(self, sql: str, parameters: dict[str, Any]) -> Answer:
        client = self._client()  # loads a new generation, which empties the cache
        key: Hashable = (sql, _frozen(parameters))
        answer = self._kept.get(key)
        if answer is not None:
            self._kept.move_to_end(key)
            return answer
        result = client.query(sql, parameters=parameters, settings=QUERY_SETTINGS)
        answer = result.column_names, _plain_records(result.result_rows)
        self._kept[key] = answer
        self._kept_rows += len(answer[1])
        while self._kept_rows > CACHED_ROWS:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._kept_rows -= len(dropped)
        return answer

    def _load(self, engine: Warehouse, generation: Path) -> None:
        _check_generation(engine, generation)
        for table in (*TABLES, "session_usage"):
            path = str(generation / f"{table}.parquet")
            daily = "day" in _file_columns(engine, path)
            engine.command("DROP TABLE IF EXISTS {t:Identifier}", parameters={"t": table})
            engine.command(LOAD_DAILY if daily else LOAD, parameters={"t": table, "path": path})
        # One session's requests are read from the file when asked for (row groups are
        # skipped by session_id), not held in memory.
        engine.command("DROP TABLE IF EXISTS session_requests")
        engine.command(
            "CREATE TABLE session_requests AS file({path:String}, Parquet)",
            parameters={"path": str(generation / "session_requests.parquet")},
        )
        self._generation = generation
        self._kept.clear()
        self._kept_rows = 0


def _file_columns(engine: Warehouse, path: str) -> list[str]:
    rows = engine.query_rows("DESCRIBE file({path:String}, Parquet)", parameters={"path": path})
    return [row[0] for row in rows]


def _check_generation(engine: Warehouse, generation: Path) -> None:
    """A generation published by an older version (a file or a column the page reads missing)
    answers with what to run instead of failing every page."""
    missing = [n for n in published_names() if not (generation / f"{n}.parquet").exists()]
    sessions = generation / "session_usage.parquet"
    if not missing and "session_key" not in _file_columns(engine, str(sessions)):
        missing = ["session_usage.session_key"]
    if missing:
        raise FileNotFoundError(
            f"{generation} has no {', '.join(missing)} (published by an older version): "
            "run `cc-pipeline rollup` to publish the dashboard's data again"
        )


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
