"""The reports ccusage users know (daily, session, blocks), read from the rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cc_pipeline import sqlfiles

TOKEN_KEYS = ("inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens")
BLOCK_MS = 5 * 3600 * 1000
# Control characters (C0, DEL, C1) in a name would reach the terminal as escape sequences
# (clear the screen, move the cursor, set the title): they are shown as \xNN instead.
CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def terminal_safe(value: Any) -> str:
    """``value`` as text with every control character written out as ``\\xNN``."""
    return str(value).translate(CONTROL_ESCAPES)


def _filters(since: date | None, until: date | None, user: str | None) -> dict[str, Any]:
    return {
        "since": since or date(1970, 1, 1),
        "until": until or date(2200, 1, 1),
        "user": user or "",
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {k: sum(r[k] for r in rows) for k in TOKEN_KEYS}
    totals["totalCost"] = sum(r["totalCost"] for r in rows)
    totals["totalTokens"] = sum(r["totalTokens"] for r in rows)
    return totals


def _grouped(rows: list[tuple[Any, ...]], key_name: str, extra: Any = None) -> list[dict[str, Any]]:
    """Rows of (key, model, input, output, cache_creation, cache_read, cost, *extra) by key."""
    out: dict[Any, dict[str, Any]] = {}
    for key, model, inp, outp, cc, cr, cost, *rest in rows:
        entry = out.get(key)
        if entry is None:
            entry = out[key] = {
                key_name: key,
                **dict.fromkeys(TOKEN_KEYS, 0),
                "totalCost": 0.0,
                "totalTokens": 0,
                "modelsUsed": [],
                "modelBreakdowns": [],
            }
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


def daily_report(
    client: Any, since: date | None = None, until: date | None = None, user: str | None = None
) -> dict[str, Any]:
    rows = client.query(
        sqlfiles.load("rollups/report_daily.sql"), parameters=_filters(since, until, user)
    ).result_rows
    daily = _grouped([(d.isoformat(), *rest) for d, *rest in rows], "date")
    return {"daily": daily, "totals": _totals(daily)}


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def session_report(
    client: Any, since: date | None = None, until: date | None = None, user: str | None = None
) -> dict[str, Any]:
    rows = client.query(
        sqlfiles.load("rollups/report_session.sql"), parameters=_filters(since, until, user)
    ).result_rows
    sessions = _grouped(
        rows,
        "sessionId",
        extra=lambda rest: {
            "firstActivity": _iso(rest[0]),
            "lastActivity": _iso(rest[1]),
            "projectPath": rest[2],
        },
    )
    by_key = {s["sessionId"]: s for s in sessions}
    for session_id, _m, *_t, first, last, _p in rows:
        s = by_key[session_id]
        s["firstActivity"] = min(s["firstActivity"], _iso(first))
        s["lastActivity"] = max(s["lastActivity"], _iso(last))
    sessions.sort(key=lambda s: s["lastActivity"])
    return {"sessions": sessions, "totals": _totals(sessions)}


def block_users(client: Any) -> list[str]:
    return [
        r[0]
        for r in client.query(
            "SELECT DISTINCT user_id FROM billing_blocks ORDER BY user_id"
        ).result_rows
    ]


def blocks_report(
    client: Any,
    user: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """ccusage ``blocks --json``: one user's blocks (every user's, tagged, when several)."""
    now_ms = int((now or datetime.now(tz=UTC)).timestamp() * 1000)
    users = [user] if user is not None else block_users(client)
    params = {**_filters(since, until, None), "users": users}
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
        if active and first is not None:
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


def format_table(report: dict[str, Any], kind: str) -> str:
    """A plain text table of a report for the terminal."""
    if kind == "blocks":
        head = f"{'block start':<26}{'entries':>8}{'tokens':>14}{'cost $':>11}  models"
        lines = [head, "-" * len(head)]
        for b in report["blocks"]:
            start = terminal_safe(b["startTime"])
            if b["isGap"]:
                lines.append(f"{start:<26}{'(gap)':>8}")
                continue
            mark = " ACTIVE" if b["isActive"] else ""
            models = terminal_safe(", ".join(b["models"]))
            lines.append(
                f"{start:<26}{b['entries']:>8}{b['totalTokens']:>14,}"
                f"{b['costUSD']:>11.2f}  {models}{mark}"
            )
        return "\n".join(lines)
    rows, key = (report["daily"], "date") if kind == "daily" else (report["sessions"], "sessionId")
    head = (
        f"{key:<38}{'input':>10}{'output':>10}{'cache write':>13}{'cache read':>14}"
        f"{'cost $':>10}  models"
    )
    lines = [head, "-" * len(head)]
    for r in [*rows, {key: "Total", **report["totals"], "modelsUsed": []}]:
        lines.append(
            f"{terminal_safe(r[key]):<38}{r['inputTokens']:>10,}{r['outputTokens']:>10,}"
            f"{r['cacheCreationTokens']:>13,}{r['cacheReadTokens']:>14,}"
            f"{r['totalCost']:>10.2f}  {terminal_safe(', '.join(r['modelsUsed']))}"
        )
    return "\n".join(lines)
