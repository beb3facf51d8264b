"""Price files (shipped and the user's) are validated, and a bad one names the file and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.transcripts.pricing import (
    KINDS,
    SHIPPED_PRICES,
    PriceFileError,
    install_prices,
    load_price_table,
    read_price_file,
)

RATES = {"input": 1, "output": 2, "cache_write_5m": 3, "cache_write_1h": 4, "cache_read": 5}


def user_file(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "my-prices.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_the_shipped_price_file_is_valid_and_prices_every_kind() -> None:
    shipped = read_price_file(SHIPPED_PRICES)
    assert shipped.version and shipped.tier_threshold_tokens == 200_000
    assert "claude-opus-4-6" in shipped.models
    for prices in shipped.models.values():
        assert all(getattr(prices, kind) >= 0 for kind in KINDS)
    assert shipped.models["claude-sonnet-4-5"].above_tier.input == 6


@pytest.mark.parametrize(
    ("document", "field", "problem"),
    [
        ({"models": {"m": {**RATES, "input": -1}}}, "models.m.input", "greater than or equal to 0"),
        ({"models": {"m": {**RATES, "output": "15"}}}, "models.m.output", "valid number"),
        ({"models": {"m": {**RATES, "cache_read": True}}}, "models.m.cache_read", "valid number"),
        (
            {"models": {"m": {k: v for k, v in RATES.items() if k != "cache_write_1h"}}},
            "models.m.cache_write_1h",
            "Field required",
        ),
        (
            {"models": {"m": {**RATES, "cache_write5m": 3}}},
            "models.m.cache_write5m",
            "not permitted",
        ),
        (
            {"models": {"m": {**RATES, "above_tier": 6}}},
            "models.m.above_tier",
            "should be an object",
        ),
        (
            {"models": {"m": {**RATES, "above_tier": {"input": -6}}}},
            "models.m.above_tier.input",
            "greater than or equal to 0",
        ),
        (
            {"models": {"m": {**RATES, "fast_multiplier": 0}}},
            "models.m.fast_multiplier",
            "greater than 0",
        ),
        (
            {"models": {"m": RATES}, "tier_threshold_tokens": "200k"},
            "tier_threshold_tokens",
            "valid integer",
        ),
        ({"version": "x"}, "models", "Field required"),
        ("[1, 2]", "top level", "should be an object"),
        ('{"models": {', "top level", "Invalid JSON"),
    ],
)
def test_a_bad_user_price_file_is_refused_naming_the_file_and_the_field(
    tmp_path: Path, document: Any, field: str, problem: str
) -> None:
    path = user_file(tmp_path, document)
    with pytest.raises(PriceFileError) as raised:
        load_price_table(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"{field}: " in message and problem in message


def test_a_missing_user_price_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PriceFileError, match=r"cannot read price table .*absent\.json"):
        load_price_table(tmp_path / "absent.json")


def test_a_user_price_file_replaces_and_adds_models_in_the_installed_table(
    ch: Any, tmp_path: Path
) -> None:
    path = user_file(
        tmp_path,
        {
            "version": "team-2026",
            "note": "extra top-level keys are allowed",
            "models": {
                "claude-opus-4-6": {**RATES, "above_tier": {"output": 9.5}, "fast_multiplier": 3},
                "claude-future-9": RATES,
            },
        },
    )
    assert install_prices(ch, load_price_table(path))
    rows = ch.query(
        "SELECT model, input, output, output_above, input_above, fast_multiplier, "
        "price_version, source FROM transcript_prices "
        "WHERE model IN ('claude-opus-4-6', 'claude-future-9', 'claude-opus-4-5') ORDER BY model"
    ).result_rows
    shipped = read_price_file(SHIPPED_PRICES)
    assert rows == [
        ("claude-future-9", 1.0, 2.0, None, None, 1.0, "team-2026", str(path)),
        ("claude-opus-4-5", 5.0, 25.0, None, None, 1.0, shipped.version, "shipped"),
        ("claude-opus-4-6", 1.0, 2.0, 9.5, None, 3.0, "team-2026", str(path)),
    ]
