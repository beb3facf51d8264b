"""Realistic trees of Claude Code transcripts, sized in megabytes.

The layout and line mix follow real Claude Code 2.1.x folders: ``projects/<encoded-cwd>/
<session>.jsonl`` with sub-agents under ``<session>/subagents/agent-<id>.jsonl``; user
prompts and tool results, assistant responses written as one line per content block (the
lines of one response share message.id and requestId; only the last has the final
output_tokens), hook and bash progress lines, sub-agent messages replayed in agent_progress
lines, file-history snapshots, system lines, ``<synthetic>`` API-error lines and, rarely, a
truncated (malformed) line. Output is deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

MODELS = (
    ("claude-opus-4-6", 6),
    ("claude-sonnet-4-5-20250929", 3),
    ("claude-haiku-4-5-20251001", 2),
)
TOOLS = ("Bash", "Read", "Edit", "Write", "Grep", "Glob", "Task", "TodoWrite")
WORDS = [
    "the",
    "function",
    "returns",
    "a",
    "value",
    "when",
    "config",
    "is",
    "missing",
    "so",
    "we",
    "retry",
    "the",
    "request",
    "and",
    "log",
    "error",
    "handler",
    "module",
    "test",
    "file",
    "path",
    "update",
    "build",
    "cache",
    "parse",
    "schema",
    "table",
    "column",
    "row",
    "query",
    "index",
    "merge",
    "branch",
    "commit",
    "review",
    "deploy",
    "service",
    "client",
    "server",
    "token",
    "model",
    "output",
]


def _dumps(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Session:
    """One session file being written (and its sub-agents)."""

    rng: random.Random
    project: str
    session_id: str
    clock: datetime
    version: str = "2.1.39"
    parent: str | None = None
    agents: list[str] = field(default_factory=list)

    def text(self, lo: int, hi: int) -> str:
        n = self.rng.randint(lo, hi)
        out: list[str] = []
        size = 0
        while size < n:
            w = self.rng.choice(WORDS)
            out.append(w)
            size += len(w) + 1
        return " ".join(out)

    def base(self, kind: str, sidechain: bool = False) -> dict:
        self.clock += timedelta(milliseconds=self.rng.randint(50, 40_000))
        line_uuid = str(uuid.UUID(int=self.rng.getrandbits(128)))
        record = {
            "parentUuid": self.parent,
            "isSidechain": sidechain,
            "userType": "external",
            "cwd": "/home/dev/" + self.project.rsplit("-", 1)[-1],
            "sessionId": self.session_id,
            "version": self.version,
            "gitBranch": "main",
            "type": kind,
            "uuid": line_uuid,
            "timestamp": self.clock.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        self.parent = line_uuid
        return record

    def user(self, sidechain: bool = False) -> str:
        rec = self.base("user", sidechain)
        if self.rng.random() < 0.3:
            rec["message"] = {"role": "user", "content": self.text(40, 1500)}
        else:
            rec["message"] = {
                "role": "user",
                "content": [
                    {
                        "tool_use_id": f"toulu_{self.rng.getrandbits(64):016x}",
                        "type": "tool_result",
                        "content": self.text(200, 12_000),
                        "is_error": False,
                    }
                ],
            }
            rec["toolUseResult"] = {"stdout": self.text(100, 4000), "stderr": ""}
        return _dumps(rec)

    def response(self, model: str, sidechain: bool = False) -> list[dict]:
        """One API response as Claude Code writes it: one line per content block."""
        blocks = ["thinking"] if self.rng.random() < 0.5 else []
        blocks += ["text"] * self.rng.randint(0, 2)
        blocks += ["tool_use"] * self.rng.randint(0, 3)
        blocks = blocks or ["text"]
        message_id = f"msg_{self.rng.getrandbits(96):024x}"
        request_id = f"req_{self.rng.getrandbits(96):024x}"
        write = self.rng.randint(0, 30_000)
        one_hour = self.rng.random() < 0.2
        usage_base = {
            "input_tokens": self.rng.randint(1, 400),
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": self.rng.randint(0, 180_000),
            "cache_creation": {
                "ephemeral_5m_input_tokens": 0 if one_hour else write,
                "ephemeral_1h_input_tokens": write if one_hour else 0,
            },
            "service_tier": "standard",
        }
        final_output = self.rng.randint(20, 6000)
        lines = []
        for i, block in enumerate(blocks):
            last = i == len(blocks) - 1
            if block == "thinking":
                content = {"type": "thinking", "thinking": self.text(100, 3000), "signature": "x"}
            elif block == "text":
                content = {"type": "text", "text": self.text(20, 2000)}
            else:
                content = {
                    "type": "tool_use",
                    "id": f"toolu_{self.rng.getrandbits(64):016x}",
                    "name": self.rng.choice(TOOLS),
                    "input": {"command": self.text(10, 800)},
                }
            rec = self.base("assistant", sidechain)
            rec["message"] = {
                "model": model,
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "content": [content],
                "stop_reason": "tool_use" if last and block == "tool_use" else None,
                "stop_sequence": None,
                "usage": {
                    **usage_base,
                    "output_tokens": final_output if last else self.rng.randint(1, 12),
                },
            }
            rec["requestId"] = request_id
            lines.append(rec)
        return lines

    def synthetic_error(self) -> str:
        rec = self.base("assistant")
        rec["message"] = {
            "id": str(uuid.UUID(int=self.rng.getrandbits(128))),
            "model": "<synthetic>",
            "role": "assistant",
            "stop_reason": "stop_sequence",
            "stop_sequence": "",
            "type": "message",
            "usage": {
                "input_tokens": 0,
                "output_tokens": 0,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
            "content": [{"type": "text", "text": "API Error: 529 overloaded"}],
        }
        rec["isApiErrorMessage"] = True
        return _dumps(rec)

    def hook(self) -> str:
        rec = self.base("progress")
        event = self.rng.choice(("PreToolUse", "PostToolUse", "Stop"))
        rec["data"] = {
            "type": "hook_progress",
            "hookEvent": event,
            "hookName": f"{event}:Bash",
            "command": "/home/dev/.claude/hooks/notify.sh",
        }
        rec["parentToolUseID"] = f"toolu_{self.rng.getrandbits(64):016x}"
        rec["toolUseID"] = rec["parentToolUseID"]
        return _dumps(rec)

    def progress(self) -> str:
        rec = self.base("progress")
        out = self.text(50, 3000)
        rec["data"] = {"type": "bash_progress", "output": out, "fullOutput": out}
        return _dumps(rec)

    def agent_progress(self, agent_id: str, line: dict) -> str:
        rec = self.base("progress")
        rec["data"] = {
            "message": {
                "type": "assistant",
                "message": line["message"],
                "requestId": line["requestId"],
                "isSidechain": True,
                "uuid": line["uuid"],
                "timestamp": line["timestamp"],
            },
            "normalizedMessages": [],
            "type": "agent_progress",
            "prompt": "",
            "agentId": agent_id,
        }
        return _dumps(rec)

    def snapshot(self) -> str:
        self.clock += timedelta(milliseconds=5)
        return _dumps(
            {
                "type": "file-history-snapshot",
                "messageId": str(uuid.UUID(int=self.rng.getrandbits(128))),
                "snapshot": {"trackedFileBackups": {}, "timestamp": self.clock.isoformat()},
                "isSnapshotUpdate": False,
            }
        )


def pick_model(rng: random.Random) -> str:
    total = sum(w for _, w in MODELS)
    x = rng.uniform(0, total)
    for model, weight in MODELS:
        x -= weight
        if x <= 0:
            return model
    return MODELS[0][0]


def session_lines(s: Session, agent_lines: dict[str, list[str]]) -> Iterator[str]:
    """An endless conversation: prompts, responses, tools, progress, sub-agents, errors."""
    model = pick_model(s.rng)
    while True:
        roll = s.rng.random()
        if roll < 0.03:
            yield s.snapshot()
        elif roll < 0.06:
            yield s.synthetic_error()
        elif roll < 0.09:
            agent_id = f"a{s.rng.getrandbits(28):07x}"
            agent = Session(s.rng, s.project, s.session_id, s.clock, s.version)
            lines = agent_lines.setdefault(agent_id, [])
            for _ in range(s.rng.randint(2, 6)):
                lines.append(agent.user(sidechain=True))
                for rec in agent.response("claude-haiku-4-5-20251001", sidechain=True):
                    rec["agentId"] = agent_id
                    lines.append(_dumps(rec))
                    yield s.agent_progress(agent_id, rec)
        elif roll < 0.25:
            yield s.progress()
        else:
            yield s.user()
            for rec in s.response(model):
                yield _dumps(rec)
            for _ in range(s.rng.randint(1, 6)):  # PreToolUse/PostToolUse/Stop hooks
                yield s.hook()
        if s.rng.random() < 0.0005:
            yield '{"type":"assistant","message":{"id":"msg_truncated","usage":{"input_tok'


@dataclass
class TreeStats:
    files: int = 0
    bytes: int = 0
    lines: int = 0


def _write_session(path: Path, s: Session, budget: int, stats: TreeStats) -> None:
    agent_lines: dict[str, list[str]] = {}
    written = 0
    with open(path, "a", encoding="utf-8") as fh:
        for line in session_lines(s, agent_lines):
            data = line + "\n"
            fh.write(data)
            size = len(data.encode())
            written += size
            stats.lines += 1
            if written >= budget:
                break
    stats.bytes += written
    stats.files += 1
    for agent_id, lines in agent_lines.items():
        folder = path.with_suffix("") / "subagents"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"agent-{agent_id}.jsonl", "a", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
                stats.bytes += len(line.encode()) + 1
                stats.lines += 1
    stats.files += len(agent_lines)


def generate(
    root: Path, megabytes: float, seed: int = 7, start: datetime | None = None
) -> TreeStats:
    """Write about ``megabytes`` MB of new sessions under ``root/projects``."""
    rng = random.Random(seed)
    stats = TreeStats()
    target = int(megabytes * 2**20)
    clock = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    projects = [f"-home-dev-project{n}" for n in range(12)]
    while stats.bytes < target:
        project = rng.choice(projects)
        folder = root / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        session_id = str(uuid.UUID(int=rng.getrandbits(128)))
        budget = min(int(rng.lognormvariate(13.5, 1.0)), 40 << 20, target - stats.bytes + 1)
        s = Session(rng, project, session_id, clock)
        _write_session(folder / f"{session_id}.jsonl", s, budget, stats)
        clock += timedelta(minutes=rng.randint(5, 600))
    return stats


def grow(root: Path, fraction: float, seed: int = 11) -> TreeStats:
    """Append about ``fraction`` of the tree's size: to some existing sessions and new ones."""
    rng = random.Random(seed)
    sessions = sorted((root / "projects").glob("*/*.jsonl"))
    total = sum(p.stat().st_size for p in (root / "projects").rglob("*.jsonl"))
    budget = int(total * fraction)
    stats = TreeStats()
    for path in rng.sample(sessions, k=min(len(sessions), 5)):
        s = Session(rng, path.parent.name, path.stem, datetime(2026, 6, 1, tzinfo=UTC))
        _write_session(path, s, budget // 10, stats)
    rest = max(0, budget - stats.bytes)
    more = generate(root, rest / 2**20, seed=seed + 1, start=datetime(2026, 6, 2, tzinfo=UTC))
    stats.files += more.files
    stats.bytes += more.bytes
    stats.lines += more.lines
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a tree of Claude Code transcripts.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--mb", type=float, default=64)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    stats = generate(args.root, args.mb, args.seed)
    print(f"{stats.files} files, {stats.lines} lines, {stats.bytes / 2**20:.1f} MB in {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
