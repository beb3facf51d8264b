"""``cc-pipeline collector``: run the local OTLP receiver in the foreground."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cc_pipeline.console import say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--grpc-port", type=int, default=4317, help="OTLP/gRPC port (4317)")
    parser.add_argument("--http-port", type=int, default=4318, help="OTLP/HTTP port (4318)")
    parser.add_argument(
        "--health-port", type=int, default=13133, help="health and /metrics port (13133)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="folder for the JSONL (default CC_PIPELINE_HOME/otel, what ingestion reads)",
    )
    parser.add_argument(
        "--max-megabytes", type=float, default=100, help="rotate the file at this size (100)"
    )
    parser.add_argument("--max-backups", type=int, default=100, help="rotated files to keep (100)")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "collector",
        help="run the local OTLP receiver in the foreground",
        description="Receive OTLP (gRPC and HTTP, protobuf and JSON) and write the "
        "Collector file exporter's JSONL into the folder ingestion reads. "
        "Ctrl-C or SIGTERM flushes and stops.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run_collector)


def run_collector(args: argparse.Namespace) -> int:
    from cc_pipeline import settings
    from cc_pipeline.collector.receiver import Receiver, ReceiverConfig

    config = ReceiverConfig(
        output_dir=(args.output or settings.telemetry_dir()).expanduser().resolve(),
        host=args.host,
        grpc_port=args.grpc_port,
        http_port=args.http_port,
        health_port=args.health_port,
        max_megabytes=args.max_megabytes,
        max_backups=args.max_backups,
    )
    try:
        Receiver(config).serve_until_signalled(announce=say)
    except OSError as exc:
        say(f"cannot start the OTLP receiver: {exc}")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cc_pipeline.collector")
    add_arguments(parser)
    return run_collector(parser.parse_args(argv))
