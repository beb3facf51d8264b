"""``cc-pipeline collector``: run the local OTLP receiver in the foreground."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from cc_pipeline.console import say

MiB = 1024 * 1024


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
    parser.add_argument(
        "--fsync",
        choices=("always", "interval", "never"),
        default="interval",
        help="force each line to disk before acknowledging it (always), every "
        "--fsync-interval seconds (interval, the default) or only at rotation and exit (never)",
    )
    parser.add_argument(
        "--fsync-interval", type=float, default=1.0, help="seconds between syncs (1)"
    )
    parser.add_argument(
        "--max-body-megabytes", type=float, default=20, help="largest request body (20)"
    )
    parser.add_argument(
        "--max-inflight-megabytes",
        type=float,
        default=64,
        help="request bytes held at once over all connections; beyond it 503 (64)",
    )
    parser.add_argument(
        "--max-connections", type=int, default=64, help="OTLP/HTTP connections at once (64)"
    )
    parser.add_argument(
        "--idle-timeout", type=float, default=30, help="close idle keep-alive after (30 s)"
    )
    parser.add_argument(
        "--header-timeout", type=float, default=10, help="request headers must arrive in (10 s)"
    )
    parser.add_argument(
        "--body-timeout", type=float, default=30, help="a body must arrive in, else 408 (30 s)"
    )


def add_collector(parser: argparse.ArgumentParser) -> None:
    """Receive OTLP (gRPC and HTTP, protobuf and JSON) and write the Collector file
    exporter's JSONL into the folder ingestion reads. Ctrl-C or SIGTERM flushes and stops."""
    add_arguments(parser)
    parser.set_defaults(func=run_collector)


def run_collector(args: argparse.Namespace) -> int:
    from cc_pipeline import settings
    from cc_pipeline.collector.limits import Limits
    from cc_pipeline.collector.receiver import Receiver, ReceiverConfig
    from cc_pipeline.collector.writer import FsyncPolicy

    config = ReceiverConfig(
        output_dir=(args.output or settings.telemetry_dir()).expanduser().resolve(),
        host=args.host,
        grpc_port=args.grpc_port,
        http_port=args.http_port,
        health_port=args.health_port,
        max_megabytes=args.max_megabytes,
        max_backups=args.max_backups,
        fsync=FsyncPolicy(args.fsync),
        fsync_interval=args.fsync_interval,
        limits=Limits(
            max_body_bytes=int(args.max_body_megabytes * MiB),
            max_inflight_bytes=int(args.max_inflight_megabytes * MiB),
            max_connections=args.max_connections,
            idle_timeout=args.idle_timeout,
            header_timeout=args.header_timeout,
            body_timeout=args.body_timeout,
        ),
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
