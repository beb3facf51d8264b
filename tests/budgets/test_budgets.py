"""Budgets: the file, spend and forecast in the current period, states, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.budgets.config import Budget, BudgetError, check_columns, load_budgets
from cc_pipeline.budgets.evaluate import evaluate_budget, period_bounds
from cc_pipeline.cli import main
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.schema import migrate
from tests.budgets.cases import MALFORMED_BUDGETS

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["day", "model", "user_id", "organization_id", "project", "requests", "cost_usd"]


def spend(client: Any, rows: list[tuple[date, str, float]], model: str = "claude-x") -> None:
    """usage_daily rows of (day, project, cost)."""
    client.insert(
        "usage_daily",
        [[day, model, "u1", "org", project, 1, cost] for day, project, cost in rows],
        column_names=COLUMNS,
    )


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def monthly(usd: float, **where: str) -> Budget:
    return Budget(name="team-month", period="month", usd=usd, where=where)


def test_first_morning_of_a_month_forecasts_from_the_trailing_average_not_the_first_hours(ch):
    # 28 days of $10 a day before November, then $5 in the first six hours of November 1
    spend(ch, [(d, "a", 10.0) for d in days(date(2026, 10, 4), 28)])
    spend(ch, [(date(2026, 11, 1), "a", 5.0)])
    result = evaluate_budget(ch, monthly(400), at("2026-11-01T06:00:00"))
    elapsed = 0.25
    expected = 5 + (5 / 30 + (1 - elapsed / 30) * 10) * (30 - elapsed)
    assert result.spent_usd == pytest.approx(5.0)
    assert result.forecast_usd == pytest.approx(expected)
    # $5 in 6 hours alone would extrapolate to $600; the history says about $305
    assert 300 < result.forecast_usd < 310
    assert (result.state, result.thresholds) == ("warn", (75,))


def test_first_morning_without_any_history_takes_the_pace_over_at_least_a_24th_of_the_period(ch):
    spend(ch, [(date(2026, 11, 1), "a", 5.0)])
    result = evaluate_budget(ch, monthly(400), at("2026-11-01T06:00:00"))
    # elapsed 0.25 day is below 30/24 days: the pace is $5 per 1.25 days
    assert result.forecast_usd == pytest.approx(5 + 5 / 1.25 * 29.75)
    assert (result.state, result.thresholds) == ("ok", ())


def test_mid_period_counts_only_the_budgets_rows_and_blends_its_own_pace(ch):
    spend(ch, [(d, "a", 10.0) for d in days(date(2026, 10, 4), 28)])
    spend(ch, [(d, "a", 20.0) for d in days(date(2026, 11, 1), 14)])
    spend(ch, [(d, "b", 1000.0) for d in days(date(2026, 10, 1), 45)])  # another project
    result = evaluate_budget(ch, monthly(550, project="a"), at("2026-11-15T12:00:00"))
    spent = 14 * 20.0
    share = 14.5 / 30
    assert result.spent_usd == pytest.approx(spent)
    assert result.forecast_usd == pytest.approx(
        spent + (spent / 30 + (1 - share) * 10) * (30 - 14.5)
    )
    # about $505 of $550: past 90% by forecast, not yet spent
    assert (result.state, result.thresholds) == ("warn", (75, 90))


def test_actual_spend_past_the_budget_is_over(ch):
    spend(ch, [(d, "a", 30.0) for d in days(date(2026, 11, 1), 5)])
    result = evaluate_budget(ch, monthly(100, project="a"), at("2026-11-05T18:00:00"))
    assert result.spent_usd == pytest.approx(150.0)
    assert (result.state, result.thresholds) == ("over", (75, 90, 100))
    assert result.row() == ("team-month", "month", 100.0, 150.0, result.row()[4], "over")


def test_a_list_of_values_and_two_columns_are_all_applied(ch):
    spend(ch, [(date(2026, 11, 2), "a", 1.0), (date(2026, 11, 2), "b", 2.0)])
    spend(ch, [(date(2026, 11, 2), "c", 4.0)])
    spend(ch, [(date(2026, 11, 2), "a", 8.0)], model="claude-y")
    budget = Budget(
        name="x", period="week", usd=100, where={"project": ["a", "b"], "model": "claude-x"}
    )
    assert evaluate_budget(ch, budget, at("2026-11-04T00:00:00")).spent_usd == pytest.approx(3.0)


def test_periods_are_utc_days_weeks_from_monday_and_calendar_months():
    now = at("2026-11-05T23:30:00")  # a Thursday
    assert period_bounds("day", now) == (date(2026, 11, 5), date(2026, 11, 6))
    assert period_bounds("week", now) == (date(2026, 11, 2), date(2026, 11, 9))
    assert period_bounds("month", now) == (date(2026, 11, 1), date(2026, 12, 1))
    assert period_bounds("month", at("2026-12-31T10:00:00")) == (
        date(2026, 12, 1),
        date(2027, 1, 1),
    )


def test_a_bad_budgets_file_names_the_file_and_the_field(tmp_path: Path):
    path = tmp_path / "budgets.yaml"
    path.write_text("budgets:\n  - name: a\n    period: quarter\n    usd: -5\n")
    with pytest.raises(BudgetError) as error:
        load_budgets(path)
    text = str(error.value)
    assert str(path) in text
    assert "budgets.0.period" in text and "budgets.0.usd" in text
    path.write_text("budgets: [{name: a, period: day, usd: 1}, {name: a, period: day, usd: 2}]")
    with pytest.raises(BudgetError, match="repeated: a"):
        load_budgets(path)
    path.write_text("budgets: [name: [")
    with pytest.raises(BudgetError, match="not valid YAML"):
        load_budgets(path)
    assert load_budgets(tmp_path / "missing.yaml") == []


def test_where_columns_must_be_text_columns_of_usage_daily(ch):
    check_columns(ch, [monthly(1, project="a", model="m", user_id="u", organization_id="o")])
    for column in ("team_name", "cost_usd"):
        with pytest.raises(BudgetError) as error:
            check_columns(ch, [monthly(1, **{column: "x"})])
        assert f"budgets.0.where.{column}" in str(error.value)
        assert "project" in str(error.value)


def test_budgets_command_prints_every_budget_as_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    today = datetime.now(UTC).date()
    with clickhouse_from_env().connect() as client:
        migrate(client)
        spend(client, [(today, "a", 50.0), (today, "b", 1.0)])
    path = tmp_path / "mine.yaml"
    path.write_text(
        "budgets:\n"
        "  - {name: a-daily, period: day, usd: 10, where: {project: a}}\n"
        "  - {name: all-monthly, period: month, usd: 100000}\n"
    )
    monkeypatch.setenv("CC_PIPELINE_BUDGETS", str(path))
    assert main(["budgets", "--format", "json"]) == 1  # one budget is over: a check failed
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["period"], r["usd"], r["spent_usd"], r["state"]) for r in rows] == [
        ("a-daily", "day", 10.0, 50.0, "over"),
        ("all-monthly", "month", 100000.0, 51.0, "ok"),
    ]
    assert all(r["forecast_usd"] >= r["spent_usd"] for r in rows)
    path.write_text("budgets: [{name: a, period: day, usd: 1, where: {nope: x}}]")
    assert main(["budgets"]) == 2  # bad usage: the file is invalid
    assert "budgets.0.where.nope" in capsys.readouterr().err


@pytest.mark.parametrize("text", list(MALFORMED_BUDGETS))
def test_budgets_command_on_a_malformed_file_exits_2_naming_the_file_and_the_problem(
    tmp_path: Path, text: str
):
    path = tmp_path / "budgets.yaml"
    path.write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", "budgets"],
        env={**os.environ, "CC_PIPELINE_BUDGETS": str(path), "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert str(path) in done.stderr and MALFORMED_BUDGETS[text] in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
