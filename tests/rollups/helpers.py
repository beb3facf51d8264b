"""Load the 2.1.197 fixtures (telemetry and transcripts of the same runs) into a database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import TRANSCRIPT_FIXTURES
from tests.otlp_files import fixture_requests, write_jsonl


def load_fixture_sources(client: Any, folder: Path) -> None:
    write_jsonl(folder / "otel.jsonl", [body for _signal, body in fixture_requests()])
    ingest_telemetry(client, folder)
    backfill_transcripts(client, [TRANSCRIPT_FIXTURES])
