"""The telemetry stack as a Dagster resource: Docker Compose or the local receiver.

Both modes offer the same operations (up, down, status, restart, logs) and what the health
sensor needs (collector state, health and metrics URLs, the output folder). Nothing here
opens the embedded database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from dagster import ConfigurableResource
from pydantic import Field

from cc_pipeline import settings
from cc_pipeline.stack.base import DockerUnavailable, ServiceState, StackStatus
from cc_pipeline.stack.compose import DockerStack, compose_home
from cc_pipeline.stack.local import LocalStack

Mode = Literal["local", "docker", "auto"]


class StackResource(ConfigurableResource):
    """Where Claude Code's OTLP goes: the local receiver (default) or the Docker stack."""

    mode: Mode = Field(
        default="local", description="'local' receiver, 'docker' Compose stack, or 'auto'."
    )
    grpc_port: int = Field(default=4317, description="OTLP/gRPC port (local receiver).")
    http_port: int = Field(default=4318, description="OTLP/HTTP port (local receiver).")
    health_port: int = Field(default=13133, description="Health and /metrics port (local).")
    output_dir: str | None = Field(
        default=None, description="Folder of the JSONL; default CC_PIPELINE_HOME/otel."
    )
    compose_dir: str | None = Field(default=None, description="Folder of compose.yaml.")
    clickhouse_direct: bool = Field(
        default=False, description="Docker: the Collector also writes ClickHouse directly."
    )
    export_interval_s: float = Field(
        default=10.0, description="Claude Code's metric export interval (freshness yardstick)."
    )
    restart_after_failures: int = Field(
        default=3, description="Restart the collector after this many failed checks (0: never)."
    )

    def output_path(self) -> Path:
        return Path(self.output_dir).expanduser() if self.output_dir else settings.telemetry_dir()

    def local(self) -> LocalStack:
        return LocalStack(
            state_dir=settings.home() / "collector",
            output_dir=self.output_path(),
            grpc_port=self.grpc_port,
            http_port=self.http_port,
            health_port=self.health_port,
        )

    def docker(self) -> DockerStack:
        return DockerStack(
            output_dir=self.output_path(),
            clickhouse_direct=self.clickhouse_direct,
            compose_dir=Path(self.compose_dir) if self.compose_dir else compose_home(),
        )

    def backend(self) -> LocalStack | DockerStack:
        """The chosen stack; 'auto' takes Docker only when a daemon answers."""
        if self.mode == "local":
            return self.local()
        stack = self.docker()
        if self.mode == "auto":
            try:
                stack.client()
            except DockerUnavailable:
                return self.local()
        return stack

    def up(self) -> StackStatus:
        return self.backend().up()

    def down(self) -> bool:
        return self.backend().down()

    def status(self) -> StackStatus:
        return self.backend().status()

    def restart(self, service: str | None = None) -> StackStatus:
        return self.backend().restart(service)

    def restart_collector(self) -> StackStatus:
        return self.backend().restart_collector()

    def logs(self, tail: int = 100, service: str | None = None) -> str:
        return self.backend().logs(tail, service)

    def collector_state(self) -> ServiceState:
        return self.backend().collector_state()


def stack_from_env() -> StackResource:
    """Mode from ``CC_PIPELINE_STACK`` (local | docker | auto; default local)."""
    mode = os.environ.get("CC_PIPELINE_STACK", "local").strip().lower() or "local"
    if mode not in ("local", "docker", "auto"):
        mode = "local"
    return StackResource(mode=mode)  # type: ignore[arg-type]
