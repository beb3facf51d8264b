"""Status line benchmark: wall time per process of ``cc-pipeline statusline``.

Each run starts the installed ``cc-pipeline`` executable with a Claude Code sample on stdin,
as Claude Code does, in a scratch CC_PIPELINE_HOME holding a state file; runs alternate with
the baseline ``python -c pass`` so both see the same machine load. Reported: p50/p95 of the
baseline, of the status line with a sample that has no rate limits, and of one whose rate
limits change every run (every run then appends an observation). Target: p95 <= 50 ms.

Run: ``python -m bench.statusline --runs 50`` (``make bench-statusline``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cc_pipeline.limits.state import write_state
from cc_pipeline.limits.statusline import STATE_FILE

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 50.0


def command() -> list[str]:
    """The ``cc-pipeline`` executable beside the interpreter (as installed), else the module."""
    script = Path(sys.executable).parent / "cc-pipeline"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cc_pipeline.cli"]


def sample(run: int, with_limits: bool) -> bytes:
    payload: dict[str, Any] = {
        "session_id": "bench",
        "cwd": "/work/repo",
        "model": {"id": "claude-opus-4-1", "display_name": "Opus 4.1"},
        "cost": {"total_cost_usd": 1.23},
        "context_window": {"total_input_tokens": 1000},
    }
    if with_limits:
        resets = int(time.time()) + 7200
        payload["rate_limits"] = {
            "five_hour": {"used_percentage": run % 100, "resets_at": resets},
            "seven_day": {"used_percentage": 12, "resets_at": resets + 86400},
        }
    return json.dumps(payload).encode()


def state(now: float) -> dict[str, Any]:
    budgets = [
        {
            "name": f"budget-{i}",
            "period": "month",
            "usd": 500.0,
            "spent_usd": 120.0,
            "forecast_usd": 410.0,
            "state": "warn" if i == 3 else "ok",
        }
        for i in range(8)
    ]
    block = {"start": now - 3600, "end": now + 4 * 3600, "cost_usd": 4.2, "burn_usd_per_hour": 3.1}
    today = time.strftime("%Y-%m-%d", time.gmtime(now))
    return {
        "version": 1,
        "updated_at": now,
        "today": {"day": today, "cost_usd": 12.5},
        "block": block,
        "budgets": budgets,
        "budget_error": None,
    }


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], stdin: bytes, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one process."""
    cpu = _children_cpu_s()
    started = time.perf_counter()
    done = subprocess.run(argv, input=stdin, capture_output=True, env=env, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    cpu_ms = (_children_cpu_s() - cpu) * 1000
    if done.returncode != 0 or (stdin and not done.stdout.strip()):
        raise SystemExit(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return elapsed, cpu_ms


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return statistics.median(values), cuts[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cc-pipeline-bench-statusline-"))
    env = {**os.environ, "CC_PIPELINE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    write_state(state(time.time()), home / STATE_FILE)
    cases = {
        "python -c pass (baseline)": lambda _run: ([sys.executable, "-c", "pass"], b""),
        "statusline, no rate limits": lambda run: ([*command(), "statusline"], sample(run, False)),
        "statusline, new rate limits": lambda run: ([*command(), "statusline"], sample(run, True)),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for case in cases.values():  # warm the file cache once
        timed(*case(0), env)
    for run in range(args.runs):
        for name, case in cases.items():
            wall, used = timed(*case(run + 1), env)
            times[name].append(wall)
            cpu[name].append(used)
    print(f"{args.runs} runs each, alternating; {' '.join(command())} statusline")
    print(f"{'case':<30} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8}")
    for name, values in times.items():
        p50, p95 = percentiles(values)
        cpu50, cpu95 = percentiles(cpu[name])
        print(f"{name:<30} {p50:8.1f} {p95:8.1f} {cpu50:8.1f} {cpu95:8.1f}")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cpus")
    p95 = max(percentiles(times[name])[1] for name in list(cases)[1:])
    verdict = "meets" if p95 <= TARGET_P95_MS else "misses"
    print(f"statusline p95 {p95:.1f} ms {verdict} the target of {TARGET_P95_MS:.0f} ms")


if __name__ == "__main__":
    main()
