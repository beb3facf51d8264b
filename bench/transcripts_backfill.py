"""Benchmark of the transcript backfill against ccusage 20.0.24 on the same generated tree.

Steps, each in its own process: a cold ``cc-pipeline backfill`` of a fresh tree of ``--mb``
megabytes into an empty embedded database; 1% more data appended (to existing sessions and
as new ones); a re-run; ``ccusage claude daily`` on the grown tree; then, untimed for the
comparison, ``cc-pipeline backfill --totals`` (nothing new to load; the per-model report
over everything). Prints MB/s, wall time, CPU time and peak RSS (of the whole process tree)
for each, and whether the totals agree.

The cold run and the re-run are timed ``--repeat`` times, in pairs: a cold run into a new
empty database, the tree grown by 1%, the re-run on what that cold run loaded, then the tree
cut back to its cold size for the next pair (growing it again adds the same bytes). Each
median is reported with every time measured, and the highest peak RSS; the re-run's share
of the cold time is the median of the pairs' shares, each pair measured within seconds, so
a spell of a slower machine weighs on both its times. Like ccusage, which runs once
untimed before it is measured, each timed backfill follows an untimed start of the same
program (``cc-pipeline sql "SELECT 1"`` on a scratch database), so no measurement pays for
reading the program's libraries back from disk after the system dropped them from memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.transcripts_gen import generate, grow

ROOT = Path(__file__).resolve().parents[1]
CCUSAGE = ROOT / "scripts" / "ccusage.sh"


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "projects").rglob("*.jsonl"))


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(x) for x in fh.read().split()]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def tree_rss_kib(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _rss_kib(p)
        stack += _children(p)
    return total


@dataclass
class Measure:
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    stdout: str
    major_faults: int = 0  # pages read from disk


def measure(cmd: list[str], env: dict[str, str]) -> Measure:
    """Run ``cmd``; wall time and peak RSS of its process tree (sampled, and by wait4)."""
    os.sync()  # the previous measurement's writes do not land on this one
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kib(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(
        seconds, cpu, max(peak[0], usage.ru_maxrss) / 1024, out.decode(), usage.ru_majflt
    )


def median_of(runs: list[Measure]) -> Measure:
    """The run of median wall time, with the highest peak RSS of all runs."""
    middle = sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]
    return Measure(
        middle.seconds,
        middle.cpu_seconds,
        max(m.peak_rss_mib for m in runs),
        middle.stdout,
        middle.major_faults,
    )


def times(runs: list[Measure]) -> str:
    return ", ".join(f"{m.seconds:.2f}" for m in runs)


def took(m: Measure) -> float:
    """The backfill's own time as it reports it (without process start-up and exit)."""
    for row in m.stdout.splitlines():
        if row.startswith("took"):
            return float(row.split()[1].rstrip("s"))
    return float("nan")


def compact_seconds(m: Measure) -> float:
    """Time the backfill spent merging parts after a bulk load, as it reports it."""
    for row in m.stdout.splitlines():
        if row.startswith("compacted"):
            return float(row.split()[-1].rstrip("s"))
    return 0.0


def shrink(tree: Path, sizes: dict[str, int], folders: set[str]) -> None:
    """Cut ``tree`` back to the files and sizes of ``sizes`` and the folders of ``folders``
    (undo ``grow``)."""
    for path in tree.rglob("*.jsonl"):
        size = sizes.get(str(path))
        if size is None:
            path.unlink()
        elif path.stat().st_size != size:
            os.truncate(path, size)
    for folder in sorted((p for p in tree.rglob("*") if p.is_dir()), reverse=True):
        if str(folder) not in folders:
            folder.rmdir()


def line(label: str, mb: float, m: Measure, extra: str = "") -> str:
    rate = mb / m.seconds if m.seconds else 0.0
    return (
        f"{label:<34} {mb:>7.1f} MB {m.seconds:>7.2f} s {rate:>7.1f} MB/s "
        f"{m.peak_rss_mib:>6.0f} MiB peak RSS  {m.cpu_seconds:>6.2f} s CPU{extra}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=256, help="size of the generated tree")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    parser.add_argument("--keep", action="store_true", help="keep the tree and database")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs of the cold load and of the re-run"
    )
    args = parser.parse_args(argv)

    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="transcripts-", dir=args.out))
    tree, home = work / "claude", work / "home"
    print(f"generating {args.mb:.0f} MB of transcripts in {tree} ...", flush=True)
    t = time.perf_counter()
    stats = generate(tree, args.mb)
    os.sync()  # the generated tree reaches the disk before anything is timed
    print(
        f"  {stats.files} files, {stats.lines} lines, {stats.bytes / 2**20:.1f} MB "
        f"({time.perf_counter() - t:.0f} s to write)",
        flush=True,
    )
    env = {**os.environ, "CC_PIPELINE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    env.pop("CC_PIPELINE_CHDB_DIR", None)
    env.pop("CC_PIPELINE_CLICKHOUSE_MODE", None)
    backfill = [
        sys.executable,
        "-m",
        "cc_pipeline.cli",
        "backfill",
        "--claude-config-dir",
        str(tree),
    ]

    cold_mb = tree_bytes(tree) / 2**20
    warm_env = {**env, "CC_PIPELINE_HOME": str(work / "warm-home")}

    def warm_up() -> None:
        cmd = [sys.executable, "-m", "cc_pipeline.cli", "sql", "SELECT 1"]
        subprocess.run(cmd, env=warm_env, check=True, capture_output=True)

    cold_sizes = {str(p): p.stat().st_size for p in tree.rglob("*.jsonl")}
    cold_folders = {str(p) for p in tree.rglob("*") if p.is_dir()}
    colds, reruns = [], []
    for i in range(args.repeat):
        if i:
            shrink(tree, cold_sizes, cold_folders)
        shutil.rmtree(home, ignore_errors=True)
        warm_up()
        colds.append(measure(backfill, env))
        grown = grow(tree, 0.01)
        warm_up()
        reruns.append(measure(backfill, env))
    grown_mb = grown.bytes / 2**20
    cold, rerun = median_of(colds), median_of(reruns)
    shares = [r.seconds / c.seconds for c, r in zip(colds, reruns, strict=True)]
    share = statistics.median_high(shares)  # like median_of: a measured pair, not an average
    subprocess.run(
        [str(CCUSAGE), str(tree), "--since", "20990101"], check=True, capture_output=True
    )  # installs ccusage if needed, outside the timing
    total_mb = tree_bytes(tree) / 2**20
    ccusage = measure([str(CCUSAGE), str(tree)], env)

    report = json.loads(ccusage.stdout)["totals"]
    theirs = (
        report["inputTokens"],
        report["outputTokens"],
        report["cacheCreationTokens"],
        report["cacheReadTokens"],
    )
    # the per-model totals over everything loaded (a report, not part of the timed loads)
    totals_run = measure([*backfill, "--totals"], env)
    ours = [0, 0, 0, 0]
    for row in totals_run.stdout.splitlines():
        parts = row.split()
        if len(parts) >= 7 and parts[1].replace(",", "").isdigit() and parts[0] != "unpriced":
            for i in range(4):
                ours[i] += int(parts[2 + i].replace(",", ""))
    print()
    with open("/proc/loadavg") as fh:
        print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(fh.read().split()[:3])}")
    print(f"median of {args.repeat} runs each; every run's seconds in brackets")
    print(line("cc-pipeline backfill (cold)", cold_mb, cold, f"  [{times(colds)}]"))
    print(
        line(
            "cc-pipeline backfill (re-run +1%)",
            grown_mb,
            rerun,
            f"  = {100 * share:.1f}% of cold  [{times(reruns)}]",
        )
    )
    print(
        f"re-run / cold in each pair: {', '.join(f'{100 * s:.1f}%' for s in shares)} "
        f"(median {100 * share:.1f}%); median re-run / median cold: "
        f"{100 * rerun.seconds / cold.seconds:.1f}%"
    )
    merged = compact_seconds(cold)
    print(
        f"the cold run's merge of transcript_entries after its bulk load: {merged:.2f} s; "
        f"without it the median re-run is "
        f"{100 * rerun.seconds / (cold.seconds - merged):.1f}% of the median cold run"
    )
    print(line("ccusage 20.0.24 claude daily", total_mb, ccusage))
    print(
        f"backfill's own time (without process start-up): cold {took(cold):.2f} s, "
        f"re-run {took(rerun):.2f} s = {100 * took(rerun) / took(cold):.1f}% of cold"
    )
    print(
        f"pages read from disk (major faults): cold {cold.major_faults}, "
        f"re-run {rerun.major_faults}, ccusage {ccusage.major_faults}"
    )
    print(line("cc-pipeline backfill --totals (report)", 0.0, totals_run))
    print()
    print(
        f"totals cc-pipeline  input {ours[0]:,} output {ours[1]:,} "
        f"cache write {ours[2]:,} cache read {ours[3]:,}"
    )
    print(
        f"totals ccusage      input {theirs[0]:,} output {theirs[1]:,} "
        f"cache write {theirs[2]:,} cache read {theirs[3]:,}"
    )
    print("totals agree" if tuple(ours) == theirs else "TOTALS DIFFER")
    if not args.keep:
        shutil.rmtree(work)
    return 0 if tuple(ours) == theirs else 1


if __name__ == "__main__":
    raise SystemExit(main())
