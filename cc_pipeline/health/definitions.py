"""Dagster face of stack health: the otel_collector asset and the two sensors."""

import dagster as dg

from cc_pipeline.health.sensors import collector_health, log_run_failures, otel_collector

defs = dg.Definitions(assets=[otel_collector], sensors=[collector_health, log_run_failures])
