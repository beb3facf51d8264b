"""The served dashboard shows Claude Code's 5-hour and 7-day limits over time and when each is
reached at the current burn rate, from readings that went the real way: the status line
(`cc-pipeline statusline` and its recorder), the next ingestion, a refresh that publishes the
data, and the server reading the published files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from cc_pipeline.limits.statusline import LIMITS_FOLDER, OBSERVATIONS_FILE, record_observation
from tests.dashboard.pages import fetch_page, served_dashboard
from tests.dashboard.test_dashboard_browser import PROJECT_ROOT

FIVE_HOURS = 5 * 3600
SEVEN_DAYS = 7 * 86400


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def readings(used_5h: float, used_7d: float, resets_5h: int, resets_7d: int) -> dict[str, Any]:
    return {
        "five_hour": {"used_percentage": used_5h, "resets_at": resets_5h},
        "seven_day": {"used_percentage": used_7d, "resets_at": resets_7d},
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A home whose status line saw the 5-hour window at 20%, 40% and 60% over its first two
    hours (it resets in 3 hours) and the 7-day window at 18..20% two days into it; ingested,
    refreshed, published and served."""
    home = tmp_path_factory.mktemp("limits")
    env = dict(os.environ, CC_PIPELINE_HOME=str(home / "cc"), HOME=str(home))
    env["PYTHONPATH"], env["CLAUDE_CONFIG_DIR"] = str(PROJECT_ROOT), str(home / "claude")
    now = time.time()
    resets_5h, resets_7d = int(now + 3 * 3600), int(now + 5 * 86400)
    for minutes_ago, used_5h, used_7d in ((80, 20.0, 18.0), (40, 40.0, 19.0)):
        limits = readings(used_5h, used_7d, resets_5h, resets_7d)
        assert record_observation(env["CC_PIPELINE_HOME"], "s-1", limits, now - minutes_ago * 60)
    payload = {"session_id": "s-1", "model": {"display_name": "Opus"}}
    payload["rate_limits"] = readings(60.0, 20.0, resets_5h, resets_7d)
    assert "5h 60% | 7d 20%" in cli(env, "statusline", stdin=json.dumps(payload))
    cli(env, "ingest")
    cli(env, "rollup")
    with served_dashboard(env) as url:
        lines = (Path(env["CC_PIPELINE_HOME"]) / LIMITS_FOLDER / OBSERVATIONS_FILE).read_text()
        latest = max(float(json.loads(line)["observed_at"]) for line in lines.splitlines())
        yield {
            "url": url, "latest": latest, "resets_5h": resets_5h, "resets_7d": resets_7d,
            "dashboard": Path(env["CC_PIPELINE_HOME"]) / "dashboard",
        }  # fmt: skip


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def test_the_chart_holds_each_windows_readings_in_time_order(served: dict[str, Any]) -> None:
    html, data = fetch_page(served["url"])
    chart = data["limits"]
    assert 'id="chart-limits"' in html
    assert len(chart["times"]) == 3 and chart["times"] == sorted(chart["times"])
    assert chart["series"] == {"5-hour": [20.0, 40.0, 60.0], "7-day": [18.0, 19.0, 20.0]}


def test_the_5_hour_limit_is_forecast_before_its_reset_at_the_windows_burn_rate(
    served: dict[str, Any],
) -> None:
    html, data = fetch_page(served["url"])
    # the window began 5 h before its reset at 0%; 60% since then, the rest at the same pace
    started = served["resets_5h"] - FIVE_HOURS
    per_second = 60.0 / (served["latest"] - started)
    expected = served["latest"] + 40.0 / per_second
    five = next(f for f in data["limits"]["forecasts"] if f["window"] == "five_hour")
    assert five["state"] == "before_reset"
    assert five["pct_per_hour"] == pytest.approx(per_second * 3600, rel=1e-6)
    limit_at = datetime.fromisoformat(five["limit_at"]).timestamp()
    assert limit_at == pytest.approx(expected, abs=1.0)
    assert expected < served["resets_5h"]
    item = re.search(r'<li data-window="five_hour" data-state="before_reset"[^>]*>([^<]*)<', html)
    assert item, html
    assert item.group(1) == (
        f"5-hour: 60% used at {when(served['latest'])}: limit reached at {when(limit_at)} at "
        f"{per_second * 3600:.1f}%/h, before the reset at {when(served['resets_5h'])}"
    )


def test_the_7_day_limit_at_its_pace_is_not_reached_before_its_reset(
    served: dict[str, Any],
) -> None:
    html, data = fetch_page(served["url"])
    seven = next(f for f in data["limits"]["forecasts"] if f["window"] == "seven_day")
    # 20% in the two days since it began: 100% would take ten days, it resets in five
    assert seven["state"] == "not_before_reset"
    assert datetime.fromisoformat(seven["limit_at"]).timestamp() > served["resets_7d"]
    assert (
        f'<li data-window="seven_day" data-state="not_before_reset" '
        f'data-limit-at="{seven["limit_at"]}">7-day: 20% used at {when(served["latest"])}: '
        f"limit not before reset ({when(served['resets_7d'])})</li>"
    ) in html


def test_the_limits_panel_says_the_filters_do_not_apply_to_it(served: dict[str, Any]) -> None:
    html, data = fetch_page(served["url"] + "?" + urlencode({"team": "platform"}))
    assert data["limits"]["series"]["5-hour"] == [20.0, 40.0, 60.0]
    assert data["unfiltered"]["limits"] == ["team"]
    assert '<p class="unfiltered" data-unfiltered="team">Not filtered by team:' in html


def test_data_published_without_the_rate_limits_asks_for_a_new_publish(
    served: dict[str, Any],
) -> None:
    """A generation written before the rate limits were published: a clear answer, not 500."""
    link = served["dashboard"] / "data"
    current = link.resolve()
    old = served["dashboard"] / "data-1"
    shutil.copytree(current, old)
    (old / "rate_limit_observations.parquet").unlink()
    os.symlink(old.name, served["dashboard"] / ".link-old")
    os.replace(served["dashboard"] / ".link-old", link)
    try:
        with pytest.raises(HTTPError) as answer:
            urlopen(served["url"], timeout=60)
        assert answer.value.code == 404
        text = answer.value.read().decode()
        assert "rate_limit_observations" in text and "cc-pipeline rollup" in text
    finally:
        os.symlink(current.name, served["dashboard"] / ".link-new")
        os.replace(served["dashboard"] / ".link-new", link)
    assert fetch_page(served["url"])[1]["limits"]["series"]
