"""Ordered, idempotent schema migrations from ``sql/migrations`` with a ledger table.

Each ``NNNN_name.sql`` file is applied once, in order, before anything writes. Statements
are written to be safe to re-run (``IF NOT EXISTS``), so a crash half way through a file is
mended by running it again; the ledger row is written only after the whole file succeeded.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cc_pipeline import shipped

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY version
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def discover(directory: Path | None = None) -> list[Migration]:
    if directory is None:
        files = shipped.sql_folder("migrations")
    else:
        files = [(path.name, path.read_text()) for path in sorted(directory.glob("*.sql"))]
    found = []
    for file_name, text in files:
        match = re.fullmatch(r"(\d+)_(.+)\.sql", file_name)
        if not match:
            raise ValueError(f"Migration file name must look like 0001_name.sql: {file_name}")
        found.append(Migration(int(match.group(1)), match.group(2), text))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"Duplicate migration versions in {directory}")
    return found


def split_statements(sql: str) -> list[str]:
    """Split a file on semicolons that end a line, dropping comment-only chunks."""
    statements = []
    for chunk in re.split(r";\s*$", sql, flags=re.MULTILINE):
        body = "\n".join(
            line for line in chunk.splitlines() if not line.strip().startswith("--")
        ).strip()
        if body:
            statements.append(body)
    return statements


def applied_versions(client: Any) -> set[int]:
    client.command(LEDGER_DDL)
    return {row[0] for row in client.query("SELECT version FROM schema_migrations").result_rows}


def migrate(client: Any, directory: Path | None = None) -> list[Migration]:
    """Apply pending migrations in order; return the ones applied now."""
    done = applied_versions(client)
    applied = []
    for migration in discover(directory):
        if migration.version in done:
            continue
        for statement in split_statements(migration.text):
            client.command(statement)
        client.command(
            "INSERT INTO schema_migrations (version, name, checksum) "
            "VALUES ({v:UInt32}, {n:String}, {c:String})",
            parameters={"v": migration.version, "n": migration.name, "c": migration.checksum},
        )
        applied.append(migration)
    return applied
