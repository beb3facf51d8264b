"""Open ClickHouse: embedded chDB by default, a server when configured. No Dagster here.

Both modes hand out the same clickhouse-connect client, so every query in the project runs
unchanged against either. Values always travel as query parameters (``{name:Type}``).
Shell commands use this module directly, so they start without importing Dagster; the
Dagster resource (``cc_pipeline.resources.clickhouse``) is a thin typed face over it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from cc_pipeline import settings
from cc_pipeline.resources.engine_lock import (
    POLL_S,
    EmbeddedDatabaseBusy,
    busy_message,
    lock_holder,
    wait_until_free,
)
from cc_pipeline.warehouse.client import Warehouse

# chDB opens one data directory per process; count this process's clients per directory.
_engine_guard = threading.Lock()
_open_clients: dict[str, int] = {}
# Clients left open for the process exit (``connect(close=False)``): a client that is freed
# closes its engine handle, the very teardown leaving it open skips.
_left_open: list[Any] = []


def _busy_holder(exc: Exception, data_dir: Path) -> str | None:
    """Who holds ``data_dir`` when opening it failed because it is held, else None.

    chDB reports a held directory either plainly ("Cannot lock file") or, depending on the
    moment, as the generic "Error initializing EmbeddedServer" it also gives for any other
    failure to start (such as damaged metadata); the latter counts only when the lock is
    really held.
    """
    text = str(exc)
    holder = lock_holder(data_dir)
    if "Cannot lock file" in text:
        return holder or "another process"
    if "Error initializing EmbeddedServer" in text:
        return holder
    return None


@dataclass(frozen=True)
class ClickHouseConnection:
    """Where ClickHouse is and how to reach it."""

    mode: Literal["embedded", "server"] = "embedded"
    path: str | None = None
    host: str = "127.0.0.1"
    port: int = 8123
    username: str = "default"
    password: str = ""
    secure: bool = False
    database: str = "otel"
    busy_timeout_s: float = 600.0

    @property
    def data_dir(self) -> Path:
        return Path(self.path).expanduser().resolve() if self.path else settings.chdb_dir()

    def with_timeout(self, busy_timeout_s: float) -> ClickHouseConnection:
        return replace(self, busy_timeout_s=busy_timeout_s)

    def describe(self) -> str:
        if self.mode == "embedded":
            return f"embedded chDB at {self.data_dir}"
        scheme = "https" if self.secure else "http"
        return f"ClickHouse server {scheme}://{self.host}:{self.port}/{self.database}"

    @contextmanager
    def connect(
        self, on_wait: Callable[[str], None] | None = None, *, close: bool = True
    ) -> Iterator[Warehouse]:
        """Yield the warehouse: a client bound to the project's database.

        Embedded: when another process holds the directory, wait up to ``busy_timeout_s``
        (telling ``on_wait`` once), then fail with the lock holder's PID. ``close=False``
        leaves the client open, for a process that exits at once afterwards: what it wrote
        is durable when each statement returns, and closing would only tear down the engine.
        """
        if self.mode == "server":
            client = self._server_client()
            try:
                yield Warehouse(client, embedded=False)
            finally:
                client.close()
            return
        client = self._embedded_client(on_wait)
        key = str(self.data_dir)
        try:
            yield Warehouse(client, embedded=True)
        finally:
            if close:
                client.close()
            else:
                _left_open.append(client)
            with _engine_guard:
                _open_clients[key] -= 1
                if _open_clients[key] <= 0:
                    del _open_clients[key]

    def http_client(self, settings: dict[str, Any], database: str) -> Any:
        """A clickhouse-connect client of the server this connection describes."""
        import clickhouse_connect

        return clickhouse_connect.get_client(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            secure=self.secure,
            database=database,
            settings=settings,
        )

    def _server_client(self) -> Any:
        client = self.http_client({"session_timezone": "UTC"}, "default")
        client.command(
            "CREATE DATABASE IF NOT EXISTS {db:Identifier}", parameters={"db": self.database}
        )
        client.database = self.database
        return client

    def _embedded_client(self, on_wait: Callable[[str], None] | None) -> Any:
        data_dir = self.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        key = str(data_dir)
        with _engine_guard:
            already_open_here = key in _open_clients
        if already_open_here:
            client = _open_engine(data_dir)
        else:
            client = _open_when_free(data_dir, self.busy_timeout_s, on_wait)
        with _engine_guard:
            _open_clients[key] = _open_clients.get(key, 0) + 1
        client.command(
            "CREATE DATABASE IF NOT EXISTS {db:Identifier}", parameters={"db": self.database}
        )
        client.database = self.database
        return client


def _open_engine(data_dir: Path) -> Any:
    import clickhouse_connect

    return clickhouse_connect.get_client(
        interface="chdb", path=str(data_dir), settings={"session_timezone": "UTC"}
    )


def _open_when_free(data_dir: Path, timeout_s: float, on_wait: Callable[[str], None] | None) -> Any:
    """Open chDB on ``data_dir`` once no other process holds it, waiting up to ``timeout_s``.

    Another process may open the directory between the moment it is seen free and this
    process's open (two commands started together, a command and a Dagster run): the open then
    fails as busy, and is tried again after the next wait, within the same ``timeout_s``.
    ``on_wait`` is told once.
    """
    deadline = time.monotonic() + timeout_s
    told: list[str] = []

    def tell_once(message: str) -> None:
        if on_wait is not None and not told:
            told.append(message)
            on_wait(message)

    while True:
        wait_until_free(data_dir, max(0.0, deadline - time.monotonic()), tell_once)
        try:
            return _open_engine(data_dir)
        except Exception as exc:
            holder = _busy_holder(exc, data_dir)
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                raise EmbeddedDatabaseBusy(busy_message(data_dir, holder)) from exc
            time.sleep(POLL_S)  # a pause before the next try, should the lock already be gone


def connection_from_env(busy_timeout_s: float | None = None) -> ClickHouseConnection:
    """ClickHouse as the environment describes it (``settings.ClickHouseSettings``).

    ``CC_PIPELINE_CLICKHOUSE_MODE=server`` switches to a server; ``CLICKHOUSE_HOST``,
    ``CLICKHOUSE_PORT``, ``CLICKHOUSE_USER``, ``CLICKHOUSE_PASSWORD``, ``CLICKHOUSE_SECURE`` and
    ``CLICKHOUSE_DATABASE`` describe it.
    """
    configured = settings.current().clickhouse
    timeout = ClickHouseConnection.busy_timeout_s if busy_timeout_s is None else busy_timeout_s
    if configured.mode == "embedded":
        return ClickHouseConnection(mode="embedded", busy_timeout_s=timeout)
    server = {k: v for k, v in asdict(configured).items() if k not in ("mode", "password_set")}
    return ClickHouseConnection(mode="server", busy_timeout_s=timeout, **server)


__all__ = ["ClickHouseConnection", "EmbeddedDatabaseBusy", "connection_from_env"]
