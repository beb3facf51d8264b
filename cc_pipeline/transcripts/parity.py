"""Side-by-side totals of ccusage 20.0.24 and the project's backfill, per day and model.

``python -m cc_pipeline.transcripts.parity DIR`` (``make parity DIR=...``) runs ccusage on DIR
(``scripts/ccusage.sh``: installed on first use, empty HOME, offline, UTC), backfills DIR into
a throw-away embedded database, and prints both per day and model with the differences.
Tokens must match exactly and cost within 0.5%; the exit status is 1 otherwise.
It is developer tooling: it runs from a checkout of the project (it needs ``scripts/``),
not from an installed package.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_pipeline import sqlfiles

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

CHECKOUT = Path(__file__).resolve().parents[2]
CCUSAGE_SCRIPT = CHECKOUT / "scripts" / "ccusage.sh"
NOT_A_CHECKOUT = (
    "make parity runs from a checkout of cc_pipeline (it needs scripts/ccusage.sh, "
    f"which is not in {CHECKOUT}): clone the project and run it there"
)
COST_TOLERANCE = 0.005
DAY_TOTAL = "(day total)"
FIELDS = ("input", "output", "cache_creation", "cache_read")


@dataclass
class Totals:
    input: int = 0
    output: int = 0
    cache_creation: int = 0
    cache_read: int = 0
    cost: float = 0.0

    def tokens(self) -> tuple[int, int, int, int]:
        return (self.input, self.output, self.cache_creation, self.cache_read)


Rows = dict[tuple[str, str], Totals]


def run_ccusage(folder: Path) -> dict[str, Any]:
    """ccusage's daily JSON report for ``folder``."""
    out = subprocess.run(
        [str(CCUSAGE_SCRIPT), str(folder)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def ccusage_rows(report: dict[str, Any]) -> Rows:
    """Per (day, model) and per day totals from a ``ccusage claude daily --json`` report."""
    rows: Rows = {}
    for day in report.get("daily", []):
        date = day["date"]
        rows[(date, DAY_TOTAL)] = Totals(
            day["inputTokens"],
            day["outputTokens"],
            day["cacheCreationTokens"],
            day["cacheReadTokens"],
            float(day["totalCost"]),
        )
        for b in day.get("modelBreakdowns", []):
            rows[(date, b["modelName"])] = Totals(
                b["inputTokens"],
                b["outputTokens"],
                b["cacheCreationTokens"],
                b["cacheReadTokens"],
                float(b["cost"]),
            )
    return rows


def project_rows(client: Warehouse) -> Rows:
    """The same totals from ``transcript_requests`` (models named as ccusage names them).

    Like ccusage, `<synthetic>` API-error entries count in their day but in no model.
    """
    return {
        (day, name): Totals(int(i), int(o), int(cc), int(cr), float(cost))
        for day, name, i, o, cc, cr, cost in client.query_rows(
            sqlfiles.load("transcripts/parity_models.sql"), parameters={"day_total": DAY_TOTAL}
        )
    }


def differences(ours: Rows, theirs: Rows) -> list[str]:
    """Human-readable differences (empty when the two agree)."""
    problems = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        label = f"{key[0]} {key[1]}"
        if a is None or b is None:
            problems.append(f"{label}: only in {'ccusage' if a is None else 'cc_pipeline'}")
            continue
        for name, x, y in zip(FIELDS, a.tokens(), b.tokens(), strict=True):
            if x != y:
                problems.append(f"{label}: {name} {x:,} vs ccusage {y:,} ({x - y:+,})")
        if (
            abs(a.cost - b.cost) > COST_TOLERANCE * max(abs(b.cost), 1e-9)
            and abs(a.cost - b.cost) > 1e-9
        ):
            problems.append(f"{label}: cost {a.cost:.6f} vs ccusage {b.cost:.6f}")
    return problems


def render(ours: Rows, theirs: Rows) -> str:
    head = (
        f"{'day':<10} {'model':<30} {'':<8}{'input':>10} {'output':>11} {'cache write':>13} "
        f"{'cache read':>14} {'cost USD':>11}"
    )
    lines = [head, "-" * len(head)]
    for key in sorted(set(ours) | set(theirs), key=lambda k: (k[0], k[1] == DAY_TOTAL, k[1])):
        for who, rows in (("ccusage", theirs), ("ours", ours)):
            t = rows.get(key)
            cells = (
                f"{t.input:>10,} {t.output:>11,} {t.cache_creation:>13,} {t.cache_read:>14,} "
                f"{t.cost:>11.4f}"
                if t
                else f"{'-':>10} {'-':>11} {'-':>13} {'-':>14} {'-':>11}"
            )
            lines.append(f"{key[0]:<10} {key[1][:30]:<30} {who:<8}{cells}")
        a, b = ours.get(key), theirs.get(key)
        if a and b:
            d = [x - y for x, y in zip(a.tokens(), b.tokens(), strict=True)]
            lines.append(
                f"{'':<10} {'':<30} {'diff':<8}{d[0]:>+10,} {d[1]:>+11,} {d[2]:>+13,} "
                f"{d[3]:>+14,} {a.cost - b.cost:>+11.4f}"
            )
    return "\n".join(lines)


def backfill_rows(folder: Path) -> Rows:
    """Backfill ``folder`` into a throw-away embedded database and read the totals."""
    from cc_pipeline.resources.clickhouse import ClickHouseResource
    from cc_pipeline.transcripts.backfill import backfill_transcripts

    with tempfile.TemporaryDirectory(prefix="cc-parity-") as tmp:
        os.environ["CC_PIPELINE_HOME"] = str(Path(tmp) / "home")
        with ClickHouseResource(mode="embedded", path=str(Path(tmp) / "chdb")).connect() as c:
            backfill_transcripts(c, [folder])
            return project_rows(c)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="a Claude config folder (holding projects/)")
    args = parser.parse_args(argv)
    folder = args.dir.expanduser().resolve()
    if not CCUSAGE_SCRIPT.is_file():
        print(NOT_A_CHECKOUT, file=sys.stderr)
        return 2
    if not (folder / "projects").is_dir():
        print(f"{folder} has no projects/ folder", file=sys.stderr)
        return 2
    theirs = ccusage_rows(run_ccusage(folder))
    ours = backfill_rows(folder)
    print(render(ours, theirs))
    problems = differences(ours, theirs)
    print()
    if problems:
        print(f"{len(problems)} difference(s):")
        print("\n".join(f"  {p}" for p in problems))
        return 1
    print("identical per day and model: tokens exact, cost within 0.5%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
