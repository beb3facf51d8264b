"""Load Claude Code transcripts into ClickHouse: the plain function behind the job and the CLI."""

from __future__ import annotations

import hashlib
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cc_pipeline import settings
from cc_pipeline.compaction import compact_after_load
from cc_pipeline.files.cursors import CursorStore
from cc_pipeline.files.diskfull import load_places, reporting_disk_full
from cc_pipeline.files.loader import IngestSummary, ProgressFn, ingest_folder
from cc_pipeline.files.spool import remove_stale_spools
from cc_pipeline.files.tailer import FileEvent, SkippedEntry
from cc_pipeline.schema import migrate
from cc_pipeline.transcripts.discovery import (
    TranscriptFile,
    default_roots,
    discover,
    since_timestamp,
    usable_roots,
)
from cc_pipeline.transcripts.pricing import (
    PricedModels,
    PriceTable,
    install_prices,
    load_price_table,
)
from cc_pipeline.transcripts.sink import TranscriptSink

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


@dataclass
class ModelTotals:
    model: str
    requests: int
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cost_usd: float | None


@dataclass
class BackfillSummary:
    roots: list[str] = field(default_factory=list)
    files_seen: int = 0
    files_read: int = 0
    files_skipped_since: int = 0
    bytes_read: int = 0
    entries: int = 0
    quarantined: int = 0
    events: list[FileEvent] = field(default_factory=list)
    newest_event: datetime | None = None
    price_sources: list[str] = field(default_factory=list)
    unpriced: list[tuple[str, int, int]] = field(default_factory=list)
    models: list[ModelTotals] = field(default_factory=list)
    compacted: list[str] = field(default_factory=list)  # tables merged after a bulk load
    compact_seconds: float = 0.0
    seconds: float = 0.0
    rows: Counter[str] = field(default_factory=Counter)
    machine: str = ""  # the machine label the loaded lines carry
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # bytes committed per file

    def add(self, part: IngestSummary) -> None:
        self.files_seen += part.files_seen
        self.files_read += part.files_read
        self.bytes_read += part.bytes_read
        self.entries += part.rows.get("transcript_entries", 0)
        self.rows.update(part.rows)
        self.quarantined += part.quarantined
        self.events.extend(part.events)
        self.ranges.update(part.ranges)
        newest = part.newest_event
        if newest and (self.newest_event is None or newest > self.newest_event):
            self.newest_event = newest


def default_machine() -> str:
    """The machine label of transcripts loaded here: this computer's host name."""
    return socket.gethostname()


def cursor_path_for(root: Path) -> Path:
    """One cursor file per root (by its resolved folder), so roots never share positions."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return settings.cursors_dir() / f"transcripts-{digest}.json"


def _apply_since(
    files: list[TranscriptFile], cursor_path: Path, since: date | datetime | None
) -> tuple[list[TranscriptFile], int]:
    """Skip files untouched since ``since`` that were never read; keep those with a cursor.

    Files with a cursor stay in the list so the tailer does not retire their positions (a
    later run without ``since`` must not read them again).
    """
    limit = since_timestamp(since)
    if limit is None:
        return files, 0
    known = CursorStore(cursor_path).by_inode() if cursor_path.exists() else {}
    kept = []
    for f in files:
        if f.mtime >= limit or (f.stat.st_dev, f.stat.st_ino) in known:
            kept.append(f)
    return kept, len(files) - len(kept)


def model_totals(client: Warehouse) -> tuple[list[ModelTotals], list[tuple[str, int, int]]]:
    """Counted requests per model over everything loaded so far, and the unpriced models.

    A model's cost is the sum over its priced requests (None when none is priced); the
    second list names models with tokens but no price: (model, requests, tokens).
    """
    totals, unpriced = [], []
    for m, n, i, o, cc, cr, priced, cost, n_unpriced, t_unpriced in client.query(
        "SELECT model, count(), sum(input_tokens), sum(output_tokens), "
        "sum(cache_creation_tokens), sum(cache_read_tokens), countIf(cost_usd IS NOT NULL), "
        "sum(ifNull(cost_usd, 0)), countIf(cost_usd IS NULL), "
        "sumIf(input_tokens + output_tokens + cache_creation_tokens + cache_read_tokens, "
        "cost_usd IS NULL) FROM transcript_requests GROUP BY model ORDER BY model"
    ).result_rows:
        totals.append(
            ModelTotals(str(m), int(n), int(i), int(o), int(cc), int(cr), cost if priced else None)
        )
        if n_unpriced:
            unpriced.append((str(m), int(n_unpriced), int(t_unpriced)))
    unpriced.sort(key=lambda u: -u[2])
    return totals, unpriced


def unpriced_since(
    client: Warehouse, loaded_since: datetime, priced: PricedModels | None = None
) -> list[tuple[str, int, int]]:
    """Models without a price among the usage lines loaded since ``loaded_since``:
    (model, lines, tokens). Cheaper than the full totals, for runs that skip them.

    With ``priced`` (models known to have a price), a run whose lines are all of such models
    has nothing to report and is answered without the view; the view's answers are added.
    """
    since = {"since": loaded_since}
    if priced is not None:
        loaded = client.query(
            "SELECT DISTINCT model FROM transcript_entries "
            "WHERE loaded_at >= {since:DateTime64(3, 'UTC')} AND countable "
            "AND model NOT IN ('', '<synthetic>')",  # lines the view costs at 0
            parameters=since,
        ).result_rows
        if {model for (model,) in loaded} <= priced.models:
            return []
    rows = client.query(
        "SELECT model, max(price_known), countIf(cost_usd IS NULL), "
        "sumIf(total_tokens, cost_usd IS NULL) FROM transcript_usage_lines "
        "WHERE loaded_at >= {since:DateTime64(3, 'UTC')} GROUP BY model",
        parameters=since,
    ).result_rows
    if priced is not None:
        priced.models.update(str(model) for model, known, _, _ in rows if known)
        priced.save()
    unpriced = [(str(m), int(n), int(t)) for m, _, n, t in rows if n]
    return sorted(unpriced, key=lambda u: -u[2])


def backfill_transcripts(
    client: Warehouse,
    roots: Sequence[Path] | None = None,
    *,
    since: date | datetime | None = None,
    prices: Path | None = None,
    max_batch_bytes: int = 32 << 20,
    max_line_bytes: int = 64 << 20,
    progress: ProgressFn | None = None,
    log: Callable[[str], None] | None = None,
    totals: bool = True,
    machine: str | None = None,
) -> BackfillSummary:
    """Load every complete new transcript line under ``roots`` (default: Claude Code's), once.

    Every line loaded carries ``machine`` (default: this computer's host name), so transcripts
    of several machines loaded into one warehouse stay told apart; a request found on several
    machines is still counted once (by its message and request id).

    ``since`` skips files last modified before that date that were never read (they stay
    unread, so a later run without ``since`` still loads them). With ``totals`` the summary
    also holds the per-model totals and unpriced models over everything loaded so far (a
    query over all requests, the larger part of a re-run's time on big histories). A full
    disk raises ``DiskFull``, saying which folders are full and what to do.
    """
    started = time.monotonic()
    run_started = datetime.now(UTC)
    say = log or (lambda _msg: None)
    summary = BackfillSummary(machine=default_machine() if machine is None else machine)
    with reporting_disk_full("transcripts", load_places(client, settings.cursors_dir())):
        for spool in remove_stale_spools(settings.cursors_dir()):  # also when no root is found
            say(f"removed the spool files a stopped run left: {spool}")
        migrate(client)
        table = load_price_table(prices)
        install_prices(client, table)
        summary.price_sources = table.sources
        plans = _plan_roots(summary, roots, since, say)
        _load_roots(client, summary, plans, (max_batch_bytes, max_line_bytes), progress, say)
        _close_run(client, summary, table, run_started if not totals else None, say)
    summary.seconds = time.monotonic() - started
    return summary


RootPlan = tuple[Path, list[TranscriptFile], Path, list[SkippedEntry]]


def _plan_roots(
    summary: BackfillSummary,
    roots: Sequence[Path] | None,
    since: date | datetime | None,
    say: Callable[[str], None],
) -> list[RootPlan]:
    """Each usable root with the files to read, its cursor file and its unreadable entries."""
    plans: list[RootPlan] = []
    for root in usable_roots(list(roots) if roots is not None else default_roots()):
        cursor_path = cursor_path_for(root)
        unreadable: list[SkippedEntry] = []
        found = discover(root, on_skip=say, skipped=unreadable)
        files, skipped = _apply_since(found, cursor_path, since)
        summary.files_skipped_since += skipped
        summary.roots.append(str(root))
        plans.append((root, files, cursor_path, unreadable))
    if not plans:
        say("no Claude Code transcripts found (no <root>/projects folder)")
    return plans


def _load_roots(
    client: Warehouse,
    summary: BackfillSummary,
    plans: list[RootPlan],
    limits: tuple[int, int],
    progress: ProgressFn | None,
    say: Callable[[str], None],
) -> None:
    """Load every planned root once; ``limits`` are the batch and line byte limits."""
    grand_total = sum(f.size for _, files, _, _ in plans for f in files)
    base = [0]

    def root_progress(done: int, total: int, path: str) -> None:
        if progress:
            progress(base[0] + done, max(grand_total, base[0] + total), path)

    for root, files, cursor_path, unreadable in plans:
        sink = TranscriptSink(
            files={f.path: f for f in files},
            # scratch files of the run, beside the cursors and emptied by the next run if a
            # crash left any
            spool_dir=cursor_path.with_suffix(".spool"),
            machine=summary.machine,
        )
        part = ingest_folder(
            client,
            sink,
            root,
            cursor_path,
            files=[f.path for f in files],
            stats={f.path: f.stat for f in files},
            skipped=unreadable,
            max_batch_bytes=limits[0],
            max_line_bytes=limits[1],
            progress=root_progress,
            log=say,
        )
        base[0] += part.bytes_read
        summary.add(part)


def _close_run(
    client: Warehouse,
    summary: BackfillSummary,
    table: PriceTable,
    unpriced_since_run: datetime | None,
    say: Callable[[str], None],
) -> None:
    """Merge after a bulk load; then the per-model totals (``unpriced_since_run`` None) or
    only the models this run met without a price."""
    compaction = compact_after_load(client, summary.rows)
    summary.compacted, summary.compact_seconds = compaction.tables, compaction.seconds
    if compaction.tables:
        say(
            f"merged the parts of {', '.join(compaction.tables)} after a bulk load "
            f"in {compaction.seconds:.1f}s"
        )
    if unpriced_since_run is None:
        summary.models, summary.unpriced = model_totals(client)
    elif summary.entries:
        priced = PricedModels.load(settings.cursors_dir() / "transcripts-priced-models.json", table)
        summary.unpriced = unpriced_since(client, unpriced_since_run, priced)
    for model, requests, tokens in summary.unpriced:
        say(
            f"no price for model {model!r} ({requests} request(s) or line(s), {tokens} tokens): "
            "cost left empty; add it to a price file (--prices-file or CC_PIPELINE_PRICES)"
        )
