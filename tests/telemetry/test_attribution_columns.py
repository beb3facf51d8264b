"""cc_api_requests carries who, where and what a request is attributed to: labels users set
through OTEL_RESOURCE_ATTRIBUTES, the agent, skill, plugin and MCP server, the provider, in
either spelling Claude Code used."""

from __future__ import annotations

from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.telemetry.privacy import DEFAULT_LABEL_COLUMNS
from tests.conftest import FIXTURES
from tests.otlp_files import fixture_requests, write_jsonl

OTLP_2_1_260 = FIXTURES / "claude-code-2.1.260" / "otlp"
NANOS = 1_767_225_600_000_000_000  # 2026-01-01


def string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def api_request(
    attributes: dict[str, str], resource: dict[str, str] | None = None
) -> dict[str, Any]:
    """One api_request log export with these event (and resource) attributes."""
    record = {
        "timeUnixNano": str(NANOS),
        "observedTimeUnixNano": str(NANOS),
        "body": {"stringValue": "claude_code.api_request"},
        "attributes": [
            string("event.name", "api_request"),
            string("session.id", "s-1"),
            *(string(k, v) for k, v in attributes.items()),
        ],
    }
    resource_attributes = {"service.name": "claude-code", **(resource or {})}
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": [string(k, v) for k, v in resource_attributes.items()]},
                "scopeLogs": [
                    {
                        "scope": {"name": "com.anthropic.claude_code.events"},
                        "logRecords": [record],
                    }
                ],
            }
        ]
    }


def rows(ch: Any, sql: str) -> list[dict[str, Any]]:
    result = ch.query(sql)
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def test_the_2_1_260_fixture_lands_with_its_team_department_and_cost_center(ch, tmp_path):
    write_jsonl(tmp_path / "otel" / "x.jsonl", [body for _, body in fixture_requests(OTLP_2_1_260)])
    summary = ingest_telemetry(ch, tmp_path / "otel")
    assert summary.quarantined == 0
    found = rows(
        ch,
        "SELECT team, department, cost_center, labels, count() AS requests "
        "FROM cc_api_requests GROUP BY ALL",
    )
    assert found == [
        {
            "team": "data-platform",
            "department": "research",
            "cost_center": "cc-7",
            "labels": {"team.id": "data-platform", "department": "research", "cost_center": "cc-7"},
            "requests": 59,
        }
    ]
    # Claude Code 2.1.161+ copies the labels onto every data point: they are kept there too.
    kept_on_points = rows(
        ch,
        "SELECT countIf(Attributes['team.id'] = 'data-platform' "
        "AND Attributes['cost_center'] = 'cc-7' AND Attributes['department'] = 'research') "
        "AS labelled, count() AS points FROM otel_metrics_sum",
    )[0]
    assert kept_on_points["labelled"] == kept_on_points["points"] > 0


@pytest.mark.parametrize("spelling", ["dotted", "underscored"])
def test_attribution_reads_both_spellings(ch, tmp_path, spelling):
    dotted = {
        "agent.name": "reviewer",
        "agent.id": "agent-7",
        "skill.name": "pdf",
        "plugin.name": "docs-kit",
        "marketplace.name": "acme-market",
        "mcp_server.name": "github",
        "mcp_tool.name": "create_issue",
        "anthropic.provider": "bedrock",
        "anthropic.custom_base_url": "https://gateway.example.com",
        "message.uuid": "9b4589c0-d849-4c00-a3e0-40aa3097028a",
    }
    sent = dotted if spelling == "dotted" else {k.replace(".", "_"): v for k, v in dotted.items()}
    write_jsonl(
        tmp_path / "otel" / "x.jsonl",
        [
            api_request(
                {
                    **sent,
                    "request_id": "req_1",
                    "cache_creation_tokens": "300",
                    "cache_creation_5m_tokens": "100",
                    "cache_creation_1h_tokens": "200",
                    "user.email": "alice@example.com",
                    "user.account_uuid": "acct-1",
                    "app.entrypoint": "cli",
                },
                {"host.name": "build-box", "team": "platform", "cost.center": "cc-42"},
            )
        ],
    )
    ingest_telemetry(ch, tmp_path / "otel")
    (row,) = rows(
        ch,
        "SELECT agent_name, agent_id, skill_name, plugin_name, marketplace_name, "
        "mcp_server_name, mcp_tool_name, provider, custom_base_url, message_uuid, "
        "cache_creation_5m_tokens, cache_creation_1h_tokens, user_email, account_uuid, "
        "entrypoint, host, team, department, cost_center, labels FROM cc_api_requests",
    )
    assert row == {
        "agent_name": "reviewer",
        "agent_id": "agent-7",
        "skill_name": "pdf",
        "plugin_name": "docs-kit",
        "marketplace_name": "acme-market",
        "mcp_server_name": "github",
        "mcp_tool_name": "create_issue",
        "provider": "bedrock",
        "custom_base_url": "https://gateway.example.com",
        "message_uuid": "9b4589c0-d849-4c00-a3e0-40aa3097028a",
        "cache_creation_5m_tokens": 100,
        "cache_creation_1h_tokens": 200,
        "user_email": "alice@example.com",
        "account_uuid": "acct-1",
        "entrypoint": "cli",
        "host": "build-box",
        "team": "platform",
        "department": "",
        "cost_center": "cc-42",
        "labels": {"team": "platform", "cost.center": "cc-42"},
    }


def test_a_request_without_the_cache_write_split_reads_null(ch, tmp_path):
    write_jsonl(tmp_path / "otel" / "x.jsonl", [api_request({"cache_creation_tokens": "300"})])
    ingest_telemetry(ch, tmp_path / "otel")
    assert rows(
        ch, "SELECT cache_creation_5m_tokens, cache_creation_1h_tokens FROM cc_api_requests"
    ) == [{"cache_creation_5m_tokens": None, "cache_creation_1h_tokens": None}]


def test_configured_label_keys_are_kept_and_feed_their_column_first(
    ch, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CC_PIPELINE_LABEL_KEYS", "squad.name, team=squad.name, region")
    write_jsonl(
        tmp_path / "otel" / "x.jsonl",
        [
            api_request(
                {"region": "eu"},
                {"squad.name": "ingest", "team.id": "platform", "unlisted": "x"},
            )
        ],
    )
    ingest_telemetry(ch, tmp_path / "otel")
    (row,) = rows(ch, "SELECT team, labels FROM cc_api_requests")
    assert row == {
        "team": "ingest",
        "labels": {"region": "eu", "squad.name": "ingest", "team.id": "platform"},
    }


def test_every_default_label_key_feeds_its_column(ch, tmp_path):
    sent = [
        (column, key, f"{column}-from-{key}")
        for column, keys in DEFAULT_LABEL_COLUMNS.items()
        for key in keys
    ]
    write_jsonl(
        tmp_path / "otel" / "x.jsonl",
        [api_request({"request_id": key}, {key: value}) for _, key, value in sent],
    )
    ingest_telemetry(ch, tmp_path / "otel")
    shown = {
        request_id: {"team": team, "department": department, "cost_center": cost_center}
        for request_id, team, department, cost_center in ch.query(
            "SELECT request_id, team, department, cost_center FROM cc_api_requests"
        ).result_rows
    }
    assert len(shown) == len(sent) == 5
    for column, key, value in sent:
        assert shown[key][column] == value, key
