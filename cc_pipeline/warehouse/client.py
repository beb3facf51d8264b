"""``Warehouse``: the project's typed face over a clickhouse-connect client.

Both engines (embedded chDB and a server over HTTP) are reached through the same
clickhouse-connect client; ``Warehouse`` says which one it is (``is_embedded``) and gives the
statements the project runs typed methods. It also answers the client calls existing code
makes (``query(...).result_rows``, ``command``, ``insert``, ``raw_insert``, ``query_df``), so
a module can move to the typed methods at its own pace. Values always travel as query
parameters (``{name:Type}``); table names go through ``{name:Identifier}`` or
``sqlfiles.identifier``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from cc_pipeline.sqlfiles import identifier

if TYPE_CHECKING:  # clickhouse-connect and pandas load only when a client is opened
    import pandas
    from clickhouse_connect.driver.client import Client
    from clickhouse_connect.driver.query import QueryResult
    from clickhouse_connect.driver.summary import QuerySummary

Parameters = Mapping[str, Any]
Settings = Mapping[str, Any]
Row = tuple[Any, ...]


class Warehouse:
    """A clickhouse-connect client bound to the project's database, with typed methods."""

    def __init__(self, client: Client, *, embedded: bool) -> None:
        self._client = client
        self._embedded = embedded

    @property
    def is_embedded(self) -> bool:
        """True for the in-process chDB engine, which shares this machine's files."""
        return self._embedded

    @property
    def raw(self) -> Client:
        """The clickhouse-connect client itself, for calls this class does not offer."""
        return self._client

    @property
    def database(self) -> str | None:
        """The database unqualified names resolve in."""
        return self._client.database

    def query_rows(
        self, sql: str, parameters: Parameters | None = None, settings: Settings | None = None
    ) -> list[Row]:
        """The rows a query returns, as tuples."""
        result = self.query(sql, parameters=parameters, settings=settings)
        return [tuple(row) for row in result.result_rows]

    def scalar(self, sql: str, parameters: Parameters | None = None) -> Any:
        """The first column of the first row a query returns (None when it returns none)."""
        rows = self.query(sql, parameters=parameters).result_rows
        return rows[0][0] if rows else None

    def query(
        self, sql: str, parameters: Parameters | None = None, settings: Settings | None = None
    ) -> QueryResult:
        """Run a query; the clickhouse-connect result (``.result_rows``, ``.column_names``)."""
        return self._client.query(sql, parameters=_dict(parameters), settings=_dict(settings))

    def command(
        self, sql: str, parameters: Parameters | None = None, settings: Settings | None = None
    ) -> str | int | Sequence[str] | QuerySummary:
        """Run a statement that returns no rows (or one value)."""
        return self._client.command(sql, parameters=_dict(parameters), settings=_dict(settings))

    def insert(
        self,
        table: str,
        rows: Sequence[Sequence[Any]],
        column_names: Sequence[str],
        settings: Settings | None = None,
    ) -> QuerySummary:
        """Insert Python rows into ``table`` (values travel typed, never as SQL text)."""
        return self._client.insert(
            table, rows, column_names=list(column_names), settings=_dict(settings)
        )

    def raw_insert(
        self,
        table: str,
        column_names: Sequence[str],
        insert_block: bytes | BinaryIO,
        fmt: str,
    ) -> QuerySummary:
        """Insert bytes already in ClickHouse format ``fmt`` (e.g. RowBinary)."""
        return self._client.raw_insert(
            table, column_names=list(column_names), insert_block=insert_block, fmt=fmt
        )

    def raw_query(self, sql: str, parameters: Parameters | None = None) -> bytes:
        """A query's output as the bytes of the format its ``FORMAT`` clause names."""
        return self._client.raw_query(sql, parameters=_dict(parameters))

    def query_df(self, sql: str, parameters: Parameters | None = None) -> pandas.DataFrame:
        """A query's rows as a pandas DataFrame."""
        return self._client.query_df(sql, parameters=_dict(parameters))

    def ping(self) -> bool:
        """True when the engine answers."""
        return self._client.ping()

    def optimize(self, table: str) -> None:
        """Merge the parts of ``table`` into one per partition (``OPTIMIZE ... FINAL``)."""
        self.command("OPTIMIZE TABLE {t:Identifier} FINAL", parameters={"t": table})

    def replace_partition(self, table: str, partition_id: str, source: str) -> None:
        """Swap partition ``partition_id`` of ``table`` for ``source``'s copy of it, atomically.

        ``source`` must have the structure of ``table`` (a staging twin)."""
        # REPLACE PARTITION's FROM accepts no {name:Identifier} parameter
        self.command(
            "ALTER TABLE {t:Identifier} REPLACE PARTITION ID {p:String} FROM " + identifier(source),
            parameters={"t": table, "p": partition_id},
        )

    def drop_partition(self, table: str, partition_id: str) -> None:
        """Drop partition ``partition_id`` of ``table`` (nothing happens when it holds none)."""
        self.command(
            "ALTER TABLE {t:Identifier} DROP PARTITION ID {p:String}",
            parameters={"t": table, "p": partition_id},
        )

    def close(self) -> None:
        """Close the client (an embedded engine is shut down with its last client)."""
        self._client.close()

    def __repr__(self) -> str:
        engine = "embedded" if self._embedded else "server"
        return f"Warehouse({engine}, database={self.database!r})"


def _dict(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else dict(values)
