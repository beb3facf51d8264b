"""The local stack: a real receiver process managed through its pid file."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from cc_pipeline import settings
from cc_pipeline.cli import main as cli_main
from cc_pipeline.resources.stack import StackResource
from cc_pipeline.stack.base import StackError
from cc_pipeline.stack.local import LocalStack, _alive
from tests.collector.helpers import free_port, post
from tests.conftest import OTLP_FIXTURES


def make_stack(tmp_path: Path) -> LocalStack:
    return LocalStack(
        state_dir=tmp_path / "state",
        output_dir=tmp_path / "otel",
        grpc_port=free_port(),
        http_port=free_port(),
        health_port=free_port(),
    )


@pytest.fixture
def local(tmp_path: Path):
    stack = make_stack(tmp_path)
    yield stack
    stack.down(timeout=5)


def test_up_status_logs_down(local: LocalStack) -> None:
    status = local.up()
    assert status.healthy and status.mode == "local"
    pid = local.read_pid()
    assert pid and _alive(pid)
    body = (OTLP_FIXTURES / "hi_json__0001_logs.json").read_bytes()
    assert post(local.http_port, "/v1/logs", body, "application/json")[0] == 200
    assert "OTLP receiver: gRPC" in local.logs()
    assert local.up().services[0].detail.startswith(f"pid {pid};")  # no second process
    assert local.down()
    assert not _alive(pid) and not local.pid_file.exists()
    assert (local.output_dir / "telemetry.jsonl").read_bytes().count(b"\n") == 1
    assert local.status().services[0].state == "absent"
    assert not local.down()


def test_pid_file_lets_a_new_manager_find_the_process(local: LocalStack) -> None:
    """What a restarted Dagster (a new process, a new resource) sees."""
    local.up()
    pid = local.read_pid()
    again = LocalStack(
        state_dir=local.state_dir, output_dir=local.output_dir, grpc_port=local.grpc_port,
        http_port=local.http_port, health_port=local.health_port,
    )  # fmt: skip
    assert again.read_pid() == pid
    assert again.status().healthy
    restarted = again.restart()
    assert restarted.healthy and again.read_pid() != pid


def test_stale_or_foreign_pid_file_is_ignored(local: LocalStack) -> None:
    local.state_dir.mkdir(parents=True)
    local.pid_file.write_text(json.dumps({"pid": os.getpid()}))  # alive, but not a receiver
    assert local.read_pid() is None and not local.pid_file.exists()
    local.pid_file.write_text("garbage")
    assert local.read_pid() is None


def test_a_port_in_use_fails_with_the_receivers_own_words(tmp_path: Path) -> None:
    first = make_stack(tmp_path / "a")
    second = make_stack(tmp_path / "b")
    second.http_port = first.http_port
    try:
        first.up()
        with pytest.raises(StackError, match="exited at start"):
            second.up()
    finally:
        first.down(timeout=5)
        second.down(timeout=5)


def test_sigkilled_receiver_is_noticed(local: LocalStack) -> None:
    local.up()
    pid = local.read_pid()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while local.read_pid() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert local.read_pid() is None
    assert local.status().services[0].state == "absent"


def test_cli_stack_up_status_down_local(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resource = StackResource(
        mode="local", grpc_port=free_port(), http_port=free_port(), health_port=free_port()
    )
    monkeypatch.setattr("cc_pipeline.resources.stack.stack_from_env", lambda: resource)
    try:
        assert cli_main(["stack", "up"]) == 0
        out = capsys.readouterr().out
        assert "otel-receiver" in out and "running, health healthy" in out
        assert str(settings.home() / "otel") in out
        assert cli_main(["stack", "status"]) == 0
        assert "healthy" in capsys.readouterr().out
        assert cli_main(["stack", "logs", "--tail", "5"]) == 0
        assert "OTLP receiver" in capsys.readouterr().out
    finally:
        assert cli_main(["stack", "down"]) == 0
    assert "local stack stopped" in capsys.readouterr().out
    assert cli_main(["stack", "status"]) == 0
    assert "absent" in capsys.readouterr().out
