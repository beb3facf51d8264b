"""The migrated schema, on a real embedded engine: versioned migrations that never change,
repeatable definitions of views applied whenever they change, rollups rebuilt when a migration
reshapes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cc_pipeline import shipped, sqlfiles
from cc_pipeline.cli import main
from cc_pipeline.console import EXIT_SCHEMA_CHANGED
from cc_pipeline.resources.clickhouse import ClickHouseResource
from cc_pipeline.rollups import refresh
from cc_pipeline.rollups.refresh import refresh_rollups
from cc_pipeline.schema import (
    AppliedMigrationChanged,
    SchemaChanges,
    discover_repeatables,
    in_dependency_order,
    migrate,
)
from tests.conftest import scalar
from tests.rollups.helpers import load_fixture_sources

RESHAPE_USAGE_DAILY = """-- usage_daily counts the requests whose cost is known.
-- rebuilds: usage_daily
ALTER TABLE usage_daily ADD COLUMN IF NOT EXISTS priced_requests UInt64;
ALTER TABLE _stage_usage_daily ADD COLUMN IF NOT EXISTS priced_requests UInt64;
"""


def crash(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("rebuild cut short")


def copy_shipped(folder: str, target: Path) -> Path:
    target.mkdir(parents=True)
    for name, text in shipped.sql_folder(folder):
        (target / name).write_text(text, encoding="utf-8")
    return target


def rounded_rows(client: Any, sql: str) -> list[tuple[Any, ...]]:
    """Rows with floats rounded (sums may add in another order)."""
    rows = client.query(sql).result_rows
    return [tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows]


def view_definitions(client: Any) -> dict[str, str]:
    sql = "SELECT name, create_table_query FROM system.tables WHERE database = currentDatabase() "
    rows = client.query_rows(sql + "AND engine IN ('View', 'MaterializedView')")
    return {name: definition for name, definition in rows}


def test_every_mergetree_table_cleans_outdated_parts_within_a_second(ch: Any) -> None:
    # an embedded engine lives a few seconds; the default 30 s would never clean up
    rows = ch.query(
        "SELECT name, create_table_query FROM system.tables "
        "WHERE database = currentDatabase() AND engine LIKE '%MergeTree'"
    ).result_rows
    assert len(rows) > 20
    lacking = [
        name
        for name, ddl in rows
        if "cleanup_delay_period = 1" not in ddl or "cleanup_delay_period_random_add = 0" not in ddl
    ]
    assert lacking == []


def test_migrating_again_applies_nothing(ch: Any) -> None:
    assert migrate(ch) == SchemaChanges([], [], ())


def test_every_view_is_defined_by_its_file_in_sql_views(ch: Any) -> None:
    shipped_names = {r.name for r in discover_repeatables()}
    assert {"cc_events", "sessions", "transcript_requests", "_parsed_metric_points_to_sum"} <= (
        shipped_names
    )
    assert set(view_definitions(ch)) == shipped_names
    recorded = dict(
        ch.query(
            "SELECT name, argMax(checksum, applied_at) FROM schema_repeatables GROUP BY name"
        ).result_rows
    )
    assert recorded == {r.name: r.checksum for r in discover_repeatables()}


def test_views_are_applied_after_the_views_they_read() -> None:
    order = [r.name for r in in_dependency_order(discover_repeatables())]
    # alphabetically cc_api_requests comes before cc_events, which it reads
    assert order.index("cc_events") < order.index("cc_api_requests")
    assert order.index("transcript_usage_lines") < order.index("transcript_requests")
    for position, repeatable in enumerate(in_dependency_order(discover_repeatables())):
        assert repeatable.references(set(order)) <= set(order[:position])


def test_views_reading_each_other_in_a_cycle_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE OR REPLACE VIEW a AS SELECT * FROM b;\n")
    (tmp_path / "b.sql").write_text("CREATE OR REPLACE VIEW b AS SELECT * FROM a;\n")
    with pytest.raises(ValueError, match="cycle"):
        in_dependency_order(discover_repeatables(tmp_path))


def test_a_view_file_must_define_the_object_it_is_named_after(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE VIEW IF NOT EXISTS b AS SELECT 1;\n")
    with pytest.raises(ValueError, match=r"a\.sql"):
        discover_repeatables(tmp_path)


def test_a_changed_view_reaches_an_existing_database(ch: Any, tmp_path: Path) -> None:
    views = copy_shipped("views", tmp_path / "views")
    sessions = views / "sessions.sql"
    sessions.write_text(
        sessions.read_text().replace(
            "    sum(cost_computed_usd) AS cost_computed_usd\n",
            "    sum(cost_computed_usd) AS cost_computed_usd,\n    count() AS days\n",
        )
    )
    notes = views / "_parsed_metric_points_to_notes.sql"
    notes.write_text(
        notes.read_text().replace(
            "FROM _parsed_metric_points;", "FROM _parsed_metric_points\nWHERE kind != '';"
        )
    )

    changes = migrate(ch, views_directory=views)

    assert changes.migrations == []
    assert sorted(changes.repeatables) == ["_parsed_metric_points_to_notes", "sessions"]
    columns = ch.query("SELECT name FROM system.columns WHERE table = 'sessions'").result_rows
    assert ("days",) in columns
    assert "WHERE kind != ''" in view_definitions(ch)["_parsed_metric_points_to_notes"]
    assert migrate(ch, views_directory=views).repeatables == []


def test_a_dropped_view_is_defined_again(ch: Any) -> None:
    ch.command("DROP VIEW cc_tool_results")
    assert migrate(ch).repeatables == ["cc_tool_results"]
    assert "cc_tool_results" in view_definitions(ch)


def test_a_changed_applied_migration_stops_with_the_file_named(
    clickhouse_resource: ClickHouseResource, tmp_path: Path
) -> None:
    migrations = copy_shipped("migrations", tmp_path / "migrations")
    with clickhouse_resource.connect() as client:
        migrate(client, migrations)
        changed = migrations / "0020_rollups.sql"
        changed.write_text(changed.read_text() + "-- one more line\n")
        (migrations / "0031_more.sql").write_text("CREATE TABLE t (a UInt8) ENGINE = Memory;\n")

        with pytest.raises(AppliedMigrationChanged) as raised:
            migrate(client, migrations)

        assert str(changed) in str(raised.value)
        assert "new migration" in str(raised.value)
        assert scalar(client, "SELECT count() FROM system.tables WHERE name = 't'") == 0


def test_the_cli_reports_a_changed_migration_without_a_traceback(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = ClickHouseResource(mode="embedded", path=str(isolated_home / "cc_pipeline" / "chdb"))
    with database.connect() as client:
        migrate(client)
        client.command(
            "ALTER TABLE schema_migrations UPDATE checksum = 'applied-before' WHERE version = 3 "
            "SETTINGS mutations_sync = 2"
        )

    code = main(["report", "daily", "--json"])

    err = capsys.readouterr().err
    assert code == EXIT_SCHEMA_CHANGED
    assert "sql/migrations/0003_claude_code_views.sql" in err
    assert "Traceback" not in err


def test_a_migration_that_reshapes_a_rollup_rebuilds_it_from_its_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = copy_shipped("migrations", tmp_path / "migrations")
    # usage_daily as a later version fills it: one more column, priced_requests
    last = "sum(ifNull(cost_computed_usd, 0)) AS cost_computed_usd"
    shipped_query = sqlfiles.load("rollups/usage_daily.sql")
    assert last in shipped_query
    reshaped_query = shipped_query.replace(
        last, last + ",\n    countIf(cost_known) AS priced_requests"
    )
    shipped_load = sqlfiles.load

    def load(relative_path: str) -> str:
        return (
            reshaped_query
            if relative_path == "rollups/usage_daily.sql"
            else shipped_load(relative_path)
        )

    monkeypatch.setenv("CC_PIPELINE_HOME", str(tmp_path / "upgraded-home"))
    with ClickHouseResource(path=str(tmp_path / "upgraded")).connect() as client:
        migrate(client, migrations)
        load_fixture_sources(client, tmp_path / "otel-upgraded")
        refresh_rollups(client)
        (migrations / "9031_usage_daily_priced_requests.sql").write_text(RESHAPE_USAGE_DAILY)
        monkeypatch.setattr(sqlfiles, "load", load)

        changes = migrate(client, migrations)

        assert changes.rebuilt == ("usage_daily",)
        assert [m.version for m in changes.migrations] == [9031]
        upgraded = rounded_rows(client, "SELECT * FROM usage_daily ORDER BY ALL")
        assert scalar(client, "SELECT sum(priced_requests) FROM usage_daily") > 0
        assert migrate(client, migrations) == SchemaChanges([], [], ())

    monkeypatch.setenv("CC_PIPELINE_HOME", str(tmp_path / "fresh-home"))  # its own cursors
    with ClickHouseResource(path=str(tmp_path / "fresh")).connect() as client:
        migrate(client, migrations)
        load_fixture_sources(client, tmp_path / "otel-fresh")
        refresh_rollups(client)
        fresh = rounded_rows(client, "SELECT * FROM usage_daily ORDER BY ALL")

    assert upgraded == fresh


def test_a_rebuild_cut_short_is_done_again_by_the_next_migrate(
    ch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = copy_shipped("migrations", tmp_path / "migrations")
    (migrations / "9031_usage_daily_priced_requests.sql").write_text(RESHAPE_USAGE_DAILY)
    monkeypatch.setattr(refresh, "refresh_rollups", crash)

    with pytest.raises(RuntimeError, match="cut short"):
        migrate(ch, migrations)

    assert scalar(ch, "SELECT count() FROM schema_migrations WHERE version = 9031") == 0
    monkeypatch.undo()
    assert migrate(ch, migrations).rebuilt == ("usage_daily",)
    assert scalar(ch, "SELECT count() FROM schema_migrations WHERE version = 9031") == 1


def test_a_rebuild_of_a_table_that_is_no_rollup_is_refused(ch: Any, tmp_path: Path) -> None:
    migrations = copy_shipped("migrations", tmp_path / "migrations")
    (migrations / "0031_x.sql").write_text("-- rebuilds: otel_logs\nSELECT 1;\n")
    with pytest.raises(ValueError, match="otel_logs"):
        migrate(ch, migrations)
