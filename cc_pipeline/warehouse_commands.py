"""``cc-pipeline sql``: a read-only query against the configured ClickHouse.

Which queries run is ``cc_pipeline.query_guard``'s rule: reads of the project's own tables and
views and of ``system``, nothing else.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from cc_pipeline.console import add_wait_option, say


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sql",
        help="run a read-only SQL query",
        description="Run a read-only query against the configured ClickHouse. With --format "
        "json, stdout holds only one JSON array of row objects; messages go to stderr.",
    )
    parser.add_argument(
        "query", help='e.g. "SELECT model, sum(cost_usd) FROM cc_api_requests GROUP BY model"'
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    add_wait_option(parser, 120.0)
    parser.set_defaults(func=run_sql)


# C0 controls but the line break, DEL and C1 controls: a terminal would obey them.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every terminal control character shown as an escape such as ``\\x1b``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _cell(value: Any) -> Any:
    """A value as the table shows it: numbers stay numbers, everything else printable text."""
    value = _jsonable(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | dict):
        return printable(json.dumps(value, ensure_ascii=False, default=str))
    return printable(str(value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def run_sql(args: argparse.Namespace) -> int:
    """Run the query if ``query_guard`` lets it, and print its rows; 1 when refused or failed."""
    from cc_pipeline.query_guard import QueryRefused, checked_statement
    from cc_pipeline.resources.connection import connection_from_env
    from cc_pipeline.schema import migrate

    resource = connection_from_env(busy_timeout_s=args.wait)
    with resource.connect(on_wait=say) as client:
        migrate(client)
        try:
            statement = checked_statement(client, args.query, resource.database)
        except QueryRefused as exc:
            say(str(exc))
            return 1
        try:
            result = client.query(statement, settings={"readonly": 1})
        except Exception as exc:
            say(f"query failed: {exc}")
            return 1
    names = list(result.column_names)
    rows = result.result_rows
    if args.format == "json":
        json.dump(
            [{n: _jsonable(v) for n, v in zip(names, row, strict=True)} for row in rows], sys.stdout
        )
        sys.stdout.write("\n")
        return 0
    from tabulate import tabulate

    table = [[_cell(v) for v in row] for row in rows]
    print(tabulate(table, headers=[printable(n) for n in names]))
    say(f"{len(rows)} row(s)")
    return 0
