"""`cc-pipeline report` tables never pass a name's control characters to the terminal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cc_pipeline.rollups.reports import blocks_report, format_table, session_report, usage_report

DAY = date(2026, 3, 2)
CLEAR_SCREEN = "\x1b[2J"
MODEL = f"claude-opus{CLEAR_SCREEN}\x07\x9b31m"
SESSION = f"session\r{CLEAR_SCREEN}"


def insert(client: Any, table: str, row: dict[str, Any]) -> None:
    client.insert(table, [list(row.values())], column_names=list(row))


def assert_terminal_safe(text: str) -> None:
    assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 for c in text)
    assert "\\x1b[2J" in text


def test_daily_and_session_tables_show_control_characters_escaped(ch: Any) -> None:
    insert(ch, "usage_daily", {"day": DAY, "model": MODEL, "input_tokens": 10, "cost_usd": 1.0})
    insert(
        ch,
        "usage_requests",
        {
            "day": DAY,
            "timestamp": datetime(2026, 3, 2, 10),
            "session_id": SESSION,
            "model": MODEL,
            "input_tokens": 10,
        },
    )
    daily = format_table(usage_report(ch, "daily"), "daily")
    assert_terminal_safe(daily)
    assert "claude-opus\\x1b[2J\\x07\\x9b31m" in daily
    sessions = format_table(session_report(ch), "session")
    assert_terminal_safe(sessions)
    assert "session\\x0d\\x1b[2J" in sessions


def test_blocks_table_shows_control_characters_escaped(ch: Any) -> None:
    insert(
        ch,
        "billing_blocks",
        {
            "day": DAY,
            "user_id": "u",
            "start_time": datetime(2026, 3, 2, 10),
            "end_time": datetime(2026, 3, 2, 15),
            "first_entry_time": datetime(2026, 3, 2, 10),
            "is_gap": False,
            "entries": 1,
            "models": [MODEL],
        },
    )
    table = format_table(blocks_report(ch, now=datetime(2026, 3, 3)), "blocks")
    assert_terminal_safe(table)
    assert "claude-opus\\x1b[2J" in table
