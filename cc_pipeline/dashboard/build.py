"""Build the dashboard: query the rollups, embed the numbers in one offline HTML file."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cc_pipeline import settings, shipped
from cc_pipeline.dashboard.queries import dashboard_data

TEMPLATE = "dashboard/template.html"


def dashboard_path() -> Path:
    return settings.home() / "dashboard" / "index.html"


@dataclass
class DashboardSummary:
    path: Path
    since: date
    bytes: int
    seconds: float
    totals: dict[str, Any]


def default_since(client: Any, days: int = 365) -> date:
    """The last ``days`` days up to the newest day in the rollups."""
    newest = client.query("SELECT max(day) FROM usage_daily").result_rows[0][0]
    newest = newest if newest and newest.year > 1970 else date.today()
    return newest - timedelta(days=days - 1)


def render_html(data: dict[str, Any]) -> str:
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return shipped.data_text(TEMPLATE).replace("__DATA__", payload)


def build_dashboard(
    client: Any, path: Path | None = None, since: date | None = None
) -> DashboardSummary:
    """Write the dashboard HTML (no network needed to view it) and return what went in."""
    started = time.monotonic()
    since = since or default_since(client)
    data: dict[str, Any] = dashboard_data(client, since)
    data["built_at"] = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = path or dashboard_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(data)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html)
    tmp.replace(path)
    totals = data["kpis"][0] if data["kpis"] else {}
    return DashboardSummary(path, since, len(html.encode()), time.monotonic() - started, totals)
