"""ClickHouse as a Dagster resource: embedded chDB by default, a server when configured.

Both modes hand out the same clickhouse-connect client, so every query in the project runs
unchanged against either. Values always travel as query parameters (``{name:Type}``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from dagster import ConfigurableResource
from pydantic import Field

from cc_pipeline import settings
from cc_pipeline.resources.engine_lock import (
    EmbeddedDatabaseBusy,
    busy_message,
    lock_holder,
    wait_until_free,
)

log = logging.getLogger(__name__)

# chDB opens one data directory per process; track which one this process holds.
_engine_guard = threading.Lock()
_open_clients: dict[str, int] = {}


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Cannot lock file" in text or "Error initializing EmbeddedServer" in text


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
    def data_dir(self) -> Path:
        return Path(self.path).expanduser().resolve() if self.path else settings.chdb_dir()

    def describe(self) -> str:
        if self.mode == "embedded":
            return f"embedded chDB at {self.data_dir}"
        scheme = "https" if self.secure else "http"
        return f"ClickHouse server {scheme}://{self.host}:{self.port}/{self.database}"

    @contextmanager
    def connect(self, on_wait: Callable[[str], None] | None = None) -> Iterator[Any]:
        """Yield a clickhouse-connect client bound to the project's database.

        Embedded: when another process holds the directory, wait up to ``busy_timeout_s``
        (telling ``on_wait`` once), then fail with the lock holder's PID.
        """
        if self.mode == "server":
            client = self._server_client()
            try:
                yield client
            finally:
                client.close()
            return
        client = self._embedded_client(on_wait)
        try:
            yield client
        finally:
            client.close()
            key = str(self.data_dir)
            with _engine_guard:
                _open_clients[key] -= 1
                if _open_clients[key] <= 0:
                    del _open_clients[key]

    def _server_client(self) -> Any:
        import clickhouse_connect

        client = clickhouse_connect.get_client(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            secure=self.secure,
            database="default",
            settings={"session_timezone": "UTC"},
        )
        client.command(f"CREATE DATABASE IF NOT EXISTS {_ident(self.database)}")
        client.database = self.database
        return client

    def _embedded_client(self, on_wait: Callable[[str], None] | None) -> Any:
        import clickhouse_connect

        data_dir = self.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        key = str(data_dir)
        with _engine_guard:
            already_open_here = key in _open_clients
        if not already_open_here:
            wait_until_free(data_dir, self.busy_timeout_s, on_wait)
        try:
            client = clickhouse_connect.get_client(
                interface="chdb", path=key, settings={"session_timezone": "UTC"}
            )
        except Exception as exc:
            if _is_lock_error(exc):
                holder = lock_holder(data_dir) or "another process"
                raise EmbeddedDatabaseBusy(busy_message(data_dir, holder)) from exc
            raise
        with _engine_guard:
            _open_clients[key] = _open_clients.get(key, 0) + 1
        client.command(f"CREATE DATABASE IF NOT EXISTS {_ident(self.database)}")
        client.database = self.database
        return client


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"Invalid ClickHouse identifier: {name!r}")
    return f"`{name}`"


def clickhouse_from_env(password_as_env_var: bool = False) -> ClickHouseResource:
    """The resource as configured by environment variables (Dagster and the CLI alike).

    ``CC_PIPELINE_CLICKHOUSE_MODE=server`` switches to a server; ``CLICKHOUSE_HOST``,
    ``CLICKHOUSE_PORT``, ``CLICKHOUSE_USER``, ``CLICKHOUSE_PASSWORD``, ``CLICKHOUSE_SECURE`` and
    ``CLICKHOUSE_DATABASE`` describe it. Dagster gets the password as an ``EnvVar`` so it is
    read at run time and never shown in the UI.
    """
    import os

    from dagster import EnvVar

    mode = os.environ.get("CC_PIPELINE_CLICKHOUSE_MODE", "embedded")
    if mode not in ("embedded", "server"):
        raise ValueError(
            f"CC_PIPELINE_CLICKHOUSE_MODE must be 'embedded' or 'server', not {mode!r}"
        )
    if mode == "embedded":
        return ClickHouseResource(mode="embedded")
    password: Any = (
        EnvVar("CLICKHOUSE_PASSWORD")
        if password_as_env_var
        else os.environ.get("CLICKHOUSE_PASSWORD", "")
    )
    return ClickHouseResource(
        mode="server",
        host=os.environ.get("CLICKHOUSE_HOST", "127.0.0.1"),
        port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
        username=os.environ.get("CLICKHOUSE_USER", "default"),
        password=password,
        secure=os.environ.get("CLICKHOUSE_SECURE", "").lower() in {"1", "true", "yes"},
        database=os.environ.get("CLICKHOUSE_DATABASE", "otel"),
    )


__all__ = ["ClickHouseResource", "EmbeddedDatabaseBusy", "clickhouse_from_env"]
