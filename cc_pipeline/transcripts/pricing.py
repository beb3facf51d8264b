"""The offline, versioned price table: shipped as ``prices.json``, overridable by the user.

Prices are USD per million tokens: input, output, 5-minute cache write, 1-hour cache write,
cache read, optionally a higher tier for token counts above ``tier_threshold_tokens`` and a
multiplier for ``speed: fast`` responses. A user file (``--prices FILE``, else
``CC_PIPELINE_PRICES``, else ``CC_PIPELINE_HOME/prices.json`` when it exists) has the same
shape; its models replace or add to the shipped ones. Models in neither are reported and
their requests get no cost (NULL), never a guessed one.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from cc_pipeline import schema, settings
from cc_pipeline import shipped as package_files

SHIPPED_PRICES = package_files.root() / "transcripts" / "prices.json"
KINDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")


@dataclass(frozen=True)
class PriceTable:
    version: str
    sources: list[str]
    tier_threshold: int
    rows: list[list[Any]]

    @property
    def models(self) -> list[str]:
        return [row[0] for row in self.rows]


def user_price_file(explicit: Path | None = None) -> Path | None:
    """The user's override file, if any."""
    if explicit is not None:
        return explicit
    configured = os.environ.get("CC_PIPELINE_PRICES")
    if configured:
        return Path(configured).expanduser()
    candidate = settings.home() / "prices.json"
    return candidate if candidate.exists() else None


def _price(model: str, where: str, spec: dict[str, Any], kind: str) -> float:
    value = spec.get(kind)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{where}: model {model!r} needs a non-negative number for {kind!r}")
    return float(value)


def _row(model: str, spec: dict[str, Any], where: str, tier: int, version: str) -> list[Any]:
    base = [_price(model, where, spec, kind) for kind in KINDS]
    above_spec = spec.get("above_tier")
    if above_spec is None:
        above: list[float | None] = [None] * len(KINDS)
    elif isinstance(above_spec, dict):
        above = [
            _price(model, f"{where} (above_tier)", above_spec, kind) if kind in above_spec else None
            for kind in KINDS
        ]
    else:
        raise ValueError(f"{where}: model {model!r}: 'above_tier' must be an object")
    fast = spec.get("fast_multiplier", 1)
    if isinstance(fast, bool) or not isinstance(fast, int | float) or fast <= 0:
        raise ValueError(f"{where}: model {model!r}: 'fast_multiplier' must be a positive number")
    return [model, *base, tier, *above, float(fast), version, where]


def _read(path: Path | Traversable) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read price table {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
        raise ValueError(f"{path}: a price table is an object with a 'models' object")
    return data


def load_price_table(override: Path | None = None) -> PriceTable:
    """The shipped prices, with the user's file (if any) laid over them."""
    shipped = _read(SHIPPED_PRICES)
    tier = int(shipped.get("tier_threshold_tokens", 200_000))
    version = str(shipped.get("version", ""))
    rows = {
        model: _row(model, spec, "shipped", tier, version)
        for model, spec in shipped["models"].items()
    }
    sources = [f"shipped {version}"]
    user_file = user_price_file(override)
    if user_file is not None:
        user = _read(user_file)
        user_tier = int(user.get("tier_threshold_tokens", tier))
        user_version = str(user.get("version", "user"))
        for model, spec in user["models"].items():
            rows[model] = _row(model, spec, str(user_file), user_tier, user_version)
        sources.append(f"{user_file} {user_version}".strip())
    return PriceTable(version, sources, tier, list(rows.values()))


PRICE_COLUMNS = [
    "model",
    "input",
    "output",
    "cache_write_5m",
    "cache_write_1h",
    "cache_read",
    "tier_threshold",
    "input_above",
    "output_above",
    "cache_write_5m_above",
    "cache_write_1h_above",
    "cache_read_above",
    "fast_multiplier",
    "price_version",
    "source",
]


def install_prices(client: Any, table: PriceTable) -> bool:
    """Make ``transcript_prices`` hold exactly ``table``; False when it already did."""
    current = client.query(
        f"SELECT {', '.join(PRICE_COLUMNS)} FROM transcript_prices ORDER BY model"
    ).result_rows
    wanted = sorted(tuple(row) for row in table.rows)
    if [tuple(row) for row in current] == wanted:
        return False
    rows = "\n".join(json.dumps(dict(zip(PRICE_COLUMNS, row, strict=True))) for row in table.rows)
    client.command("TRUNCATE TABLE transcript_prices")
    client.command(
        f"INSERT INTO transcript_prices ({', '.join(PRICE_COLUMNS)}) "
        f"SELECT {', '.join(PRICE_COLUMNS)} FROM format(JSONEachRow, {{rows:String}})",
        parameters={"rows": rows},
    )
    return True


@dataclass
class PricedModels:
    """Model names that ``transcript_usage_lines`` finds a price for, remembered beside the
    cursors for one price table and schema.

    A run whose new lines are all of such models has no line without a cost to report, so it
    skips the query over that view (whose planning is most of a small re-run's query time).
    Any other run asks the view and remembers what it answered.
    """

    path: Path
    key: str
    models: set[str]

    @classmethod
    def load(cls, path: Path, table: PriceTable) -> PricedModels:
        latest = max((m.version for m in schema.discover()), default=0)
        key = hashlib.sha256(json.dumps([table.rows, latest], default=str).encode()).hexdigest()
        try:
            saved = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            saved = {}
        models = set(saved.get("models", [])) if saved.get("key") == key else set()
        return cls(path, key, models)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"key": self.key, "models": sorted(self.models)}))
        os.replace(tmp, self.path)
