"""The Docker stack up to the Docker API boundary: compose CLI commands and SDK answers."""

from __future__ import annotations

import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import docker.errors
import pytest
import requests.exceptions

from cc_pipeline import settings, shipped
from cc_pipeline.cli import main as cli_main
from cc_pipeline.stack.base import DockerUnavailable, StackError
from cc_pipeline.stack.compose import NO_DAEMON, DockerStack, install_compose_files


def container(name: str, status: str, health: str | None, logs: bytes = b"") -> Any:
    state: dict[str, Any] = {"Status": status}
    if health:
        state["Health"] = {"Status": health}
    return SimpleNamespace(
        name=name,
        status=status,
        attrs={"State": state, "Config": {"Image": f"image-of-{name}"}},
        logs=mock.Mock(return_value=logs),
    )


class FakeDaemon:
    """What the docker SDK client returns; the only stand-in in these tests."""

    def __init__(self, containers: dict[str, Any]) -> None:
        self.ping = mock.Mock(return_value=True)
        self._containers = containers
        self.containers = SimpleNamespace(get=self.get)

    def get(self, name: str) -> Any:
        if name not in self._containers:
            raise docker.errors.NotFound(f"No such container: {name}")
        return self._containers[name]


class Recorder:
    def __init__(self, returncode: int = 0, stderr: str = "") -> None:
        self.calls: list[list[str]] = []
        self.returncode = returncode
        self.stderr = stderr

    def __call__(self, cmd: list[str]) -> subprocess.CompletedProcess:
        self.calls.append(list(cmd))
        return subprocess.CompletedProcess(cmd, self.returncode, "", self.stderr)


def stack(tmp_path: Path, daemon: Any, runner: Any = None, **kw: Any) -> DockerStack:
    return DockerStack(
        output_dir=tmp_path / "otel",
        compose_dir=tmp_path / "docker",
        client_factory=lambda: daemon,
        runner=runner or Recorder(),
        migrate_after_up=False,
        **kw,
    )


def healthy_daemon() -> FakeDaemon:
    return FakeDaemon(
        {
            "clickhouse-otel": container("clickhouse-otel", "running", "healthy", b"ch ready\n"),
            "otel-collector": container(
                "otel-collector", "running", None, b"Everything is ready\n"
            ),
        }
    )


def test_no_daemon_at_all_is_one_clear_sentence(tmp_path: Path) -> None:
    """The real docker SDK against this machine, which has no daemon."""
    real = DockerStack(output_dir=tmp_path / "otel", compose_dir=tmp_path / "docker")
    with pytest.raises(DockerUnavailable) as err:
        real.status()
    assert str(err.value) == NO_DAEMON
    assert str(err.value).count(". ") == 0 and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "error",
    [
        docker.errors.DockerException("Error while fetching server API version"),
        requests.exceptions.ConnectionError("Connection aborted"),
    ],
)
def test_daemon_errors_at_any_call_become_the_same_sentence(tmp_path: Path, error: Exception):
    daemon = healthy_daemon()
    daemon.containers = SimpleNamespace(get=mock.Mock(side_effect=error))
    with pytest.raises(DockerUnavailable, match="No Docker daemon is reachable"):
        stack(tmp_path, daemon).status()
    failing_ping = healthy_daemon()
    failing_ping.ping.side_effect = error
    with pytest.raises(DockerUnavailable, match="No Docker daemon is reachable"):
        stack(tmp_path, failing_ping).up()


def test_up_writes_private_env_once_and_runs_compose_wait(tmp_path: Path) -> None:
    runner = Recorder()
    docker_stack = stack(tmp_path, healthy_daemon(), runner)
    (tmp_path / "docker").mkdir()
    status = docker_stack.up()
    assert status.healthy and status.running
    env_file = tmp_path / "docker" / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    first = env_file.read_text()
    assert "CLICKHOUSE_WRITER_PASSWORD=" in first and "CLICKHOUSE_READER_PASSWORD=" in first
    assert f"OTEL_OUTPUT_DIR={tmp_path / 'otel'}" in first
    docker_stack.up()
    assert env_file.read_text() == first  # passwords generated on the first up only
    cmd = runner.calls[0]
    assert cmd[:2] == ["docker", "compose"]
    assert cmd[cmd.index("--env-file") + 1] == str(env_file)
    assert cmd[-5:] == ["up", "--detach", "--wait", "--wait-timeout", "180"]
    assert "compose.clickhouse-direct.yaml" not in " ".join(cmd)


def test_compose_project_runs_in_a_copy_under_cc_pipeline_home(tmp_path: Path) -> None:
    """The package folder may be read-only: compose files and .env live in CC_PIPELINE_HOME."""
    runner = Recorder()
    docker_stack = DockerStack(
        output_dir=tmp_path / "otel",
        client_factory=healthy_daemon,
        runner=runner,
        migrate_after_up=False,
    )
    folder = settings.home() / "docker"
    assert docker_stack.compose_dir == folder
    docker_stack.up()
    cmd = runner.calls[0]
    assert cmd[cmd.index("--project-directory") + 1] == str(folder)
    assert cmd[cmd.index("--env-file") + 1] == str(folder / ".env")
    assert cmd[cmd.index("-f") + 1] == str(folder / "compose.yaml")
    with shipped.docker_dir() as source:
        for name in (
            "compose.yaml",
            "compose.clickhouse-direct.yaml",
            "clickhouse/users.d/cc_reader.xml",
            "clickhouse/config.d/cc_pipeline.xml",
            "otel-collector/config.yaml",
            "otel-collector/clickhouse-direct.yaml",
        ):
            assert (folder / name).read_bytes() == (source / name).read_bytes(), name
    assert not (folder / "otel-output").exists()
    assert sorted(p.name for p in folder.glob(".*")) == [".env"]


def test_every_command_refreshes_the_compose_files_and_keeps_the_passwords(
    tmp_path: Path,
) -> None:
    docker_stack = stack(tmp_path, healthy_daemon())
    docker_stack.up()
    passwords = (tmp_path / "docker" / ".env").read_text()
    stale = tmp_path / "docker" / "compose.yaml"
    stale.write_text("services: {}\n")
    docker_stack.down()
    with shipped.docker_dir() as source:
        assert stale.read_text() == (source / "compose.yaml").read_text()
    assert (tmp_path / "docker" / ".env").read_text() == passwords


def test_a_read_only_package_leaves_a_writable_compose_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files of a package installed read-only are copied as contents, not with their modes."""
    package = tmp_path / "site-packages" / "docker"
    with shipped.docker_dir() as source:
        shutil.copytree(source, package, ignore=shutil.ignore_patterns(".*", "otel-output"))
    for path in [package, *package.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)

    @contextmanager
    def read_only_docker_dir() -> Iterator[Path]:
        yield package

    monkeypatch.setattr(shipped, "docker_dir", read_only_docker_dir)
    folder = install_compose_files(tmp_path / "compose")
    install_compose_files(folder)
    copied = [folder, *folder.rglob("*")]
    assert (folder / "otel-collector" / "config.yaml").is_file()
    assert all(stat.S_IMODE(p.stat().st_mode) & stat.S_IWUSR for p in copied)


def test_clickhouse_direct_adds_the_overlay(tmp_path: Path) -> None:
    runner = Recorder()
    (tmp_path / "docker").mkdir()
    stack(tmp_path, healthy_daemon(), runner, clickhouse_direct=True).up()
    files = [a for i, a in enumerate(runner.calls[0]) if runner.calls[0][i - 1] == "-f"]
    assert [Path(f).name for f in files] == ["compose.yaml", "compose.clickhouse-direct.yaml"]


def test_status_health_and_logs_come_from_the_sdk(tmp_path: Path) -> None:
    daemon = FakeDaemon(
        {"clickhouse-otel": container("clickhouse-otel", "running", "unhealthy", b"oops\n")}
    )
    docker_stack = stack(tmp_path, daemon)
    status = docker_stack.status()
    states = {s.name: (s.state, s.health) for s in status.services}
    assert states == {
        "clickhouse-otel": ("running", "unhealthy"),
        "otel-collector": ("absent", "none"),
    }
    assert not status.healthy and not status.running
    logs = docker_stack.logs(tail=5)
    assert "== clickhouse-otel\noops" in logs and "otel-collector: no such container" in logs
    daemon._containers["clickhouse-otel"].logs.assert_called_once_with(tail=5, timestamps=True)


def test_down_restart_and_compose_failures(tmp_path: Path) -> None:
    runner = Recorder()
    docker_stack = stack(tmp_path, healthy_daemon(), runner)
    assert docker_stack.down()
    docker_stack.restart_collector()
    assert runner.calls[0][-1] == "down"
    assert runner.calls[1][-2:] == ["restart", "otel-collector"]
    missing_plugin = Recorder(1, "docker: unknown command: docker compose")
    with pytest.raises(DockerUnavailable, match="Compose plugin"):
        stack(tmp_path, healthy_daemon(), missing_plugin).down()
    failing = Recorder(1, "Error response from daemon: port is already allocated")
    with pytest.raises(StackError, match="port is already allocated"):
        stack(tmp_path, healthy_daemon(), failing).down()


def test_cli_docker_mode_without_daemon(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["stack", "status", "--mode", "docker"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [NO_DAEMON]
