"""Which queries ``cc-pipeline sql`` runs: reads of the project's own tables, nothing else.

The rule: the text is exactly one statement of a reading kind (SELECT, with WITH, UNION,
INTERSECT and EXCEPT; DESCRIBE; EXISTS; SHOW) in which

- every table a query reads is a plain name of a table or view in the project's database
  (unqualified, or qualified with that database) or in ``system``;
- no table function appears anywhere (``file``, ``url``, ``s3``, ``mysql``, ``remote`` ... in
  FROM, JOIN, a CTE, a subquery or an ``IN``), since each reads files, URLs or other servers;
- no function that reads outside the database appears (the ``file`` function, dictionaries,
  whose sources may be files, URLs or other servers, and the others in ``REFUSED_FUNCTIONS``);
- there is no ``INTO OUTFILE``, no ``FORMAT`` (``--format`` chooses the output) and no
  ``SETTINGS``, which could change how files and the network are reached.

ClickHouse itself parses the query, on the engine that would run it: ``formatQuerySingleLine``
takes exactly one statement (chDB runs every statement of a text it is given, even behind an
``EXPLAIN``), and ``EXPLAIN AST`` of that one statement gives its syntax tree. Neither runs the
query. What then runs is the statement that was checked, in the engine's own formatting. The
check happens before anything runs, so it is the same on chDB and on a ClickHouse server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse


class QueryRefused(ValueError):
    """The query is not a read of the project's own tables; the message says why."""


# The statement kinds that run, by the name of their syntax tree's root.
READING_STATEMENTS: frozenset[str] = frozenset(
    {
        "SelectWithUnionQuery",
        "DescribeQuery",
        "ExistsTableQuery",
        "ExistsDatabaseQuery",
        "ShowTables",
        "ShowColumns",
        "ShowCreateTableQuery",
    }
)

# Functions that read outside the database, by lower-case name or name prefix, with the reason.
REFUSED_FUNCTIONS: dict[str, str] = {
    "file": "reads a file on this machine",
    "catboostevaluate": "loads a model file",
    "generateserialid": "writes a counter",
}
REFUSED_FUNCTION_PREFIXES: dict[str, str] = {
    "dict": "reads a dictionary, whose source may be a file, a URL or another server",
    "joinget": "reads a table by a name given as a string",
    "addressto": "reads program files of this machine",
}
# Table functions the engine also knows as ordinary functions, which are harmless as such.
HARMLESS_FUNCTION_NAMES: frozenset[str] = frozenset({"format"})
# The forms of ``x IN t`` whose right side may name a table.
IN_FUNCTIONS: frozenset[str] = frozenset(
    {
        "in",
        "notin",
        "globalin",
        "globalnotin",
        "nullin",
        "notnullin",
        "globalnullin",
        "globalnotnullin",
    }
)

ALLOWED_HELP = (
    "cc-pipeline sql runs read-only queries only: one SELECT (WITH, UNION), SHOW, DESCRIBE or "
    "EXISTS statement reading the project's tables and views or system tables"
)
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALIAS = re.compile(r"(?:\(alias [^()\s.]*\))?")
_CHILDREN = re.compile(r"\s*\(children \d+\)$")


@dataclass
class Node:
    """One node of ``EXPLAIN AST`` output: its kind, the rest of its line, its children."""

    kind: str
    detail: str
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def parse_ast(lines: list[str]) -> list[Node]:
    """The roots of an ``EXPLAIN AST`` listing, where each level is indented by one space."""
    roots: list[Node] = []
    stack: list[tuple[int, Node]] = []
    for line in lines:
        text = line.lstrip(" ")
        depth = len(line) - len(text)
        kind, _, detail = _CHILDREN.sub("", text).partition(" ")
        node = Node(kind, detail.strip())
        while stack and stack[-1][0] >= depth:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((depth, node))
    return roots


def table_name_refusal(detail: str, database: str) -> str | None:
    """Why a table name (the text after ``TableIdentifier``/``Identifier``) may not be read."""
    name, _, rest = detail.partition(" ")
    parts = name.split(".")
    if len(parts) > 2 or not all(_PLAIN_NAME.fullmatch(p) for p in parts):
        return f"{detail!r} is not a plain table name"
    if not _ALIAS.fullmatch(rest):
        return f"{detail!r} is not a plain table name with a plain alias"
    if len(parts) == 2 and parts[0] not in (database, "system"):
        return f"{name} is not in the project's database {database} or in system"
    return None


def function_refusal(name: str, table_functions: frozenset[str]) -> str | None:
    """Why calling the function ``name`` (outside a FROM clause) is refused, if it is."""
    lower = name.lower()
    if lower in REFUSED_FUNCTIONS:
        return f"the function {name} {REFUSED_FUNCTIONS[lower]}"
    for prefix, reason in REFUSED_FUNCTION_PREFIXES.items():
        if lower.startswith(prefix):
            return f"the function {name} {reason}"
    if lower in table_functions and lower not in HARMLESS_FUNCTION_NAMES:
        return f"{name} is a table function, which reads files, URLs or other servers"
    return None


def _node_refusal(node: Node, database: str, table_functions: frozenset[str]) -> str | None:
    if node.kind == "Set":
        return (
            "SETTINGS clauses are not accepted (they can change how files and servers are reached)"
        )
    if node.kind == "TableIdentifier":
        return table_name_refusal(node.detail, database)
    if node.kind == "TableExpression":
        for child in node.children:
            if child.kind == "Function":
                name = child.detail.split(" ", 1)[0]
                return f"{name} is a table function, which reads files, URLs or other servers"
    if node.kind == "Function":
        name = node.detail.split(" ", 1)[0]
        args = node.children[0].children if node.children else []
        if name.lower() in IN_FUNCTIONS and len(args) == 2 and args[1].kind == "Identifier":
            return table_name_refusal(args[1].detail, database)
        return function_refusal(name, table_functions)
    return None


def _root_refusal(root: Node, database: str) -> str | None:
    if root.kind not in READING_STATEMENTS:
        # CheckQuery -> CHECK, ShowProcesslistQuery -> SHOW PROCESSLIST
        words = re.findall(r"[A-Z][a-z]*", root.kind.removesuffix("Query")) or [root.kind]
        return f"{' '.join(words).upper()} statements do not run here"
    *clauses, output = root.children or [Node("", "")]
    if output.kind != "Identifier" or output.detail != "Native":
        return "FORMAT clauses are not accepted; --format chooses the output"
    if root.kind == "SelectWithUnionQuery" and any(c.kind == "Literal" for c in clauses):
        return "INTO OUTFILE writes a file"
    names = [c.detail for c in clauses if c.kind == "Identifier"]
    if root.kind in ("ExistsTableQuery", "ShowCreateTableQuery") and len(names) == 2:
        return table_name_refusal(".".join(names), database)
    return None


def refusal(roots: list[Node], database: str, table_functions: frozenset[str]) -> str | None:
    """Why the statement whose syntax tree has these roots may not run; None when it may."""
    if len(roots) != 1:
        return "the text is not exactly one statement"
    reason = _root_refusal(roots[0], database)
    if reason is not None:
        return reason
    for node in roots[0].walk():
        reason = _node_refusal(node, database, table_functions)
        if reason is not None:
            return reason
    return None


def checked_statement(client: Warehouse, query: str, database: str) -> str:
    """The statement to run for ``query``, as the engine formats it; QueryRefused if refused.

    ``client`` is a clickhouse-connect client of the engine that will run the statement.
    """
    try:
        statement = client.query(
            "SELECT formatQuerySingleLine({query:String})", parameters={"query": query}
        ).result_rows[0][0]
        # The statement is the user's own query text, formatted by the engine as exactly one
        # statement: it cannot travel as a parameter, as EXPLAIN takes a statement, not a value.
        lines = [row[0] for row in client.query("EXPLAIN AST " + statement).result_rows]
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryRefused(
            f"Refused: ClickHouse cannot read this as one statement: {first_line}\n{ALLOWED_HELP}."
        ) from exc
    table_functions = frozenset(
        row[0] for row in client.query("SELECT lower(name) FROM system.table_functions").result_rows
    )
    reason = refusal(parse_ast(lines), database, table_functions)
    if reason is not None:
        raise QueryRefused(f"Refused: {reason}.\n{ALLOWED_HELP}.")
    return statement
