"""The catalog names exactly what the migrations and run scripts create, as they create it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cc_pipeline import catalog, shipped, sqlfiles
from cc_pipeline.dashboard import publish
from cc_pipeline.rollups.refresh import DAY_TABLES, ROLLUP_TABLES

# FROM / JOIN / INTO <name>, optionally database-qualified and back-quoted.
NAMES_READ = re.compile(r"\b(?:FROM|JOIN)\s+(?:`?\w+`?\.)?`?(\w+)`?", re.IGNORECASE)
# The SQL scripts that fill each rollup table (sql/rollups/).
ROLLUP_SCRIPTS = {
    "rollup_transcript_requests": ["transcript_snapshot.sql"],
    "_rollup_events": ["batch_events.sql"],
    "_rollup_metric_deltas": ["batch_metric_deltas.sql"],
    "usage_requests": ["usage_requests.sql"],
    "usage_coverage": ["usage_coverage.sql"],
    "usage_daily": ["usage_daily.sql"],
    "session_days": ["session_days.sql"],
    "tool_usage_daily": ["tool_usage_daily.sql"],
    "api_health_daily": ["api_health_daily.sql"],
    "productivity_daily": ["productivity_daily.sql"],
    "billing_blocks": ["block_entries.sql", "block_windows.sql"],
}


def _tables(client: Any) -> dict[str, tuple[str, str, str]]:
    rows = client.query_rows(
        "SELECT name, engine, partition_key, create_table_query FROM system.tables "
        "WHERE database = currentDatabase()"
    )
    return {name: (engine, key, ddl) for name, engine, key, ddl in rows}


def _columns(client: Any, table: str) -> list[tuple[str, str]]:
    return client.query_rows(
        "SELECT name, type FROM system.columns WHERE database = currentDatabase() "
        "AND table = {t:String} ORDER BY position",
        {"t": table},
    )


def _catalog_names_read(sql: str) -> set[str]:
    without_comments = "\n".join(line.split("--")[0] for line in sql.splitlines())
    return {name for name in NAMES_READ.findall(without_comments) if name in catalog.BY_NAME}


def test_every_migrated_object_is_in_the_catalog_and_every_entry_is_migrated(ch):
    migrated = set(_tables(ch))
    named = {r.name for r in catalog.CATALOG if r.created_by == catalog.MIGRATIONS}
    assert migrated - named == set(), "objects the catalog does not name"
    assert named - migrated == set(), "catalog entries no migration creates"


def test_run_scratch_tables_are_created_by_the_script_the_catalog_names(ch):
    scripts = {r.created_by for r in catalog.CATALOG} - {catalog.MIGRATIONS}
    assert scripts, "the catalog names the per-run scratch tables too"
    for script in sorted(scripts):
        before = set(_tables(ch))
        sqlfiles.run_script(ch, script)
        created = set(_tables(ch)) - before
        assert created == {r.name for r in catalog.CATALOG if r.created_by == script}, script


def test_kind_matches_the_engine(ch):
    for name, (engine, _key, _ddl) in _tables(ch).items():
        kind = catalog.get(name).kind
        assert (kind == "view") == (engine == "View"), name
        if engine == "MaterializedView":
            assert kind == "internal", name
        if engine in ("Memory", "Null"):
            assert kind == "staging", name


def test_partition_grain_matches_the_partition_key(ch):
    for name, (_engine, key, _ddl) in _tables(ch).items():
        expected = "none" if not key else "month" if key.startswith("toYYYYMM(") else "day"
        assert catalog.get(name).grain == expected, (name, key)
        if expected == "day":
            assert key == "day" or re.fullmatch(r"toDate\(\w+\)", key), (name, key)


def test_contract_columns_match_the_migrated_columns_in_order(ch):
    contract = [r for r in catalog.CATALOG if r.contract]
    assert {r.name for r in contract} >= set(ROLLUP_TABLES) | {"sessions"}
    for relation in contract:
        assert relation.columns, relation.name
        assert all(column.description for column in relation.columns), relation.name
        declared = [(column.name, column.type) for column in relation.columns]
        assert declared == _columns(ch, relation.name), relation.name


def test_every_swapped_table_has_a_staging_twin_of_its_structure(ch):
    swapped = [r for r in catalog.CATALOG if r.refresh != "none" and r.twin_of is None]
    assert swapped
    for relation in swapped:
        twin = catalog.get(catalog.STAGE_PREFIX + relation.name)
        assert twin.twin_of == relation.name and twin.kind == "staging"
        assert twin.grain == relation.grain
        assert _columns(ch, twin.name) == _columns(ch, relation.name), relation.name
    twins = {r.name for r in catalog.CATALOG if r.twin_of is not None}
    assert twins == {name for name in _tables(ch) if name.startswith(catalog.STAGE_PREFIX)}


def test_view_upstream_is_what_the_view_reads(ch):
    for name, (engine, _key, ddl) in _tables(ch).items():
        if engine not in ("View", "MaterializedView"):
            continue
        assert set(catalog.get(name).upstream) == _catalog_names_read(ddl), name


@pytest.mark.parametrize("table", sorted(ROLLUP_SCRIPTS))
def test_rollup_upstream_is_what_its_sql_reads(table):
    read: set[str] = set()
    for script in ROLLUP_SCRIPTS[table]:
        read |= _catalog_names_read(sqlfiles.load(f"rollups/{script}"))
    read -= {table, catalog.STAGE_PREFIX + table}
    assert set(catalog.get(table).upstream) == read


def test_dashboard_inputs_are_the_tables_its_queries_read():
    read = _catalog_names_read(shipped.sql_text("dashboard/queries.sql"))
    assert set(catalog.dashboard_inputs()) == read


def test_the_served_dashboard_reads_only_published_contract_tables():
    """Every catalog table the served page's panels read reaches it as a published file, and
    keeps its columns (the contract); the rate limits are among them."""
    read = _catalog_names_read(shipped.sql_text("dashboard/panels.sql"))
    assert "rate_limit_observations" in read
    assert read == set(publish.TABLES)
    assert all(catalog.get(name).contract for name in publish.TABLES)


def test_rollups_are_rebuilt_after_the_rollups_they_read():
    assert DAY_TABLES[0] == "usage_requests"
    for position, table in enumerate(ROLLUP_TABLES):
        for upstream in catalog.get(table).upstream:
            if upstream in ROLLUP_TABLES:
                assert ROLLUP_TABLES.index(upstream) < position, (table, upstream)


def test_asset_deps_follow_views_and_scratch_tables_to_the_assets_they_read():
    assert set(catalog.asset_deps("usage_requests")) == {"otel_logs", "transcript_requests"}
    assert set(catalog.asset_deps("productivity_daily")) == {"otel_metrics_sum"}
    assert set(catalog.asset_deps("transcript_requests")) == {"transcript_entries"}
    for relation in catalog.CATALOG:
        for dep in catalog.asset_deps(relation.name):
            assert catalog.get(dep).asset, (relation.name, dep)
