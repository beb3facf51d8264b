"""SQL kept in files under ``sql/``: load a query, or run a script of statements."""

from __future__ import annotations

from functools import cache
from typing import Any

from cc_pipeline import settings
from cc_pipeline.schema import split_statements


@cache
def load(relative_path: str) -> str:
    """The text of ``sql/<relative_path>``."""
    return (settings.SQL_DIR / relative_path).read_text()


def run_script(client: Any, relative_path: str, parameters: dict[str, Any] | None = None) -> None:
    """Run every statement of a SQL file in order."""
    for statement in split_statements(load(relative_path)):
        client.command(statement, parameters=parameters)
