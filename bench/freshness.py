"""Freshness: from Claude Code exporting an api_request to that request in ``usage_requests``
and on the dashboard.

Starts the real ``cc-pipeline serve`` (UI, daemon, local receiver, served dashboard) in a
scratch home, sends Claude Code-shaped OTLP/HTTP log batches (one api_request each, stamped
now, each in a session of its own) to the receiver it started, and polls ``usage_requests``
with ``cc-pipeline sql --wait`` (a short read that waits while a run holds the embedded
database) and the dashboard's page of each request's session (it lists the session's requests
once the published data holds them). Prints p50/p95 export -> visible latency for both; the
poll interval plus one ``cc-pipeline sql`` (printed) bounds the resolution.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.otlp_generator import Generator, _s
from bench.serving import Serving, serve, wait_for_ui

PREFIX = "req_fresh_"
POLL_SQL = (
    "SELECT request_id FROM usage_requests WHERE startsWith(request_id, 'req_fresh_') "
    "AND source != 'transcript'"
)


def api_request_batch(generator: Generator, request_id: str, session_id: str = "") -> bytes:
    """One OTLP/JSON logs export holding one api_request, as Claude Code sends it now (in
    session ``session_id`` when given)."""
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
        elif attribute["key"] == "session.id" and session_id:
            attribute = _s("session.id", session_id)
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


def on_dashboard(serving: Serving, session_id: str) -> bool:
    """True once the served dashboard's page of the session lists a request."""
    url = f"{serving.dashboard}/session?{urllib.parse.urlencode({'id': session_id})}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            page = response.read().decode()
    except (urllib.error.URLError, OSError):
        return False  # not up yet, or no data published yet
    return "Requests (" in page and "Requests (0)" not in page


@dataclass
class Latencies:
    """Seconds from export to visible, per request: in usage_requests and on the dashboard."""

    sent: dict[str, float] = field(default_factory=dict)  # request id -> monotonic time
    sessions: dict[str, str] = field(default_factory=dict)  # request id -> its session id
    in_table: dict[str, float] = field(default_factory=dict)
    on_page: dict[str, float] = field(default_factory=dict)

    def poll(self, serving: Serving) -> None:
        now = time.monotonic()
        for request_id in (visible(serving) or set()) & self.sent.keys() - self.in_table.keys():
            self.in_table[request_id] = now - self.sent[request_id]
        for request_id in self.in_table.keys() - self.on_page.keys():
            if on_dashboard(serving, self.sessions[request_id]):
                self.on_page[request_id] = time.monotonic() - self.sent[request_id]


def measure(serving: Serving, events: int, every_s: float, timeout_s: float) -> Latencies:
    generator = Generator(seed=7)
    found = Latencies()
    next_send = time.monotonic()
    deadline = None
    poll_seconds = []
    while len(found.on_page) < events:
        if len(found.sent) < events and time.monotonic() >= next_send:
            request_id = f"{PREFIX}{uuid.uuid4().hex[:24]}"
            found.sessions[request_id] = f"fresh-{uuid.uuid4()}"
            export(serving, api_request_batch(generator, request_id, found.sessions[request_id]))
            found.sent[request_id] = time.monotonic()
            next_send += every_s
            if len(found.sent) == events:
                deadline = time.monotonic() + timeout_s
        started = time.monotonic()
        found.poll(serving)
        poll_seconds.append(time.monotonic() - started)
        print(
            f"sent {len(found.sent)}, in usage_requests {len(found.in_table)}, "
            f"on the dashboard {len(found.on_page)}",
            flush=True,
        )
        if deadline is not None and time.monotonic() > deadline:
            print(f"{events - len(found.on_page)} request(s) not visible after {timeout_s:.0f}s")
            break
        time.sleep(1.0)
    print(f"one poll took {statistics.median(poll_seconds):.1f}s (median)")
    return found


def summary(where: str, seconds: list[float]) -> str:
    if len(seconds) < 2:
        raise SystemExit(f"too few requests became visible {where} to report percentiles")
    seconds = sorted(seconds)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return (
        f"export -> {where} over {len(seconds)} request(s): "
        f"p50 {statistics.median(seconds):.1f}s, p95 {cuts[94]:.1f}s, max {seconds[-1]:.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between exports")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    with serve() as serving:
        print(f"UI usable after {wait_for_ui(serving):.1f}s; sending {args.events} batches")
        found = measure(serving, args.events, args.every, args.timeout)
    print(summary("usage_requests", list(found.in_table.values())))
    print(summary("the dashboard", list(found.on_page.values())))


if __name__ == "__main__":
    main()
