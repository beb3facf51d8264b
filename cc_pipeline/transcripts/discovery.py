"""Where Claude Code keeps transcripts, and which files belong to which session.

Roots follow Claude Code and ccusage: each entry of ``CLAUDE_CONFIG_DIR`` (comma-separated;
an entry may also name the ``projects`` folder itself), else ``$XDG_CONFIG_HOME/claude``
(default ``~/.config/claude``) and ``~/.claude``. A root counts when it has a ``projects``
folder; two roots that resolve to the same folder are one root.

Files are ``<root>/projects/<encoded-cwd>/<sessionId>.jsonl`` and, for sub-agents,
``<root>/projects/<encoded-cwd>/<sessionId>/subagents/agent-<id>.jsonl``, folded into their
parent session. Symlink rule: a root may be a symlink (it is resolved), but inside
``projects/`` symbolic links, to files or to folders, are not followed; they are reported and
skipped. This is what ccusage 20 does, so both tools read the same files, and no file can be
reached (and counted) twice through a link.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from cc_pipeline.files.tailer import (
    NOT_UTF8,
    SkippedEntry,
    display_path,
    folder_entries,
    os_reason,
    valid_name,
)


@dataclass(slots=True)
class TranscriptFile:
    """One transcript file and what its path says about it.

    Paths are kept as strings: a run handles thousands of files, and each ``Path`` costs
    more to build than everything else discovery does for the file.
    """

    path: str
    root: Path
    project: str
    session_id: str
    agent_id: str
    kind: str  # 'session', 'subagent' or 'other'
    stat: os.stat_result  # as seen by discovery

    @property
    def size(self) -> int:
        return self.stat.st_size

    @property
    def mtime(self) -> float:
        return self.stat.st_mtime


def parse_roots(value: str | None) -> list[Path]:
    """Roots named by a ``CLAUDE_CONFIG_DIR``-style value (comma-separated)."""
    if not value:
        return []
    roots = []
    for raw in value.split(","):
        raw = raw.strip()
        if not raw:
            continue
        path = Path(raw).expanduser()
        if path.name == "projects" and path.is_dir():
            path = path.parent
        roots.append(path)
    return roots


def default_roots() -> list[Path]:
    """``CLAUDE_CONFIG_DIR`` entries when set, else ``~/.config/claude`` and ``~/.claude``."""
    configured = os.environ.get("CLAUDE_CONFIG_DIR")
    if configured and configured.strip():
        return parse_roots(configured)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    config_home = Path(xdg) if xdg else Path.home() / ".config"
    return [config_home / "claude", Path.home() / ".claude"]


def usable_roots(roots: list[Path]) -> list[Path]:
    """Absolute roots that hold a ``projects`` folder, each resolved folder once."""
    found: list[Path] = []
    seen: set[Path] = set()
    for root in roots:
        root = root.expanduser().absolute()
        if not (root / "projects").is_dir():
            continue
        real = root.resolve()
        if real in seen:
            continue
        seen.add(real)
        found.append(root)
    return found


def describe_path(
    root: Path,
    path: str | Path,
    stat: os.stat_result,
    parts: Sequence[str] | None = None,
) -> TranscriptFile:
    """Project, session and agent of a file under ``root/projects`` (ccusage's path rules);
    ``parts``: the path's parts below ``projects``, when the caller has them."""
    if parts is None:
        parts = Path(path).relative_to(root / "projects").parts
    path = str(path)
    project = parts[0] if len(parts) > 1 else "unknown"
    stem = parts[-1].removesuffix(".jsonl")
    if len(parts) == 2:
        return TranscriptFile(path, root, project, stem, "", "session", stat)
    if len(parts) >= 4 and parts[-2] == "subagents":
        agent = stem.removeprefix("agent-")
        return TranscriptFile(path, root, project, parts[-3], agent, "subagent", stat)
    session = parts[-2] if len(parts) >= 2 else "unknown"
    return TranscriptFile(path, root, project, session, "", "other", stat)


def since_timestamp(since: date | datetime | None) -> float | None:
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, time.min, tzinfo=UTC)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since.timestamp()


def discover(
    root: Path,
    *,
    on_skip: Callable[[str], None] | None = None,
    skipped: list[SkippedEntry] | None = None,
) -> list[TranscriptFile]:
    """Every ``*.jsonl`` under ``root/projects``, sorted by path, symlinks skipped.

    A folder that cannot be listed and a file or folder whose name is not UTF-8 go to
    ``skipped`` (to be reported) instead; the rest is found.
    """
    files: list[TranscriptFile] = []
    problems = skipped if skipped is not None else []
    projects = root / "projects"
    stack: list[tuple[str, tuple[str, ...]]] = [(str(projects), ())]
    while stack:
        folder, below = stack.pop()
        for entry in folder_entries(folder, problems):
            try:
                if entry.is_symlink():
                    if on_skip and (entry.name.endswith(".jsonl") or entry.is_dir()):
                        on_skip(f"symlink not followed: {display_path(entry.path)}")
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
                if not is_dir and not entry.name.endswith(".jsonl"):
                    continue
                if not valid_name(entry.name):
                    problems.append(SkippedEntry(entry.path, NOT_UTF8))
                    continue
                if is_dir:
                    stack.append((entry.path, (*below, entry.name)))
                    continue
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            except OSError as exc:
                problems.append(SkippedEntry(entry.path, os_reason(exc)))
                continue
            if stat.S_ISREG(st.st_mode):
                files.append(describe_path(root, entry.path, st, (*below, entry.name)))
    files.sort(key=lambda f: f.path)
    return files
