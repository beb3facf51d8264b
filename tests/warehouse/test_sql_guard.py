"""``cc-pipeline sql`` reads the project's tables and nothing else, and prints data safely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cc_pipeline.cli import _dispatch
from tests.otlp_files import expected_totals, fixture_requests, write_jsonl

REFUSED = "Refused: "


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pipeline home with the fixture telemetry ingested, shared by this module's tests."""
    home = tmp_path_factory.mktemp("sql-guard") / "home"
    write_jsonl(home / "otel" / "claude-code.jsonl", [b for _, b in fixture_requests()])
    done = subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", "ingest"],
        env=dict(os.environ, CC_PIPELINE_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A user's file the attacks try to overwrite, and a secret they try to read."""
    (tmp_path / "victim.txt").write_text("mine\n")
    (tmp_path / "secret.txt").write_text("s3cr3t\n")
    return tmp_path


def sql(home: Path, monkeypatch: pytest.MonkeyPatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``cc-pipeline sql`` in this process; its exit code, stdout and stderr."""
    monkeypatch.setenv("CC_PIPELINE_HOME", str(home))
    code, _ = _dispatch(["sql", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


ATTACKS = {
    "insert into a file function overwrites a file": (
        "INSERT INTO FUNCTION file('{dir}/victim.txt', 'CSV') SELECT 'pwned' "
        "SETTINGS engine_file_truncate_on_insert=1",
        "INSERT statements do not run here",
    ),
    "lower case, with comments": (
        "insert /* quiet */ into function file('{dir}/victim.txt', 'CSV') -- note\n"
        "select 'pwned' settings engine_file_truncate_on_insert=1",
        "INSERT statements do not run here",
    ),
    "a second statement after a select": (
        "SELECT 1; INSERT INTO FUNCTION file('{dir}/victim.txt', 'CSV') SELECT 'pwned' "
        "SETTINGS engine_file_truncate_on_insert=1",
        "Multi-statements are not allowed",
    ),
    "into outfile creates a file": (
        "SELECT 1 INTO OUTFILE '{dir}/out.txt'",
        "INTO OUTFILE writes a file",
    ),
    "reading a file": (
        "SELECT * FROM file('{dir}/secret.txt', 'LineAsString')",
        "file is a table function",
    ),
    "reading a file with the file function": (
        "SELECT FILE('{dir}/secret.txt')",
        "the function FILE reads a file",
    ),
    "a file read in a nested subquery": (
        "SELECT * FROM (SELECT * FROM (SELECT * FROM file('{dir}/secret.txt', 'LineAsString')))",
        "file is a table function",
    ),
    "a file read in a CTE": (
        "WITH s AS (SELECT * FROM file('{dir}/secret.txt', 'LineAsString')) SELECT * FROM s",
        "file is a table function",
    ),
    "a file read in a UNION": (
        "SELECT 'x' AS line UNION ALL SELECT line FROM file('{dir}/secret.txt', 'LineAsString')",
        "file is a table function",
    ),
    "a file read in a JOIN": (
        "SELECT * FROM usage_daily AS u JOIN file('{dir}/secret.txt', 'LineAsString') AS f ON 1",
        "file is a table function",
    ),
    "a file read in an IN subquery": (
        "SELECT 1 WHERE 's3cr3t' IN (SELECT * FROM file('{dir}/secret.txt', 'LineAsString'))",
        "file is a table function",
    ),
    "describing a file": (
        "DESCRIBE file('{dir}/secret.txt', 'LineAsString')",
        "file is a table function",
    ),
    "a URL": ("SELECT * FROM url('http://127.0.0.1:9/x', 'CSV', 'a String')", "url is a table"),
    "S3": ("SELECT * FROM s3('http://127.0.0.1:9/b/x.csv', 'CSV', 'a String')", "s3 is a table"),
    "MySQL": ("SELECT * FROM mysql('127.0.0.1:9', 'd', 't', 'u', 'p')", "mysql is a table"),
    "another server": ("SELECT * FROM remote('127.0.0.1:9', system.one)", "remote is a table"),
    "a table function in a scalar subquery": (
        "SELECT (SELECT count() FROM url('http://127.0.0.1:9/x', 'CSV', 'a String'))",
        "url is a table",
    ),
    "a dictionary": ("SELECT dictGet('d', 'a', toUInt64(1))", "the function dictGet reads"),
    "another database": ("SELECT * FROM default.t", "default.t is not in the project's database"),
    "another database through IN": ("SELECT 1 IN default.t", "default.t is not in the project"),
    "settings": ("SELECT 1 SETTINGS max_threads = 1", "SETTINGS clauses are not accepted"),
    "an output format": ("SELECT 1 FORMAT CSV", "FORMAT clauses are not accepted"),
    "dropping a table": ("DROP TABLE otel_logs", "DROP statements do not run here"),
    "a CTE before an insert": (
        "WITH 1 AS x INSERT INTO FUNCTION file('{dir}/victim.txt', 'CSV') SELECT x",
        "INSERT statements do not run here",
    ),
    "explaining a query": ("EXPLAIN SELECT 1", "EXPLAIN statements do not run here"),
    "checking a table": ("CHECK TABLE otel_logs", "CHECK statements do not run here"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_what_is_not_a_read_of_the_projects_tables_is_refused(
    attack, home, files, monkeypatch, capsys
):
    query, reason = ATTACKS[attack]
    code, out, err = sql(home, monkeypatch, capsys, query.replace("{dir}", str(files)))
    assert code == 1
    assert REFUSED in err and reason in err
    assert "cc-pipeline sql runs read-only queries only" in err
    assert (files / "victim.txt").read_text() == "mine\n"
    assert sorted(p.name for p in files.iterdir()) == ["secret.txt", "victim.txt"]
    assert "s3cr3t" not in out
    assert out == ""


def test_the_tables_are_untouched_after_the_refusals(home, monkeypatch, capsys):
    code, out, _ = sql(
        home, monkeypatch, capsys, "SELECT count() AS n FROM otel_logs", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)[0]["n"] == expected_totals(fixture_requests())["logs"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT model, round(sum(cost_usd),2) FROM cc_api_requests GROUP BY model",
        "select model, round(sum(cost_usd), 2) AS cost from otel.cc_api_requests group by model",
        "SELECT * FROM usage_daily",
        "SELECT name, engine FROM system.tables WHERE database = currentDatabase()",
        "WITH m AS (SELECT model FROM cc_api_requests) SELECT count() FROM m "
        "WHERE model IN (SELECT model FROM cc_api_requests)",
        "SELECT 1 AS n UNION ALL SELECT 2 -- a comment\n;",
        "SELECT format('{} requests', count()) FROM cc_api_requests",
        "SHOW TABLES",
        "DESCRIBE TABLE otel_logs",
        "EXISTS TABLE system.tables",
    ],
)
def test_reads_of_the_projects_tables_and_system_run(query, home, monkeypatch, capsys):
    code, out, err = sql(home, monkeypatch, capsys, query, "--format", "json")
    assert code == 0, err
    assert isinstance(json.loads(out), list)


def test_readme_cost_query_gives_the_ingested_cost(home, monkeypatch, capsys):
    query = "SELECT model, round(sum(cost_usd),2) AS cost FROM cc_api_requests GROUP BY model"
    code, out, err = sql(home, monkeypatch, capsys, query, "--format", "json")
    assert code == 0, err
    cost = sum(row["cost"] for row in json.loads(out))
    assert cost == pytest.approx(expected_totals(fixture_requests())["cost_usd"], abs=0.05)


def test_check_table_is_refused_from_the_shell_without_a_traceback(home):
    done = subprocess.run(
        [sys.executable, "-m", "cc_pipeline.cli", "sql", "CHECK TABLE otel_logs"],
        env=dict(os.environ, CC_PIPELINE_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Refused: CHECK statements do not run here" in done.stderr
    assert "Traceback" not in done.stderr


def test_terminal_escapes_in_data_are_shown_escaped_in_a_table(home, monkeypatch, capsys):
    query = "SELECT 'a\x1b[2Jb\x07\x9b' AS `v\x1b[31m`, 'line\nbreak' AS w"
    code, out, _ = sql(home, monkeypatch, capsys, query)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "a\\x1b[2Jb\\x07\\x9b" in out
    assert "v\\x1b[31m" in out
    assert "\\x0a" not in out  # a line break stays one: the table shows it on two lines


def test_terminal_escapes_in_data_stay_exact_in_json(home, monkeypatch, capsys):
    code, out, _ = sql(home, monkeypatch, capsys, "SELECT 'a\x1b[2Jb' AS v", "--format", "json")
    assert code == 0
    assert "\x1b" not in out
    assert json.loads(out) == [{"v": "a\x1b[2Jb"}]


def test_a_statement_the_engine_cannot_read_is_refused_with_its_reason(home, monkeypatch, capsys):
    code, out, err = sql(home, monkeypatch, capsys, "SELECT * FROM {table:Identifier}")
    assert code == 1 and out == ""
    assert "Refused: ClickHouse cannot read this as one statement" in err
    assert "table" in err
