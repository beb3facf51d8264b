"""``cc-pipeline sql``: a read-only query against the configured ClickHouse."""

from __future__ import annotations

import argparse
import json
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
    from cc_pipeline.resources.connection import connection_from_env
    from cc_pipeline.schema import migrate

    resource = connection_from_env(busy_timeout_s=args.wait)
    with resource.connect(on_wait=say) as client:
        migrate(client)
        try:
            result = client.query(args.query, settings={"readonly": 2})
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

    print(tabulate([[_jsonable(v) for v in row] for row in rows], headers=names))
    say(f"{len(rows)} row(s)")
    return 0
