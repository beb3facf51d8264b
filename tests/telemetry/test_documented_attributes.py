"""Every documented non-content attribute of Claude Code's events is kept and shows in its
typed view; every documented content attribute is nowhere in the database."""

from __future__ import annotations

from typing import Any

import pytest

from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.telemetry.privacy import CONTENT as CONTENT_RULES
from cc_pipeline.telemetry.privacy import is_kept
from tests.otlp_files import write_jsonl
from tests.telemetry.documented_events import CONTENT, EVENTS, STANDARD, Event, secret

NANOS = 1_767_225_600_000_000_000  # 2026-01-01
RESOURCE = {
    "service.name": "claude-code",
    "service.version": "2.1.300",
    "os.type": "linux",
    "host.arch": "amd64",
    "host.name": "build-box",
    "team.id": "platform",
    "department": "engineering",
    "cost_center": "cc-42",
}


def string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def record(event: str, attributes: dict[str, str]) -> dict[str, Any]:
    return {
        "timeUnixNano": str(NANOS),
        "observedTimeUnixNano": str(NANOS),
        "body": {"stringValue": f"claude_code.{event}"},
        "attributes": [
            string("event.name", event),
            *(string(k, v) for k, v in {**STANDARD, **attributes}.items()),
        ],
    }


def export(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": [string(k, v) for k, v in RESOURCE.items()]},
                "scopeLogs": [
                    {"scope": {"name": "com.anthropic.claude_code.events"}, "logRecords": records}
                ],
            }
        ]
    }


def documented_export() -> dict[str, Any]:
    """Every documented event with every documented attribute, and content under every
    documented content name."""
    records = []
    for event in EVENTS:
        content = {name: secret(event.name, name) for name in CONTENT.get(event.name, ())}
        records.append(record(event.name, {**event.attributes, **content}))
    for name in ("api_request_body", "api_response_body"):
        records.append(record(name, {"body": secret(name, "body")}))
    return export(records)


@pytest.fixture
def loaded(ch: Any, tmp_path: Any) -> Any:
    write_jsonl(tmp_path / "otel" / "x.jsonl", [documented_export()])
    summary = ingest_telemetry(ch, tmp_path / "otel")
    assert summary.quarantined == 0
    return ch


def found_anywhere(ch: Any, text: str) -> list[str]:
    """Tables (every table of the database, every column) holding ``text``."""
    tables = [
        name
        for (name,) in ch.query(
            "SELECT name FROM system.tables WHERE database = currentDatabase() "
            "AND engine NOT IN ('View', 'MaterializedView', 'Null')"
        ).result_rows
    ]
    return [
        table
        for table in tables
        if ch.query(
            "SELECT count() FROM {t:Identifier} "
            "WHERE position(formatRow('TSV', *), {s:String}) > 0",
            parameters={"t": table, "s": text},
        ).result_rows[0][0]
    ]


def test_every_documented_content_attribute_is_nowhere_in_the_database(loaded):
    searched = [(event, name) for event, names in CONTENT.items() for name in names]
    assert len(searched) >= 15
    for event, name in searched:
        assert found_anywhere(loaded, secret(event, name)) == [], (event, name)


def test_the_search_finds_content_when_it_is_kept(ch, tmp_path):
    write_jsonl(tmp_path / "otel" / "x.jsonl", [documented_export()])
    ingest_telemetry(ch, tmp_path / "otel", keep_content=True)
    assert found_anywhere(ch, secret("user_prompt", "prompt")) == ["otel_logs"]


def test_every_documented_content_name_is_a_content_rule():
    ruled = {
        (event, name) for rule in CONTENT_RULES for name in rule.names for event in rule.events
    }
    anywhere = {name for rule in CONTENT_RULES if not rule.events for name in rule.names}
    for event, names in CONTENT.items():
        for name in names:
            assert name in anywhere or (event, name) in ruled, (event, name)
            assert not is_kept(name, event), (event, name)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.name)
def test_every_documented_attribute_is_kept(loaded, event: Event):
    stored = loaded.query(
        "SELECT LogAttributes FROM otel_logs WHERE LogAttributes['event.name'] = {e:String}",
        parameters={"e": event.name},
    ).result_rows
    assert len(stored) == 1
    (attributes,) = stored[0]
    sent = {"event.name": event.name, **STANDARD, **event.attributes}
    assert attributes == sent
    assert all(is_kept(name, event.name) for name in sent)


@pytest.mark.parametrize("event", [e for e in EVENTS if e.view], ids=lambda e: e.name)
def test_every_documented_event_shows_in_its_typed_view(loaded, event: Event):
    result = loaded.query(
        "SELECT * FROM {v:Identifier} WHERE session_id = 's-doc'", parameters={"v": event.view}
    )
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    # cc_api_errors shows three events
    rows = [row for row in rows if row.get("event_name", event.name) == event.name]
    assert len(rows) == 1
    shown = {column: rows[0][column] for column in event.row}
    assert shown == event.row


def test_api_requests_carry_the_resource_labels_and_host(loaded):
    row = loaded.query(
        "SELECT team, department, cost_center, host, labels FROM cc_api_requests"
    ).result_rows
    assert row == [
        (
            "platform",
            "engineering",
            "cc-42",
            "build-box",
            {"team.id": "platform", "department": "engineering", "cost_center": "cc-42"},
        )
    ]


def test_an_unknown_event_is_stored_and_shown_in_cc_events(ch, tmp_path):
    write_jsonl(
        tmp_path / "otel" / "x.jsonl",
        [export([record("brand_new_event", {"model": "claude-opus-5", "novel_field": "x"})])],
    )
    ingest_telemetry(ch, tmp_path / "otel")
    rows = ch.query(
        "SELECT event_name, attributes['model'], mapContains(attributes, 'novel_field') "
        "FROM cc_events"
    ).result_rows
    assert rows == [("brand_new_event", "claude-opus-5", False)]
