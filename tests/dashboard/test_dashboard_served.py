"""The served dashboard after `cc-pipeline demo`, in a real headless chromium: filters change
the KPIs to what SQL on usage_requests says, a session's page shows its requests, a low budget
shows the banner, and the server never opens the embedded database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from tests.budgets.cases import MALFORMED_BUDGETS
from tests.dashboard.pages import fetch_page, served_dashboard
from tests.dashboard.test_dashboard_browser import PROJECT_ROOT, chromium

DIRECT_SQL = """
import json, sys
from cc_pipeline.resources.connection import connection_from_env
column, value = sys.argv[1], sys.argv[2]
with connection_from_env(busy_timeout_s=60).connect() as c:
    def first_row(sql):
        return c.query(sql, parameters={"col": column, "v": value}).result_rows[0]
    row = first_row(
        "SELECT sum(cost_usd), count(), uniqExact(session_id) FROM usage_requests "
        "WHERE {col:Identifier} = {v:String} AND day BETWEEN "
        "(SELECT max(day) - 29 FROM usage_requests) AND (SELECT max(day) FROM usage_requests)"
    )
    top = first_row(
        "SELECT session_id, count() FROM usage_requests WHERE session_id IN "
        "(SELECT session_id FROM usage_requests WHERE {col:Identifier} = {v:String}) "
        "GROUP BY session_id ORDER BY count() DESC, session_id LIMIT 1"
    )
print(json.dumps([row[0], row[1], row[2], top[0], top[1]]))
"""


# Tool calls of the period straight from the raw events: those of a user (the event's own
# user id) or of the sessions whose requests that day carry the value (column, value, how).
TOOLS_SQL = """
import json, sys
from cc_pipeline.resources.connection import connection_from_env
column, value, how = sys.argv[1], sys.argv[2], sys.argv[3]
by_event = "{col:Identifier} = {v:String}"
by_session = ("(toDate(timestamp), session_id) IN (SELECT day, session_id FROM usage_requests "
              "WHERE {col:Identifier} = {v:String})")
with connection_from_env(busy_timeout_s=60).connect() as c:
    rows = c.query(
        "SELECT attributes['tool_name'] AS tool, count() AS calls, "
        "countIf(lower(attributes['success']) IN ('true', '1')) AS ok FROM cc_events "
        "WHERE event_name = 'tool_result' AND toDate(timestamp) BETWEEN "
        "(SELECT max(day) - 29 FROM usage_requests) AND (SELECT max(day) FROM usage_requests) "
        "AND " + (by_event if how == "event" else by_session) + " GROUP BY tool",
        parameters={"col": column, "v": value},
    ).result_rows
print(json.dumps({tool: [calls, ok] for tool, calls, ok in rows}))
"""


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", *args],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment of a home holding the demo month."""
    home = tmp_path_factory.mktemp("served")
    env = dict(os.environ, CC_PIPELINE_HOME=str(home / "cc"), HOME=str(home))
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env["CLAUDE_CONFIG_DIR"] = str(home / "claude")
    cli("demo", env=env)
    yield env


@pytest.fixture(scope="module")
def server(demo_home: dict[str, str]) -> Iterator[str]:
    with served_dashboard(demo_home) as url:
        yield url


def direct(env: dict[str, str], column: str, value: str) -> list[object]:
    done = subprocess.run(
        [sys.executable, "-c", DIRECT_SQL, column, value],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return list(json.loads(done.stdout))


def dom_of(url: str, profile: Path) -> str:
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def kpi(dom: str, name: str) -> float:
    match = re.search(rf'data-kpi="{name}" data-value="([^"]*)"', dom)
    assert match, name
    return float(match.group(1))


def test_a_model_filter_changes_the_kpis_to_the_sql_totals(
    server: str, demo_home: dict[str, str], tmp_path: Path
) -> None:
    everything = dom_of(server, tmp_path / "a")
    dom = dom_of(server + "?" + urlencode({"model": "claude-opus-4-6"}), tmp_path / "b")
    cost, requests, sessions, _, _ = direct(demo_home, "model", "claude-opus-4-6")
    assert 'data-rendered="yes"' in dom
    assert kpi(dom, "requests") == requests
    assert kpi(dom, "cost_usd") == pytest.approx(cost, rel=1e-9)
    assert kpi(dom, "sessions") == sessions
    assert kpi(everything, "requests") > kpi(dom, "requests") > 0
    assert dom.count("<canvas") >= 4  # uPlot charts drew


def test_a_user_filter_in_the_url_is_kept_in_the_form(
    server: str, demo_home: dict[str, str]
) -> None:
    user = "alice-00000"
    page = urlopen(server + "?" + urlencode({"user_id": user}), timeout=60).read().decode()
    cost, requests, _, _, _ = direct(demo_home, "user_id", user)
    assert kpi(page, "requests") == requests
    assert kpi(page, "cost_usd") == pytest.approx(cost, rel=1e-9)
    assert 'name="user_id" value="alice-00000"' in page


def test_a_session_page_shows_that_sessions_requests(
    server: str, demo_home: dict[str, str], tmp_path: Path
) -> None:
    _, _, _, session, count = direct(demo_home, "model", "claude-opus-4-6")
    dom = dom_of(server + "session?" + urlencode({"id": session}), tmp_path / "c")
    assert f"Requests ({count})" in dom
    assert dom.count("<tr>") >= count
    assert 'data-rendered="yes"' in dom


def test_a_low_budget_shows_the_banner(server: str, demo_home: dict[str, str]) -> None:
    assert 'id="budget-banner"' not in urlopen(server, timeout=60).read().decode()
    budgets = Path(demo_home["CC_PIPELINE_HOME"]) / "budgets.yaml"
    budgets.write_text(
        "budgets:\n  - name: tiny\n    period: month\n    usd: 0.01\n    where: {}\n"
    )
    try:
        page = urlopen(server, timeout=60).read().decode()
    finally:
        budgets.unlink()
    assert 'id="budget-banner" data-state="over"' in page
    assert "tiny (month)" in page


def test_the_server_answers_while_another_process_holds_the_database(
    server: str, demo_home: dict[str, str]
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom cc_pipeline.resources.connection import connection_from_env\n"
         "with connection_from_env().connect() as c:\n    print('held', flush=True)\n"
         "    time.sleep(60)\n"],
        env=demo_home, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        page = urlopen(server + "?model=claude-opus-4-6&split=user_id", timeout=30).read().decode()
        assert time.monotonic() - started < 10
        assert kpi(page, "requests") > 0
    finally:
        holder.terminate()
        holder.wait(timeout=20)


def tools_by_sql(env: dict[str, str], column: str, value: str, how: str) -> dict[str, list[int]]:
    done = subprocess.run(
        [sys.executable, "-c", TOOLS_SQL, column, value, how],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize(
    ("column", "value", "how"),
    [("user_id", "alice-00000", "event"), ("project", "/home/alice/infra", "session")],
)
def test_a_filter_changes_the_tools_panel_to_the_sql_counts(
    server: str, demo_home: dict[str, str], column: str, value: str, how: str
) -> None:
    _, everything = fetch_page(server)
    html, data = fetch_page(server + "?" + urlencode({column: value}))
    expected = tools_by_sql(demo_home, column, value, how)
    shown = {r["tool_name"]: r for r in data["tools"]}
    assert set(shown) == set(expected) and expected
    for tool, (calls, ok) in expected.items():
        assert shown[tool]["calls"] == calls, tool
        assert shown[tool]["success_rate"] == pytest.approx(ok / calls, rel=1e-12), tool
    assert sum(r["calls"] for r in everything["tools"]) > sum(r["calls"] for r in data["tools"])
    assert data["unfiltered"]["tools"] == []
    assert "Not filtered by" not in html.split("<h2>Tools</h2>")[1].split("</section>")[0]


def test_a_model_filter_is_named_on_the_panels_that_cannot_apply_it(server: str) -> None:
    html, data = fetch_page(server + "?" + urlencode({"model": "claude-opus-4-6", "team": "x"}))
    assert data["unfiltered"]["tools"] == ["model"]
    assert data["unfiltered"]["api"] == ["team"]
    assert data["unfiltered"]["coverage"] == data["unfiltered"]["spenders"] == []
    tools = html.split("<h2>Tools</h2>")[1].split("</section>")[0]
    assert '<p class="unfiltered" data-unfiltered="model">Not filtered by model:' in tools


@pytest.mark.parametrize("text", list(MALFORMED_BUDGETS))
def test_a_malformed_budgets_file_shows_an_error_banner_and_the_page(
    server: str, demo_home: dict[str, str], text: str
) -> None:
    budgets = Path(demo_home["CC_PIPELINE_HOME"]) / "budgets.yaml"
    budgets.write_text(text)
    try:
        answer = urlopen(server, timeout=60)
        html = answer.read().decode()
    finally:
        budgets.unlink()
    assert answer.status == 200
    banner = re.search(r'<div class="banner over" id="budget-error" role="alert">(.*?)</div>', html)
    assert banner, "no budget error banner"
    assert str(budgets) in banner.group(1) and MALFORMED_BUDGETS[text] in banner.group(1)
    assert kpi(html, "requests") > 0  # the rest of the page is there


def test_an_export_holds_the_filtered_page_with_its_charts_inline(
    server: str, demo_home: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "export.html"
    cli("dashboard", "--export", str(out), "--model", "claude-opus-4-6", env=demo_home)
    exported = out.read_text()
    served, _ = fetch_page(server + "?" + urlencode({"model": "claude-opus-4-6"}))
    for name in ("cost_usd", "requests", "tokens", "sessions"):
        assert kpi(exported, name) == kpi(served, name)
    assert kpi(exported, "requests") < kpi(fetch_page(server)[0], "requests")
    assert '<script src="/static/' not in exported and "uPlot" in exported
