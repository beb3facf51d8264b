"""No prompt, response, code or tool output of the transcripts is stored anywhere."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.conftest import PUBLIC_TRANSCRIPTS, TRANSCRIPT_FIXTURES
from tests.transcripts.helpers import run

CONTENT_KEYS = {
    "text",
    "thinking",
    "content",
    "input",
    "prompt",
    "output",
    "fullOutput",
    "stdout",
    "stderr",
    "command",
    "summary",
    "toolUseResult",
    "normalizedMessages",
    "description",
    "file_path",
    "old_string",
    "new_string",
    "pattern",
}
METADATA_KEYS = {"id", "name", "type", "model", "tool_use_id", "uuid", "role"}


def content_strings(value: Any, inside: bool = False) -> Iterator[str]:
    """Every string value found under a key that holds content."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in METADATA_KEYS and not isinstance(item, dict | list):
                continue
            yield from content_strings(item, inside or key in CONTENT_KEYS)
    elif isinstance(value, list):
        for item in value:
            yield from content_strings(item, inside)
    elif isinstance(value, str) and inside:
        yield value


def fixture_texts(folders: list[Path]) -> list[str]:
    """Content strings of the fixtures, minus values also stored as metadata (cwd, model)."""
    texts: set[str] = set()
    metadata: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.jsonl"):
            for raw in path.read_text().splitlines():
                line = json.loads(raw)
                metadata.add(str(line.get("cwd", "")))
                message = line.get("message")
                if isinstance(message, dict):
                    metadata.add(str(message.get("model", "")))
                for text in content_strings(line):
                    text = text.strip()
                    if len(text) >= 24:
                        texts.add(text[:80])
    return sorted(t for t in texts if t not in metadata)


def database_dump(client: Any) -> str:
    tables = [
        name
        for (name,) in client.query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() "
            "AND engine NOT LIKE '%View%' ORDER BY name"
        ).result_rows
    ]
    parts = []
    for table in tables:
        parts.append(client.raw_query(f"SELECT * FROM `{table}` FORMAT TSVRaw").decode())
    return "\n".join(parts)


def test_no_fixture_text_appears_in_the_database(ch: Any) -> None:
    folders = [PUBLIC_TRANSCRIPTS / "marot-spotter", TRANSCRIPT_FIXTURES]
    for folder in folders:
        run(ch, folder)
    dump = database_dump(ch)
    assert "transcript_entries" not in dump  # sanity: the dump is data, not names
    assert "claude-opus-4-6" in dump and "msg_01" in dump  # metadata is there
    texts = fixture_texts(folders)
    assert len(texts) > 1000
    sample = random.Random(4).sample(texts, 1500)
    leaked = [t for t in sample if t in dump]
    assert leaked == []
