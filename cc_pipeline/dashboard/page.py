"""The served dashboard's pages, rendered on the server from the URL's filters.

Every filter is a query-string parameter named like the rollup column it filters
(``?since=2026-11-01&until=2026-11-30&team=platform&model=...``); the filter form submits with
GET, so a page is a plain link and the back button works. Everything from the data is
HTML-escaped; chart data travels in a script-safe JSON block (``build.script_json``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlencode

from cc_pipeline import shipped
from cc_pipeline.dashboard.build import script_json
from cc_pipeline.dashboard.limits import limits_data
from cc_pipeline.dashboard.source import DIMENSIONS, Row, Source, filtered_query

# The filter inputs shown on the page (any of DIMENSIONS is accepted in the URL).
SHOWN_FILTERS = (
    "team", "user_id", "project", "repo", "branch", "model", "agent", "skill", "mcp_server",
    "machine",
)  # fmt: skip
DEFAULT_DAYS = 30
TOP_SERIES = 8
STATIC = ("uPlot.iife.min.js", "uPlot.min.css", "page.js", "page.css")


@dataclass(frozen=True)
class Filters:
    """A page's filters: a closed day range and attribution values per column."""

    since: date | None = None
    until: date | None = None
    values: dict[str, list[str]] = field(default_factory=dict)
    split: str = "model"

    @classmethod
    def parse(cls, query: str) -> Filters:
        """Filters from a URL query string; unknown names are ignored, bad dates refused."""
        raw = parse_qs(query, keep_blank_values=False)
        values = {k: v for k, v in raw.items() if k in DIMENSIONS}
        split = raw.get("split", ["model"])[-1]
        if split not in DIMENSIONS:
            raise ValueError(f"cannot split by {split!r}")
        return cls(_day(raw, "since"), _day(raw, "until"), values, split)

    def query(self, **changes: Any) -> str:
        """This filter set as a query string, with ``changes`` applied."""
        pairs: list[tuple[str, str]] = []
        merged: dict[str, Any] = {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            **{k: v for k, v in self.values.items()},
            "split": self.split if self.split != "model" else None,
            **changes,
        }
        for key, value in merged.items():
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    pairs.append((key, str(item)))
        return urlencode(pairs)


def _day(raw: Mapping[str, list[str]], name: str) -> date | None:
    if name not in raw:
        return None
    try:
        return date.fromisoformat(raw[name][-1])
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), not {raw[name][-1]!r}") from None


def period(source: Source, filters: Filters) -> tuple[date, date]:
    """The page's days: the filters', else the DEFAULT_DAYS up to the newest day of data."""
    newest = source.rows("data_range", {}, {})[0]["last_day"]
    until = filters.until or (date.fromisoformat(newest) if newest else date.today())
    since = filters.since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ValueError("since is after until")
    return since, until


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and value == value else 0.0


def kpis(source: Source, filters: Filters, since: date, until: date) -> list[dict[str, Any]]:
    """The KPIs of the period and of the previous period of the same length (each query
    answers both: a row per period with data, told apart by in_period)."""
    length = (until - since).days + 1
    params = {"since": since, "until": until, "before": since - timedelta(days=length)}
    names = ("cost_usd", "requests", "tokens", "sessions", "cache_hit_ratio")
    totals = {True: dict.fromkeys(names, 0.0), False: dict.fromkeys(names, 0.0)}
    for query in ("kpis", "sessions_count"):
        for row in source.rows(query, params, filters.values):
            totals[bool(row.pop("in_period"))] |= {k: _number(v) for k, v in row.items()}
    now, then = totals[True], totals[False]
    return [
        {
            "name": name,
            "value": now[name],
            "previous": then[name],
            "change": (now[name] - then[name]) / then[name] if then[name] else None,
        }
        for name in names
    ]


def _series(rows: list[Row], days: list[str], measure: str) -> dict[str, Any]:
    index = {day: i for i, day in enumerate(days)}
    each: dict[str, list[float]] = {}  # a row per day and series, in day and series order
    totals: dict[str, float] = {}
    for row in rows:
        name, value = row["series"], _number(row[measure])
        values = each.get(name)
        if values is None:
            values = each[name] = [0.0] * len(days)
        values[index[row["day"]]] += value
        totals[name] = totals.get(name, 0.0) + value
    top = sorted(totals, key=lambda s: -totals[s])[:TOP_SERIES]
    series = {name: each[name] for name in top}
    rest = sorted(name for name in each if name not in series)
    if rest:
        # added up day by day in series order, as the rows come
        series["(other)"] = [sum(day) for day in zip(*(each[name] for name in rest), strict=True)]
    return {"days": days, "series": series}


def errors_by_status(api: list[Row], top: int = 10) -> list[Row]:
    """The period's API errors by HTTP status (or error kind), the ``top`` most frequent,
    from the per-day counts in the api_health rows (taken out of them)."""
    totals: dict[str, float] = {}
    for row in api:
        for status, count in row.pop("errors_by_status").items():
            totals[status] = totals.get(status, 0) + count
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:top]
    return [{"status": status, "errors": count} for status, count in ranked]


@cache
def _prices() -> dict[str, dict[str, Any]]:
    return json.loads(shipped.data_text("transcripts/prices.json"))["models"]


def cache_savings(rows: list[Row]) -> float:
    """USD the cache reads saved: each model's reads priced as input less their cache price."""
    saved = 0.0
    for row in rows:
        price = _prices().get(row["model"])
        if price:
            saved += _number(row["cache_read"]) * (price["input"] - price["cache_read"]) / 1e6
    return saved


# The coverage panel's columns of the ``daily`` rows.
COVERAGE = ("day", "telemetry_requests", "transcript_requests", "both_requests", "sources")
# The queries behind each panel whose filters may not all apply (see ``unfiltered``).
PANEL_QUERIES = {
    "tools": ("tools",),
    "api": ("api_health",),
    "spenders": ("top_spenders",),
    "coverage": ("daily",),
    "sessions": ("sessions",),
    "limits": ("rate_limits",),
}


def unfiltered(filters: Filters) -> dict[str, list[str]]:
    """Per panel, the active filters its data cannot apply (its table has no such column, or
    its query takes no filters): the page names them on the panel."""
    found: dict[str, list[str]] = {}
    for panel, names in PANEL_QUERIES.items():
        ignored = {column for name in names for column in filtered_query(name, filters.values)[2]}
        found[panel] = sorted(ignored)
    return found


def budget_data(source: Source) -> tuple[list[dict[str, Any]], str | None]:
    """Every budget's state for the banner, or none and the problem of a budgets file that
    cannot be used (bad YAML, an unknown period, a negative amount, an unknown column)."""
    from cc_pipeline.budgets.config import BudgetError

    try:
        evaluations = source.budgets()
    except BudgetError as exc:
        return [], str(exc)
    return [{"name": e.budget.name, "state": e.state, "row": e.row()} for e in evaluations], None


def page_data(source: Source, filters: Filters, now: datetime | None = None) -> dict[str, Any]:
    """Every panel's rows for ``filters`` (rate-limit forecasts as of ``now``)."""
    since, until = period(source, filters)
    params = {"since": since, "until": until}
    f = filters.values
    over_time = source.rows("over_time", {**params, "split": filters.split}, f)
    days = sorted({r["day"] for r in over_time})
    daily = source.rows("daily", params, f)
    api = source.rows("api_health", params, f)
    errors = errors_by_status(api)
    budgets, budget_error = budget_data(source)
    # readings of the rate limits go on after the last day of usage: without an explicit
    # until, their chart runs to today
    moment = now or datetime.now(UTC)
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "split": filters.split,
        "kpis": kpis(source, filters, since, until),
        "cost": _series(over_time, days, "cost_usd"),
        "tokens": _series(over_time, days, "tokens"),
        "cache": {
            "days": [r["day"] for r in daily],
            "ratio": [r["ratio"] for r in daily],
            "saved_usd": cache_savings(source.rows("cache_by_model", params, f)),
            "cache_read": sum(_number(r["cache_read"]) for r in daily),
        },
        "api": api,
        "errors": errors,
        "tools": source.rows("tools", params, f),
        "spenders": source.rows("top_spenders", params, f),
        "coverage": [{k: r[k] for k in COVERAGE} for r in daily],
        "sessions": source.rows("sessions", params, f),
        "choices": source.rows("filter_values", params, {})[0],
        "limits": limits_data(source, since, filters.until or max(until, moment.date()), moment),
        "unfiltered": unfiltered(filters),
        "budgets": budgets,
        "budget_error": budget_error,
    }


def session_data(source: Source, session_id: str) -> dict[str, Any]:
    """One session's requests, per-day tools and errors, and cost over time."""
    params = {"session": session_id}
    requests = source.rows("session_requests", params, {})
    running, cumulative = 0.0, []
    for row in requests:
        running += _number(row["cost_usd"])
        cumulative.append(round(running, 6))
    return {
        "session_id": session_id,
        "requests": requests,
        "days": source.rows("session_days", params, {}),
        "cost": {"times": [r["timestamp"] for r in requests], "cumulative": cumulative},
    }


def static_text(name: str) -> str:
    """A vendored chart file (``cc_pipeline/dashboard/static``)."""
    if name not in STATIC:
        raise FileNotFoundError(name)
    return shipped.data_text("dashboard/static/" + name)


def esc(value: Any) -> str:
    """``value`` as HTML text."""
    return html.escape("" if value is None else str(value), quote=True)


def chart_assets(inline: bool) -> str:
    """The chart library: inlined (an export) or linked from the server."""
    if not inline:
        return (
            '<link rel="stylesheet" href="/static/uPlot.min.css">'
            '<script src="/static/uPlot.iife.min.js"></script>'
        )
    css = static_text("uPlot.min.css").replace("</", "<\\/")
    js = static_text("uPlot.iife.min.js").replace("</script", "<\\/script")
    return f"<style>{css}</style><script>{js}</script>"


def data_script(data: Any) -> str:
    """``data`` in the page's JSON block, safe inside <script>."""
    return f'<script id="data" type="application/json">{script_json(data)}</script>'
