"""The Docker stack: ClickHouse server + Collector contrib from ``docker/compose.yaml``.

The Compose project lives in ``CC_PIPELINE_HOME/docker``: the package's shipped ``docker/``
files are copied there before every compose command (the installed package may be
read-only, and ``up`` writes a private ``.env`` with generated passwords beside them).

Lifecycle goes through the ``docker compose`` CLI (the Python ``docker`` SDK has no Compose
support); container state, health and logs come from the ``docker`` SDK. When no daemon
answers, every operation fails with one sentence saying so.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from cc_pipeline import settings, shipped
from cc_pipeline.stack.base import DockerUnavailable, ServiceState, StackError, StackStatus

PROJECT = "cc-pipeline"
CLICKHOUSE = "clickhouse-otel"
COLLECTOR = "otel-collector"
CONTAINERS = (CLICKHOUSE, COLLECTOR)
WRITER_USER = "cc_writer"
READER_USER = "cc_reader"
NO_DAEMON = (
    "No Docker daemon is reachable (is Docker running, and may this user use its socket?); "
    "use the local stack instead: cc-pipeline stack up --mode local."
)

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def default_client() -> Any:
    from docker.client import from_env

    return from_env(timeout=5)


def run_command(cmd: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=False)


def _docker_errors() -> tuple[type[BaseException], ...]:
    import docker.errors
    import requests.exceptions

    return (docker.errors.DockerException, requests.exceptions.ConnectionError)


def compose_home() -> Path:
    """``CC_PIPELINE_HOME/docker``: the writable folder the Compose project runs in."""
    return settings.home() / "docker"


def install_compose_files(target: Path) -> Path:
    """Copy the shipped compose files and configs into ``target``, replacing older copies.

    Only file contents are copied, not modes: a package installed read-only must not leave a
    folder that the next copy or the ``.env`` cannot be written into. Generated or local
    files (``.env`` files with passwords, hidden files, the collector's output folder) are
    never copied, and an existing ``target/.env`` is kept.
    """
    with shipped.docker_dir() as source:
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if not path.is_file() or _generated(relative):
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def _generated(relative: Path) -> bool:
    return (
        any(part.startswith(".") or part == "otel-output" for part in relative.parts)
        or relative.suffix == ".env"
    )


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


@dataclass
class DockerStack:
    """Up/down/status/restart/logs of the Compose stack."""

    output_dir: Path
    compose_dir: Path = field(default_factory=compose_home)
    project: str = PROJECT
    clickhouse_direct: bool = False
    migrate_after_up: bool = True
    client_factory: Callable[[], Any] = default_client
    runner: Runner = run_command
    _client: Any = field(default=None, init=False, repr=False)

    mode = "docker"
    health_url = "http://127.0.0.1:13133/"
    metrics_url = "http://127.0.0.1:8888/metrics"

    @property
    def env_file(self) -> Path:
        return self.compose_dir / ".env"

    def endpoints(self) -> dict[str, str]:
        return {
            "otlp grpc": "http://127.0.0.1:4317",
            "otlp http": "http://127.0.0.1:4318",
            "health": self.health_url,
            "metrics": self.metrics_url,
            "clickhouse": "http://127.0.0.1:8123 (database otel)",
            "output": str(self.output_dir),
        }

    # -- the docker SDK ------------------------------------------------------------------

    def client(self) -> Any:
        if self._client is None:
            try:
                client = self.client_factory()
                client.ping()
            except _docker_errors() as exc:
                raise DockerUnavailable(NO_DAEMON) from exc
            self._client = client
        return self._client

    def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except _docker_errors() as exc:
            import docker.errors

            if isinstance(exc, docker.errors.NotFound):
                raise
            raise DockerUnavailable(NO_DAEMON) from exc

    def container_state(self, name: str) -> ServiceState:
        import docker.errors

        client = self.client()
        try:
            container = self._call(lambda: client.containers.get(name))
        except docker.errors.NotFound:
            return ServiceState(name, "absent", detail="no such container")
        state = container.attrs.get("State", {})
        health = (state.get("Health") or {}).get("Status", "none")
        detail = container.attrs.get("Config", {}).get("Image", "")
        return ServiceState(name, state.get("Status", container.status), health, detail)

    def collector_state(self) -> ServiceState:
        return self.container_state(COLLECTOR)

    def status(self) -> StackStatus:
        return StackStatus(
            self.mode, [self.container_state(n) for n in CONTAINERS], self.endpoints()
        )

    def logs(self, tail: int = 100, service: str | None = None) -> str:
        import docker.errors

        client = self.client()
        out: list[str] = []
        for name in [service] if service else list(CONTAINERS):
            try:
                container = self._call(partial(client.containers.get, name))
            except docker.errors.NotFound:
                out.append(f"== {name}: no such container")
                continue
            raw = self._call(partial(container.logs, tail=tail, timestamps=True))
            out.append(f"== {name}")
            out.append(raw.decode(errors="replace").rstrip("\n"))
        return "\n".join(out) + "\n"

    # -- the compose CLI -----------------------------------------------------------------

    def compose_files(self) -> list[Path]:
        files = [self.compose_dir / "compose.yaml"]
        if self.clickhouse_direct:
            files.append(self.compose_dir / "compose.clickhouse-direct.yaml")
        return files

    def compose(self, *args: str) -> str:
        install_compose_files(self.compose_dir)
        cmd = [
            "docker",
            "compose",
            "--project-name",
            self.project,
            "--project-directory",
            str(self.compose_dir),
            "--env-file",
            str(self.env_file),
        ]
        for path in self.compose_files():
            cmd += ["-f", str(path)]
        cmd += list(args)
        try:
            done = self.runner(cmd)
        except FileNotFoundError as exc:
            raise DockerUnavailable("The docker CLI is not installed; use --mode local.") from exc
        if done.returncode != 0:
            err = (done.stderr or done.stdout or "").strip()
            if "unknown command" in err or "is not a docker command" in err:
                raise DockerUnavailable(
                    "The Docker Compose plugin (docker compose) is not installed; use --mode local."
                )
            last = err.splitlines()[-1] if err else f"exit code {done.returncode}"
            raise StackError(f"docker compose {args[0]} failed: {last}")
        return done.stdout

    def ensure_env_file(self) -> dict[str, str]:
        """Create ``.env`` in the compose folder (mode 600) with generated passwords, once."""
        self.compose_dir.mkdir(parents=True, exist_ok=True)
        values = read_env_file(self.env_file)
        values.setdefault("CLICKHOUSE_WRITER_PASSWORD", secrets.token_urlsafe(24))
        values.setdefault("CLICKHOUSE_READER_PASSWORD", secrets.token_urlsafe(24))
        values["OTEL_OUTPUT_DIR"] = str(self.output_dir)
        values["CC_UID"] = str(os.getuid())
        values["CC_GID"] = str(os.getgid())
        self.output_dir.mkdir(parents=True, exist_ok=True)
        text = "# Generated by cc-pipeline stack up; keep private.\n" + "".join(
            f"{k}={v}\n" for k, v in values.items()
        )
        fd = os.open(self.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(self.env_file, 0o600)
        return values

    def up(self) -> StackStatus:
        self.client()  # one clear sentence when there is no daemon, before anything else
        values = self.ensure_env_file()
        self.compose("up", "--detach", "--wait", "--wait-timeout", "180")
        if self.migrate_after_up:
            self.migrate(values["CLICKHOUSE_WRITER_PASSWORD"])
        return self.status()

    def migrate(self, password: str) -> None:
        """Apply the project's migrations on the server (the collector writes those tables)."""
        from cc_pipeline.resources.clickhouse import ClickHouseResource
        from cc_pipeline.schema import migrate

        resource = ClickHouseResource(
            mode="server",
            host="127.0.0.1",
            port=8123,
            username=WRITER_USER,
            password=password,
            database="otel",
        )
        with resource.connect() as client:
            migrate(client)

    def down(self) -> bool:
        self.client()
        self.compose("down")
        return True

    def restart(self, service: str | None = None) -> StackStatus:
        self.client()
        self.compose("restart", *([service] if service else []))
        return self.status()

    def restart_collector(self) -> StackStatus:
        return self.restart(COLLECTOR)
