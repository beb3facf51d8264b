"""Telemetry: the Collector's OTLP JSONL files -> otel_* tables, exactly once, on a schedule."""
