"""Rollups: one usage truth from telemetry and transcripts, refreshed one day at a time."""
