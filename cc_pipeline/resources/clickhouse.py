"""ClickHouse as a Dagster resource: embedded chDB by default, a server when configured.

A thin typed face over ``cc_pipeline.resources.connection``, which does the work (and which
shell commands use directly, without importing Dagster).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, Literal

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from cc_pipeline import settings
from cc_pipeline.resources.connection import (
    ClickHouseConnection,
    EmbeddedDatabaseBusy,
    connection_from_env,
)
from cc_pipeline.warehouse.client import Warehouse


class ClickHouseResource(ConfigurableResource):
    """ClickHouse: embedded chDB (default) or a ClickHouse server over HTTP."""

    mode: Literal["embedded", "server"] = Field(
        default="embedded", description="'embedded' runs chDB in-process; 'server' uses HTTP."
    )
    path: str | None = Field(
        default=None, description="chDB data directory (embedded); default CC_PIPELINE_HOME/chdb."
    )
    host: str = Field(default="127.0.0.1", description="Server host (server mode).")
    port: int = Field(default=8123, description="Server HTTP port (server mode).")
    username: str = Field(default="default", description="Server user (server mode).")
    password: str = Field(default="", description="Server password; pass an EnvVar.")
    secure: bool = Field(default=False, description="Use HTTPS (server mode).")
    database: str = Field(default="otel", description="Database holding the project's tables.")
    busy_timeout_s: float = Field(
        default=600.0,
        description="How long to wait for another process to release the embedded directory.",
    )

    @property
    def connection(self) -> ClickHouseConnection:
        """The same settings as the plain connection the shell commands use."""
        return ClickHouseConnection(
            **{field.name: getattr(self, field.name) for field in fields(ClickHouseConnection)}
        )

    @property
    def data_dir(self) -> Path:
        return self.connection.data_dir

    def describe(self) -> str:
        return self.connection.describe()

    @contextmanager
    def connect(self, on_wait: Callable[[str], None] | None = None) -> Iterator[Warehouse]:
        """Yield the warehouse: a client bound to the project's database."""
        with self.connection.connect(on_wait) as client:
            yield client


def clickhouse_from_env(password_as_env_var: bool = False) -> ClickHouseResource:
    """The resource as the environment describes it (``settings.current().clickhouse``).

    Dagster gets the password as an ``EnvVar`` so it is read at run time and never shown in
    the UI.
    """
    connection = connection_from_env()
    values: dict[str, Any] = asdict(connection)
    if connection.mode == "server" and password_as_env_var:
        password_set = settings.current().clickhouse.password_set
        values["password"] = EnvVar("CLICKHOUSE_PASSWORD") if password_set else ""
    return ClickHouseResource(**values)


__all__ = ["ClickHouseResource", "EmbeddedDatabaseBusy", "clickhouse_from_env"]
