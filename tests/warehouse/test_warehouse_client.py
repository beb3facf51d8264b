"""The warehouse: typed statements over a real embedded engine."""

from __future__ import annotations

from datetime import date

from cc_pipeline.warehouse import Warehouse


def _day_table(ch: Warehouse, name: str) -> None:
    ch.command(
        "CREATE TABLE {t:Identifier} (day Date, n UInt32) ENGINE = MergeTree "
        "PARTITION BY day ORDER BY n",
        {"t": name},
    )


def test_an_embedded_connection_says_so_and_answers_typed_rows(ch: Warehouse):
    assert isinstance(ch, Warehouse) and ch.is_embedded
    assert ch.query_rows("SELECT number, toString(number) FROM numbers(2)") == [
        (0, "0"),
        (1, "1"),
    ]
    assert ch.scalar("SELECT {x:UInt8} + 1", {"x": 41}) == 42
    assert ch.scalar("SELECT 1 WHERE 0") is None
    assert ch.query("SELECT 7").result_rows == [(7,)]


def test_a_staged_partition_replaces_the_live_one_and_a_dropped_one_is_gone(ch: Warehouse):
    _day_table(ch, "live")
    _day_table(ch, "twin")
    ch.insert("live", [[date(2025, 3, 1), 1], [date(2025, 3, 2), 2]], column_names=["day", "n"])
    ch.insert("twin", [[date(2025, 3, 1), 10], [date(2025, 3, 1), 11]], column_names=["day", "n"])
    ch.replace_partition("live", "20250301", "twin")
    ch.drop_partition("live", "20250302")
    assert ch.query_rows("SELECT day, n FROM live ORDER BY n") == [
        (date(2025, 3, 1), 10),
        (date(2025, 3, 1), 11),
    ]


def test_optimize_leaves_one_part_per_partition(ch: Warehouse):
    _day_table(ch, "parts")
    for n in range(3):
        ch.insert("parts", [[date(2025, 3, 1), n]], column_names=["day", "n"])
    ch.optimize("parts")
    parts = ch.scalar(
        "SELECT count() FROM system.parts "
        "WHERE database = currentDatabase() AND table = 'parts' AND active"
    )
    assert parts == 1
    assert ch.scalar("SELECT sum(n) FROM parts") == 3
