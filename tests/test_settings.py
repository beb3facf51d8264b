"""One settings object, read from the environment, shared by the CLI and the Dagster resource."""

from __future__ import annotations

from pathlib import Path

import pytest

from cc_pipeline import settings
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.resources.connection import connection_from_env


def test_state_folders_default_under_cc_pipeline_home(isolated_home: Path):
    current = settings.current()
    home = (isolated_home / "cc_pipeline").resolve()
    assert current.home == home
    assert current.chdb_dir == home / "chdb"
    assert current.telemetry_dir == home / "otel"
    assert current.cursors_dir == home / "cursors"
    assert current.keep_content is False
    assert current.clickhouse.mode == "embedded"


def test_a_changed_variable_is_seen_by_the_next_read(tmp_path: Path, monkeypatch):
    before = settings.current()
    assert settings.current() is before, "an unchanged environment is not parsed again"
    monkeypatch.setenv("CC_PIPELINE_TELEMETRY_DIR", str(tmp_path / "otel-elsewhere"))
    monkeypatch.setenv("CC_PIPELINE_KEEP_CONTENT", "Yes")
    after = settings.current()
    assert after.telemetry_dir == tmp_path / "otel-elsewhere"
    assert after.keep_content is True
    assert settings.telemetry_dir().is_dir()


def test_server_mode_reaches_the_cli_connection_and_the_dagster_resource_alike(monkeypatch):
    monkeypatch.setenv("CC_PIPELINE_CLICKHOUSE_MODE", "server")
    monkeypatch.setenv("CLICKHOUSE_HOST", "127.0.0.1")
    monkeypatch.setenv("CLICKHOUSE_PORT", "18123")
    monkeypatch.setenv("CLICKHOUSE_USER", "reader")
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", "s3cret")
    monkeypatch.setenv("CLICKHOUSE_SECURE", "true")
    monkeypatch.setenv("CLICKHOUSE_DATABASE", "claude")
    connection = connection_from_env()
    resource = clickhouse_from_env()
    for target in (connection, resource):
        assert (target.mode, target.host, target.port, target.username) == (
            "server",
            "127.0.0.1",
            18123,
            "reader",
        )
        assert (target.password, target.secure, target.database) == ("s3cret", True, "claude")
    assert "s3cret" not in repr(settings.current())


def test_an_unknown_mode_or_port_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("CC_PIPELINE_CLICKHOUSE_MODE", "cloud")
    with pytest.raises(ValueError, match="must be 'embedded' or 'server', not 'cloud'"):
        settings.current()
    monkeypatch.setenv("CC_PIPELINE_CLICKHOUSE_MODE", "server")
    monkeypatch.setenv("CLICKHOUSE_PORT", "http")
    with pytest.raises(ValueError, match="CLICKHOUSE_PORT must be a port number, not 'http'"):
        connection_from_env()
