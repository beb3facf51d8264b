"""``cc-pipeline``: the shell face of the same plain functions the Dagster assets call.

Each domain adds its own sub-commands through a ``register(subparsers)`` function listed in
COMMAND_MODULES; nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "cc_pipeline.telemetry.commands",
    "cc_pipeline.warehouse_commands",
    "cc_pipeline.serve",
    "cc_pipeline.stack.commands",
    "cc_pipeline.collector.commands",
    "cc_pipeline.transcripts.commands",
    "cc_pipeline.rollups.commands",
    "cc_pipeline.dashboard.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cc-pipeline",
        description="Claude Code usage and cost: telemetry and transcripts into ClickHouse.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from cc_pipeline.resources.engine_lock import EmbeddedDatabaseBusy

    try:
        return int(args.func(args) or 0)
    except EmbeddedDatabaseBusy as exc:  # another process holds the embedded database
        print(exc, file=sys.stderr)
        return 75
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
