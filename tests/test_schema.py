"""The migrated schema, on a real embedded engine."""

from __future__ import annotations

from typing import Any

from cc_pipeline.schema import migrate


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
    assert migrate(ch) == []
