"""Data checks on the rollups: plain functions the Dagster asset checks and tests call."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cc_pipeline import sqlfiles

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

COST_TOLERANCE = 0.01  # relative difference allowed between telemetry and transcript cost


@dataclass
class CheckOutcome:
    name: str
    passed: bool
    description: str
    warn_only: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)


def _one(client: Warehouse, sql: str, **params: Any) -> tuple[Any, ...]:
    return client.query_rows(sql, parameters=params)[0]


def no_duplicate_requests(client: Warehouse) -> CheckOutcome:
    dup_keys, dup_ids = _one(
        client,
        "SELECT count() - uniqExact(request_key), "
        "countIf(request_id != '') - uniqExactIf(request_id, request_id != '') FROM usage_requests",
    )
    return CheckOutcome(
        "no_duplicate_requests",
        dup_keys == 0 and dup_ids == 0,
        "Every request_id (and request_key) appears once in usage_requests.",
        metadata={"duplicate_request_keys": int(dup_keys), "duplicate_request_ids": int(dup_ids)},
    )


def no_negative_values(client: Warehouse) -> CheckOutcome:
    negative_rows, negative_raw = _one(client, sqlfiles.load("rollups/check_negative.sql"))
    return CheckOutcome(
        "no_negative_values",
        negative_rows == 0 and negative_raw == 0,
        "No negative tokens or cost, neither in usage_requests nor in raw api_request events.",
        metadata={
            "negative_usage_rows": int(negative_rows),
            "negative_raw_api_requests": int(negative_raw),
        },
    )


def rollup_totals_match(client: Warehouse) -> CheckOutcome:
    rows = client.query(sqlfiles.load("rollups/check_totals.sql")).result_rows
    mismatched = [r for r in rows if abs(float(r[1]) - float(r[2])) > 1e-6 * max(1.0, abs(r[1]))]
    table = "\n".join(
        ["| rollup | measure | rollup total | usage_requests total |", "|---|---|---|---|"]
        + [f"| {r[0].split('.')[0]} | {r[0].split('.')[1]} | {r[1]:g} | {r[2]:g} |" for r in rows]
    )
    return CheckOutcome(
        "rollup_totals_match",
        not mismatched,
        "Totals of usage_daily, session_days, usage_coverage and billing_blocks equal "
        "usage_requests totals.",
        metadata={"mismatches": len(mismatched), "totals": ("md", table)},
    )


def sources_agree(client: Warehouse, limit: int = 10) -> CheckOutcome:
    token_diffs, cost_diffs, matched = _one(
        client, sqlfiles.load("rollups/check_agree.sql"), tol=COST_TOLERANCE
    )
    worst = client.query(
        sqlfiles.load("rollups/check_agree_worst.sql"), parameters={"n": limit}
    ).result_rows
    table = "\n".join(
        [
            "| request_id | tokens (telemetry) | tokens (transcript) | cost (telemetry) | "
            "cost (transcript) |",
            "|---|---|---|---|---|",
        ]
        + [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.6f} | {r[4]:.6f} |" for r in worst]
    )
    return CheckOutcome(
        "sources_agree",
        token_diffs == 0 and cost_diffs == 0,
        f"Requests seen by both sources have the same tokens and costs within "
        f"{COST_TOLERANCE:.0%} (WARN lists the worst rows).",
        warn_only=token_diffs == 0,
        metadata={
            "matched_requests": int(matched),
            "token_mismatches": int(token_diffs),
            "cost_mismatches": int(cost_diffs),
            "worst_rows": ("md", table if worst else "none"),
        },
    )


def cost_provenance(client: Warehouse, limit: int = 10) -> CheckOutcome:
    """Where the cost Claude Code reported and the cost computed from the price table differ
    (beyond ``COST_TOLERANCE``), and which models have no price: the largest gaps first."""
    rows = client.query(
        sqlfiles.load("rollups/check_cost_gaps.sql"), parameters={"tol": COST_TOLERANCE, "n": limit}
    ).result_rows
    gaps = sum(int(r[2]) for r in rows)
    unpriced = sum(int(r[5]) for r in rows)
    table = "\n".join(
        [
            "| model | compared | gaps | reported $ | computed $ | unpriced |",
            "|---|---|---|---|---|---|",
        ]
        + [f"| {m} | {c} | {g} | {r:.6f} | {p:.6f} | {u} |" for m, c, g, r, p, u in rows]
    )
    return CheckOutcome(
        "cost_provenance",
        gaps == 0 and unpriced == 0,
        f"The cost Claude Code reported and the cost computed from the price table agree "
        f"within {COST_TOLERANCE:.0%} and every model is priced (WARN lists the largest gaps).",
        warn_only=True,
        metadata={
            "requests_with_gaps": gaps,
            "unpriced_requests": unpriced,
            "largest_gaps": ("md", table if rows else "none"),
        },
    )


def freshness_hours() -> float:
    return float(os.environ.get("CC_PIPELINE_FRESHNESS_HOURS", "24"))


def ingestion_fresh(client: Warehouse, now: datetime | None = None) -> CheckOutcome:
    now = now or datetime.now(tz=UTC)
    newest_source, newest_rollup = _one(client, sqlfiles.load("rollups/check_fresh.sql"))
    limit = freshness_hours()
    age = (
        None
        if newest_source is None
        else (now - newest_source.replace(tzinfo=UTC)).total_seconds() / 3600
    )
    caught_up = newest_source is None or (
        newest_rollup is not None and newest_rollup >= newest_source
    )
    fresh = age is not None and age <= limit
    return CheckOutcome(
        "ingestion_fresh",
        caught_up and fresh,
        f"Newest ingested request is at most {limit:g} h old (CC_PIPELINE_FRESHNESS_HOURS) and "
        "the rollups include it.",
        warn_only=caught_up,
        metadata={
            "newest_source_request": str(newest_source) if newest_source else "-",
            "newest_rollup_request": str(newest_rollup) if newest_rollup else "-",
            "age_hours": round(age, 2) if age is not None else -1.0,
        },
    )


ALL_CHECKS = (
    no_duplicate_requests,
    no_negative_values,
    rollup_totals_match,
    sources_agree,
    ingestion_fresh,
    cost_provenance,
)


def run_all(client: Warehouse) -> list[CheckOutcome]:
    return [check(client) for check in ALL_CHECKS]
