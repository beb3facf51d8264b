"""`cc-pipeline statusline`: one line from Claude Code's JSON and the pipeline's state file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cc_pipeline.limits.state import publish_state, state_path
from cc_pipeline.limits.statusline import LIMITS_FOLDER, OBSERVATIONS_FILE

ROOT = Path(__file__).resolve().parents[2]
USAGE = ["day", "model", "user_id", "organization_id", "project", "requests", "cost_usd"]
BLOCKS = ["day", "user_id", "block_id", "start_time", "end_time", "actual_end_time"]
BLOCKS += ["first_entry_time", "is_gap", "entries", "cost_usd"]


def sample(with_limits: bool, resets_in_s: float = 9000) -> dict[str, Any]:
    """What Claude Code sends (formats.md 1b), with or without the subscriber's rate limits."""
    payload: dict[str, Any] = {
        "session_id": "sess-1",
        "transcript_path": "/tmp/t.jsonl",
        "cwd": "/work/repo",
        "model": {"id": "claude-opus-4-1", "display_name": "Opus 4.1"},
        "workspace": {"current_dir": "/work/repo", "project_dir": "/work/repo"},
        "version": "2.1.260",
        "cost": {"total_cost_usd": 0.4242, "total_duration_ms": 1000},
        "context_window": {"total_input_tokens": 1000},
        "exceeds_200k_tokens": False,
    }
    if with_limits:
        payload["rate_limits"] = {
            "five_hour": {"used_percentage": 42.4, "resets_at": int(time.time() + resets_in_s)},
            "seven_day": {"used_percentage": 18, "resets_at": int(time.time() + 86400)},
        }
    return payload


def statusline(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", "statusline"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )


def observations(home: Path) -> list[dict[str, Any]]:
    path = home / LIMITS_FOLDER / OBSERVATIONS_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def home() -> Path:
    return Path(os.environ["CC_PIPELINE_HOME"])


def publish_usage(ch: Any, budgets_yaml: str | None = None) -> None:
    """Today's $12.50 over two projects and a block that began an hour ago with $4 spent over
    its first 30 minutes; then the state file, as a refresh writes it."""
    now = datetime.now(UTC)
    today = now.date()
    ch.insert("usage_daily", [[today, "m", "u", "o", "a", 1, 10.0]], column_names=USAGE)
    ch.insert("usage_daily", [[today, "m", "u", "o", "b", 1, 2.5]], column_names=USAGE)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    block = [start.date(), "u", start.isoformat(), start, start + timedelta(hours=5)]
    block += [start + timedelta(minutes=40), start + timedelta(minutes=10), False, 3, 4.0]
    ch.insert("billing_blocks", [block], column_names=BLOCKS)
    if budgets_yaml:
        home().mkdir(parents=True, exist_ok=True)
        (home() / "budgets.yaml").write_text(budgets_yaml)
    publish_state(ch)


def test_with_rate_limits_the_line_shows_the_pipeline_figures_and_claude_codes_reset_time(ch):
    publish_usage(ch)
    done = statusline(json.dumps(sample(with_limits=True, resets_in_s=2 * 3600 + 30 * 60 + 30)))
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert "\n" not in line
    assert line.startswith("Opus 4.1 | session $0.42 | today $12.50 | block $4.00 2h30m left")
    assert "$8.00/h" in line  # $4 between the first (10 min) and last (40 min) entry
    assert line.endswith("| 5h 42% | 7d 18%")
    [seen] = observations(home())
    assert seen["session_id"] == "sess-1"
    assert seen["rate_limits"]["five_hour"]["used_percentage"] == 42.4
    assert abs(seen["observed_at"] - time.time()) < 60


def test_without_rate_limits_the_block_ends_five_hours_after_its_start_and_nothing_is_recorded(
    ch,
):
    publish_usage(ch)
    done = statusline(json.dumps(sample(with_limits=False)))
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert "today $12.50 | block $4.00 3h" in line  # started an hour (and some minutes) ago
    assert "5h " not in line and "7d " not in line
    assert observations(home()) == []


def test_a_block_that_ended_before_the_official_window_began_shows_no_cost(ch):
    """The state file's block is from an earlier window than Claude Code's current one."""
    now = datetime.now(UTC)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=9)
    block = [start.date(), "u", start.isoformat(), start, start + timedelta(hours=5)]
    block += [start + timedelta(minutes=40), start + timedelta(minutes=10), False, 3, 4.0]
    ch.insert("billing_blocks", [block], column_names=BLOCKS)
    publish_state(ch)
    line = statusline(json.dumps(sample(with_limits=True, resets_in_s=3 * 3600 + 60))).stdout
    assert "| block 3h01m left |" in line or "| block 3h00m left |" in line
    assert "$4.00" not in line


def test_a_missing_state_file_still_prints_a_line_and_records_the_limits():
    assert not state_path().exists()
    done = statusline(json.dumps(sample(with_limits=True)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "Opus 4.1 | session $0.42 | no pipeline data yet (cc-pipeline rollup) | 5h 42% | 7d 18%"
    )
    assert len(observations(home())) == 1


def test_budget_state_is_shown_with_the_worst_budget_named(ch):
    publish_usage(
        ch,
        "budgets:\n"
        "  - {name: a-daily, period: day, usd: 5, where: {project: a}}\n"
        "  - {name: all-daily, period: day, usd: 1000}\n",
    )
    line = statusline(json.dumps(sample(with_limits=False))).stdout.strip()
    assert "| budget a-daily OVER 200%" in line


def test_unchanged_limits_are_recorded_once_and_a_change_is_recorded_again():
    first = sample(with_limits=True)
    for _ in range(3):
        assert statusline(json.dumps(first)).returncode == 0
    assert len(observations(home())) == 1
    first["rate_limits"]["five_hour"]["used_percentage"] = 43
    assert statusline(json.dumps(first)).returncode == 0
    assert [o["rate_limits"]["five_hour"]["used_percentage"] for o in observations(home())] == [
        42.4,
        43.0,
    ]


def test_input_that_is_not_claude_codes_json_still_prints_a_line():
    for stdin in ("", "not json", "[1, 2]", '{"rate_limits": {"five_hour": "x"}}'):
        done = statusline(stdin)
        assert done.returncode == 0, (stdin, done.stderr)
        assert done.stdout.strip() == "no pipeline data yet (cc-pipeline rollup)"
    assert observations(home()) == []
