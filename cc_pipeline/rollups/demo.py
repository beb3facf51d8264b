"""``cc-pipeline demo``: a realistic month of telemetry and transcripts, through the pipeline.

Three users on four projects for 30 days. Transcripts cover the whole month for two users (the
history before telemetry was switched on), telemetry starts on day 8 for everyone, so days 8-30
hold requests seen by both sources, telemetry-only requests and transcript-only ones. Files go
where the embedded default reads them (CC_PIPELINE_HOME/otel and CC_PIPELINE_HOME/demo-claude),
then ingestion, backfill, rollups and the dashboard run once.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cc_pipeline import settings

if TYPE_CHECKING:
    from cc_pipeline.warehouse.client import Warehouse

MODELS = {  # model: (input, output, cache write, cache read) USD per million tokens
    "claude-sonnet-4-5-20250929": (3.0, 15.0, 3.75, 0.30),
    "claude-opus-4-6": (5.0, 25.0, 6.25, 0.50),
    "claude-haiku-4-5-20251001": (1.0, 5.0, 1.25, 0.10),
}
USERS = [
    ("alice", "-home-alice-webapp", "-home-alice-infra"),
    ("bob", "-home-bob-api", None),
    ("carol", "-home-carol-ml", None),
]
TOOLS = ["Bash", "Read", "Edit", "Grep", "Write", "Glob"]
TELEMETRY_FROM_DAY = 7


@dataclass
class DemoFiles:
    telemetry: Path
    transcripts: Path
    requests: int


def _compact(value: Any) -> str:
    """JSON as Claude Code and the Collector write it: no spaces."""
    return json.dumps(value, separators=(",", ":"))


def _attrs(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": {"stringValue": str(v)}} for k, v in values.items()]


def _nanos(ts: datetime) -> str:
    return str(int(ts.timestamp() * 1e9))


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def _resource() -> dict[str, Any]:
    return {"attributes": _attrs({"service.name": "claude-code", "service.version": "2.1.197"})}


def _log(ts: datetime, name: str, seq: int, attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        "timeUnixNano": _nanos(ts),
        "observedTimeUnixNano": _nanos(ts),
        "body": {"stringValue": f"claude_code.{name}"},
        "attributes": _attrs(
            {"event.name": name, "event.timestamp": _iso(ts), "event.sequence": seq, **attrs}
        ),
    }


def _cost(model: str, usage: tuple[int, int, int, int]) -> float:
    return sum(n * p for n, p in zip(usage, MODELS[model], strict=True)) / 1e6


def generate(root: Path, days: int = 30, seed: int = 7, now: datetime | None = None) -> DemoFiles:
    """Write the month of Collector JSONL and transcripts under ``root``, ending ``now``
    (default: the current time)."""
    rng = random.Random(seed)
    otel_dir, claude_dir = root / "otel", root / "demo-claude"
    otel_dir.mkdir(parents=True, exist_ok=True)
    start = ((now or datetime.now(tz=UTC)) - timedelta(days=days)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    lines: list[str] = []
    count = 0
    for user_n, (user, project, other_project) in enumerate(USERS):
        user_id = f"{user}-0000{user_n}"
        for day in range(days):
            if rng.random() < 0.2:  # days off
                continue
            for s in range(rng.randint(1, 3)):
                proj = other_project if other_project and s == 2 else project
                session = f"{user}-{day:02d}-{s}-{rng.randrange(1 << 30):08x}"
                t = start + timedelta(days=day, hours=8 + 3 * s + user_n, minutes=rng.randrange(60))
                telemetry = day >= TELEMETRY_FROM_DAY
                transcript = user != "carol"
                logs, transcript_lines, seq = [], [], 0
                base = {
                    "session.id": session,
                    "user.id": user_id,
                    "organization.id": "acme",
                    "user.email": f"{user}@example.com",
                    "terminal.type": "vscode",
                }
                for _ in range(rng.randint(8, 40)):
                    t += timedelta(seconds=rng.randint(20, 400))
                    model = rng.choices(list(MODELS), weights=[6, 2, 2])[0]
                    usage = (
                        rng.randint(2, 900),
                        rng.randint(50, 4000),
                        rng.randint(0, 20000),
                        rng.randint(5000, 150000),
                    )
                    rid = f"req_{rng.randrange(1 << 60):015x}"
                    seq += 1
                    in_transcript = transcript and (not telemetry or rng.random() > 0.05)
                    count += int(telemetry or in_transcript)
                    if telemetry:
                        logs.append(
                            _log(
                                t,
                                "api_request",
                                seq,
                                {
                                    **base,
                                    "model": model,
                                    "request_id": rid,
                                    "input_tokens": usage[0],
                                    "output_tokens": usage[1],
                                    "cache_creation_tokens": usage[2],
                                    "cache_read_tokens": usage[3],
                                    "cost_usd": round(_cost(model, usage), 6),
                                    "duration_ms": rng.randint(800, 30000),
                                    "ttft_ms": rng.randint(200, 3000),
                                    "query_source": "repl_main_thread",
                                },
                            )
                        )
                        for _tool in range(rng.randint(0, 3)):
                            seq += 1
                            tool = rng.choice(TOOLS)
                            ok = rng.random() > 0.08
                            logs.append(
                                _log(
                                    t,
                                    "tool_decision",
                                    seq,
                                    {
                                        **base,
                                        "tool_name": tool,
                                        "decision": "accept" if ok else "reject",
                                        "source": "config",
                                    },
                                )
                            )
                            seq += 1
                            logs.append(
                                _log(
                                    t,
                                    "tool_result",
                                    seq,
                                    {
                                        **base,
                                        "tool_name": tool,
                                        "success": str(ok).lower(),
                                        "duration_ms": rng.randint(5, 4000),
                                    },
                                )
                            )
                        if rng.random() < 0.03:
                            seq += 1
                            logs.append(
                                _log(
                                    t,
                                    "api_error",
                                    seq,
                                    {
                                        **base,
                                        "model": model,
                                        "status_code": rng.choice(["429", "529"]),
                                        "error": "overloaded",
                                        "attempt": 1,
                                    },
                                )
                            )
                    # a request logged by telemetry only now and then (title generation, ...)
                    if in_transcript:
                        transcript_lines.append(
                            _compact(
                                {
                                    "type": "assistant",
                                    "sessionId": session,
                                    "timestamp": _iso(t),
                                    "cwd": "/" + proj.strip("-").replace("-", "/"),
                                    "version": "2.1.197",
                                    "requestId": rid,
                                    "uuid": f"u-{rid}",
                                    "message": {
                                        "id": f"msg_{rid[4:]}",
                                        "model": model,
                                        "role": "assistant",
                                        "usage": {
                                            "input_tokens": usage[0],
                                            "output_tokens": usage[1],
                                            "cache_creation_input_tokens": usage[2],
                                            "cache_read_input_tokens": usage[3],
                                        },
                                    },
                                }
                            )
                        )
                if logs:
                    lines.append(
                        _compact(
                            {
                                "resourceLogs": [
                                    {
                                        "resource": _resource(),
                                        "scopeLogs": [
                                            {
                                                "scope": {
                                                    "name": "com.anthropic.claude_code.events"
                                                },
                                                "logRecords": logs,
                                            }
                                        ],
                                    }
                                ]
                            }
                        )
                    )
                    points = [
                        ("claude_code.session.count", {}, 1),
                        ("claude_code.active_time.total", {"type": "user"}, rng.randint(300, 3000)),
                        ("claude_code.active_time.total", {"type": "cli"}, rng.randint(200, 2000)),
                        ("claude_code.lines_of_code.count", {"type": "added"}, rng.randint(0, 400)),
                        (
                            "claude_code.lines_of_code.count",
                            {"type": "removed"},
                            rng.randint(0, 150),
                        ),
                        ("claude_code.commit.count", {}, rng.randint(0, 3)),
                        ("claude_code.pull_request.count", {}, rng.randint(0, 1)),
                    ]
                    metrics = [
                        {
                            "name": name,
                            "sum": {
                                "aggregationTemporality": 1,
                                "isMonotonic": True,
                                "dataPoints": [
                                    {
                                        "attributes": _attrs({**base, **extra}),
                                        "startTimeUnixNano": _nanos(t - timedelta(minutes=1)),
                                        "timeUnixNano": _nanos(t),
                                        "asDouble": value,
                                    }
                                ],
                            },
                        }
                        for name, extra, value in points
                    ]
                    lines.append(
                        _compact(
                            {
                                "resourceMetrics": [
                                    {
                                        "resource": _resource(),
                                        "scopeMetrics": [
                                            {
                                                "scope": {"name": "com.anthropic.claude_code"},
                                                "metrics": metrics,
                                            }
                                        ],
                                    }
                                ]
                            }
                        )
                    )
                if transcript_lines:
                    folder = claude_dir / "projects" / proj
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{session}.jsonl").write_text("\n".join(transcript_lines) + "\n")
    live = otel_dir / "demo-otel.jsonl"
    with open(live, "a") as fh:
        fh.write("\n".join(lines) + "\n")
    return DemoFiles(otel_dir, claude_dir, count)


def run_demo(client: Warehouse, root: Path | None = None, log: Any = print) -> dict[str, Any]:
    """Generate the month, then ingest, backfill, refresh the rollups, build the dashboard."""
    from cc_pipeline.dashboard.build import build_dashboard
    from cc_pipeline.rollups.refresh import refresh_rollups
    from cc_pipeline.telemetry.ingest import ingest_telemetry
    from cc_pipeline.transcripts.backfill import backfill_transcripts

    root = root or settings.home()
    files = generate(root)
    log(f"wrote {files.requests} requests: {files.telemetry} and {files.transcripts}")
    ingested = ingest_telemetry(client, files.telemetry)
    log(f"telemetry: {ingested.total_rows} rows")
    backfilled = backfill_transcripts(client, [files.transcripts])
    log(f"transcripts: {backfilled.entries} entries")
    summary = refresh_rollups(client, log=log)
    board = build_dashboard(client)
    log(f"dashboard: {board.path}")
    return {"requests": files.requests, "days": len(summary.days), "dashboard": str(board.path)}
