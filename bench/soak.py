"""Soak: ``cc-pipeline serve`` left running with a trickle of telemetry; no run fails, no queue.

Starts the real ``cc-pipeline serve`` (UI, daemon with its sensors and schedules, local
receiver) in a scratch home, sends one Claude Code-shaped api_request export every ``--every``
seconds for ``--minutes`` minutes, and samples Dagster's run list through its GraphQL API
every ``--sample`` seconds: runs queued, in progress, succeeded, failed. At the end it prints
the runs by job and status, the largest queue seen, every failed run with its error, and how
many of the requests sent reached ``usage_requests``. Exit status 1 when a run failed, the queue
ever held more than ``--max-queued`` runs, or a request sent before the last minute is missing.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from bench.freshness import PREFIX, api_request_batch, export, visible
from bench.otlp_generator import Generator
from bench.serving import Serving, graphql, serve, wait_for_ui

RUNS_QUERY = """
{ runsOrError(limit: 1000) { ... on Runs { results {
    runId jobName status startTime endTime
} } } }
"""
FAILURE_QUERY = """
query Failure($runId: ID!) { logsForRun(runId: $runId, limit: 200) {
  ... on EventConnection { events { __typename
    ... on ExecutionStepFailureEvent { stepKey error { message } }
    ... on RunFailureEvent { message }
  } }
} }
"""


def runs(serving: Serving) -> list[dict]:
    return graphql(serving.ui_port, RUNS_QUERY)["runsOrError"]["results"]


def failure_of(serving: Serving, run_id: str) -> str:
    """The first error message a failed run logged."""
    events = graphql(serving.ui_port, FAILURE_QUERY, {"runId": run_id})["logsForRun"].get(
        "events", []
    )
    for event in events:
        if event["__typename"] == "ExecutionStepFailureEvent":
            return f"{event['stepKey']}: {event['error']['message'].strip()[:400]}"
    for event in events:
        if event["__typename"] == "RunFailureEvent":
            return str(event["message"])[:400]
    return "(no failure event logged)"


@dataclass
class Soak:
    sent: dict[str, float] = field(default_factory=dict)
    max_queued: int = 0
    samples: list[tuple[float, Counter[str]]] = field(default_factory=list)

    def sample(self, serving: Serving, elapsed: float) -> None:
        statuses = Counter(run["status"] for run in runs(serving))
        self.max_queued = max(self.max_queued, statuses["QUEUED"])
        self.samples.append((elapsed, statuses))
        line = ", ".join(f"{status.lower()} {n}" for status, n in sorted(statuses.items()))
        print(f"{elapsed / 60:5.1f} min: sent {len(self.sent)}; runs: {line or 'none'}", flush=True)


def trickle(serving: Serving, soak: Soak, minutes: float, every_s: float, sample_s: float) -> None:
    generator = Generator(seed=11)
    started = time.monotonic()
    next_send = next_sample = started
    while (now := time.monotonic()) - started < minutes * 60:
        if now >= next_send:
            request_id = f"{PREFIX}{uuid.uuid4().hex[:24]}"
            export(serving, api_request_batch(generator, request_id))
            soak.sent[request_id] = now - started
            next_send += every_s
        if now >= next_sample:
            soak.sample(serving, now - started)
            next_sample += sample_s
        time.sleep(0.5)


def report(serving: Serving, soak: Soak, minutes: float, max_queued: int) -> int:
    """Print the outcome; the exit status."""
    final = runs(serving)
    by_job = Counter((run["jobName"], run["status"]) for run in final)
    print("runs by job and status:")
    for (job, status), n in sorted(by_job.items()):
        print(f"  {job:<40} {status:<10} {n}")
    failed = [run for run in final if run["status"] == "FAILURE"]
    for run in failed:
        print(f"FAILED {run['jobName']} {run['runId'][:8]}: {failure_of(serving, run['runId'])}")
    arrived = visible(serving) or set()
    due = {r for r, at in soak.sent.items() if at < minutes * 60 - 60}
    missing = due - arrived
    print(
        f"{minutes:g} min, {len(soak.sent)} request(s) sent, {len(arrived & soak.sent.keys())} in "
        f"usage_requests ({len(missing)} of those sent before the last minute missing); "
        f"{len(final)} run(s), {len(failed)} failed; largest queue {soak.max_queued} run(s)"
    )
    return 1 if failed or missing or soak.max_queued > max_queued else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=20.0, help="seconds between exports")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between run counts")
    parser.add_argument("--max-queued", type=int, default=2, help="largest queue tolerated")
    args = parser.parse_args()
    soak = Soak()
    with serve() as serving:
        print(f"UI usable after {wait_for_ui(serving):.1f}s; soaking for {args.minutes:g} min")
        trickle(serving, soak, args.minutes, args.every, args.sample)
        time.sleep(30)  # the last exports' runs settle
        soak.sample(serving, args.minutes * 60 + 30)
        return report(serving, soak, args.minutes, args.max_queued)


if __name__ == "__main__":
    raise SystemExit(main())
