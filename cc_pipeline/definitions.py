"""One Definitions for the whole project: each domain contributes its own, resources bind here."""

import dagster as dg

from cc_pipeline import automation
from cc_pipeline.budgets import definitions as budgets
from cc_pipeline.health import definitions as health
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.resources.stack import stack_from_env
from cc_pipeline.rollups import definitions as rollups
from cc_pipeline.telemetry import definitions as telemetry
from cc_pipeline.transcripts import definitions as transcripts

defs = dg.Definitions.merge(
    telemetry.defs,
    transcripts.defs,
    rollups.defs,
    health.defs,
    budgets.defs,
    dg.Definitions(
        sensors=[
            automation.automation_sensor(),
            automation.freshness_sensor([*telemetry.freshness_checks, *rollups.freshness_checks]),
        ]
    ),
    dg.Definitions(
        # One step per run writes at a time anyway (the writer pool); running it in the run's
        # own process saves a second interpreter start per run.
        executor=dg.in_process_executor,
        resources={
            "clickhouse": clickhouse_from_env(password_as_env_var=True),
            "stack": stack_from_env(),
        },
    ),
)
