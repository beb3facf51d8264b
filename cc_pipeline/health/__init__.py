"""Sensors that watch the telemetry stack and failed runs."""
