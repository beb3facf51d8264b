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
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cc_pipeline import schema, settings, sqlfiles
from cc_pipeline import shipped as package_files

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

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


Price = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierPrices(_Strict):
    """Prices for token counts above the tier threshold; a kind left out keeps its base price."""

    input: Price | None = None
    output: Price | None = None
    cache_write_5m: Price | None = None
    cache_write_1h: Price | None = None
    cache_read: Price | None = None


class ModelPrices(_Strict):
    """One model's prices, USD per million tokens."""

    input: Price
    output: Price
    cache_write_5m: Price
    cache_write_1h: Price
    cache_read: Price
    above_tier: TierPrices | None = None
    fast_multiplier: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)] = 1.0


class PriceFile(BaseModel):
    """A price file: the shipped ``prices.json`` or the user's override of the same shape.

    Keys besides these (``unit``, ``source``, notes) are allowed and ignored.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    version: str | None = None
    tier_threshold_tokens: Annotated[int, Field(gt=0, strict=True)] | None = None
    models: dict[str, ModelPrices]


class PriceFileError(ValueError):
    """A price file that cannot be read or does not have the price file's shape."""


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'top level'}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    )


def read_price_file(path: Traversable) -> PriceFile:
    """The price file at ``path``, validated; a PriceFileError names the file and the field."""
    try:
        return PriceFile.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise PriceFileError(f"cannot read price table {path}: {exc}") from exc
    except ValidationError as exc:
        raise PriceFileError(f"invalid price table {path}: {_problems(exc)}") from exc


def _row(model: str, prices: ModelPrices, where: str, tier: int, version: str) -> list[Any]:
    above = prices.above_tier or TierPrices()
    return [
        model,
        *(getattr(prices, kind) for kind in KINDS),
        tier,
        *(getattr(above, kind) for kind in KINDS),
        prices.fast_multiplier,
        version,
        where,
    ]


def load_price_table(override: Path | None = None) -> PriceTable:
    """The shipped prices, with the user's file (if any) laid over them."""
    shipped = read_price_file(SHIPPED_PRICES)
    tier = shipped.tier_threshold_tokens or 200_000
    version = shipped.version or ""
    rows = {
        model: _row(model, prices, "shipped", tier, version)
        for model, prices in shipped.models.items()
    }
    sources = [f"shipped {version}"]
    user_file = user_price_file(override)
    if user_file is not None:
        user = read_price_file(user_file)
        user_tier = user.tier_threshold_tokens or tier
        user_version = user.version if user.version is not None else "user"
        for model, prices in user.models.items():
            rows[model] = _row(model, prices, str(user_file), user_tier, user_version)
        sources.append(f"{user_file} {user_version}".strip())
    return PriceTable(version, sources, tier, list(rows.values()))


# The columns of transcript_prices, in the order sql/transcripts/prices.sql reads them.
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


def install_prices(client: Warehouse, table: PriceTable) -> bool:
    """Make ``transcript_prices`` hold exactly ``table``; False when it already did."""
    current = client.query(sqlfiles.load("transcripts/prices.sql")).result_rows
    wanted = sorted(tuple(row) for row in table.rows)
    if [tuple(row) for row in current] == wanted:
        return False
    rows = "\n".join(json.dumps(dict(zip(PRICE_COLUMNS, row, strict=True))) for row in table.rows)
    client.command("TRUNCATE TABLE transcript_prices")
    client.command(sqlfiles.load("transcripts/install_prices.sql"), parameters={"rows": rows})
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
        latest = schema.fingerprint()
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
