"""Build the dashboard: query the rollups, embed the numbers in one offline HTML file."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_pipeline import settings

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


def dashboard_path() -> Path:
    return settings.home() / "dashboard" / "index.html"


@dataclass
class DashboardSummary:
    path: Path
    since: date
    bytes: int
    seconds: float
    totals: dict[str, Any]


def default_since(client: Warehouse, days: int = 365) -> date:
    """The last ``days`` days up to the newest day in the rollups."""
    newest = client.query("SELECT max(day) FROM usage_daily").result_rows[0][0]
    newest = newest if newest and newest.year > 1970 else date.today()
    return newest - timedelta(days=days - 1)


# Inside a <script> element the HTML parser ends the element at "</script" and changes state
# at "<!--"; a JSON string may hold neither raw. These escapes keep the JSON valid and the same.
SCRIPT_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def finite(value: Any) -> Any:
    """``value`` with every infinite or NaN number replaced by None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def script_json(data: Any) -> str:
    """``data`` as JSON safe to embed in an HTML <script> element."""
    return json.dumps(finite(data), separators=(",", ":"), allow_nan=False).translate(
        SCRIPT_ESCAPES
    )


def build_dashboard(
    client: Warehouse, path: Path | None = None, since: date | None = None
) -> DashboardSummary:
    """Publish the served dashboard's data (embedded engine) and write the default page as one
    offline HTML file (no network needed to view it); return what went in."""
    from cc_pipeline.dashboard.page import Filters, page_data
    from cc_pipeline.dashboard.publish import publish_data
    from cc_pipeline.dashboard.render import render_dashboard
    from cc_pipeline.dashboard.source import LiveSource

    started = time.monotonic()
    if client.is_embedded:
        publish_data(client)
    since = since or default_since(client, days=30)
    filters = Filters(since=since)
    data = page_data(LiveSource(client), filters)
    data["built_at"] = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    path = path or dashboard_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_dashboard(data, filters, inline=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(html)
    tmp.replace(path)
    totals = {kpi["name"]: kpi["value"] for kpi in data["kpis"]}
    return DashboardSummary(path, since, len(html.encode()), time.monotonic() - started, totals)
