"""SQL kept in files under ``sql/``: load a query, or run a script of statements. Also the
one way a name (never a value: values are query parameters) is written into SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cc_pipeline import shipped
from cc_pipeline.schema import split_statements

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


def load(relative_path: str) -> str:
    """The text of ``sql/<relative_path>`` as the package ships it."""
    return shipped.sql_text(relative_path)


def run_script(
    client: Warehouse, relative_path: str, parameters: dict[str, Any] | None = None
) -> None:
    """Run every statement of a SQL file in order."""
    for statement in split_statements(load(relative_path)):
        client.command(statement, parameters=parameters)


def identifier(name: str) -> str:
    """``name`` quoted as a ClickHouse identifier; only letters, digits and underscores."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"Invalid ClickHouse identifier: {name!r}")
    return f"`{name}`"
