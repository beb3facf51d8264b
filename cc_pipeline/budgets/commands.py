"""``cc-pipeline budgets``: every budget's spend, forecast and state."""

from __future__ import annotations

import argparse

from cc_pipeline.console import (
    EXIT_CHECK_FAILED,
    EXIT_USAGE,
    add_format_option,
    add_wait_option,
    open_warehouse,
    print_rows,
    say,
)


def add_budgets(parser: argparse.ArgumentParser) -> None:
    """Evaluates the budgets of CC_PIPELINE_BUDGETS (default CC_PIPELINE_HOME/budgets.yaml)
    against the rollups as of the last refresh. Exits 1 when a budget is over, 2 when the
    file is invalid."""
    add_format_option(parser)
    parser.add_argument(
        "--notify",
        action="store_true",
        help="also call the budgets' webhooks for crossings not sent yet",
    )
    add_wait_option(parser)
    parser.set_defaults(func=run_budgets, quick_exit=True)


def run_budgets(args: argparse.Namespace) -> int:
    from cc_pipeline.budgets.config import BudgetError, budgets_path, check_columns, load_budgets
    from cc_pipeline.budgets.evaluate import HEADERS, evaluate_budgets

    try:
        budgets = load_budgets()
        if not budgets:
            say(f"no budgets: {budgets_path()} does not exist or lists none")
        with open_warehouse(args.wait) as client:
            check_columns(client, budgets)
            evaluations = evaluate_budgets(client, budgets)
    except BudgetError as exc:
        say(str(exc))
        return EXIT_USAGE
    print_rows(HEADERS, [e.row() for e in evaluations], args.format)
    if args.notify:
        from cc_pipeline.budgets.alerts import send_alerts

        outcome = send_alerts(evaluations, log=say)
        say(f"{len(outcome.sent)} crossing(s) sent, {len(outcome.failed)} webhook(s) failed")
    return EXIT_CHECK_FAILED if any(e.state == "over" for e in evaluations) else 0
