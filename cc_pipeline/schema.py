"""The schema: versioned migrations for tables, repeatable definitions for what derives from them.

``sql/migrations/NNNN_name.sql`` files are applied once each, in order, and recorded in the
ledger ``schema_migrations`` with a checksum of their text. An applied migration is history:
if its text no longer matches the ledger, every command stops with
:class:`AppliedMigrationChanged` instead of running on a schema the files no longer describe.
Statements are written to be safe to re-run (``IF NOT EXISTS``), so a crash half way through
a file is mended by running it again; the ledger row is written only after the whole file
(and the rollup rebuild it asks for) succeeded.

``sql/views/<object>.sql`` files hold one view (``CREATE OR REPLACE VIEW``) or materialized
view (``CREATE MATERIALIZED VIEW``, dropped and created again) each. They are applied after
the migrations, in the order their references to one another require, whenever their text
differs from the ledger ``schema_repeatables``, their object is missing, or a migration ran
(a view stores the columns its sources had when it was created).

A released migration is rewritten only when the rewrite leaves every database as it was, and
then its released checksum is listed in ``RELEASED_EQUIVALENTS`` with the reason: a database
that applied the released text goes on as if it had applied the new one.

A migration that changes the shape of a rollup table carries a line
``-- rebuilds: <table>[, <table>...]``; once it is applied, every rollup is rebuilt from its
sources, so no row of the old shape stays behind.
"""

from __future__ import annotations

import graphlib
import hashlib
import re
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cc_pipeline import shipped

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY version
"""

REPEATABLES_LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_repeatables (
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY (name, applied_at)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0
"""

REBUILDS_MARKER = re.compile(r"^--\s*rebuilds:\s*(.+?)\s*$", re.MULTILINE)
REPEATABLE_HEADER = re.compile(
    r"CREATE\s+(?P<kind>OR\s+REPLACE\s+VIEW|MATERIALIZED\s+VIEW)\s+(?P<name>\w+)\s",
    re.IGNORECASE,
)
WORD = re.compile(r"\w+")

# Set while migrate() rebuilds the rollups: the refresh migrates first, which must not
# start the same rebuild again.
_rebuilding: ContextVar[bool] = ContextVar("cc_pipeline_schema_rebuilding", default=False)


_VIEWS_MOVED = (
    "its views moved to sql/views, whose repeatable definitions replace them on every upgrade"
)
# version -> {checksum of a released text: why the current text is equivalent to it}
RELEASED_EQUIVALENTS: dict[int, dict[str, str]] = {
    2: {"a355363059479da4": "0.1.0: " + _VIEWS_MOVED},
    3: {"53def9f51b459d08": "0.1.0: " + _VIEWS_MOVED},
    10: {"bfc30eec911a5e11": "0.1.0: " + _VIEWS_MOVED},
    20: {"cd4eb7a7c8db4e4e": "0.1.0: " + _VIEWS_MOVED},
}


class AppliedMigrationChanged(Exception):
    """A migration already applied to this database no longer has the text it was applied with."""

    def __init__(self, source: str, applied: str, current: str) -> None:
        self.source = source
        super().__init__(
            f"{source} was changed after it was applied to this database (checksum {applied} "
            f"when applied, {current} now). An applied migration cannot change: restore the "
            "file as it was and put the change in a new migration with the next free number; "
            "views and other objects derived from tables belong in sql/views/, which is applied "
            "again whenever it changes."
        )


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str
    source: str = ""

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def rebuilds(self) -> tuple[str, ...]:
        """The rollup tables whose shape this migration changes (its ``-- rebuilds:`` lines)."""
        names: list[str] = []
        for listed in REBUILDS_MARKER.findall(self.text):
            names.extend(name.strip() for name in listed.split(",") if name.strip())
        return tuple(names)


@dataclass(frozen=True)
class Repeatable:
    """One object derived from tables, defined again whenever its definition changes."""

    name: str
    materialized: bool
    statement: str
    text: str
    source: str
    body: str  # the statement after ``CREATE ... <name>``

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def references(self, names: set[str]) -> set[str]:
        """Which of ``names`` (other repeatable objects) this definition reads."""
        return (set(WORD.findall(self.body)) & names) - {self.name}


@dataclass(frozen=True)
class SchemaChanges:
    """What one migrate() did: migrations applied, objects (re)defined, rollups rebuilt for."""

    migrations: list[Migration]
    repeatables: list[str]
    rebuilt: tuple[str, ...]


def _files(folder: str, directory: Path | None) -> list[tuple[str, str, str]]:
    """(file name, text, path to show) of the ``.sql`` files of a shipped folder or a directory."""
    if directory is None:
        return [(name, text, f"sql/{folder}/{name}") for name, text in shipped.sql_folder(folder)]
    return [
        (path.name, path.read_text(encoding="utf-8"), str(path))
        for path in sorted(directory.glob("*.sql"))
    ]


def discover(directory: Path | None = None) -> list[Migration]:
    """The versioned migrations, shipped or of ``directory``, by version."""
    found = []
    for file_name, text, source in _files("migrations", directory):
        match = re.fullmatch(r"(\d+)_(.+)\.sql", file_name)
        if not match:
            raise ValueError(f"Migration file name must look like 0001_name.sql: {source}")
        found.append(Migration(int(match.group(1)), match.group(2), text, source))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"Duplicate migration versions in {directory or 'sql/migrations'}")
    return sorted(found, key=lambda m: m.version)


def split_statements(sql: str) -> list[str]:
    """Split a file on semicolons that end a line, leaving out comment lines."""
    code = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    statements = []
    for chunk in re.split(r";\s*$", code, flags=re.MULTILINE):
        if chunk.strip():
            statements.append(chunk.strip())
    return statements


def discover_repeatables(directory: Path | None = None) -> list[Repeatable]:
    """The repeatable definitions, shipped (``sql/views``) or of ``directory``, by name."""
    found = []
    for file_name, text, source in _files("views", directory):
        statements = split_statements(text)
        header = REPEATABLE_HEADER.match(statements[0]) if len(statements) == 1 else None
        if header is None:
            raise ValueError(
                f"{source} must hold one CREATE OR REPLACE VIEW or CREATE MATERIALIZED VIEW"
            )
        if header.group("name") != file_name.removesuffix(".sql"):
            raise ValueError(f"{source} must define the object its file is named after")
        materialized = header.group("kind").upper().startswith("MATERIALIZED")
        body = statements[0][header.end() :]
        found.append(
            Repeatable(header.group("name"), materialized, statements[0], text, source, body)
        )
    return found


def in_dependency_order(repeatables: list[Repeatable]) -> list[Repeatable]:
    """Each definition after the definitions it reads."""
    by_name = {r.name: r for r in repeatables}
    graph = {r.name: r.references(set(by_name)) for r in repeatables}
    try:
        return [by_name[name] for name in graphlib.TopologicalSorter(graph).static_order()]
    except graphlib.CycleError as exc:
        cycle = " -> ".join(exc.args[1])
        raise ValueError(f"sql/views definitions read each other in a cycle: {cycle}") from exc


def applied_checksums(client: Warehouse) -> dict[int, str]:
    """version -> checksum of every migration the ledger records."""
    client.command(LEDGER_DDL)
    rows = client.query("SELECT version, checksum FROM schema_migrations").result_rows
    return {version: checksum for version, checksum in rows}


def pending(client: Warehouse, migrations: list[Migration]) -> list[Migration]:
    """The migrations not applied yet; an applied one whose text changed raises."""
    done = applied_checksums(client)
    for migration in migrations:
        applied = done.get(migration.version)
        if applied is None or applied == migration.checksum:
            continue
        if applied not in RELEASED_EQUIVALENTS.get(migration.version, {}):
            raise AppliedMigrationChanged(migration.source, applied, migration.checksum)
    return [m for m in migrations if m.version not in done]


def _record(client: Warehouse, migration: Migration) -> None:
    client.command(
        "INSERT INTO schema_migrations (version, name, checksum) "
        "VALUES ({v:UInt32}, {n:String}, {c:String})",
        parameters={"v": migration.version, "n": migration.name, "c": migration.checksum},
    )


def apply_repeatables(
    client: Warehouse, directory: Path | None = None, *, every: bool = False
) -> list[str]:
    """(Re)define, in dependency order, the repeatable objects whose text changed or whose
    object is missing (all of them when ``every``); return their names."""
    repeatables = in_dependency_order(discover_repeatables(directory))
    client.command(REPEATABLES_LEDGER_DDL)
    recorded = {
        str(name): str(checksum)
        for name, checksum in client.query_rows(
            "SELECT name, argMax(checksum, applied_at) FROM schema_repeatables GROUP BY name"
        )
    }
    existing = {
        row[0]
        for row in client.query(
            "SELECT name FROM system.tables "
            "WHERE database = currentDatabase() AND name IN {names:Array(String)}",
            parameters={"names": [r.name for r in repeatables]},
        ).result_rows
    }
    applied = []
    for repeatable in repeatables:
        if (
            not every
            and repeatable.name in existing
            and recorded.get(repeatable.name) == repeatable.checksum
        ):
            continue
        if repeatable.materialized:
            client.command(
                "DROP VIEW IF EXISTS {name:Identifier}", parameters={"name": repeatable.name}
            )
        client.command(repeatable.statement)
        client.command(
            "INSERT INTO schema_repeatables (name, checksum) VALUES ({n:String}, {c:String})",
            parameters={"n": repeatable.name, "c": repeatable.checksum},
        )
        applied.append(repeatable.name)
    return applied


def _rebuild_rollups(client: Warehouse) -> None:
    """Rebuild every rollup from its sources (a full refresh)."""
    from cc_pipeline.rollups.refresh import refresh_rollups

    token = _rebuilding.set(True)
    try:
        refresh_rollups(client, full=True)
    finally:
        _rebuilding.reset(token)


def _check_rebuilds(migrations: list[Migration]) -> None:
    from cc_pipeline.rollups.refresh import ROLLUP_TABLES

    for migration in migrations:
        unknown = [name for name in migration.rebuilds if name not in ROLLUP_TABLES]
        if unknown:
            raise ValueError(
                f"{migration.source}: '-- rebuilds:' names no rollup table: {', '.join(unknown)}"
                f" (rollup tables: {', '.join(ROLLUP_TABLES)})"
            )


def migrate(
    client: Warehouse, directory: Path | None = None, views_directory: Path | None = None
) -> SchemaChanges:
    """Bring the database's schema up to the definitions: pending migrations in order, then the
    repeatable definitions, then the rollup rebuild a migration asks for.

    Migrations from the first one that asks for a rebuild on are recorded once the rebuild
    finished, so a crash before that applies them (and rebuilds) again on the next run.
    """
    if _rebuilding.get():
        return SchemaChanges([], [], ())
    shipped_migrations = discover(directory)
    todo = pending(client, shipped_migrations)
    # a database this run creates holds no rollup rows of an older shape: nothing to rebuild
    fresh = len(todo) == len(shipped_migrations)
    if any(m.rebuilds for m in todo):
        _check_rebuilds(todo)
    unrecorded: list[Migration] = []
    for migration in todo:
        for statement in split_statements(migration.text):
            client.command(statement)
        if unrecorded or migration.rebuilds:
            unrecorded.append(migration)
        else:
            _record(client, migration)
    redefined = apply_repeatables(client, views_directory, every=bool(todo))
    rebuilt = () if fresh else tuple(dict.fromkeys(n for m in unrecorded for n in m.rebuilds))
    if rebuilt:
        _rebuild_rollups(client)
    for migration in unrecorded:
        _record(client, migration)
    return SchemaChanges(todo, redefined, rebuilt)


def fingerprint() -> str:
    """Identifies the shipped schema: the last migration and every repeatable definition."""
    latest = max((m.version for m in discover()), default=0)
    parts = [str(latest), *(f"{r.name}:{r.checksum}" for r in discover_repeatables())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
