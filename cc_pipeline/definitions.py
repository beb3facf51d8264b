"""One Definitions for the whole project: each domain contributes its own, resources bind here."""

from __future__ import annotations

import dagster as dg

from cc_pipeline.health.definitions import defs as health_defs
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.resources.stack import stack_from_env
from cc_pipeline.rollups.definitions import defs as rollups_defs
from cc_pipeline.telemetry.definitions import defs as telemetry_defs
from cc_pipeline.transcripts.definitions import defs as transcripts_defs

defs = dg.Definitions.merge(
    telemetry_defs,
    health_defs,
    transcripts_defs,
    rollups_defs,
    dg.Definitions(
        resources={
            "clickhouse": clickhouse_from_env(password_as_env_var=True),
            "stack": stack_from_env(),
        }
    ),
)
