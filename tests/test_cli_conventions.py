"""The shell face keeps one set of conventions across commands (see ``cc_pipeline.cli``)."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from cc_pipeline.cli import COMMANDS, build_parser
from cc_pipeline.rollups.definitions import RollupConfig
from cc_pipeline.telemetry.definitions import TelemetryIngestConfig
from cc_pipeline.transcripts.definitions import TranscriptBackfillConfig

# Commands whose output is rows of data, so a script can ask for JSON or CSV.
ROW_PRINTERS = {"sql": [], "report": [], "budgets": [], "telemetry": ["attributes"]}


def command_parser(name: str, *path: str) -> argparse.ArgumentParser:
    parser = build_parser(name)
    for step in (name, *path):
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[step]
    return parser


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {action.dest: action for action in parser._actions if action.option_strings}


@pytest.mark.parametrize(
    ("command", "config"),
    [
        ("ingest", TelemetryIngestConfig),
        ("backfill", TranscriptBackfillConfig),
        ("rollup", RollupConfig),
    ],
)
def test_options_are_named_like_the_dagster_run_config(command: str, config: type) -> None:
    """A field of the job's run config and the command's option are the same setting."""
    assert set(config.model_fields) <= set(options(command_parser(command)))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_documents_its_exit_statuses(command: str) -> None:
    text = command_parser(command).format_help()
    for status in ("0 ok", "1 a check failed", "2 bad usage", "75 the database"):
        assert status in " ".join(text.split())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_date_options_take_iso_dates(command: str) -> None:
    for action in options(command_parser(command)).values():
        if action.type is date.fromisoformat:
            assert action.metavar == "YYYY-MM-DD", action.option_strings


@pytest.mark.parametrize("command", sorted(ROW_PRINTERS))
def test_commands_that_print_rows_take_format_and_the_json_alias(command: str) -> None:
    parser = command_parser(command, *ROW_PRINTERS[command])
    fmt = next(a for a in parser._actions if "--format" in a.option_strings)
    assert tuple(fmt.choices or ()) == ("table", "json", "csv")
    parsed = parser.parse_args(
        [
            *(["daily"] if command == "report" else []),
            *(["SELECT 1"] if command == "sql" else []),
            "--json",
        ]
    )
    assert parsed.format == "json"


def test_backfill_roots_repeat_and_rollup_days_repeat() -> None:
    backfill = command_parser("backfill").parse_args(["--root", "a", "--root", "b,c"])
    assert backfill.roots == ["a", "b,c"]
    rollup = command_parser("rollup").parse_args(["--day", "2026-11-01", "--day", "2026-11-02"])
    assert rollup.day == [date(2026, 11, 1), date(2026, 11, 2)]
