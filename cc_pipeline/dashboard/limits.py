"""The dashboard's rate-limit panel: Claude Code's 5-hour and 7-day limit use over time, as
the status line recorded it (``rate_limit_observations``), and when each limit is reached at
the current burn rate.

The forecast's rule is stated above its query (``sql/dashboard/panels.sql``,
``rate_limit_forecast``): a window starts at 0% at ``resets_at`` minus its length, the burn
rate is the latest observation's used percentage over the time since that start, and the
limit is reached at ``observed_at + (100 - used) / rate``. Here that time is put in words: a
time before the reset, "not before reset" when it falls at or after ``resets_at``, "limit
reached" at 100%, and no forecast without a reset time, or when the window of the latest
observation has already reset (no reading of the new window yet).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cc_pipeline.dashboard.source import Row, Source

WINDOWS = {"five_hour": "5-hour", "seven_day": "7-day"}
# The chart's time buckets: at least 5 minutes, and at most about this many per window.
MIN_BUCKET_S = 300
MAX_POINTS = 1500


def bucket_seconds(since: date, until: date) -> int:
    """The chart's bucket for the days [since, until]: a multiple of MIN_BUCKET_S."""
    span = ((until - since).days + 1) * 86400
    per_point = -(-span // MAX_POINTS)
    return max(MIN_BUCKET_S, -(-per_point // MIN_BUCKET_S) * MIN_BUCKET_S)


def usage_series(rows: list[Row]) -> dict[str, Any]:
    """``{"times": [...], "series": {label: [percent or None per time]}}`` of the chart."""
    times = sorted({str(r["at"]) for r in rows})
    index = {t: i for i, t in enumerate(times)}
    series: dict[str, list[float | None]] = {}
    for window, label in WINDOWS.items():
        if any(r["window"] == window for r in rows):
            series[label] = [None] * len(times)
    for row in rows:
        shown = WINDOWS.get(row["window"])
        if shown:
            series[shown][index[str(row["at"])]] = float(row["used_percentage"])
    return {"times": times, "series": series}


def _time(value: Any) -> datetime | None:
    """A time as the panel rows hold it ("YYYY-MM-DD HH:MM:SS", UTC)."""
    if not value:
        return None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def forecast(row: Row, now: datetime) -> dict[str, Any]:
    """One window's latest reading and its forecast: ``state`` (before_reset,
    not_before_reset, reached, reset, unknown) and the sentence the page shows."""
    used = float(row["used_percentage"])
    observed, resets = _time(row["observed_at"]), _time(row["resets_at"])
    limit_at, rate = _time(row["limit_at"]), row["pct_per_hour"]
    label = WINDOWS.get(row["window"], str(row["window"]))
    reading = f"{label}: {used:.0f}% used at {_when(observed)}" if observed else label
    if resets is None:
        state, text = "unknown", "no reset time reported, no forecast"
    elif resets <= now:
        state, text = "reset", f"the window reset at {_when(resets)}; no reading since"
    elif used >= 100:
        state, text = "reached", f"limit reached; resets at {_when(resets)}"
    elif limit_at is None or limit_at >= resets:
        state, text = "not_before_reset", f"limit not before reset ({_when(resets)})"
    else:
        state = "before_reset"
        text = f"limit reached at {_when(limit_at)} at {float(rate):.1f}%/h, before the reset at "
        text += _when(resets)
    return {
        "window": row["window"],
        "label": label,
        "used_percentage": used,
        "pct_per_hour": rate,
        "limit_at": limit_at.isoformat() if limit_at else None,
        "resets_at": resets.isoformat() if resets else None,
        "state": state,
        "text": f"{reading}: {text}",
    }


def limits_data(source: Source, since: date, until: date, now: datetime) -> dict[str, Any]:
    """The panel's chart (the period's readings) and each window's forecast (now)."""
    params = {"since": since, "until": until, "bucket": bucket_seconds(since, until)}
    chart = usage_series(source.rows("rate_limits", params, {}))
    rows = source.rows("rate_limit_forecast", {}, {})
    return {**chart, "forecasts": [forecast(row, now) for row in rows]}
