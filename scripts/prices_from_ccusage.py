"""Regenerate cc_pipeline/transcripts/prices.json from what ccusage 20.0.24 charges.

ccusage ships LiteLLM's price data inside its native binary, as a deflated JSON snapshot. This
script reads the Claude model names from that snapshot, then measures what ccusage charges for
each name: it runs ccusage (through scripts/ccusage.sh) on a throw-away Claude config folder of
synthetic requests, one token kind at a time, below and above the 200,000-token tier, and at
`speed: fast`. The measured prices therefore include ccusage's own rules (1-hour cache writes at
twice the input price, its fast multipliers, its fuzzy name matching), not just the snapshot.

The table keeps one entry per model under the name the price lookup reduces it to (provider
prefix, `-v1:0` suffix and date dropped), plus an exact entry for every name whose price differs
from what that lookup would find (regional cloud names, older dated releases).

    /work/main/.venv/bin/python scripts/prices_from_ccusage.py            # rewrite prices.json
    /work/main/.venv/bin/python scripts/prices_from_ccusage.py --check    # exit 1 if it differs
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "cc_pipeline" / "transcripts" / "prices.json"
CCUSAGE_SH = ROOT / "scripts" / "ccusage.sh"
CCUSAGE_VERSION = "20.0.24"
KINDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
TIER = 200_000
BELOW, ABOVE, CHECK = 100_000, 300_000, 250_000
# One synthetic day per measurement: (token kind, token count, speed).
MEASUREMENTS = [(kind, n, "standard") for kind in KINDS for n in (BELOW, ABOVE)] + [
    ("output", BELOW, "fast"),
    ("input", CHECK, "standard"),
]
Prices = dict[str, object]


def ccusage_binary() -> Path:
    """The native ccusage binary that scripts/ccusage.sh installed."""
    with tempfile.TemporaryDirectory() as empty:
        (Path(empty) / "projects").mkdir()
        subprocess.run([str(CCUSAGE_SH), empty], check=True, capture_output=True)
    found = sorted((ROOT / ".tools/ccusage/node_modules/@ccusage").glob("ccusage-*/bin/ccusage*"))
    if not found:
        sys.exit("no native ccusage binary under .tools/ccusage/node_modules/@ccusage")
    return found[0]


def embedded_snapshot(binary: Path) -> dict[str, dict[str, float]]:
    """LiteLLM's price snapshot as the binary embeds it: raw deflate of compact JSON
    (`i`, `o`, `cc`, `cr` per token; `ia`, `oa`, `cca`, `cra` above the tier; `fast`)."""
    data = binary.read_bytes()
    for offset in range(len(data)):
        head = zlib.decompressobj(-15)
        try:
            start = head.decompress(data[offset : offset + 64], 8)
        except zlib.error:
            continue
        if not start.startswith(b'{"'):
            continue
        try:
            snapshot = json.loads(zlib.decompressobj(-15).decompress(data[offset:]))
        except (zlib.error, ValueError):
            continue
        values = list(snapshot.values()) if isinstance(snapshot, dict) else []
        if values and all(isinstance(v, dict) and "i" in v and "o" in v for v in values):
            return snapshot
    sys.exit(f"no embedded LiteLLM price snapshot found in {binary}")


def model_key(model: str) -> str:
    """The name the price lookup reduces a model to (sql/migrations/0010_transcripts.sql)."""
    key = re.sub(r"^.*/", "", model.lower(), count=1)
    key = re.sub(r"^((us|eu|apac|global|jp|au)\.)?anthropic\.", "", key, count=1)
    key = re.sub(r"-v[0-9]+(:[0-9]+)?$", "", key, count=1)
    return re.sub(r"[@.]", "-", key)


def undated(key: str) -> str:
    return re.sub(r"-[0-9]{8}$", "", key, count=1)


def lookup(model: str, table: dict[str, Prices]) -> str:
    """The table entry the lookup picks: exact name, then its key, then the key undated."""
    if model in table:
        return model
    key = model_key(model)
    return key if key in table else undated(key)


def probe_names(snapshot: dict[str, dict[str, float]]) -> list[str]:
    """Every Claude name in the snapshot, and each one reduced to its key."""
    raw = {name for name in snapshot if "claude" in name.lower()}
    keys = {model_key(name) for name in raw}
    return sorted(raw | {key for key in keys if key.startswith("claude-")})


def probe_line(model: str, day: int, kind: str, tokens: int, speed: str) -> str:
    counts = dict.fromkeys(KINDS, 0) | {kind: tokens}
    usage = {
        "input_tokens": counts["input"],
        "output_tokens": counts["output"],
        "cache_creation_input_tokens": counts["cache_write_5m"] + counts["cache_write_1h"],
        "cache_read_input_tokens": counts["cache_read"],
        "cache_creation": {
            "ephemeral_5m_input_tokens": counts["cache_write_5m"],
            "ephemeral_1h_input_tokens": counts["cache_write_1h"],
        },
        "service_tier": "standard",
        "speed": speed,
    }
    ident = f"{day}-{model}"
    entry = {
        "type": "assistant",
        "uuid": f"uuid-{ident}",
        "timestamp": f"2026-01-{day:02d}T12:00:00.000Z",
        "sessionId": "price-probe",
        "version": "2.1.260",
        "requestId": f"req-{ident}",
        "message": {
            "id": f"msg-{ident}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "usage": usage,
        },
    }
    return json.dumps(entry, separators=(",", ":"))


def measure(names: list[str]) -> dict[tuple[str, int], float]:
    """ccusage's cost for each (name, measurement day)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "projects" / "price-probe"
        folder.mkdir(parents=True)
        lines = [
            probe_line(name, day, kind, tokens, speed)
            for day, (kind, tokens, speed) in enumerate(MEASUREMENTS, start=1)
            for name in names
        ]
        (folder / "price-probe.jsonl").write_text("\n".join(lines) + "\n")
        report = subprocess.run(
            [str(CCUSAGE_SH), tmp], check=True, capture_output=True, text=True
        ).stdout
    costs: dict[tuple[str, int], float] = {}
    for day in json.loads(report)["daily"]:
        for row in day["modelBreakdowns"]:
            name = row["modelName"].removesuffix("-fast")
            costs[(name, int(day["date"][-2:]))] = row["cost"]
    return costs


def per_million(cost: float, tokens: int) -> float:
    return round(cost / tokens * 1e6, 6)


def prices_of(name: str, costs: dict[tuple[str, int], float]) -> Prices:
    """One model's prices (USD per million tokens) from its measured costs."""
    got = {
        (kind, n, speed): costs.get((name, day))
        for day, (kind, n, speed) in enumerate(MEASUREMENTS, start=1)
    }
    missing = [key for key, cost in got.items() if cost is None]
    if missing:
        sys.exit(f"ccusage reported no cost for {name} {missing}")
    cost = {key: float(value or 0) for key, value in got.items()}
    base = {kind: per_million(cost[(kind, BELOW, "standard")], BELOW) for kind in KINDS}
    extra = {
        kind: cost[(kind, ABOVE, "standard")] - cost[(kind, BELOW, "standard")] * 2
        for kind in KINDS
    }
    above = {kind: per_million(extra[kind], ABOVE - TIER) for kind in KINDS}
    above = {kind: price for kind, price in above.items() if price != base[kind]}
    expected = TIER * base["input"] + (CHECK - TIER) * above.get("input", base["input"])
    if abs(cost[("input", CHECK, "standard")] * 1e6 - expected) > 1e-3:
        sys.exit(f"{name}: ccusage's input tier does not start at {TIER} tokens")
    spec: Prices = dict(base)
    if above:
        spec["above_tier"] = above
    standard = cost[("output", BELOW, "standard")]
    fast = round(cost[("output", BELOW, "fast")] / standard, 6) if standard else 1.0
    if fast != 1:
        spec["fast_multiplier"] = fast
    return spec


def is_free(spec: Prices) -> bool:
    return not any(spec[kind] for kind in KINDS)


def agrees(measured: Prices, found: Prices | None) -> bool:
    """Whether the lookup's entry charges what ccusage does (nothing, when it finds none)."""
    return found == measured or (found is None and is_free(measured))


def canonical_prices(names: list[str], priced: dict[str, Prices], canonical: str) -> Prices:
    """The prices most first-party spellings of a model share; on a tie the undated name's,
    else the latest release's."""
    first_party = sorted((n for n in names if n == model_key(n)), reverse=True) or names
    votes = Counter(json.dumps(priced[n]) for n in first_party)
    best = max(votes.values())
    own = json.dumps(priced[canonical]) if canonical in priced else ""
    chosen = own if votes.get(own) == best else votes.most_common(1)[0][0]
    return next(priced[n] for n in first_party if json.dumps(priced[n]) == chosen)


def build_table(priced: dict[str, Prices]) -> dict[str, Prices]:
    """Fewest entries under which every measured name is found at its measured price.

    One entry per model key without its date, then an exact entry for each name the lookup
    would price otherwise (first-party spellings first, as they are also keys of the rest).
    A name ccusage charges nothing for stays unpriced unless the lookup would charge it.
    """
    groups: dict[str, list[str]] = {}
    for name in sorted(priced):
        if not is_free(priced[name]):
            groups.setdefault(undated(model_key(name)), []).append(name)
    table = {
        canonical: canonical_prices(names, priced, canonical)
        for canonical, names in groups.items()
        if canonical.startswith("claude-")
    }
    for name in sorted(priced, key=lambda n: (n != model_key(n), n)):
        if not agrees(priced[name], table.get(lookup(name, table))):
            table[name] = priced[name]
    wrong = [n for n in priced if not agrees(priced[n], table.get(lookup(n, table)))]
    if wrong:
        sys.exit(f"the table would price these names unlike ccusage: {wrong}")
    return dict(sorted(table.items()))


def render(models: dict[str, Prices], version: str) -> str:
    """prices.json text: the header fields, then one model a line."""
    header = {
        "version": version,
        "unit": "USD per million tokens",
        "source": f"ccusage {CCUSAGE_VERSION} (its bundled LiteLLM snapshot), measured by "
        "scripts/prices_from_ccusage.py; 1-hour cache writes at 2x input, as ccusage charges",
        "tier_threshold_tokens": TIER,
    }
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in header.items()]
    rows = [f"    {json.dumps(name)}: {json.dumps(spec)}" for name, spec in models.items()]
    return "{\n" + "\n".join(lines) + '\n  "models": {\n' + ",\n".join(rows) + "\n  }\n}\n"


def main() -> int:
    """Measure, build and write (or, with --check, compare) the price table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if prices.json differs")
    parser.add_argument(
        "--version",
        help="table version (default: today, or the current one when the prices are unchanged)",
    )
    args = parser.parse_args()
    snapshot = embedded_snapshot(ccusage_binary())
    names = probe_names(snapshot)
    costs = measure(names)
    models = build_table({name: prices_of(name, costs) for name in names})
    current = json.loads(PRICES.read_text())
    unchanged = current["models"] == models
    version = args.version or (current["version"] if unchanged else dt.date.today().isoformat())
    if args.check:
        print(f"{len(models)} models; prices.json {'matches' if unchanged else 'differs'}")
        return 0 if unchanged else 1
    PRICES.write_text(render(models, version))
    print(f"wrote {PRICES.relative_to(ROOT)}: {len(models)} models, version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
