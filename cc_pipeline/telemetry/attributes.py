"""The telemetry attribute catalog: which attribute names each event arrives with, whether the
allow-list keeps them, how often and from which Claude Code versions (never values).

``cc-pipeline telemetry attributes`` prints it; the ingestion asset's check warns when a run
meets a dropped name for the first time, so a maintainer sees what a new Claude Code sends.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cc_pipeline import sqlfiles
from cc_pipeline.console import add_format_option, add_wait_option, open_warehouse, print_rows, say

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

HEADERS = ("event_name", "attribute", "kept", "seen", "first_seen", "last_seen", "app_versions")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AttributeName:
    """One row of the catalog."""

    event_name: str
    attribute: str
    kept: bool
    seen: int
    first_seen: datetime
    last_seen: datetime
    app_versions: list[str]


def attribute_catalog(
    client: Warehouse, *, dropped_only: bool = False, since: datetime = EPOCH
) -> list[AttributeName]:
    """The catalog's rows by event and attribute; ``dropped_only``: the dropped names only;
    ``since``: only names ingestion first met at or after that time."""
    rows = client.query(
        sqlfiles.load("telemetry/attribute_catalog.sql"),
        parameters={"dropped_only": dropped_only, "since": since},
    ).result_rows
    return [AttributeName(*row) for row in rows]


def database_now(client: Warehouse) -> datetime:
    """The database's clock (the one ``first_loaded`` is written with)."""
    return client.query("SELECT now64(3, 'UTC')").result_rows[0][0]


def add_telemetry(parser: argparse.ArgumentParser) -> None:
    """Inspect the loaded telemetry."""
    commands = parser.add_subparsers(dest="telemetry_command", required=True)
    attributes = commands.add_parser(
        "attributes",
        help="every attribute name each event arrived with, kept or dropped",
        description="Every event and attribute name ingestion has seen: whether the allow-list "
        "keeps it (dropped names may hold content), how many records carried it, first and "
        "last seen, Claude Code versions. Names and counts only, never values.",
    )
    attributes.add_argument(
        "--dropped", action="store_true", help="only the names the allow-list dropped"
    )
    add_format_option(attributes)
    add_wait_option(attributes, 120.0)
    attributes.set_defaults(func=run_attributes)


def run_attributes(args: argparse.Namespace) -> int:
    with open_warehouse(args.wait) as client:
        names = attribute_catalog(client, dropped_only=args.dropped)
    print_rows(
        HEADERS,
        (
            (n.event_name, n.attribute, n.kept, n.seen, n.first_seen, n.last_seen, n.app_versions)
            for n in names
        ),
        args.format,
    )
    if args.format == "table":
        say(f"{len(names)} name(s), {sum(not n.kept for n in names)} dropped")
    return 0
