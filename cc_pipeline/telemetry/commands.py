"""``cc-pipeline ingest``: load the Collector's JSONL once, without a Dagster run."""

from __future__ import annotations

import argparse
from pathlib import Path

from cc_pipeline.console import add_wait_option, human_bytes, load_session, say
from cc_pipeline.telemetry.ingest import DEFAULT_BATCH_BYTES


def add_ingest(parser: argparse.ArgumentParser) -> None:
    """Load every complete new line of the Collector's output folder, exactly once (the same
    function the Dagster asset runs)."""
    parser.add_argument(
        "--source-dir",
        "--source",
        dest="source_dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of Collector JSONL (default CC_PIPELINE_HOME/otel)",
    )
    parser.add_argument(
        "--keep-content",
        action="store_true",
        default=None,
        help="also store prompts, responses and tool inputs (off by default)",
    )
    parser.add_argument(
        "--batch-mb",
        type=float,
        default=DEFAULT_BATCH_BYTES / 2**20,
        help=f"MB of lines loaded per batch (default {DEFAULT_BATCH_BYTES >> 20}); "
        "smaller uses less memory",
    )
    add_wait_option(parser)
    parser.set_defaults(func=run_ingest, quick_exit=True, no_arrow=True)


def run_ingest(args: argparse.Namespace) -> int:
    from cc_pipeline.telemetry.ingest import ingest_telemetry, raw_retention_days

    try:
        retention_days = raw_retention_days()
    except ValueError as exc:
        say(str(exc))
        return 2
    with load_session(args, "ingest") as (client, progress):
        summary = ingest_telemetry(
            client,
            args.source_dir,
            keep_content=args.keep_content,
            max_batch_bytes=max(1, int(args.batch_mb * 2**20)),
            progress=progress,
            log=say,
            retention_days=retention_days,
        )
    print(f"source      {summary.folder}")
    print(f"files       {summary.files_read} read of {summary.files_seen}")
    print(f"bytes       {human_bytes(summary.bytes_read)} in {summary.batches} batch(es)")
    for table, count in sorted(summary.rows.items()):
        print(f"{table:<23} +{count} rows")
    print(f"quarantined {summary.quarantined} line(s)")
    if summary.pruned:
        print(f"pruned      {len(summary.pruned)} rotated file(s) read to their end")
    newest = summary.newest_event.isoformat() if summary.newest_event else "-"
    print(f"newest      {newest}")
    print(f"took        {summary.seconds:.2f}s")
    return 0
