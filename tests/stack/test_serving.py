"""`cc-pipeline serve` (make run) starts the local receiver and stops only what it started."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cc_pipeline import serve, settings
from cc_pipeline.resources.stack import StackResource
from cc_pipeline.stack.serving import start_for_serve, stop_after_serve
from tests.collector.helpers import free_port
from tests.conftest import assert_workspace_validates


@pytest.fixture
def resource(monkeypatch: pytest.MonkeyPatch) -> StackResource:
    res = StackResource(
        mode="local", grpc_port=free_port(), http_port=free_port(), health_port=free_port()
    )
    monkeypatch.setattr("cc_pipeline.resources.stack.stack_from_env", lambda: res)
    yield res
    res.down()


def test_serve_starts_and_stops_the_receiver(resource: StackResource) -> None:
    messages: list[str] = []
    started = start_for_serve(messages.append)
    assert started is not None and resource.status().healthy
    assert 'eval "$(cc-pipeline env)"' in messages[-1]
    stop_after_serve(started, messages.append)
    assert resource.status().services[0].state == "absent"
    assert messages[-1] == "OTLP receiver stopped"


def test_serve_leaves_an_already_running_receiver_alone(resource: StackResource) -> None:
    resource.up()
    messages: list[str] = []
    assert start_for_serve(messages.append) is None
    stop_after_serve(None, messages.append)
    assert resource.status().healthy
    assert "already running" in messages[0]


def test_docker_mode_is_not_started_by_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    docker = StackResource(mode="docker")
    monkeypatch.setattr("cc_pipeline.resources.stack.stack_from_env", lambda: docker)
    messages: list[str] = []
    assert start_for_serve(messages.append) is None
    assert "cc-pipeline stack up" in messages[0]


def test_serve_keeps_its_dagster_instance_and_workspace_under_cc_pipeline_home(
    tmp_path: Path,
) -> None:
    """The generated workspace loads the definitions with an empty folder as working directory
    and the instance in CC_PIPELINE_HOME/dagster: nothing is read from a checkout's cwd."""
    home = serve.dagster_home()
    assert home == settings.home() / "dagster"
    instance = yaml.safe_load(serve.write_instance(home).read_text())
    assert instance["storage"]["sqlite"]["base_dir"] == str(home / "storage")
    assert instance["concurrency"]["pools"] == {"granularity": "run", "default_limit": 1}
    workspace = serve.write_workspace(home)
    assert workspace.parent == home
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_workspace_validates(workspace, empty, home)
    assert list(empty.iterdir()) == []
