"""The status line's state file, written by the pipeline after each refresh.

``CC_PIPELINE_HOME/statusline.json`` holds what ``cc-pipeline statusline`` shows: today's cost
(UTC day), the latest 5-hour billing block with its burn rate, and every budget's state. It is
written to a scratch file and renamed over the old one, so the status line reads the old file
or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_pipeline import settings, sqlfiles
from cc_pipeline.budgets.config import BudgetError, check_columns, load_budgets
from cc_pipeline.budgets.evaluate import HEADERS, evaluate_budgets
from cc_pipeline.limits.statusline import STATE_FILE

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

STATE_VERSION = 1
# A burn rate over less than this is noise: the block's first minute.
MIN_BURN_SPAN_MS = 60_000


def state_path() -> Path:
    return settings.current().home / STATE_FILE


def current_block(client: Warehouse) -> dict[str, float] | None:
    """The latest billing block: start, end, first and last entry (epoch seconds), cost and
    burn rate in USD per hour between its first and last entry."""
    rows = client.query(sqlfiles.load("limits/current_block.sql")).result_rows
    if not rows:
        return None
    start, end, first, last, cost = rows[0]
    block: dict[str, float] = {"start": start / 1000, "end": end / 1000, "cost_usd": float(cost)}
    if first is not None and last is not None:
        block["first_entry"], block["last_entry"] = first / 1000, last / 1000
        if last - first >= MIN_BURN_SPAN_MS:
            block["burn_usd_per_hour"] = float(cost) / ((last - first) / 3_600_000)
    return block


def budget_states(client: Warehouse, now: datetime) -> tuple[list[dict[str, Any]], str | None]:
    """Every budget's row (``HEADERS``), or none and the reason the budgets file is unusable."""
    try:
        budgets = load_budgets()
        check_columns(client, budgets)
    except BudgetError as exc:
        return [], str(exc)
    rows = [
        dict(zip(HEADERS, e.row(), strict=True)) for e in evaluate_budgets(client, budgets, now)
    ]
    return rows, None


def build_state(client: Warehouse, now: datetime | None = None) -> dict[str, Any]:
    """The state file's content at ``now``."""
    moment = now or datetime.now(UTC)
    today = moment.astimezone(UTC).date()
    cost = client.query(sqlfiles.load("limits/today_cost.sql"), parameters={"day": today})
    budgets, problem = budget_states(client, moment)
    return {
        "version": STATE_VERSION,
        "updated_at": moment.timestamp(),
        "today": {"day": today.isoformat(), "cost_usd": float(cost.result_rows[0][0] or 0.0)},
        "block": current_block(client),
        "budgets": budgets,
        "budget_error": problem,
    }


def write_state(state: dict[str, Any], path: Path | None = None) -> Path:
    """Write the state file atomically; its path."""
    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(scratch, "w") as fh:
        json.dump(state, fh, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(scratch, path)
    return path


def publish_state(client: Warehouse, log: Callable[[str], None] | None = None) -> Path:
    """Write the status line's state from the warehouse as it is now."""
    state = build_state(client)
    if state["budget_error"] and log:
        log(state["budget_error"])
    return write_state(state)
