"""The attribute catalog counts the names each event arrived with, kept or dropped (never
values), exactly once, and a check warns when a dropped name appears for the first time."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import dagster as dg

from cc_pipeline.cli import main
from cc_pipeline.files.loader import ingest_folder
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.schema import migrate
from cc_pipeline.telemetry.attributes import attribute_catalog
from cc_pipeline.telemetry.definitions import ingest_telemetry_asset
from cc_pipeline.telemetry.ingest import ingest_telemetry
from cc_pipeline.telemetry.sink import TelemetrySink
from tests.otlp_files import fixture_requests, write_jsonl
from tests.telemetry.test_crash_resume import Crash, CrashingClient

NANOS = 1_767_225_600_000_000_000  # 2026-01-01
CATALOG_SQL = (
    "SELECT event_name, attribute, kept, seen, app_versions FROM telemetry_attribute_catalog "
    "ORDER BY event_name, attribute"
)


def string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def export(event: str, attributes: dict[str, str], count: int = 1) -> dict[str, Any]:
    """``count`` records of ``event`` with these attributes, from Claude Code 2.1.300."""
    record = {
        "timeUnixNano": str(NANOS),
        "observedTimeUnixNano": str(NANOS),
        "body": {"stringValue": f"claude_code.{event}"},
        "attributes": [string("event.name", event)] + [string(k, v) for k, v in attributes.items()],
    }
    resource = [string("service.name", "claude-code"), string("service.version", "2.1.300")]
    resource.append(string("squad", "ingest"))
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": resource},
                "scopeLogs": [
                    {
                        "scope": {"name": "com.anthropic.claude_code.events"},
                        "logRecords": [record] * count,
                    }
                ],
            }
        ]
    }


def test_names_are_counted_per_event_with_their_kept_flag_and_never_values(ch, tmp_path):
    write_jsonl(
        tmp_path / "otel" / "a.jsonl",
        [
            export("user_prompt", {"prompt_length": "5", "prompt": "a secret prompt"}, count=3),
            export("user_prompt", {"prompt_length": "7"}),
        ],
    )
    ingest_telemetry(ch, tmp_path / "otel")
    assert ch.query(CATALOG_SQL).result_rows == [
        ("(resource)", "service.name", True, 4, ["2.1.300"]),
        ("(resource)", "service.version", True, 4, ["2.1.300"]),
        ("(resource)", "squad", False, 4, ["2.1.300"]),
        ("user_prompt", "event.name", True, 4, ["2.1.300"]),
        ("user_prompt", "prompt", False, 3, ["2.1.300"]),
        ("user_prompt", "prompt_length", True, 4, ["2.1.300"]),
    ]
    stored = ch.query("SELECT formatRow('TSV', *) FROM telemetry_attribute_counts").result_rows
    assert "a secret prompt" not in str(stored)


def test_a_configured_label_key_is_counted_as_kept(ch, tmp_path, monkeypatch):
    monkeypatch.setenv("CC_PIPELINE_LABEL_KEYS", "squad")
    write_jsonl(tmp_path / "otel" / "a.jsonl", [export("user_prompt", {})])
    ingest_telemetry(ch, tmp_path / "otel")
    (squad,) = [n for n in attribute_catalog(ch) if n.attribute == "squad"]
    assert squad.kept and squad.seen == 1


def test_the_check_warns_only_when_a_dropped_name_is_new(clickhouse_resource, tmp_path):
    folder = tmp_path / "otel"
    config = {"ops": {"ingest_telemetry": {"config": {"source_dir": str(folder)}}}}

    def run() -> dg.AssetCheckEvaluation:
        result = dg.materialize(
            [ingest_telemetry_asset],
            resources={"clickhouse": clickhouse_resource},
            run_config=config,
        )
        checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
        return checks["no_new_dropped_attributes"]

    write_jsonl(folder / "a.jsonl", [export("user_prompt", {"prompt": "x"})])
    first = run()
    assert not first.passed and first.severity == dg.AssetCheckSeverity.WARN
    assert "`user_prompt`: `prompt`" in first.metadata["names"].value
    assert "`(resource)`: `squad`" in first.metadata["names"].value

    write_jsonl(folder / "a.jsonl", [export("user_prompt", {"prompt": "y"})])
    assert run().passed  # seen before: not new

    write_jsonl(folder / "a.jsonl", [export("tool_result", {"tool_transcript": "z"})])
    third = run()
    assert not third.passed
    assert third.metadata["new_dropped_attributes"].value == 1
    assert "`tool_result`: `tool_transcript`" in third.metadata["names"].value


def test_the_catalog_is_counted_once_across_a_crash_before_any_write(tmp_path):
    bodies = [b for _, b in fixture_requests()][:40]
    folder = tmp_path / "otel"
    write_jsonl(folder / "claude-code.jsonl", bodies)
    with ClickHouseResource(path=str(tmp_path / "reference")).connect() as client:
        migrate(client)
        ingest_folder(
            client, TelemetrySink(), folder, tmp_path / "reference.json", max_batch_bytes=16 << 10
        )
        reference = client.query(CATALOG_SQL).result_rows
    assert any(not kept for _, _, kept, _, _ in reference)
    for crash_at in (2, 3, 5, 8, 13):
        cursors = tmp_path / f"cursors{crash_at}.json"
        with ClickHouseResource(path=str(tmp_path / f"db{crash_at}")).connect() as client:
            migrate(client)
            with contextlib.suppress(Crash):
                ingest_folder(
                    CrashingClient(client, crash_at),
                    TelemetrySink(),
                    folder,
                    cursors,
                    max_batch_bytes=16 << 10,
                )
            ingest_folder(client, TelemetrySink(), folder, cursors, max_batch_bytes=16 << 10)
            ingest_folder(client, TelemetrySink(), folder, cursors, max_batch_bytes=16 << 10)
            assert client.query(CATALOG_SQL).result_rows == reference, crash_at


def test_the_command_prints_the_catalog_as_json(ch, tmp_path, capsys, monkeypatch):
    write_jsonl(tmp_path / "otel" / "a.jsonl", [export("user_prompt", {"prompt": "x"})])
    ingest_telemetry(ch, tmp_path / "otel")
    ch.close()
    monkeypatch.setenv("CC_PIPELINE_CHDB_DIR", str(tmp_path / "chdb"))
    assert main(["telemetry", "attributes", "--dropped", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [(row["event_name"], row["attribute"], row["seen"]) for row in printed] == [
        ("(resource)", "squad", 1),
        ("user_prompt", "prompt", 1),
    ]
    assert all(row["kept"] is False for row in printed)
