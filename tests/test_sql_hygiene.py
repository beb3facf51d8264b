"""No SQL is built from strings in the package: values travel as ``{name:Type}`` query
parameters, names as ``{name:Identifier}`` parameters (or ``sqlfiles.identifier`` where
ClickHouse takes no parameter), longer statements live in ``sql/``.

A Python file builds SQL when an f-string, or the text a ``.format``/``.replace`` call works
on, starts a statement (a SQL keyword at the start of the text or of a line, then whitespace).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cc_pipeline"
STATEMENT = re.compile(
    r"(?:^|\n)\s*(SELECT|INSERT|TRUNCATE|ALTER|DELETE|OPTIMIZE|CREATE|DROP|RENAME|WITH)\s"
)


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to string literals (``BATCH_ROWS = "SELECT ..."``)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            value = node.value.value
            if isinstance(value, str):
                found.update({t.id: value for t in node.targets if isinstance(t, ast.Name)})
    return found


def _literal_text(node: ast.AST, constants: dict[str, str]) -> str:
    """The literal text of a string expression: constant parts of an f-string, a string
    literal, or a module constant; '' for anything else."""
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value
            for part in node.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, "")
    return ""


def sql_built_from_strings(source: str) -> list[int]:
    """Line numbers where ``source`` builds SQL with an f-string, ``.format`` or ``.replace``."""
    tree = ast.parse(source)
    constants = _constants(tree)
    lines: list[int] = []
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.JoinedStr):
            texts.append(_literal_text(node, constants))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("format", "replace")
        ):
            texts.append(_literal_text(node.func.value, constants))
            texts.extend(_literal_text(arg, constants) for arg in node.args)
        if any(STATEMENT.search(text) for text in texts):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "source",
    [
        'sql = f"TRUNCATE TABLE {table}"',
        'sql = (\n    "SELECT count() "\n    f"FROM {table} WHERE day = 1"\n)',
        'sql = f"SELECT a FROM t\\nWHERE b = {value}"',
        'QUERY = "SELECT count() FROM {table}"\nsql = QUERY.format(table=name)',
        'sql = "DELETE FROM {t} WHERE x".format(t=name)',
        'sql = template.replace("x", "INSERT INTO t SELECT 1")',
        'sql = "ALTER TABLE t DROP PARTITION ID \'x\'".replace("t", name)',
    ],
)
def test_building_a_statement_from_strings_is_found(source: str) -> None:
    assert sql_built_from_strings(source)


@pytest.mark.parametrize(
    "source",
    [
        'message = f"{source} must hold one CREATE OR REPLACE VIEW"',
        'client.command("TRUNCATE TABLE {t:Identifier}", parameters={"t": table})',
        'path = f"{folder}/insert_here"',
        'stamp = when.isoformat().replace("+00:00", "Z")',
        "label = f\"Number of {unit.replace('_', ' ')} selected\"",
    ],
)
def test_parameterised_statements_and_other_text_pass(source: str) -> None:
    assert sql_built_from_strings(source) == []


def test_no_python_file_of_the_package_builds_sql_from_strings() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in sql_built_from_strings(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "SQL built with an f-string, .format or .replace: " + ", ".join(
        offenders
    )
