"""``cc-pipeline rollup`` and ``cc-pipeline report``: the rollups from the shell, no Dagster run."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

from cc_pipeline.console import add_format_option, add_wait_option, open_warehouse, print_rows, say
from cc_pipeline.rollups.reports import BY_COLUMNS

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


def add_rollup(rollup: argparse.ArgumentParser) -> None:
    """Rebuild the rollups of the days whose telemetry or transcripts changed, run the checks
    and rebuild the dashboard (what the Dagster rollup assets do)."""
    rollup.add_argument("--full", action="store_true", help="rebuild every day")
    rollup.add_argument(
        "--day",
        action="append",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="rebuild this day; repeatable",
    )
    rollup.add_argument("--no-dashboard", action="store_true", help="skip the dashboard")
    add_wait_option(rollup)
    rollup.set_defaults(func=run_rollup)


def add_report(report: argparse.ArgumentParser) -> None:
    """Reports like ccusage's, read from the rollup tables; --by breaks them down by an
    attribution column (team, repo, branch, ...). --format json prints ccusage's JSON."""
    report.add_argument("kind", choices=["daily", "weekly", "monthly", "session", "blocks"])
    report.add_argument(
        "--since", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
        help="first day to report (in --timezone)",
    )  # fmt: skip
    report.add_argument(
        "--until", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
        help="last day to report (in --timezone)",
    )  # fmt: skip
    report.add_argument(
        "--timezone", default="UTC", metavar="ZONE",
        help="IANA time zone the days are counted in (default UTC), e.g. Europe/Berlin",
    )  # fmt: skip
    report.add_argument(
        "--breakdown", action="store_true",
        help="one row per model in tables and CSV (JSON always holds modelBreakdowns)",
    )  # fmt: skip
    report.add_argument(
        "--by", default=None, metavar="COLUMN", choices=BY_COLUMNS,
        help=f"also group by this attribution column: {', '.join(BY_COLUMNS)}",
    )  # fmt: skip
    add_format_option(report)
    report.add_argument(
        "--user", default=None, help="one user_id (blocks: default every user; '' = no known user)"
    )
    add_wait_option(report)
    report.set_defaults(func=run_report)


def add_demo(demo: argparse.ArgumentParser) -> None:
    """Write 30 days of Collector JSONL and transcripts for three users and four projects
    (overlapping sources) under CC_PIPELINE_HOME, then ingest, backfill, refresh the rollups
    and build the dashboard."""
    add_wait_option(demo)
    demo.set_defaults(func=run_demo_command)


def run_rollup(args: argparse.Namespace) -> int:
    from cc_pipeline.rollups.checks import run_all
    from cc_pipeline.rollups.refresh import refresh_rollups

    with open_warehouse(args.wait, migrated=False) as client:
        summary = refresh_rollups(client, days=args.day, full=args.full, log=say)
        outcomes = run_all(client)
        built = None
        if not args.no_dashboard:
            from cc_pipeline.dashboard.build import build_dashboard

            built = build_dashboard(client)
    print(summary.describe())
    for outcome in outcomes:
        state = "ok" if outcome.passed else ("WARN" if outcome.warn_only else "FAIL")
        print(f"check {outcome.name:<24} {state}")
    if built:
        print(f"dashboard {built.path}")
    return 0 if all(o.passed or o.warn_only for o in outcomes) else 1


def _build_report(client: Warehouse, args: argparse.Namespace) -> dict[str, Any]:
    from cc_pipeline.rollups import reports

    where = reports.ReportFilter(args.since, args.until, args.user, args.timezone, args.by)
    if args.kind == "blocks":
        return reports.blocks_report(client, where)
    if args.kind == "session":
        return reports.session_report(client, where)
    return reports.usage_report(client, args.kind, where)


def run_report(args: argparse.Namespace) -> int:
    from cc_pipeline.rollups import reports

    if args.kind == "blocks" and args.by:
        say("--by does not apply to blocks (they are cut per user)")
        return 2
    try:
        reports.check_timezone(args.timezone)
    except ValueError as exc:
        say(str(exc))
        return 2
    with open_warehouse(args.wait) as client:
        report = _build_report(client, args)
    if args.format == "json":
        json.dump(report, sys.stdout, indent=2)
        print()
        return 0
    headers, rows = reports.report_rows(
        report, args.kind, by=args.by, breakdown=args.breakdown, totals=args.format == "table"
    )
    print_rows(headers, rows, args.format)
    return 0


def run_demo_command(args: argparse.Namespace) -> int:
    from cc_pipeline.rollups.demo import run_demo

    with open_warehouse(args.wait, migrated=False) as client:
        result = run_demo(client, log=say)
    print(
        f"demo: {result['requests']} requests over {result['days']} days; "
        f"dashboard {result['dashboard']}"
    )
    return 0
