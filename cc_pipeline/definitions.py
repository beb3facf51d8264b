"""One Definitions for the whole project: each domain contributes its own, resources bind here."""

from __future__ import annotations

import os

import dagster as dg

from cc_pipeline.health.definitions import defs as health_defs
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.resources.stack import stack_from_env
from cc_pipeline.rollups.definitions import defs as rollups_defs
from cc_pipeline.telemetry.definitions import defs as telemetry_defs
from cc_pipeline.transcripts.definitions import defs as transcripts_defs


def clickhouse_resource() -> ClickHouseResource:
    """Embedded chDB unless CC_PIPELINE_CLICKHOUSE_MODE=server (password from an EnvVar)."""
    if os.environ.get("CC_PIPELINE_CLICKHOUSE_MODE", "embedded") == "server":
        return ClickHouseResource(
            mode="server",
            host=os.environ.get("CLICKHOUSE_HOST", "127.0.0.1"),
            port=int(os.environ.get("CLICKHOUSE_PORT", "8123")),
            username=os.environ.get("CLICKHOUSE_USER", "default"),
            password=dg.EnvVar("CLICKHOUSE_PASSWORD"),
            secure=os.environ.get("CLICKHOUSE_SECURE", "").lower() in {"1", "true", "yes"},
            database=os.environ.get("CLICKHOUSE_DATABASE", "otel"),
        )
    return ClickHouseResource(mode="embedded")


defs = dg.Definitions.merge(
    telemetry_defs,
    health_defs,
    transcripts_defs,
    rollups_defs,
    dg.Definitions(resources={"clickhouse": clickhouse_resource(), "stack": stack_from_env()}),
)
