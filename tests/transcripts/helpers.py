"""Builders of small transcript folders for the transcript tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cc_pipeline.transcripts.backfill import BackfillSummary, backfill_transcripts


def assistant(
    message_id: str | None,
    request_id: str | None,
    *,
    model: str = "claude-sonnet-4-5-20250929",
    ts: str = "2026-03-01T10:00:00.000Z",
    input_tokens: Any = 10,
    output_tokens: Any = 5,
    cache_write: Any = 0,
    cache_read: Any = 0,
    sidechain: bool = False,
    session: str = "s1",
    text: str = "hello",
    **extra: Any,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "model": model,
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": text}],
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
        },
    }
    if message_id is not None:
        message["id"] = message_id
    line: dict[str, Any] = {
        "type": "assistant",
        "timestamp": ts,
        "sessionId": session,
        "version": "2.1.100",
        "isSidechain": sidechain,
        "cwd": "/home/dev/app",
        "uuid": f"u-{message_id}-{output_tokens}-{ts}",
        "message": message,
    }
    if request_id is not None:
        line["requestId"] = request_id
    line.update(extra)
    return line


def dumps(line: dict[str, Any]) -> str:
    return json.dumps(line, separators=(",", ":"))


def write_session(
    root: Path,
    lines: list[dict[str, Any] | str | bytes],
    name: str = "s1.jsonl",
    project: str = "-home-dev-app",
) -> Path:
    path = root / "projects" / project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        for line in lines:
            if isinstance(line, dict):
                line = dumps(line)
            if isinstance(line, str):
                line = line.encode()
            fh.write(line + b"\n")
    return path


def run(client: Any, root: Path, **kwargs: Any) -> BackfillSummary:
    return backfill_transcripts(client, [root], **kwargs)


def totals(client: Any) -> tuple[int, int, int, int, int]:
    row = client.query(
        "SELECT count(), sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens), "
        "sum(cache_read_tokens) FROM transcript_requests"
    ).result_rows[0]
    return tuple(int(v) for v in row)  # type: ignore[return-value]
