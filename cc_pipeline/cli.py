"""``cc-pipeline``: the shell face of the same plain functions the Dagster assets call.

Each domain adds its own sub-commands through a ``register(subparsers)`` function listed in
COMMAND_MODULES; nothing heavy is imported until a command runs.
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

# Command name -> the module whose ``register`` adds it. Only the module of the command being
# run is imported (``--help`` imports them all), so a command starts without the others.
COMMAND_MODULES = {
    "ingest": "cc_pipeline.telemetry.commands",
    "telemetry": "cc_pipeline.telemetry.attributes",
    "sql": "cc_pipeline.warehouse_commands",
    "serve": "cc_pipeline.serve",
    "stack": "cc_pipeline.stack.commands",
    "env": "cc_pipeline.stack.commands",
    "collector": "cc_pipeline.collector.commands",
    "backfill": "cc_pipeline.transcripts.commands",
    "rollup": "cc_pipeline.rollups.commands",
    "report": "cc_pipeline.rollups.commands",
    "demo": "cc_pipeline.rollups.commands",
    "dashboard": "cc_pipeline.dashboard.commands",
    "budgets": "cc_pipeline.budgets.commands",
    "statusline": "cc_pipeline.limits.statusline",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with only ``command``'s module when it is known."""
    import argparse

    from cc_pipeline.console import EXIT_CODES_HELP

    parser = argparse.ArgumentParser(
        prog="cc-pipeline",
        description="Claude Code usage and cost: telemetry and transcripts into ClickHouse.",
        epilog=EXIT_CODES_HELP,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if command in COMMAND_MODULES:
        modules = [COMMAND_MODULES[command]]
    else:
        modules = list(dict.fromkeys(COMMAND_MODULES.values()))
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
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
