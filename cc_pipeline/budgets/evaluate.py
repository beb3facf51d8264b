"""Evaluate budgets: spend so far in the current period, a forecast to its end, a state.

Periods are UTC calendar periods (usage_daily's days are UTC): a day, a week from Monday,
a month from its first day.

The forecast is ``spent + rate x days left``. The daily rate blends two estimates, weighted
by the elapsed share ``f`` of the period:

    rate = f x (spent / days elapsed) + (1 - f) x trailing daily average
         = spent / period length + (1 - f) x trailing daily average

The trailing average is the spend of the TRAILING_DAYS days before the period began (only the
days since the warehouse's first usage, so a new install is not averaged with empty days).
Early in a period the forecast leans on that history, so a few expensive hours on the first
morning do not extrapolate to a wild month; by the end it is the period's own pace. With no
history at all the rate is the period's own, spent / days elapsed, with the days elapsed taken
as at least PACE_FLOOR of the period.

States: ``over`` when actual spend passes 100% of the budget (an ERROR), ``warn`` when the
forecast passes 75% (WARN_AT) of it, else ``ok``. The thresholds crossed (75 and 90 by the
forecast, 100 by actual spend) are what alerts are sent for, once each per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from cc_pipeline import sqlfiles
from cc_pipeline.budgets.config import Budget, Period

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

TRAILING_DAYS = 28
PACE_FLOOR = 1 / 24
WARN_AT = 75
FORECAST_THRESHOLDS = (75, 90)
OVER_AT = 100
State = Literal["ok", "warn", "over"]
HEADERS = ("name", "period", "usd", "spent_usd", "forecast_usd", "state")


@dataclass(frozen=True)
class Evaluation:
    """Where one budget stands in its current period."""

    budget: Budget
    period_start: date
    period_end: date  # exclusive
    spent_usd: float
    forecast_usd: float
    state: State
    thresholds: tuple[int, ...]  # percentages passed: 75/90 by forecast, 100 by spend

    def row(self) -> tuple[str, str, float, float, float, str]:
        """The values of HEADERS."""
        b = self.budget
        return (
            b.name,
            b.period,
            b.usd,
            round(self.spent_usd, 4),
            round(self.forecast_usd, 4),
            self.state,
        )


def period_bounds(period: Period, now: datetime) -> tuple[date, date]:
    """[start, end) of the UTC period holding ``now``."""
    today = now.astimezone(UTC).date()
    if period == "day":
        return today, today + timedelta(days=1)
    if period == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=7)
    start = today.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def forecast(
    spent: float, elapsed_days: float, length_days: float, trailing_daily: float | None
) -> float:
    """Spend expected by the end of the period (see the module's description)."""
    elapsed = min(max(elapsed_days, 0.0), length_days)
    remaining = length_days - elapsed
    if trailing_daily is None:
        rate = spent / max(elapsed, length_days * PACE_FLOOR)
    else:
        share = elapsed / length_days
        rate = spent / length_days + (1 - share) * trailing_daily
    return spent + rate * remaining


def thresholds_passed(usd: float, spent: float, projected: float) -> tuple[int, ...]:
    """The alert thresholds passed: forecast ones, and OVER_AT by actual spend."""
    passed = [t for t in FORECAST_THRESHOLDS if projected > usd * t / 100]
    if spent > usd * OVER_AT / 100:
        passed.append(OVER_AT)
    return tuple(passed)


def _spend(
    client: Warehouse, budget: Budget, start: date, end: date
) -> tuple[float, float, date | None]:
    params: dict[str, Any] = {
        "start": start,
        "end": end,
        "trailing_start": start - timedelta(days=TRAILING_DAYS),
    }
    query = sqlfiles.load("budgets/spend.sql").rstrip().rstrip(";")
    for index, (column, values) in enumerate(sorted(budget.values().items())):
        # only parameter names are added to the text: the column and the values are parameters
        column_param, values_param = "column_" + str(index), "values_" + str(index)
        params[column_param], params[values_param] = column, values
        query += " AND {" + column_param + ":Identifier} IN {" + values_param + ":Array(String)}"
    spent, trailing, first_day = client.query(query, parameters=params).result_rows[0]
    return float(spent or 0.0), float(trailing or 0.0), first_day


def evaluate_budget(client: Warehouse, budget: Budget, now: datetime) -> Evaluation:
    """Spend, forecast and state of one budget at ``now``."""
    start, end = period_bounds(budget.period, now)
    spent, trailing, first_day = _spend(client, budget, start, end)
    history_from = max(start - timedelta(days=TRAILING_DAYS), first_day or start)
    history_days = (start - history_from).days
    trailing_daily = trailing / history_days if history_days > 0 else None
    begun = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    elapsed = (now - begun).total_seconds() / 86400
    projected = forecast(spent, elapsed, float((end - start).days), trailing_daily)
    passed = thresholds_passed(budget.usd, spent, projected)
    state: State = "over" if OVER_AT in passed else "warn" if WARN_AT in passed else "ok"
    return Evaluation(budget, start, end, spent, projected, state, passed)


def evaluate_budgets(
    client: Warehouse, budgets: list[Budget], now: datetime | None = None
) -> list[Evaluation]:
    """Every budget's evaluation at ``now`` (default: the current time)."""
    moment = now or datetime.now(UTC)
    return [evaluate_budget(client, budget, moment) for budget in budgets]
