"""Freshness: from Claude Code exporting an api_request to that request in ``usage_requests``.

Starts the real ``cc-pipeline serve`` (UI, daemon, local receiver) in a scratch home, sends
Claude Code-shaped OTLP/HTTP log batches (one api_request each, stamped now) to the receiver it
started, and polls ``usage_requests`` with ``cc-pipeline sql --wait`` (a short read that waits
while a run holds the embedded database). Prints p50/p95 export -> visible latency; the poll
interval plus one ``cc-pipeline sql`` (printed) bounds the resolution.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
import uuid
from datetime import UTC, datetime

from bench.otlp_generator import Generator, _s
from bench.serving import Serving, serve, wait_for_ui

PREFIX = "req_fresh_"
POLL_SQL = (
    "SELECT request_id FROM usage_requests WHERE startsWith(request_id, 'req_fresh_') "
    "AND source != 'transcript'"
)


def api_request_batch(generator: Generator, request_id: str) -> bytes:
    """One OTLP/JSON logs export holding one api_request, as Claude Code sends it now."""
    record = generator.log_record()
    while not any(
        a["key"] == "event.name" and a["value"]["stringValue"] == "api_request"
        for a in record["attributes"]
    ):
        record = generator.log_record()
    now = time.time_ns()
    stamp = datetime.now(tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    attributes = []
    for attribute in record["attributes"]:
        if attribute["key"] == "request_id":
            attribute = _s("request_id", request_id)
        elif attribute["key"] == "event.timestamp":
            attribute = _s("event.timestamp", stamp)
        attributes.append(attribute)
    record.update(timeUnixNano=str(now), observedTimeUnixNano=str(now), attributes=attributes)
    body = {
        "resourceLogs": [
            {
                "resource": generator.resource(),
                "scopeLogs": [
                    {
                        "scope": {"name": "com.anthropic.claude_code.events", "version": "2.1.197"},
                        "logRecords": [record],
                    }
                ],
            }
        ]
    }
    return json.dumps(body).encode()


def export(serving: Serving, body: bytes) -> None:
    request = urllib.request.Request(
        f"{serving.otlp_http}/v1/logs", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if response.status != 200:
            raise SystemExit(f"the receiver answered {response.status}")


def visible(serving: Serving) -> set[str] | None:
    """Request ids in usage_requests; None when a run took the database between the query's
    check that it was free and its opening it (the poll is then simply repeated)."""
    done = serving.cli("sql", "--format", "json", "--wait", "120", POLL_SQL)
    if done.returncode != 0:
        if "Cannot lock file" in done.stderr:
            return None
        raise SystemExit(f"cc-pipeline sql failed: {done.stderr[-1000:]}")
    return {row["request_id"] for row in json.loads(done.stdout)}


def measure(serving: Serving, events: int, every_s: float, timeout_s: float) -> list[float]:
    generator = Generator(seed=7)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    next_send = time.monotonic()
    deadline = None
    poll_seconds = []
    while len(seen) < events:
        now = time.monotonic()
        if len(sent) < events and now >= next_send:
            request_id = f"{PREFIX}{uuid.uuid4().hex[:24]}"
            export(serving, api_request_batch(generator, request_id))
            sent[request_id] = time.monotonic()
            next_send += every_s
            if len(sent) == events:
                deadline = time.monotonic() + timeout_s
        started = time.monotonic()
        found = visible(serving)
        poll_seconds.append(time.monotonic() - started)
        for request_id in (found or set()) & sent.keys() - seen.keys():
            seen[request_id] = time.monotonic()
        print(f"sent {len(sent)}, visible {len(seen)}", flush=True)
        if deadline is not None and time.monotonic() > deadline:
            print(f"{events - len(seen)} request(s) not visible after {timeout_s:.0f}s")
            break
        time.sleep(1.0)
    print(f"one poll (cc-pipeline sql) took {statistics.median(poll_seconds):.1f}s (median)")
    return sorted(seen[r] - sent[r] for r in seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between exports")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    with serve() as serving:
        print(f"UI usable after {wait_for_ui(serving):.1f}s; sending {args.events} batches")
        latencies = measure(serving, args.events, args.every, args.timeout)
    if len(latencies) < 2:
        raise SystemExit("too few requests became visible to report percentiles")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"export -> usage_requests over {len(latencies)} request(s): "
        f"p50 {statistics.median(latencies):.1f}s, p95 {cuts[94]:.1f}s, max {latencies[-1]:.1f}s"
    )


if __name__ == "__main__":
    main()
