"""``cc-pipeline statusline``: the command Claude Code runs for its status line.

Claude Code sends a JSON document on stdin (session, model, cost, context window and, for
subscribers, ``rate_limits.five_hour`` / ``rate_limits.seven_day`` with ``used_percentage`` and
``resets_at`` in epoch seconds) and shows the first line printed. The line combines that
document with the state file the pipeline writes after each refresh
(``CC_PIPELINE_HOME/statusline.json``: today's cost, the current 5-hour block, budget states);
the database is never opened. The rate limits seen are appended to
``CC_PIPELINE_HOME/limits/rate_limits.jsonl``, which the next ingestion loads into
``rate_limit_observations``.

It runs many times a minute, so it imports only the standard library, and it always exits 0
with a line: a status line that fails shows nothing at all.
"""

from __future__ import annotations

import json
import os
import sys
import time

TYPE_CHECKING = False  # typing itself is not imported: it would be a tenth of the run
if TYPE_CHECKING:
    from typing import Any

STATE_FILE = "statusline.json"
LIMITS_FOLDER = "limits"
OBSERVATIONS_FILE = "rate_limits.jsonl"
LAST_SEEN_FILE = ".last_observation"
# An unchanged observation is recorded again after this long, so history has a point at
# least this often while Claude Code is in use.
REPEAT_UNCHANGED_S = 600
STALE_AFTER_S = 3600
BLOCK_S = 5 * 3600
WINDOWS = (("five_hour", "5h"), ("seven_day", "7d"))
BUDGET_MARKS = {"ok": "ok", "warn": "WARN", "over": "OVER"}


def home_dir() -> str:
    """``CC_PIPELINE_HOME`` as ``cc_pipeline.settings`` resolves it (default ~/.cc_pipeline)."""
    raw = os.environ.get("CC_PIPELINE_HOME") or os.path.join(
        os.environ.get("HOME") or os.path.expanduser("~"), ".cc_pipeline"
    )
    return os.path.realpath(os.path.expanduser(raw))


def read_json(path: str) -> dict[str, Any] | None:
    """The JSON object of a file, or None when it is missing or not an object."""
    try:
        with open(path, "rb") as fh:
            document = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None


def rate_limits(payload: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """The windows of ``payload["rate_limits"]`` with a numeric ``used_percentage``."""
    raw = payload.get("rate_limits")
    found: dict[str, dict[str, float | None]] = {}
    if not isinstance(raw, dict):
        return found
    for window, _label in WINDOWS:
        seen = raw.get(window)
        if not isinstance(seen, dict):
            continue
        used = _number(seen.get("used_percentage"))
        if used is not None:
            found[window] = {"used_percentage": used, "resets_at": _number(seen.get("resets_at"))}
    return found


def record_observation(
    home: str, session_id: str, limits: dict[str, dict[str, float | None]], now: float
) -> bool:
    """Append the rate limits seen to the observation file, as one whole line written with
    O_APPEND; skipped when the same values were recorded less than REPEAT_UNCHANGED_S ago.
    True when a line was written."""
    folder = os.path.join(home, LIMITS_FOLDER)
    marker = os.path.join(folder, LAST_SEEN_FILE)
    key = json.dumps(limits, sort_keys=True)
    last = read_json(marker)
    if last and last.get("key") == key and now - float(last.get("at") or 0) < REPEAT_UNCHANGED_S:
        return False
    os.makedirs(folder, exist_ok=True)
    line = {"observed_at": round(now, 3), "session_id": session_id, "rate_limits": limits}
    data = (json.dumps(line, separators=(",", ":")) + "\n").encode()
    fd = os.open(
        os.path.join(folder, OBSERVATIONS_FILE), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
    )
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    scratch = f"{marker}.{os.getpid()}"
    with open(scratch, "w") as fh:
        json.dump({"key": key, "at": now}, fh)
    os.replace(scratch, marker)
    return True


def money(usd: float) -> str:
    return f"${usd:,.2f}"


def duration(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _block_part(block: dict[str, Any], limits: dict[str, Any], now: float) -> str | None:
    """The current 5-hour block: cost, time left and burn rate; None when the block is over.

    When Claude Code sent its reset time R, the current window is [R - 5 h, R) (the pipeline's
    blocks follow the same windows once it has loaded the observation): the time left runs to
    R, and a block of the state file that ended before R - 5 h is an earlier window, whose
    cost is not shown (the pipeline has not refreshed this window yet)."""
    official = (limits.get("five_hour") or {}).get("resets_at")
    end = _number(block.get("end"))
    cost = _number(block.get("cost_usd"))
    if official:
        if end is not None and end <= official - BLOCK_S:
            return f"block {duration(official - now)} left" if official > now else None
        end = official
    if end is None or cost is None or end <= now:
        return None
    text = f"block {money(cost)} {duration(end - now)} left"
    burn = _number(block.get("burn_usd_per_hour"))
    if burn is not None:
        text += f" {money(burn)}/h"
    return text


def _budget_part(budgets: list[Any]) -> str | None:
    """The worst budget state, named when it is not ok."""
    ranked = sorted(
        (b for b in budgets if isinstance(b, dict) and b.get("state") in BUDGET_MARKS),
        key=lambda b: ("ok", "warn", "over").index(b["state"]),
    )
    if not ranked:
        return None
    worst = ranked[-1]
    if worst["state"] == "ok":
        return "budgets ok"
    usd = _number(worst.get("usd")) or 0.0
    shown = worst.get("spent_usd") if worst["state"] == "over" else worst.get("forecast_usd")
    share = f" {100 * (_number(shown) or 0) / usd:.0f}%" if usd > 0 else ""
    return f"budget {worst.get('name')} {BUDGET_MARKS[worst['state']]}{share}"


def _state_parts(state: dict[str, Any] | None, limits: dict[str, Any], now: float) -> list[str]:
    if state is None:
        return ["no pipeline data yet (cc-pipeline rollup)"]
    parts: list[str] = []
    today = state.get("today") or {}
    if today.get("day") == time.strftime("%Y-%m-%d", time.gmtime(now)):
        parts.append(f"today {money(_number(today.get('cost_usd')) or 0.0)}")
    else:
        parts.append("today $0.00")
    block = _block_part(state.get("block") or {}, limits, now)
    parts.append(block or "no active block")
    budget = _budget_part(state.get("budgets") or [])
    if budget:
        parts.append(budget)
    updated = _number(state.get("updated_at"))
    if updated is not None and now - updated > STALE_AFTER_S:
        parts.append(f"(data {duration(now - updated)} old)")
    return parts


def status_line(payload: dict[str, Any], state: dict[str, Any] | None, now: float) -> str:
    """The one line shown: model, session cost, pipeline figures, rate limits."""
    parts: list[str] = []
    model = payload.get("model")
    if isinstance(model, dict) and isinstance(model.get("display_name"), str):
        parts.append(model["display_name"])
    cost = payload.get("cost")
    session_cost = _number(cost.get("total_cost_usd")) if isinstance(cost, dict) else None
    if session_cost is not None:
        parts.append(f"session {money(session_cost)}")
    limits = rate_limits(payload)
    parts.extend(_state_parts(state, limits, now))
    for window, label in WINDOWS:
        if window in limits:
            parts.append(f"{label} {limits[window]['used_percentage']:.0f}%")
    text = " | ".join(parts)
    # data can hold anything: never send control characters to the terminal
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def read_payload(stream: Any) -> dict[str, Any]:
    """The JSON object Claude Code sent, or {} for anything else."""
    try:
        document = json.loads(stream.read() or "{}")
    except (ValueError, OSError):
        return {}
    return document if isinstance(document, dict) else {}


def main() -> int:
    """Print the status line; record the rate limits seen. Always exits 0."""
    now = time.time()
    payload = read_payload(sys.stdin)
    home = home_dir()
    state = read_json(os.path.join(home, STATE_FILE))
    print(status_line(payload, state, now))
    limits = rate_limits(payload)
    if limits:
        session = payload.get("session_id")
        try:
            record_observation(home, session if isinstance(session, str) else "", limits, now)
        except OSError as exc:  # a full disk must not blank the status line
            print(f"cc-pipeline statusline: could not record rate limits: {exc}", file=sys.stderr)
    sys.stdout.flush()
    return 0


def add_statusline(parser: Any) -> None:
    """Reads Claude Code's status line JSON on stdin and prints one line; records the rate
    limits it saw for the next ingestion. Install with `cc-pipeline env --statusline`."""
    parser.set_defaults(func=lambda _args: main())
