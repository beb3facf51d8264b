"""``cc-pipeline``: the shell face of the same plain functions the Dagster assets call.

``COMMANDS`` lists every command and the function of its domain that adds its arguments;
nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

TYPE_CHECKING = False  # neither typing nor argparse loads for `statusline` (see ``run``)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

# Every command: the module and function that add its arguments (the function's docstring is
# its description in --help) and its one-line help. Only the module of the command being run
# is imported (--help imports them all), so a command starts without the others.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ingest": (
        "cc_pipeline.telemetry.commands",
        "add_ingest",
        "load new Collector JSONL into ClickHouse once",
    ),
    "backfill": (
        "cc_pipeline.transcripts.commands",
        "add_backfill",
        "load Claude Code transcripts (usage history) into ClickHouse",
    ),
    "rollup": (
        "cc_pipeline.rollups.commands",
        "add_rollup",
        "refresh the rollup tables once (only the days that changed)",
    ),
    "report": (
        "cc_pipeline.rollups.commands",
        "add_report",
        "print the daily, weekly, monthly, session or blocks report (as ccusage)",
    ),
    "demo": (
        "cc_pipeline.rollups.commands",
        "add_demo",
        "write a realistic month of telemetry and transcripts and run the whole pipeline",
    ),
    "dashboard": (
        "cc_pipeline.dashboard.commands",
        "add_dashboard",
        "serve the dashboard on 127.0.0.1 and open it (or --export one HTML file)",
    ),
    "budgets": (
        "cc_pipeline.budgets.commands",
        "add_budgets",
        "spend, forecast and state (ok, warn, over) of every budget in budgets.yaml",
    ),
    "statusline": (
        "cc_pipeline.limits.statusline",
        "add_statusline",
        "Claude Code status line: today's cost, 5-hour block, budgets, rate limits",
    ),
    "sql": ("cc_pipeline.warehouse_commands", "add_sql", "run a read-only SQL query"),
    "telemetry": (
        "cc_pipeline.telemetry.attributes",
        "add_telemetry",
        "what the loaded telemetry holds (attribute names, kept or dropped)",
    ),
    "serve": (
        "cc_pipeline.serve",
        "add_serve",
        "start the Dagster UI and daemon (schedules, sensors and automation on)",
    ),
    "collector": (
        "cc_pipeline.collector.commands",
        "add_collector",
        "run the local OTLP receiver in the foreground",
    ),
    "stack": (
        "cc_pipeline.stack.commands",
        "add_stack",
        "start, stop and inspect the telemetry stack (local receiver or Docker)",
    ),
    "env": (
        "cc_pipeline.stack.commands",
        "add_env",
        "print (or write) the env that points Claude Code at the stack",
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with only ``command`` when it is known."""
    import argparse

    from cc_pipeline.console import EXIT_CODES_HELP

    parser = argparse.ArgumentParser(
        prog="cc-pipeline",
        description="Claude Code usage and cost: telemetry and transcripts into ClickHouse.",
        epilog=EXIT_CODES_HELP,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [command] if command in COMMANDS else list(COMMANDS):
        module, adder, help_text = COMMANDS[name]
        add_arguments = getattr(importlib.import_module(module), adder)
        add_arguments(
            subparsers.add_parser(
                name, help=help_text, description=add_arguments.__doc__, epilog=EXIT_CODES_HELP
            )
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return _dispatch(argv)[0]


def run() -> None:
    """The ``cc-pipeline`` executable.

    A command that sets ``quick_exit`` (one-shot loads and queries) has committed everything
    when it returns: every statement is durable once it returns and the cursors are fsynced,
    the same guarantee a crash relies on. Such a command exits at once, skipping the
    interpreter's and the embedded engine's teardown. It also runs without the cyclic garbage
    collector: its passes would mostly re-walk the objects of the libraries it imports, a
    noticeable share of a short run, while its own objects are freed by reference counting.
    A command that sets ``no_arrow`` runs without pyarrow.
    """
    if sys.argv[1:] == ["statusline"]:
        # Claude Code runs it many times a minute: nothing but the standard library loads
        from cc_pipeline.limits.statusline import main as statusline

        sys.exit(statusline())
    code, quick = _dispatch(None, executable=True)
    if quick:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _dispatch(argv: Sequence[str] | None, executable: bool = False) -> tuple[int, bool]:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    from cc_pipeline.console import EXIT_BUSY, EXIT_DISK_FULL, EXIT_SCHEMA_CHANGED
    from cc_pipeline.files.cursors import SourceBusy
    from cc_pipeline.files.diskfull import DiskFull
    from cc_pipeline.resources.engine_lock import EmbeddedDatabaseBusy
    from cc_pipeline.schema import AppliedMigrationChanged

    # the process ends as soon as the command returns (see ``run``)
    args.exits_at_once = executable and bool(getattr(args, "quick_exit", False))
    if args.exits_at_once:
        gc.disable()
    if executable and getattr(args, "no_arrow", False):
        # chDB imports pyarrow (and with it numpy) whenever it is installed, for Arrow result
        # formats that loads never ask for: a tenth of a second of a short run. An entry of
        # None makes that optional import fail fast.
        sys.modules.setdefault("pyarrow", None)  # type: ignore[arg-type]

    try:
        code = int(args.func(args) or 0)
    except (EmbeddedDatabaseBusy, SourceBusy) as exc:  # another process holds it
        print(exc, file=sys.stderr)
        return EXIT_BUSY, False
    except AppliedMigrationChanged as exc:  # the database's schema history differs from the files
        print(f"cc-pipeline: {exc}", file=sys.stderr)
        return EXIT_SCHEMA_CHANGED, False
    except DiskFull as exc:  # says which disk is full and what to do
        print(exc, file=sys.stderr)
        return EXIT_DISK_FULL, False
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130, False
    return code, bool(getattr(args, "quick_exit", False))


if __name__ == "__main__":
    run()
