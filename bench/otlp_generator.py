"""Collector-style JSONL with a realistic mix of Claude Code events and counters.

Each line is one exported batch, as the Collector's file exporter writes it: OTLP JSON with
int64 as strings, hex ids, attribute numbers in the shapes Claude Code 2.1.x sends them.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-8", "claude-haiku-4-5-20251001")
TOOLS = ("Bash", "Read", "Edit", "Write", "Grep", "Glob", "Task", "WebFetch")
EVENT_WEIGHTS = {
    "api_request": 20,
    "assistant_response": 17,
    "tool_result": 18,
    "tool_decision": 18,
    "user_prompt": 6,
    "hook_execution_start": 5,
    "hook_execution_complete": 5,
    "api_error": 2,
    "at_mention": 3,
    "compaction": 1,
    "subagent_completed": 2,
    "mcp_server_connection": 1,
    "skill_activated": 1,
    "permission_mode_changed": 1,
}
RECORDS_PER_LINE = (5, 20, 50, 100, 200, 500)


def _s(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def _i(key: str, value: int, as_string: bool = True) -> dict:
    return {"key": key, "value": {"intValue": str(value) if as_string else value}}


def _d(key: str, value: float) -> dict:
    return {"key": key, "value": {"doubleValue": value}}


class Generator:
    def __init__(self, seed: int = 1, users: int = 20):
        self.rng = random.Random(seed)
        self.users = [f"{self.rng.getrandbits(256):064x}" for _ in range(users)]
        self.sessions = [str(uuid.UUID(int=self.rng.getrandbits(128))) for _ in range(users * 5)]
        self.sequence = 0
        self.time_ns = 1_795_000_000_000_000_000
        names, weights = zip(*EVENT_WEIGHTS.items(), strict=True)
        self.names = names
        self.weights = weights

    def _common(self, event: str) -> list[dict]:
        self.sequence += 1
        self.time_ns += self.rng.randint(10_000_000, 2_000_000_000)
        return [
            _s("user.id", self.rng.choice(self.users)),
            _s("session.id", self.rng.choice(self.sessions)),
            _s("organization.id", "6c6bd6a2-2b1a-4d3b-9a52-0c3f1d0f8a11"),
            _s("terminal.type", "xterm-256color"),
            _s("event.name", event),
            _s("event.timestamp", "2026-11-24T00:13:54.778Z"),
            _i("event.sequence", self.sequence, as_string=False),
            _s("prompt.id", str(uuid.UUID(int=self.rng.getrandbits(128)))),
        ]

    def _event_attrs(self, event: str) -> list[dict]:
        r = self.rng
        if event == "api_request":
            return [
                _s("model", r.choice(MODELS)),
                _i("input_tokens", r.randint(1, 4000), as_string=False),
                _i("output_tokens", r.randint(1, 8000), as_string=False),
                _i("cache_read_tokens", r.randint(0, 200_000), as_string=False),
                _i("cache_creation_tokens", r.randint(0, 30_000), as_string=False),
                _d("cost_usd", round(r.uniform(0.0001, 0.5), 6)),
                _i("cost_usd_micros", r.randint(100, 500_000), as_string=False),
                _i("duration_ms", r.randint(300, 60_000), as_string=False),
                _i("ttft_ms", r.randint(100, 5_000), as_string=False),
                _s("request_id", f"req_{r.getrandbits(96):024x}"),
                _s("speed", "normal"),
                _s("query_source", r.choice(("repl_main_thread", "agent:task", "compact"))),
            ]
        if event == "tool_result":
            return [
                _s("tool_name", r.choice(TOOLS)),
                _s("tool_use_id", f"toolu_{r.getrandbits(96):024x}"),
                _s("success", r.choice(("true", "true", "true", "false"))),
                _s("duration_ms", str(r.randint(1, 30_000))),
                _s("tool_input_size_bytes", str(r.randint(10, 5000))),
                _s("tool_result_size_bytes", str(r.randint(10, 50_000))),
                _s("decision_type", "accept"),
                _s("decision_source", "config"),
            ]
        if event == "tool_decision":
            return [
                _s("tool_name", r.choice(TOOLS)),
                _s("tool_use_id", f"toolu_{r.getrandbits(96):024x}"),
                _s("decision", r.choice(("accept", "accept", "reject"))),
                _s("source", r.choice(("config", "user_temporary", "user_permanent"))),
            ]
        if event == "assistant_response":
            return [
                _i("response_length", r.randint(10, 8000), as_string=False),
                _s("response", "<REDACTED>"),
                _s("request_id", f"req_{r.getrandbits(96):024x}"),
                _s("model", r.choice(MODELS)),
                _s("query_source", "repl_main_thread"),
            ]
        if event == "user_prompt":
            return [_s("prompt_length", str(r.randint(5, 3000))), _s("prompt", "<REDACTED>")]
        if event == "api_error":
            return [
                _s("model", r.choice(MODELS)),
                _s("error", "Overloaded"),
                _i("status_code", 529, as_string=False),
                _i("duration_ms", r.randint(100, 5000), as_string=False),
                _i("attempt", r.randint(1, 5), as_string=False),
                _s("request_id", f"req_{r.getrandbits(96):024x}"),
            ]
        if event.startswith("hook_execution"):
            return [
                _s("hook_event", "PreToolUse"),
                _s("hook_name", "PreToolUse:Bash"),
                _s("num_hooks", "1"),
                _s("hook_source", "settings"),
                _s("total_duration_ms", str(r.randint(1, 900))),
            ]
        return [_s("detail", r.choice(("file", "manual", "stdio", "default")))]

    def log_record(self) -> dict:
        event = self.rng.choices(self.names, self.weights)[0]
        attrs = self._common(event) + self._event_attrs(event)
        return {
            "timeUnixNano": str(self.time_ns),
            "observedTimeUnixNano": str(self.time_ns),
            "body": {"stringValue": f"claude_code.{event}"},
            "attributes": attrs,
            "droppedAttributesCount": 0,
        }

    @staticmethod
    def resource() -> dict:
        return {
            "attributes": [
                _s("host.arch", "amd64"),
                _s("os.type", "linux"),
                _s("os.version", "6.8.0"),
                _s("service.name", "claude-code"),
                _s("service.version", "2.1.197"),
            ]
        }

    def logs_line(self, n: int) -> str:
        records = [self.log_record() for _ in range(n)]
        body = {
            "resourceLogs": [
                {
                    "resource": self.resource(),
                    "scopeLogs": [
                        {
                            "scope": {
                                "name": "com.anthropic.claude_code.events",
                                "version": "2.1.197",
                            },
                            "logRecords": records,
                        }
                    ],
                }
            ]
        }
        return json.dumps(body, separators=(",", ":"))

    def metrics_line(self, n: int) -> str:
        points = []
        for _ in range(n):
            points.append(
                {
                    "attributes": [
                        _s("user.id", self.rng.choice(self.users)),
                        _s("session.id", self.rng.choice(self.sessions)),
                        _s("terminal.type", "xterm-256color"),
                        _s(
                            "type",
                            self.rng.choice(("input", "output", "cacheRead", "cacheCreation")),
                        ),
                        _s("model", self.rng.choice(MODELS)),
                    ],
                    "startTimeUnixNano": str(self.time_ns - 60_000_000_000),
                    "timeUnixNano": str(self.time_ns),
                    "asDouble": float(self.rng.randint(1, 100_000)),
                }
            )
        body = {
            "resourceMetrics": [
                {
                    "resource": self.resource(),
                    "scopeMetrics": [
                        {
                            "scope": {"name": "com.anthropic.claude_code", "version": "2.1.197"},
                            "metrics": [
                                {
                                    "name": "claude_code.token.usage",
                                    "unit": "tokens",
                                    "sum": {
                                        "aggregationTemporality": 1,
                                        "isMonotonic": True,
                                        "dataPoints": points,
                                    },
                                }
                            ],
                        }
                    ],
                }
            ]
        }
        return json.dumps(body, separators=(",", ":"))

    def lines(self, log_records: int) -> Iterator[tuple[str, int, int]]:
        """Yield (line, log_records, metric_points) until ``log_records`` events are out."""
        left = log_records
        while left > 0:
            n = min(left, self.rng.choice(RECORDS_PER_LINE))
            left -= n
            yield self.logs_line(n), n, 0
            if self.rng.random() < 0.1:
                points = self.rng.randint(4, 40)
                yield self.metrics_line(points), 0, points


def write(path: Path, log_records: int, seed: int = 1) -> tuple[int, int, int]:
    """Write a file of ``log_records`` events; return (log_records, metric_points, bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    logs = points = 0
    with open(path, "w") as fh:
        for line, n_logs, n_points in Generator(seed).lines(log_records):
            fh.write(line)
            fh.write("\n")
            logs += n_logs
            points += n_points
    return logs, points, path.stat().st_size
