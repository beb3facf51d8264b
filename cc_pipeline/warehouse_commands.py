"""``cc-pipeline sql``: a read-only query against the configured ClickHouse.

Which queries run is ``cc_pipeline.query_guard``'s rule: reads of the project's own tables and
views and of ``system``, nothing else.
"""

from __future__ import annotations

import argparse

from cc_pipeline.console import add_format_option, add_wait_option, open_warehouse, print_rows, say


def add_sql(parser: argparse.ArgumentParser) -> None:
    """Run a read-only query against the configured ClickHouse: reads of the project's tables
    and views and of system.*, nothing else. With --format json, stdout holds only one JSON
    array of row objects; with csv, only the rows; messages go to stderr."""
    parser.add_argument(
        "query", help='e.g. "SELECT model, sum(cost_usd) FROM cc_api_requests GROUP BY model"'
    )
    add_format_option(parser)
    add_wait_option(parser, 120.0)
    parser.set_defaults(func=run_sql)


def run_sql(args: argparse.Namespace) -> int:
    """Run the query if ``query_guard`` lets it, and print its rows; 1 when refused or failed."""
    from cc_pipeline.query_guard import QueryRefused, checked_statement

    with open_warehouse(args.wait) as client:
        try:
            statement = checked_statement(client, args.query, client.database or "default")
        except QueryRefused as exc:
            say(str(exc))
            return 1
        try:
            result = client.query(statement, settings={"readonly": 1})
        except Exception as exc:
            say(f"query failed: {exc}")
            return 1
    count = print_rows(list(result.column_names), result.result_rows, args.format)
    if args.format == "table":
        say(f"{count} row(s)")
    return 0
