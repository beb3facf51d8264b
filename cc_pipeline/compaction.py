"""Merge a table's parts after a bulk load into the embedded engine.

Each batch a load inserts becomes a part; a ClickHouse server merges them in the background
as they pile up. An embedded engine lives only as long as the process that opened it, often
a second: a merge it starts then competes with that process's own work and is dropped at
exit, so after a big load every later short run starts the same large merge again and never
finishes it. A load that added a large share of a table therefore ends by merging the
table's parts itself (``OPTIMIZE ... FINAL``): it pays once, in proportion to what it loaded,
and leaves one part per partition. Small loads leave merging to the engine. A server merges
on its own and is left alone.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

# A load compacts a table when the rows it added are at least this share of the table.
BULK_SHARE = 0.25


@dataclass
class Compaction:
    tables: list[str] = field(default_factory=list)
    seconds: float = 0.0


def compact_after_load(
    client: Warehouse, rows_added: Mapping[str, int], share: float = BULK_SHARE
) -> Compaction:
    """Merge the parts of each table of ``rows_added`` whose added rows are at least
    ``share`` of its rows now, when it has more than one part (a partition that already is one
    merged part is skipped)."""
    done = Compaction()
    wanted = {table: n for table, n in rows_added.items() if n > 0}
    if not wanted or not client.is_embedded:
        return done
    started = time.monotonic()
    rows = client.query(
        "SELECT name, total_rows, active_parts FROM system.tables "
        "WHERE database = currentDatabase() AND name IN {t:Array(String)}",
        parameters={"t": sorted(wanted)},
    ).result_rows
    for table, total, parts in rows:
        if parts and parts > 1 and wanted[table] >= share * (total or 0):
            client.command(
                "OPTIMIZE TABLE {t:Identifier} FINAL SETTINGS optimize_skip_merged_partitions = 1",
                parameters={"t": table},
            )
            done.tables.append(table)
    done.seconds = time.monotonic() - started
    return done
