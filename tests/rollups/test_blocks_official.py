"""Billing blocks follow Claude Code's official 5-hour reset times where the status line saw
them (rate_limit_observations), and ccusage's cut everywhere else; the blocks report, the
status line's state file and a full rebuild agree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from cc_pipeline.cli import main
from cc_pipeline.limits.sink import ingest_rate_limits
from cc_pipeline.limits.state import publish_state, state_path
from cc_pipeline.limits.statusline import home_dir, record_observation
from cc_pipeline.resources.clickhouse import clickhouse_from_env
from cc_pipeline.rollups.blocks import BLOCK_MS, cut_blocks, official_windows
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.conftest import FIXTURES

MAROT = FIXTURES / "public-transcripts" / "marot-spotter"
GOLDEN = FIXTURES / "golden" / "marot-spotter.ccusage-blocks.json"
# sessions of the fixture active on Feb 11 20:36-21:46 and Feb 12 16:02-21:03 (UTC)
EVENING_SESSION = "258c7280-ae70-4798-800f-63464d01a85d"
AFTERNOON_SESSION = "4d5611e5-241a-462a-8d15-5122611a9569"
H = 3600 * 1000


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def observe(session: str, observed: str, resets: str) -> None:
    """What the status line records when Claude Code reports a 5-hour window."""
    limits: dict[str, dict[str, float | None]] = {
        "five_hour": {"used_percentage": 30.0, "resets_at": at(resets).timestamp()},
        "seven_day": {"used_percentage": 5.0, "resets_at": None},
    }
    assert record_observation(home_dir(), session, limits, at(observed).timestamp())


def blocks_report(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["report", "blocks", "--json"]) == 0
    return list(json.loads(capsys.readouterr().out)["blocks"])


def spans(blocks: list[dict[str, Any]]) -> list[tuple[str, str, int, bool]]:
    return [(b["startTime"], b["endTime"], b["entries"], b["isGap"]) for b in blocks]


def entries_between(client: Any, start: str, end: str) -> int:
    """ccusage entries of usage_requests in [start, end), counted straight from the table."""
    return int(
        client.query(
            "SELECT sum(entries) FROM usage_requests WHERE model != '<synthetic>' "
            "AND entries > 0 AND timestamp >= {a:DateTime64(3, 'UTC')} "
            "AND timestamp < {b:DateTime64(3, 'UTC')}",
            parameters={"a": at(start), "b": at(end)},
        ).result_rows[0][0]
    )


def load_marot() -> None:
    """The marot-spotter transcripts loaded and rolled up (ccusage's blocks, no window seen)."""
    with clickhouse_from_env().connect() as client:
        backfill_transcripts(client, [MAROT])
        refresh_rollups(client)


def test_blocks_take_the_official_windows_and_keep_ccusage_cuts_elsewhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_marot()
    golden = json.loads(GOLDEN.read_text())["blocks"]
    assert [b["id"] for b in blocks_report(capsys)] == [b["id"] for b in golden]

    observe(EVENING_SESSION, "2026-02-11T21:00:00", resets="2026-02-11T23:30:00")
    observe(AFTERNOON_SESSION, "2026-02-12T16:10:00", resets="2026-02-12T20:30:00")
    # overlaps the window before it: the earlier reset wins, this one is not a block
    observe(AFTERNOON_SESSION, "2026-02-12T20:50:00", resets="2026-02-13T00:00:00")
    with clickhouse_from_env().connect() as client:
        assert ingest_rate_limits(client).rows["rate_limit_observations"] == 6
        summary = refresh_rollups(client)  # no usage day changed: only the windows did
        assert summary.days == [] and summary.blocks_written > 0
        counts = [
            entries_between(client, *span)
            for span in [
                ("2026-02-11T18:30:00", "2026-02-11T23:30:00"),
                ("2026-02-12T14:00:00", "2026-02-12T15:30:00"),
                ("2026-02-12T15:30:00", "2026-02-12T20:30:00"),
                ("2026-02-12T20:30:00", "2026-02-13T01:30:00"),
            ]
        ]
        publish_state(client)
    blocks = blocks_report(capsys)
    assert spans(blocks) == [
        ("2026-02-10T22:00:00.000Z", "2026-02-11T03:00:00.000Z", 18, False),  # ccusage's
        ("2026-02-11T03:16:56.821Z", "2026-02-11T20:36:53.585Z", 0, True),
        ("2026-02-11T18:30:00.000Z", "2026-02-11T23:30:00.000Z", counts[0], False),  # official
        ("2026-02-12T03:54:29.802Z", "2026-02-12T14:12:02.971Z", 0, True),
        ("2026-02-12T14:00:00.000Z", "2026-02-12T15:30:00.000Z", counts[1], False),  # cut short
        ("2026-02-12T15:30:00.000Z", "2026-02-12T20:30:00.000Z", counts[2], False),  # official
        ("2026-02-12T20:30:00.000Z", "2026-02-13T01:30:00.000Z", counts[3], False),  # after it
    ]
    assert sum(counts) + 18 == sum(b["entries"] for b in golden)
    assert counts[1] > 0 and counts[2] > 0 and counts[3] > 0
    # the status line's current block is the report's latest block
    state = json.loads(state_path().read_text())["block"]
    assert (state["start"], state["end"]) == (
        at("2026-02-12T20:30:00").timestamp(),
        at("2026-02-13T01:30:00").timestamp(),
    )
    assert state["cost_usd"] == pytest.approx(blocks[-1]["costUSD"], rel=1e-9)
    with clickhouse_from_env().connect() as client:
        refresh_rollups(client, full=True)
    assert blocks_report(capsys) == blocks  # an incremental refresh equals a full rebuild


def test_an_observation_of_an_unknown_session_or_without_a_reset_changes_no_block(
    capsys: pytest.CaptureFixture[str],
) -> None:
    load_marot()
    before = blocks_report(capsys)
    limits: dict[str, dict[str, float | None]] = {
        "five_hour": {"used_percentage": 3.0, "resets_at": None}
    }
    assert record_observation(
        home_dir(), AFTERNOON_SESSION, limits, at("2026-02-12T16:00").timestamp()
    )
    observe("not-a-session-of-this-history", "2026-02-12T16:10:00", "2026-02-12T20:30:00")
    with clickhouse_from_env().connect() as client:
        ingest_rate_limits(client)
        refresh_rollups(client)
    assert blocks_report(capsys) == before


def test_official_window_rules() -> None:
    base = 1_700_000_000_000 - 1_700_000_000_000 % H
    windows = official_windows([base + 6 * H + 1800_000, base + 9 * H, base + 20 * H])
    # [1.5 h, 6.5 h) kept; the one ending at 9 h starts at 4 h, inside it: dropped
    assert (windows - base).tolist() == [[1 * H + 1800_000, 6 * H + 1800_000], [15 * H, 20 * H]]
    ts = np.array([base + 10 * 60_000, base + 2 * H, base + 6 * H + 2400_000, base + 14 * H + 1])
    cuts = cut_blocks(ts, windows)
    assert [(c.start_ms - base, c.end_ms - base, c.stop - c.first, c.is_gap) for c in cuts] == [
        (0, 1 * H + 1800_000, 1, False),  # ccusage's block, ends where the official one starts
        (1 * H + 1800_000, 6 * H + 1800_000, 1, False),  # official
        (6 * H + 1800_000, 11 * H + 1800_000, 1, False),  # starts where the official one ended
        (11 * H + 2400_000, 14 * H + 1, 0, True),  # a pause over 5 h: ccusage's gap block
        (14 * H, 15 * H, 1, False),  # ends where the next official window starts
    ]
    assert cut_blocks(ts, official_windows([])) == cut_blocks(ts)
    assert BLOCK_MS == 5 * H
