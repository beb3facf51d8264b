"""HTML of the served pages: the dashboard for a set of filters, and one session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from cc_pipeline.dashboard.page import (
    SHOWN_FILTERS,
    Filters,
    chart_assets,
    data_script,
    esc,
    static_text,
)
from cc_pipeline.dashboard.source import DIMENSIONS

KPI_LABELS = {
    "cost_usd": "cost (USD)",
    "requests": "requests",
    "tokens": "tokens",
    "sessions": "sessions",
    "cache_hit_ratio": "cache hit ratio",
}
Column = tuple[str, str]  # (key, heading)
NO_COLUMN = "its data has no such column"


def fmt(key: str, value: Any) -> str:
    """A cell's text: money, ratios and counts formatted, anything else as it is."""
    if isinstance(value, float) and value != value:
        return "n/a"
    if value is None:
        return "-"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key.endswith("usd"):
            return f"${value:,.2f}"
        if key.endswith("ratio") or key.endswith("rate"):
            return f"{value * 100:.1f}%"
        return f"{value:,.0f}"
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column], link: str = "") -> str:
    """Rows as an HTML table; ``link`` names a session_id column that links to its page."""
    if not rows:
        return '<p class="empty">no data</p>'
    head = "".join(f"<th>{esc(title)}</th>" for _, title in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            text = esc(fmt(key, row.get(key)))
            numeric = isinstance(row.get(key), int | float)
            if key == link:
                href = "/session?id=" + quote(str(row[key]), safe="")
                text = f'<a href="{esc(href)}">{text}</a>'
            cells.append(f"<td>{text}</td>" if numeric else f'<td class="text">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def kpi_html(kpi: dict[str, Any]) -> str:
    """One KPI with its raw value in ``data-value`` and the change against the previous period."""
    name, value, change = kpi["name"], kpi["value"], kpi["change"]
    if change is None:
        delta = '<span class="note">no previous period data</span>'
    else:
        arrow = "up" if change > 0 else "down"
        delta = f'<span class="{arrow}">{change * 100:+.1f}% vs previous period</span>'
    return (
        f'<div class="kpi" data-kpi="{esc(name)}" data-value="{esc(repr(float(value)))}">'
        f"<b>{esc(fmt(name, value))}</b><span>{esc(KPI_LABELS[name])}</span> {delta}</div>"
    )


def filter_form(filters: Filters, data: dict[str, Any]) -> str:
    """The GET form of the filters, each input named like its column."""
    fields = [
        f'<label>since<input type="date" name="since" value="{esc(data["since"])}"></label>',
        f'<label>until<input type="date" name="until" value="{esc(data["until"])}"></label>',
    ]
    lists = []
    for column in SHOWN_FILTERS:
        current = ",".join(filters.values.get(column, []))
        fields.append(
            f'<label>{esc(column)}<input name="{esc(column)}" value="{esc(current)}" '
            f'list="values-{esc(column)}"></label>'
        )
        options = "".join(f'<option value="{esc(v)}">' for v in data["choices"].get(column, []))
        lists.append(f'<datalist id="values-{esc(column)}">{options}</datalist>')
    split = "".join(
        f'<option value="{esc(c)}"{" selected" if c == filters.split else ""}>{esc(c)}</option>'
        for c in DIMENSIONS
    )
    fields.append(f'<label>split by<select name="split">{split}</select></label>')
    fields.append('<button type="submit">apply</button> <a href="/">reset</a>')
    return f'<form class="filters" method="get" action="/">{"".join(fields)}</form>{"".join(lists)}'


def budget_banner(budgets: list[dict[str, Any]]) -> str:
    """A banner naming every budget that is warn or over."""
    alerts = [b for b in budgets if b["state"] in ("warn", "over")]
    if not alerts:
        return ""
    worst = "over" if any(b["state"] == "over" for b in alerts) else "warn"
    items = "; ".join(
        f"{esc(name)} ({esc(period)}): ${spent:,.2f} spent of ${usd:,.2f}, "
        f"forecast ${forecast:,.2f}: {esc(state)}"
        for name, period, usd, spent, forecast, state in (b["row"] for b in alerts)
    )
    return (
        f'<div class="banner {worst}" id="budget-banner" data-state="{worst}">Budget {items}</div>'
    )


def budget_error_banner(problem: str | None) -> str:
    """A banner saying the budgets file cannot be used: the file and the problem."""
    if not problem:
        return ""
    lines = "<br>".join(esc(line) for line in problem.splitlines())
    return (
        '<div class="banner over" id="budget-error" role="alert">'
        f"<b>Budgets not evaluated</b>: the budgets file cannot be used.<br>{lines}</div>"
    )


def unfiltered_note(columns: list[str], why: str) -> str:
    """A visible line naming the active filters a panel does not apply, and why."""
    if not columns:
        return ""
    names = ", ".join(columns)
    return (
        f'<p class="unfiltered" data-unfiltered="{esc(" ".join(columns))}">'
        f"Not filtered by {esc(names)}: {esc(why)}</p>"
    )


def limits_panel(limits: dict[str, Any], ignored: list[str]) -> str:
    """Claude Code's 5-hour and 7-day limits over time and when each is reached."""
    items = "".join(
        f'<li data-window="{esc(f["window"])}" data-state="{esc(f["state"])}" '
        f'data-limit-at="{esc(f["limit_at"] or "")}">{esc(f["text"])}</li>'
        for f in limits["forecasts"]
    )
    forecasts = f'<ul class="limits">{items}</ul>' if items else ""
    why = "the limits are the account's, recorded by the status line without attribution"
    return (
        '<div id="chart-limits"></div>'
        + (forecasts or '<p class="empty">no rate limits recorded (cc-pipeline statusline)</p>')
        + unfiltered_note(ignored, why)
    )


def shell(title: str, header: str, body: str, data: dict[str, Any], inline: bool) -> str:
    """A whole page: styles, the chart library, the header, the panels and the data block."""
    css = static_text_css()
    script = static_text("page.js") if inline else None
    tail = f"<script>{script}</script>" if script else '<script src="/static/page.js"></script>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{css}</style>{chart_assets(inline)}</head>"
        f"<body><header>{header}</header>{body}{data_script(data)}{tail}</body></html>"
    )


def static_text_css() -> str:
    """The page's own styles."""
    return static_text("page.css")


def section(title: str, inner: str, wide: bool = False, note: str = "") -> str:
    """One panel."""
    extra = f'<p class="note">{esc(note)}</p>' if note else ""
    klass = ' class="wide"' if wide else ""
    return f"<section{klass}><h2>{esc(title)}</h2>{inner}{extra}</section>"


def render_dashboard(data: dict[str, Any], filters: Filters, inline: bool = False) -> str:
    """The dashboard page of ``data`` (``page.page_data``) under ``filters``."""
    header = '<h1><a href="/">Claude Code usage</a></h1>' + filter_form(filters, data)
    cache, skipped = data["cache"], data["unfiltered"]
    kpis = '<div class="kpis">' + "".join(map(kpi_html, data["kpis"])) + "</div>"
    period = f"{data['since']} .. {data['until']}, against the previous period of the same length"
    panels = [
        section("Key figures", kpis, True, period),
        section(f"Cost per day (USD) by {filters.split}", '<div id="chart-cost"></div>'),
        section(f"Tokens per day by {filters.split}", '<div id="chart-tokens"></div>'),
        section("Cache", f'<p data-cache-saved="{cache["saved_usd"]!r}">Saved about '
                f"<b>{esc(fmt('saved_usd', cache['saved_usd']))}</b> by "
                f"{esc(fmt('n', cache['cache_read']))} cached input tokens</p>"
                '<div id="chart-cache"></div>'),
        section("Tools", table(data["tools"], [("tool_name", "tool"), ("calls", "calls"),
                ("success_rate", "success"), ("p50_ms", "p50 ms"), ("p95_ms", "p95 ms")])
                + unfiltered_note(skipped["tools"], "a tool call belongs to a session, not "
                "to a request's model, agent, skill, plugin or MCP server")),
        section("API latency (ms) and errors", '<div id="chart-latency"></div>'
                '<div id="chart-errors"></div>' + table(data["errors"], [("status", "status"),
                ("errors", "errors")]) + unfiltered_note(skipped["api"], "API health is kept "
                "per model and day only")),
        section("Top spenders", table(data["spenders"], [("user_id", "user"),
                ("email", "e-mail"), ("cost_usd", "cost"), ("requests", "requests"),
                ("tokens", "tokens")]) + unfiltered_note(skipped["spenders"], NO_COLUMN)),
        section("Where history comes from", table(data["coverage"], [("day", "day"),
                ("telemetry_requests", "telemetry"), ("transcript_requests", "transcripts"),
                ("both_requests", "both"), ("sources", "sources")])
                + unfiltered_note(skipped["coverage"], NO_COLUMN)),
        section("Rate limits: 5-hour and 7-day use", limits_panel(data["limits"],
                skipped["limits"])),
        section("Sessions", table(data["sessions"], [("session_id", "session"), ("start", "start"),
                ("session_user", "user"), ("session_project", "project"), ("models", "models"),
                ("requests", "requests"), ("tokens", "tokens"), ("cost_usd", "cost")],
                link="session_id") + unfiltered_note(skipped["sessions"], NO_COLUMN), True),
    ]  # fmt: skip
    banners = budget_error_banner(data["budget_error"]) + budget_banner(data["budgets"])
    body = banners + "<main>" + "".join(panels) + "</main>"
    return shell("Claude Code usage", header, body, data, inline)


def render_session(data: dict[str, Any], inline: bool = False) -> str:
    """The page of one session: its requests, tools and errors per day, cost over time."""
    sid = data["session_id"]
    header = f'<h1><a href="/">Claude Code usage</a> / session {esc(sid)}</h1>'
    requests = data["requests"]
    panels = [
        section("Cost over time", '<div id="chart-session-cost"></div>', True),
        section("Tools and errors per day", table(data["days"], [("day", "day"),
                ("api_requests", "requests"), ("prompts", "prompts"), ("tool_calls", "tool calls"),
                ("tool_failures", "tool failures"), ("api_errors", "API errors"),
                ("cost_usd", "cost")]), True),
        section(f"Requests ({len(requests)})", table(requests, [("timestamp", "time"),
                ("model", "model"), ("agent", "agent"), ("input_tokens", "input"),
                ("output_tokens", "output"), ("cache_read_tokens", "cache read"),
                ("cache_creation_tokens", "cache write"), ("cost_usd", "cost"),
                ("duration_ms", "ms"), ("source", "source")]), True),
    ]  # fmt: skip
    body = "<main>" + "".join(panels) + "</main>"
    return shell(f"Session {sid}", header, body, {"session": data}, inline)
