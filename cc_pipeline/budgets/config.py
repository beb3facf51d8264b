"""``budgets.yaml``: the budgets to watch, read into a validated model.

```yaml
budgets:
  - name: platform-monthly
    period: month           # day | week | month (UTC; weeks start on Monday)
    usd: 500
    where: {project: my-repo} # usage_daily columns; a value or a list of values; {} = all
    webhook: https://hooks.slack.com/services/...   # optional
```

The file is ``CC_PIPELINE_BUDGETS`` when set, else ``CC_PIPELINE_HOME/budgets.yaml``; no file
means no budgets. Every error names the file and the field.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from cc_pipeline import settings

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

Period = Literal["day", "week", "month"]
FILTER_TABLE = "usage_daily"
# Budgets filter on dimensions: columns holding text.
FILTER_TYPES = frozenset({"String", "LowCardinality(String)"})


class BudgetError(ValueError):
    """The budgets file cannot be used as written (the message names the file and field)."""


class Budget(BaseModel):
    """One budget: at most ``usd`` spent per ``period`` on the usage ``where`` selects."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    period: Period
    usd: float = Field(gt=0, allow_inf_nan=False)
    where: dict[str, str | list[str]] = Field(default_factory=dict)
    webhook: HttpUrl | None = None

    @field_validator("where")
    @classmethod
    def _lists_not_empty(cls, where: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for column, value in where.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"{column}: an empty list matches nothing")
        return where

    def values(self) -> dict[str, list[str]]:
        """``where`` with every value as a list of accepted values."""
        return {k: v if isinstance(v, list) else [v] for k, v in self.where.items()}


class BudgetFile(BaseModel):
    """The whole file: a list of budgets with distinct names."""

    model_config = ConfigDict(extra="forbid")

    budgets: list[Budget] = Field(default_factory=list)

    @field_validator("budgets")
    @classmethod
    def _distinct_names(cls, budgets: list[Budget]) -> list[Budget]:
        names = [b.name for b in budgets]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"budget names must be distinct; repeated: {', '.join(twice)}")
        return budgets


def budgets_path() -> Path:
    """Where the budgets are read from (the file need not exist)."""
    override = os.environ.get("CC_PIPELINE_BUDGETS")
    return Path(override).expanduser() if override else settings.current().home / "budgets.yaml"


def _describe(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid budgets file"]
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"  {where}: {problem['msg']}")
    return "\n".join(lines)


def parse_budgets(text: str, path: Path) -> list[Budget]:
    """The budgets of a file's text; BudgetError names the file and each bad field."""
    try:
        raw: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BudgetError(f"{path}: not valid YAML: {exc}") from None
    if raw is None:
        return []
    try:
        return BudgetFile.model_validate(raw).budgets
    except ValidationError as exc:
        raise BudgetError(_describe(path, exc)) from None


def load_budgets(path: Path | None = None) -> list[Budget]:
    """The budgets of ``path`` (default ``budgets_path()``); none when the file is missing."""
    path = path or budgets_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise BudgetError(f"{path}: cannot be read: {exc}") from None
    return parse_budgets(text, path)


def check_columns(client: Warehouse, budgets: list[Budget], path: Path | None = None) -> None:
    """Every ``where`` column must be a text column of usage_daily (read from the database)."""
    rows = client.query(
        "SELECT name, type FROM system.columns WHERE database = currentDatabase() "
        "AND table = {t:String}",
        parameters={"t": FILTER_TABLE},
    ).result_rows
    usable = sorted(name for name, kind in rows if kind in FILTER_TYPES)
    for index, budget in enumerate(budgets):
        for column in budget.where:
            if column not in usable:
                raise BudgetError(
                    f"{path or budgets_path()}: budgets.{index}.where.{column}: not a "
                    f"{FILTER_TABLE} column to filter on; one of: {', '.join(usable)}"
                )
