"""``cc-pipeline backfill``: load Claude Code transcripts once, without a Dagster run."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from cc_pipeline.console import add_wait_option, human_bytes, load_session, print_rows, say


def add_backfill(parser: argparse.ArgumentParser) -> None:
    """Load the metadata of every new line of Claude Code's session transcripts (token
    counts, models, ids; never prompts, responses or tool output), exactly once. Requests are
    counted like ccusage 20."""
    parser.add_argument(
        "--root",
        "--claude-config-dir",
        dest="roots",
        action="append",
        default=None,
        metavar="DIR",
        help="a Claude config folder to read; repeatable, or comma-separated (default: "
        "CLAUDE_CONFIG_DIR, else ~/.config/claude and ~/.claude)",
    )
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="skip transcripts not modified since this date (they stay unread)",
    )
    parser.add_argument(
        "--prices-file",
        "--prices",
        dest="prices_file",
        type=Path,
        metavar="FILE",
        default=None,
        help="price file laid over the shipped table (default CC_PIPELINE_PRICES)",
    )
    parser.add_argument(
        "--machine",
        default=None,
        metavar="NAME",
        help="machine label every loaded line carries (default: this computer's host name)",
    )
    parser.add_argument(
        "--totals",
        action="store_true",
        help="also print requests, tokens and cost per model over everything loaded, and "
        "the models without a price",
    )
    add_wait_option(parser)
    parser.set_defaults(func=run_backfill, quick_exit=True, no_arrow=True)


def run_backfill(args: argparse.Namespace) -> int:
    from cc_pipeline.transcripts.backfill import backfill_transcripts
    from cc_pipeline.transcripts.discovery import parse_roots

    roots = parse_roots(",".join(args.roots)) if args.roots else None
    try:
        with load_session(args, "backfill") as (client, progress):
            summary = backfill_transcripts(
                client,
                roots,
                since=args.since,
                prices=args.prices_file,
                progress=progress,
                log=say,
                totals=args.totals,
                machine=args.machine,
            )
    except ValueError as exc:
        say(str(exc))
        return 2
    print(f"roots       {', '.join(summary.roots) or '-'}")
    print(f"machine     {summary.machine or '-'}")
    print(f"files       {summary.files_read} read of {summary.files_seen}", end="")
    print(f" ({summary.files_skipped_since} skipped by --since)" if args.since else "")
    print(f"bytes       {human_bytes(summary.bytes_read)}")
    print(f"entries     +{summary.entries} lines")
    print(f"quarantined {summary.quarantined} line(s)")
    print(f"prices      {'; '.join(summary.price_sources)}")
    if summary.compacted:
        print(f"compacted   {', '.join(summary.compacted)} in {summary.compact_seconds:.2f}s")
    if args.totals:
        print_totals(summary)
    print(f"took        {summary.seconds:.2f}s")
    return 0


def print_totals(summary: Any) -> None:
    print("totals      (all transcripts loaded so far, one entry per request)")
    print_rows(
        ["model", "requests", "input", "output", "cache write", "cache read", "cost USD"],
        (
            (m.model or "-", m.requests, m.input_tokens, m.output_tokens,
             m.cache_creation_tokens, m.cache_read_tokens,
             "unpriced" if m.cost_usd is None else round(m.cost_usd, 4))
            for m in summary.models
        ),
        thousands=True,
    )  # fmt: skip
    for model, requests, tokens in summary.unpriced:
        print(f"unpriced    {model} ({requests} requests, {tokens:,} tokens)")
