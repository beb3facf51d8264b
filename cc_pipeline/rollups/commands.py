"""``cc-pipeline rollup`` and ``cc-pipeline report``: the rollups from the shell, no Dagster run."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from cc_pipeline.console import add_wait_option, say


def register(subparsers: Any) -> None:
    rollup = subparsers.add_parser(
        "rollup",
        help="refresh the rollup tables once (only the days that changed)",
        description="Rebuild the rollups of the days whose telemetry or transcripts changed, "
        "run the checks and rebuild the dashboard (what the scheduled Dagster job does).",
    )
    rollup.add_argument("--full", action="store_true", help="rebuild every day")
    rollup.add_argument(
        "--day",
        action="append",
        type=date.fromisoformat,
        default=None,
        help="rebuild this day (YYYY-MM-DD); repeatable",
    )
    rollup.add_argument("--no-dashboard", action="store_true", help="skip the dashboard")
    add_wait_option(rollup)
    rollup.set_defaults(func=run_rollup)

    report = subparsers.add_parser(
        "report",
        help="print the daily, session or blocks report (as ccusage) from the rollups",
        description="Reports like ccusage's, read from the rollup tables.",
    )
    report.add_argument("kind", choices=["daily", "session", "blocks"])
    report.add_argument("--json", action="store_true", help="print JSON (ccusage's shape)")
    report.add_argument("--since", type=date.fromisoformat, default=None)
    report.add_argument("--until", type=date.fromisoformat, default=None)
    report.add_argument(
        "--user", default=None, help="one user_id (blocks: default every user; '' = no known user)"
    )
    add_wait_option(report)
    report.set_defaults(func=run_report)

    demo = subparsers.add_parser(
        "demo",
        help="write a realistic month of telemetry and transcripts and run the whole pipeline",
        description="Write 30 days of Collector JSONL and transcripts for three users and four "
        "projects (overlapping sources) under CC_PIPELINE_HOME, then ingest, backfill, refresh "
        "the rollups and build the dashboard.",
    )
    add_wait_option(demo)
    demo.set_defaults(func=run_demo_command)


def _resource(wait: float) -> Any:
    from cc_pipeline.resources.connection import connection_from_env

    return connection_from_env(busy_timeout_s=wait)


def run_rollup(args: argparse.Namespace) -> int:
    from cc_pipeline.rollups.checks import run_all
    from cc_pipeline.rollups.refresh import refresh_rollups

    with _resource(args.wait).connect(on_wait=say) as client:
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


def run_report(args: argparse.Namespace) -> int:
    from cc_pipeline.rollups import reports
    from cc_pipeline.schema import migrate

    with _resource(args.wait).connect(on_wait=say) as client:
        migrate(client)
        if args.kind == "daily":
            report = reports.daily_report(client, args.since, args.until, args.user)
        elif args.kind == "session":
            report = reports.session_report(client, args.since, args.until, args.user)
        else:
            report = reports.blocks_report(client, args.user, args.since, args.until)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print(reports.format_table(report, args.kind))
    return 0


def run_demo_command(args: argparse.Namespace) -> int:
    from cc_pipeline.rollups.demo import run_demo

    with _resource(args.wait).connect(on_wait=say) as client:
        result = run_demo(client, log=say)
    print(
        f"demo: {result['requests']} requests over {result['days']} days; "
        f"dashboard {result['dashboard']}"
    )
    return 0
