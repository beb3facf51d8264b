"""Where cc_pipeline keeps its state, read from the environment.

Everything the embedded default writes lives under ``CC_PIPELINE_HOME`` (default
``~/.cc_pipeline``): the chDB data directory, the ingestion cursors and the folder the
local OTLP receiver (or a Collector's file exporter) writes JSONL into.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The state folder, created on first use."""
    raw = os.environ.get("CC_PIPELINE_HOME") or str(Path.home() / ".cc_pipeline")
    path = Path(raw).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def chdb_dir() -> Path:
    return Path(os.environ.get("CC_PIPELINE_CHDB_DIR") or home() / "chdb")


def cursors_dir() -> Path:
    path = home() / "cursors"
    path.mkdir(parents=True, exist_ok=True)
    return path


def telemetry_dir() -> Path:
    """Folder holding the Collector file exporter's JSONL (live file and rotated backups)."""
    path = Path(os.environ.get("CC_PIPELINE_TELEMETRY_DIR") or home() / "otel")
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_content() -> bool:
    """Opt-in to storing prompts, responses and tool inputs (off unless set to 1/true/yes)."""
    return os.environ.get("CC_PIPELINE_KEEP_CONTENT", "").strip().lower() in {"1", "true", "yes"}
