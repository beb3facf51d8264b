"""Dagster face of the sources and stack health: the collector, its output folder and the
transcript roots as assets, the sensors that observe them, and the run-failure sensor."""

import dagster as dg

from cc_pipeline.health.sensors import collector_health, log_run_failures, otel_collector
from cc_pipeline.health.sources import (
    collector_files,
    observe_collector_output,
    observe_transcript_folders,
    transcript_roots,
)

defs = dg.Definitions(
    assets=[otel_collector, collector_files, transcript_roots],
    sensors=[
        collector_health,
        log_run_failures,
        observe_collector_output,
        observe_transcript_folders,
    ],
)
