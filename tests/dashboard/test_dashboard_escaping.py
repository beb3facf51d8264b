"""Names and numbers from the data cannot break the dashboard page out of its data block."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.dashboard.build import build_dashboard
from tests.dashboard.test_dashboard_browser import chromium, render

DAY = date(2026, 3, 2)
COMMENT_SCRIPT = "<!--<script>"
CLOSE_SCRIPT = "</script><script>document.body.remove()</script>"
ODD_TEXT = 'a & b > c \u2028 \u2029 "quoted" \\ <b>bold</b>'
MODEL = f"claude-opus {COMMENT_SCRIPT}"
OTHER_MODEL = f"claude-haiku {CLOSE_SCRIPT}"
PROJECT = f"/home/x/{CLOSE_SCRIPT}"
TOOL = f"Bash{COMMENT_SCRIPT}"
USER = f"{ODD_TEXT}{COMMENT_SCRIPT}"
HOSTILE = {MODEL, OTHER_MODEL, PROJECT, TOOL, USER, ODD_TEXT}


def insert(client: Any, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    client.insert(table, [[row[c] for c in columns] for row in rows], column_names=columns)


@pytest.fixture
def hostile_page(ch: Any, tmp_path: Path) -> Path:
    """A dashboard built from rollup tables holding script-breaking names and an infinite cost."""
    usage = {"day": DAY, "user_id": USER, "requests": 2, "total_tokens": 100}
    insert(
        ch,
        "usage_daily",
        [
            {**usage, "model": MODEL, "project": PROJECT, "cost_usd": float("inf")},
            {**usage, "model": OTHER_MODEL, "project": ODD_TEXT, "cost_usd": 1.5},
        ],
    )
    insert(ch, "session_days", [{"day": DAY, "session_id": CLOSE_SCRIPT, "project": PROJECT}])
    insert(ch, "tool_usage_daily", [{"day": DAY, "tool_name": TOOL, "calls": 3, "successes": 2}])
    insert(
        ch,
        "api_health_daily",
        [{"day": DAY, "model": MODEL, "requests": 4, "errors": 1, "errors_by_status": {TOOL: 1}}],
    )
    insert(
        ch,
        "billing_blocks",
        [
            {
                "day": DAY,
                "user_id": USER,
                "start_time": datetime(2026, 3, 2, 10),
                "is_gap": False,
                "entries": 2,
                "cost_usd": float("nan"),
                "models": [MODEL, OTHER_MODEL],
            }
        ],
    )
    insert(
        ch,
        "rate_limit_observations",
        [
            {
                "observed_at": datetime(2026, 3, 2, 10),
                "session_id": CLOSE_SCRIPT,
                "window": CLOSE_SCRIPT,
                "used_percentage": 12.5,
            }
        ],
    )
    return build_dashboard(ch, tmp_path / "dashboard.html").path


def data_block(html: str) -> str:
    opening = '<script id="data" type="application/json">'
    start = html.index(opening) + len(opening)
    return html[start : html.index("</script>", start)]


def strings_in(node: Any) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return set().union(*(strings_in(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(strings_in(v) for v in node)) if node else set()
    return set()


def test_hostile_names_round_trip_through_the_embedded_json(hostile_page: Path) -> None:
    block = data_block(hostile_page.read_text())
    assert "<!--" not in block and "</script" not in block.lower()
    assert not re.search("[<>&\u2028\u2029]", block)
    data = json.loads(block)
    assert {MODEL, OTHER_MODEL, TOOL, USER, CLOSE_SCRIPT} <= strings_in(data)
    assert set(data["cost"]["series"]) == {MODEL, OTHER_MODEL}
    assert [r["tool_name"] for r in data["tools"]] == [TOOL]
    assert [r["user_id"] for r in data["spenders"]] == [USER]
    assert [r["day"] for r in data["coverage"]] == [DAY.isoformat()]
    assert [f["window"] for f in data["limits"]["forecasts"]] == [CLOSE_SCRIPT]


def test_infinite_and_nan_numbers_are_embedded_as_null(hostile_page: Path) -> None:
    data = json.loads(data_block(hostile_page.read_text()))
    kpis = {k["name"]: k["value"] for k in data["kpis"]}
    assert kpis["cost_usd"] is None
    assert data["cost"]["series"][MODEL] == [None]
    assert data["cost"]["series"][OTHER_MODEL] == [1.5]


def test_page_with_hostile_data_renders_its_kpis_and_names(
    hostile_page: Path, tmp_path: Path
) -> None:
    browser = chromium()
    dom = render(browser, hostile_page, tmp_path / "chromium")
    assert 'data-rendered="yes"' in dom
    assert 'data-kpi="cost_usd" data-value="inf"><b>$inf</b>' in dom
    assert 'data-kpi="requests" data-value="4.0"' in dom
    # names are shown as text: escaped in the DOM, never parsed as markup
    assert "Bash&lt;!--&lt;script&gt;" in dom
    assert "&lt;/script&gt;&lt;script&gt;document.body.remove()" in dom
    assert "<b>bold</b>" not in dom
    # a rate-limit window of any name is text too
    assert "&lt;/script&gt;&lt;script&gt;document.body.remove()&lt;/script&gt;: 12% used" in dom
