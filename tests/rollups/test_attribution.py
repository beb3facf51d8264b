"""Who, where and what for: every request of usage_requests carries its team, user, machine,
project, repo, branch and agent whichever source arrived first, and the rollups add up."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.rollups import reports
from cc_pipeline.rollups.refresh import ROLLUP_TABLES, refresh_rollups
from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.transcripts.backfill import backfill_transcripts
from tests.otlp_files import write_jsonl
from tests.rollups.helpers import load_fixture_sources
from tests.transcripts.helpers import assistant, write_session

SESSION = "sess-attribution"
MODEL = "claude-sonnet-4-5-20250929"
TEAM = {"team.id": "payments", "department": "engineering", "cost_center": "cc-42"}
ATTRIBUTION = ("team", "department", "cost_center", "project", "repo", "branch", "machine")


def _attr(key: str, value: str | int) -> dict[str, Any]:
    kind = "intValue" if isinstance(value, int) else "stringValue"
    return {"key": key, "value": {kind: value}}


def api_request(
    when: str, request_id: str, tokens: tuple[int, int], cost: float, **extra: str | int
) -> dict[str, Any]:
    """One Collector JSONL body: an api_request event of the session, with team labels set
    through OTEL_RESOURCE_ATTRIBUTES (on the resource)."""
    attributes = {
        "event.name": "api_request",
        "event.timestamp": when,
        "event.sequence": 1,
        "session.id": SESSION,
        "user.id": "user-1",
        "user.email": "dev@example.com",
        "model": MODEL,
        "request_id": request_id,
        "input_tokens": tokens[0],
        "output_tokens": tokens[1],
        "cache_read_tokens": 0,
        "cache_creation_tokens": 0,
        "cost_usd": str(cost),
        "query_source": "repl_main_thread",
        **extra,
    }
    resource = {"service.name": "claude-code", "service.version": "2.1.300", **TEAM}
    nanos = str(int(datetime.fromisoformat(when).timestamp()) * 10**9)
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": [_attr(k, v) for k, v in resource.items()]},
                "scopeLogs": [
                    {
                        "scope": {"name": "com.anthropic.claude_code.events"},
                        "logRecords": [
                            {
                                "timeUnixNano": nanos,
                                "observedTimeUnixNano": nanos,
                                "body": {"stringValue": "claude_code.api_request"},
                                "attributes": [_attr(k, v) for k, v in attributes.items()],
                            }
                        ],
                    }
                ],
            }
        ]
    }


def transcript_line(when: str, request_id: str, message_id: str, cwd: str) -> dict[str, Any]:
    return assistant(
        message_id,
        request_id,
        ts=when,
        session=SESSION,
        input_tokens=100,
        output_tokens=20,
        cwd=cwd,
        gitBranch="feature/checkout",
    )


def write_telemetry(folder: Path) -> Path:
    """req-both (also in the transcripts) and req-later, telemetry only, two days on."""
    return write_jsonl(
        folder / "otel.jsonl",
        [
            api_request("2026-03-02T10:00:00.000Z", "req-both", (100, 20), 0.01),
            api_request("2026-03-04T09:00:00.000Z", "req-later", (50, 10), 0.005),
        ],
    )


def write_transcripts(root: Path) -> Path:
    """req-both, and req-transcript (only here) from a subfolder of the repository."""
    write_session(
        root,
        [
            transcript_line("2026-03-02T10:00:00.000Z", "req-both", "msg-both", "/home/dev/shop"),
            transcript_line(
                "2026-03-02T11:00:00.000Z", "req-transcript", "msg-tr", "/home/dev/shop/web"
            ),
        ],
        name=f"{SESSION}.jsonl",
        project="-home-dev-shop",
    )
    return root


def attribution(client: Any) -> dict[str, tuple[Any, ...]]:
    rows = client.query(
        "SELECT request_id, source, team, department, cost_center, project, repo, branch, "
        "machine FROM usage_requests ORDER BY request_id"
    ).result_rows
    return {row[0]: row[1:] for row in rows}


def everything(client: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(
            (
                tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                for row in client.query(f"SELECT * FROM {table}").result_rows
            ),
            key=repr,
        )
        for table in ROLLUP_TABLES
    }


EXPECTED = {
    "req-both": ("both", "payments", "engineering", "cc-42", "/home/dev/shop", "shop",
                 "feature/checkout", "laptop-a"),
    "req-later": ("telemetry", "payments", "engineering", "cc-42", "/home/dev/shop", "shop",
                  "feature/checkout", "laptop-a"),
    "req-transcript": ("transcript", "payments", "engineering", "cc-42", "/home/dev/shop",
                       "shop", "feature/checkout", "laptop-a"),
}  # fmt: skip


@pytest.mark.parametrize("first", ["telemetry", "transcripts"])
def test_team_repo_and_branch_reach_every_request_whichever_source_arrives_first(
    ch: Any, tmp_path: Path, first: str
) -> None:
    def telemetry() -> None:
        ingest_telemetry(ch, write_telemetry(tmp_path / "otel").parent)

    def transcripts() -> None:
        backfill_transcripts(ch, [write_transcripts(tmp_path / "claude")], machine="laptop-a")

    steps = [telemetry, transcripts] if first == "telemetry" else [transcripts, telemetry]
    steps[0]()
    refresh_rollups(ch)
    steps[1]()
    summary = refresh_rollups(ch)

    assert attribution(ch) == EXPECTED
    if first == "telemetry":  # req-later's day holds no transcript: the session brought it in
        assert str(summary.days[-1]) == "2026-03-04"
    incremental = everything(ch)
    refresh_rollups(ch, full=True)
    assert everything(ch) == incremental


def test_usage_daily_and_sessions_keep_the_attribution(ch: Any, tmp_path: Path) -> None:
    ingest_telemetry(ch, write_telemetry(tmp_path / "otel").parent)
    backfill_transcripts(ch, [write_transcripts(tmp_path / "claude")], machine="laptop-a")
    refresh_rollups(ch)
    daily = ch.query(
        "SELECT day, team, user_id, project, repo, branch, model, agent, machine, "
        "sum(requests) FROM usage_daily GROUP BY ALL ORDER BY day"
    ).result_rows
    assert [(str(r[0]), *r[1:]) for r in daily] == [
        ("2026-03-02", "payments", "user-1", "/home/dev/shop", "shop", "feature/checkout",
         MODEL, "main", "laptop-a", 2),
        ("2026-03-04", "payments", "user-1", "/home/dev/shop", "shop", "feature/checkout",
         MODEL, "main", "laptop-a", 1),
    ]  # fmt: skip
    session = ch.query(
        "SELECT team, machine, repo, branch, api_requests FROM sessions "
        "WHERE session_id = {s:String}",
        parameters={"s": SESSION},
    ).result_rows
    assert session == [("payments", "laptop-a", "shop", "feature/checkout", 3)]


def test_totals_by_every_dimension_add_up_to_the_total(ch: Any, tmp_path: Path) -> None:
    load_fixture_sources(ch, tmp_path / "fixture-otel")
    ingest_telemetry(ch, write_telemetry(tmp_path / "otel").parent)
    backfill_transcripts(ch, [write_transcripts(tmp_path / "claude")], machine="laptop-a")
    refresh_rollups(ch)
    requests, tokens, cost = ch.query(
        "SELECT count(), sum(total_tokens), sum(cost_usd) FROM usage_requests"
    ).result_rows[0]
    assert requests == 59 + 3  # the fixture's requests and ours, each once
    whole = reports.usage_report(ch, "daily")["totals"]
    assert whole["totalTokens"] == tokens
    assert whole["totalCost"] == pytest.approx(cost)
    for column in reports.BY_COLUMNS:
        by = reports.usage_report(ch, "daily", reports.ReportFilter(by=column))
        assert {k: by["totals"][k] for k in whole} == pytest.approx(whole), column
        assert len({e[column] for e in by["daily"]}) >= 1, column
    dimensions = ("team", "user_id", "project", "repo", "branch", "model", "agent", "machine")
    for column in dimensions:
        grouped = ch.query(
            "SELECT sum(r), sum(t), sum(c) FROM (SELECT {col:Identifier}, sum(requests) AS r, "
            "sum(total_tokens) AS t, sum(cost_usd) AS c FROM usage_daily GROUP BY 1)",
            parameters={"col": column},
        ).result_rows[0]
        assert grouped[:2] == (requests, tokens), column
        assert grouped[2] == pytest.approx(cost), column


def test_report_by_rejects_a_column_that_is_no_attribution(ch: Any) -> None:
    with pytest.raises(ValueError, match="cannot break a report down by 'cost_usd'"):
        reports.usage_report(ch, "daily", reports.ReportFilter(by="cost_usd"))
    with pytest.raises(ValueError, match="unknown time zone"):
        reports.usage_report(ch, "daily", reports.ReportFilter(timezone="Mars/Olympus"))


def test_weekly_monthly_and_time_zone_move_requests_between_periods(
    ch: Any, tmp_path: Path
) -> None:
    ingest_telemetry(ch, write_telemetry(tmp_path / "otel").parent)
    refresh_rollups(ch)
    weekly = reports.usage_report(ch, "weekly")
    assert [(w["week"], w["inputTokens"]) for w in weekly["weekly"]] == [("2026-03-02", 150)]
    monthly = reports.usage_report(ch, "monthly", reports.ReportFilter(by="team"))
    assert [(m["month"], m["team"]) for m in monthly["monthly"]] == [("2026-03", "payments")]
    # 09:00 UTC on the 4th is still the 3rd in Honolulu (UTC-10)
    local = reports.usage_report(ch, "daily", reports.ReportFilter(timezone="Pacific/Honolulu"))
    assert [d["date"] for d in local["daily"]] == ["2026-03-02", "2026-03-03"]
    pacific = reports.usage_report(
        ch, "daily", reports.ReportFilter(timezone="Pacific/Kiritimati")
    )  # UTC+14
    assert [d["date"] for d in pacific["daily"]] == ["2026-03-03", "2026-03-04"]
    assert json.dumps(local)  # plain JSON data
