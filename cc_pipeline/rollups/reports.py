"""The reports ccusage users know (daily, weekly, monthly, session, blocks), read from the
rollups, in ccusage's JSON shape; optionally by one attribution column and in a time zone."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cc_pipeline import sqlfiles
from cc_pipeline.console import print_rows

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

TOKEN_KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
BLOCK_MS = 5 * 3600 * 1000
# The columns of usage_requests a report can be broken down by (``--by``).
BY_COLUMNS = (
    "team",
    "department",
    "cost_center",
    "user_id",
    "user_email",
    "account_uuid",
    "organization_id",
    "machine",
    "project",
    "repo",
    "branch",
    "agent",
    "skill",
    "plugin",
    "mcp_server",
    "provider",
    "effort",
    "speed",
    "query_source",
    "entrypoint",
    "terminal_type",
    "app_version",
    "source",
)
# Report kind -> (period of usage_report.sql, JSON list key, entry key), ccusage's names.
PERIODS = {
    "daily": ("day", "daily", "date"),
    "weekly": ("week", "weekly", "week"),
    "monthly": ("month", "monthly", "month"),
}


def check_timezone(name: str) -> str:
    """``name`` when it is an IANA time zone (``UTC``, ``Europe/Berlin``); else ValueError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (an IANA name like Europe/Berlin)") from exc
    return name


def check_by(column: str | None) -> str | None:
    """``column`` when a report can be broken down by it (``BY_COLUMNS``); else ValueError."""
    if column is not None and column not in BY_COLUMNS:
        raise ValueError(
            f"cannot break a report down by {column!r}: one of {', '.join(BY_COLUMNS)}"
        )
    return column


@dataclass(frozen=True)
class ReportFilter:
    """Which requests a report covers (days in ``timezone``, one user or all) and the
    attribution column it is broken down ``by``, if any."""

    since: date | None = None
    until: date | None = None
    user: str | None = None
    timezone: str = "UTC"
    by: str | None = None

    def parameters(self) -> dict[str, Any]:
        """The report queries' parameters; ValueError for an unknown zone or column."""
        return {
            "since": self.since or date(1970, 1, 1),
            "until": self.until or date(2200, 1, 1),
            "user": self.user or "",
            "tz": check_timezone(self.timezone),
            "grouped": check_by(self.by) is not None,
            "by": self.by or "model",  # named in the SQL only when grouped
        }


EVERYTHING = ReportFilter()


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {k: sum(r[k] for r in rows) for k in TOKEN_KEYS}
    totals["totalCost"] = sum(r["totalCost"] for r in rows)
    totals["totalTokens"] = sum(r["totalTokens"] for r in rows)
    return totals


def _grouped(
    rows: list[tuple[Any, ...]],
    key_name: str,
    by: str | None = None,
    extra: Callable[[list[Any]], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Rows of (key, by value, model, input, output, cache_creation, cache_read, cost, *extra)
    as one entry per (key, by value), each with its models' breakdown."""
    out: dict[tuple[Any, Any], dict[str, Any]] = {}
    for key, by_value, model, inp, outp, cc, cr, cost, *rest in rows:
        entry = out.get((key, by_value))
        if entry is None:
            entry = out[(key, by_value)] = {key_name: key}
            if by is not None:
                entry[by] = by_value
            entry.update(
                {
                    **dict.fromkeys(TOKEN_KEYS, 0),
                    "totalCost": 0.0,
                    "totalTokens": 0,
                    "modelsUsed": [],
                    "modelBreakdowns": [],
                }
            )
            if extra:
                entry.update(extra(rest))
        for k, v in zip(TOKEN_KEYS, (inp, outp, cc, cr), strict=True):
            entry[k] += int(v)
        entry["totalTokens"] += int(inp + outp + cc + cr)
        entry["totalCost"] += float(cost)
        entry["modelsUsed"].append(model)
        entry["modelBreakdowns"].append(
            {
                "modelName": model,
                "inputTokens": int(inp),
                "outputTokens": int(outp),
                "cacheCreationTokens": int(cc),
                "cacheReadTokens": int(cr),
                "cost": float(cost),
            }
        )
    return list(out.values())


def usage_report(
    client: Warehouse, kind: str = "daily", where: ReportFilter = EVERYTHING
) -> dict[str, Any]:
    """ccusage ``daily``/``weekly``/``monthly --json``: one entry per period (and ``by`` value)
    with its models' breakdown, then the totals; days are counted in ``timezone``."""
    period, list_key, entry_key = PERIODS[kind]
    params = {**where.parameters(), "period": period}
    rows = client.query_rows(sqlfiles.load("rollups/report_usage.sql"), parameters=params)
    entries = _grouped(rows, entry_key, where.by)
    return {list_key: entries, "totals": _totals(entries)}


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def session_report(client: Warehouse, where: ReportFilter = EVERYTHING) -> dict[str, Any]:
    """ccusage ``session --json``: one entry per session (and ``by`` value), by last activity."""
    by = where.by
    rows = client.query_rows(
        sqlfiles.load("rollups/report_session.sql"), parameters=where.parameters()
    )
    sessions = _grouped(
        rows,
        "sessionId",
        by,
        extra=lambda rest: {
            "firstActivity": _iso(rest[0]),
            "lastActivity": _iso(rest[1]),
            "projectPath": rest[2],
        },
    )
    by_key = {(s["sessionId"], s.get(by) if by else ""): s for s in sessions}
    for session_id, by_value, _m, *_t, first, last, _p in rows:
        s = by_key[(session_id, by_value)]
        s["firstActivity"] = min(s["firstActivity"], _iso(first))
        s["lastActivity"] = max(s["lastActivity"], _iso(last))
    sessions.sort(key=lambda s: s["lastActivity"])
    return {"sessions": sessions, "totals": _totals(sessions)}


def block_users(client: Warehouse) -> list[str]:
    return [
        r[0]
        for r in client.query(
            "SELECT DISTINCT user_id FROM billing_blocks ORDER BY user_id"
        ).result_rows
    ]


def blocks_report(
    client: Warehouse, where: ReportFilter = EVERYTHING, now: datetime | None = None
) -> dict[str, Any]:
    """ccusage ``blocks --json``: one user's blocks (every user's, tagged, when several);
    ``where.by`` does not apply (blocks are cut per user)."""
    now_ms = int((now or datetime.now(tz=UTC)).timestamp() * 1000)
    users = [where.user] if where.user is not None else block_users(client)
    params = {**replace(where, user=None, by=None).parameters(), "users": users}
    rows = client.query(sqlfiles.load("rollups/report_blocks.sql"), parameters=params).result_rows
    blocks = []
    for (
        user_id,
        block_id,
        start,
        end,
        actual_end,
        first,
        is_gap,
        entries,
        inp,
        outp,
        cc,
        cr,
        cost,
        models,
    ) in rows:
        end_ms = int(end.replace(tzinfo=UTC).timestamp() * 1000)
        last_ms = int(actual_end.replace(tzinfo=UTC).timestamp() * 1000) if actual_end else None
        active = (
            not is_gap and last_ms is not None and now_ms - last_ms < BLOCK_MS and now_ms < end_ms
        )
        block: dict[str, Any] = {
            "id": block_id,
            "startTime": _iso(start),
            "endTime": _iso(end),
            "actualEndTime": _iso(actual_end),
            "isActive": active,
            "isGap": bool(is_gap),
            "entries": int(entries),
            "tokenCounts": {
                "inputTokens": int(inp),
                "outputTokens": int(outp),
                "cacheCreationInputTokens": int(cc),
                "cacheReadInputTokens": int(cr),
            },
            "totalTokens": int(inp + outp + cc + cr),
            "costUSD": float(cost),
            "models": list(models),
            "burnRate": None,
            "projection": None,
        }
        if active and first is not None and last_ms is not None:
            first_ms = int(first.replace(tzinfo=UTC).timestamp() * 1000)
            minutes = (last_ms - first_ms) / 60000
            if minutes > 0:
                total = inp + outp + cc + cr
                per_hour = cost / minutes * 60
                remaining = max(0.0, (end_ms - now_ms) / 60000)
                block["burnRate"] = {
                    "costPerHour": per_hour,
                    "tokensPerMinute": total / minutes,
                    "tokensPerMinuteForIndicator": (inp + outp) / minutes,
                }
                block["projection"] = {
                    "remainingMinutes": round(remaining),
                    "totalCost": round((cost + per_hour / 60 * remaining) * 100) / 100,
                    "totalTokens": round(total + total / minutes * remaining),
                }
        if len(users) > 1:
            block["userId"] = user_id
        blocks.append(block)
    return {"blocks": blocks}


NUMBER_HEADERS = ("input", "output", "cache write", "cache read", "total tokens", "cost $")


def _numbers(entry: dict[str, Any], cost_key: str = "totalCost") -> list[Any]:
    tokens = [entry[k] for k in TOKEN_KEYS]
    return [*tokens, sum(tokens), round(float(entry[cost_key]), 6)]


def _block_rows(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    headers = ["block start", "entries", "tokens", "cost $", "models", "state"]
    rows: list[list[Any]] = []
    for b in report["blocks"]:
        state = "gap" if b["isGap"] else ("active" if b["isActive"] else "")
        rows.append(
            [b["startTime"], b["entries"], b["totalTokens"], round(b["costUSD"], 6),
             ", ".join(b["models"]), state]
        )  # fmt: skip
        if "userId" in b:
            rows[-1].append(b["userId"])
    if any("userId" in b for b in report["blocks"]):
        headers.append("user")
    return headers, rows


def report_rows(
    report: dict[str, Any],
    kind: str,
    *,
    by: str | None = None,
    breakdown: bool = False,
    totals: bool = False,
) -> tuple[list[str], list[list[Any]]]:
    """A report as flat rows for a table or CSV: one per entry (``breakdown``: one per entry
    and model), with a last ``Total`` row when ``totals``."""
    if kind == "blocks":
        return _block_rows(report)
    list_key, key = (
        ("sessions", "sessionId") if kind == "session" else (PERIODS[kind][1], PERIODS[kind][2])
    )
    headers = [key, *([by] if by else []), "model" if breakdown else "models", *NUMBER_HEADERS]
    rows: list[list[Any]] = []
    for entry in report[list_key]:
        lead = [entry[key], *([entry[by]] if by else [])]
        if not breakdown:
            rows.append([*lead, ", ".join(entry["modelsUsed"]), *_numbers(entry)])
            continue
        for model in entry["modelBreakdowns"]:
            rows.append([*lead, model["modelName"], *_numbers(model, "cost")])
    if totals:
        lead = ["Total", *([""] if by else []), ""]
        rows.append([*lead, *_numbers(report["totals"])])
    return headers, rows


def format_table(
    report: dict[str, Any], kind: str, *, by: str | None = None, breakdown: bool = False
) -> str:
    """A plain text table of a report for the terminal (control characters escaped)."""
    headers, rows = report_rows(report, kind, by=by, breakdown=breakdown, totals=True)
    out = io.StringIO()
    print_rows(headers, rows, "table", out)
    return out.getvalue().rstrip("\n")
