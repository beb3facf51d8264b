"""Where cc_pipeline keeps its state and how it reaches ClickHouse, read from the environment.

Everything the embedded default writes lives under ``CC_PIPELINE_HOME`` (default
``~/.cc_pipeline``): the chDB data directory, the ingestion cursors and the folder the
local OTLP receiver (or a Collector's file exporter) writes JSONL into.

``current()`` is the one settings object the Dagster resource and the shell commands share. It
is read from the environment once per distinct environment: the variables it reads are looked
up on each call (a dictionary look-up each) and the object is parsed again only when one of
them changed, so a process that sets a variable (a test, a parity run) sees it at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

ClickHouseMode = Literal["embedded", "server"]
TRUE_WORDS = frozenset({"1", "true", "yes"})
# The attribution columns a label key can feed (``CC_PIPELINE_LABEL_KEYS`` entry ``column=key``).
LABEL_COLUMNS = ("team", "department", "cost_center")
# Every variable ``Settings.from_env`` reads; a change to any of them is seen by ``current()``.
ENV_VARS = (
    "HOME",
    "CC_PIPELINE_HOME",
    "CC_PIPELINE_CHDB_DIR",
    "CC_PIPELINE_TELEMETRY_DIR",
    "CC_PIPELINE_KEEP_CONTENT",
    "CC_PIPELINE_LABEL_KEYS",
    "CC_PIPELINE_CLICKHOUSE_MODE",
    "CLICKHOUSE_HOST",
    "CLICKHOUSE_PORT",
    "CLICKHOUSE_USER",
    "CLICKHOUSE_PASSWORD",
    "CLICKHOUSE_SECURE",
    "CLICKHOUSE_DATABASE",
)


@dataclass(frozen=True)
class ClickHouseSettings:
    """Which ClickHouse to use: embedded chDB, or a server described by ``CLICKHOUSE_*``."""

    mode: ClickHouseMode = "embedded"
    host: str = "127.0.0.1"
    port: int = 8123
    username: str = "default"
    password: str = field(default="", repr=False)
    password_set: bool = False
    secure: bool = False
    database: str = "otel"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClickHouseSettings:
        """``CC_PIPELINE_CLICKHOUSE_MODE=server`` switches to a server; ``CLICKHOUSE_HOST``,
        ``CLICKHOUSE_PORT``, ``CLICKHOUSE_USER``, ``CLICKHOUSE_PASSWORD``,
        ``CLICKHOUSE_SECURE`` and ``CLICKHOUSE_DATABASE`` describe it."""
        mode = env.get("CC_PIPELINE_CLICKHOUSE_MODE", "embedded")
        if mode not in ("embedded", "server"):
            raise ValueError(
                f"CC_PIPELINE_CLICKHOUSE_MODE must be 'embedded' or 'server', not {mode!r}"
            )
        port = env.get("CLICKHOUSE_PORT", "8123")
        if not port.strip().isdigit():
            raise ValueError(f"CLICKHOUSE_PORT must be a port number, not {port!r}")
        return cls(
            mode="server" if mode == "server" else "embedded",
            host=env.get("CLICKHOUSE_HOST", "127.0.0.1"),
            port=int(port),
            username=env.get("CLICKHOUSE_USER", "default"),
            password=env.get("CLICKHOUSE_PASSWORD", ""),
            password_set="CLICKHOUSE_PASSWORD" in env,
            secure=_flag(env.get("CLICKHOUSE_SECURE", "")),
            database=env.get("CLICKHOUSE_DATABASE", "otel"),
        )


@dataclass(frozen=True)
class Settings:
    """The project's settings; paths are resolved but not created (see ``home()`` etc.)."""

    home: Path
    chdb_dir: Path
    telemetry_dir: Path
    keep_content: bool
    clickhouse: ClickHouseSettings
    # (column, key): label keys kept besides the defaults, each feeding ``column`` (one of
    # LABEL_COLUMNS) before the default keys, or no column ('')
    label_keys: tuple[tuple[str, str], ...] = ()

    @property
    def cursors_dir(self) -> Path:
        return self.home / "cursors"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Settings as ``env`` describes them (unset or empty variables take the defaults)."""
        user_home = Path(env["HOME"]) if env.get("HOME") else Path.home()
        raw_home = env.get("CC_PIPELINE_HOME") or str(user_home / ".cc_pipeline")
        home = Path(raw_home).expanduser().resolve()
        return cls(
            home=home,
            chdb_dir=Path(env.get("CC_PIPELINE_CHDB_DIR") or home / "chdb"),
            telemetry_dir=Path(env.get("CC_PIPELINE_TELEMETRY_DIR") or home / "otel"),
            keep_content=_flag(env.get("CC_PIPELINE_KEEP_CONTENT", "")),
            clickhouse=ClickHouseSettings.from_env(env),
            label_keys=parse_label_keys(env.get("CC_PIPELINE_LABEL_KEYS", "")),
        )


def parse_label_keys(raw: str) -> tuple[tuple[str, str], ...]:
    """``CC_PIPELINE_LABEL_KEYS``: comma-separated resource attribute keys to keep as labels;
    ``column=key`` also makes ``key`` feed the team, department or cost_center column."""
    entries: dict[tuple[str, str], None] = {}
    for entry in raw.split(","):
        column, _, key = entry.strip().rpartition("=")
        column, key = column.strip(), key.strip()
        if not key:
            if column:
                raise ValueError(f"CC_PIPELINE_LABEL_KEYS: {entry.strip()!r} names no key")
            continue
        if column and column not in LABEL_COLUMNS:
            raise ValueError(
                f"CC_PIPELINE_LABEL_KEYS: {column!r} is not one of {', '.join(LABEL_COLUMNS)} "
                f"(in {entry.strip()!r})"
            )
        entries[(column, key)] = None
    return tuple(entries)


def _flag(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


@lru_cache(maxsize=8)
def _parsed(values: tuple[str | None, ...]) -> Settings:
    return Settings.from_env({k: v for k, v in zip(ENV_VARS, values, strict=True) if v is not None})


def current() -> Settings:
    """The settings of the process's environment as it is now (parsed once per environment)."""
    return _parsed(tuple(os.environ.get(name) for name in ENV_VARS))


def home() -> Path:
    """The state folder, created on first use."""
    path = current().home
    path.mkdir(parents=True, exist_ok=True)
    return path


def chdb_dir() -> Path:
    """The embedded engine's data directory (``CC_PIPELINE_CHDB_DIR``, default under home)."""
    return current().chdb_dir


def cursors_dir() -> Path:
    """Folder of the ingestion cursors, created on first use."""
    path = current().cursors_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def telemetry_dir() -> Path:
    """Folder holding the Collector file exporter's JSONL (live file and rotated backups)."""
    path = current().telemetry_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_content() -> bool:
    """Opt-in to storing prompts, responses and tool inputs (off unless set to 1/true/yes)."""
    return current().keep_content


def label_keys() -> tuple[tuple[str, str], ...]:
    """Label keys kept besides the defaults, as (column or '', key) (``CC_PIPELINE_LABEL_KEYS``)."""
    return current().label_keys
