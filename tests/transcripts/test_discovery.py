"""Which folders and files are read: roots like Claude Code and ccusage, the symlink rule."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from cc_pipeline.transcripts.discovery import (
    default_roots,
    describe_path,
    discover,
    parse_roots,
    usable_roots,
)
from tests.transcripts.helpers import assistant, run, totals, write_session


def test_roots_from_claude_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "projects").mkdir(parents=True)
    (b / "projects").mkdir(parents=True)
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", f"{a}, {b / 'projects'},,{tmp_path / 'missing'}")
    assert default_roots() == [a, b, tmp_path / "missing"]
    assert usable_roots(default_roots()) == [a, b]


def test_default_roots_without_claude_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAUDE_CONFIG_DIR")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    home = Path.home()
    assert default_roots() == [home / ".config" / "claude", home / ".claude"]


def test_same_folder_through_two_roots_is_read_once(ch: Any, tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_session(real, [assistant("m1", "r1")])
    link = tmp_path / "link"
    link.symlink_to(real)
    roots = usable_roots(parse_roots(f"{real},{link}"))
    assert roots == [real]
    summary = run(ch, link)  # a root may itself be a symlink
    assert summary.files_read == 1


def test_symlinks_inside_projects_are_not_followed(ch: Any, tmp_path: Path) -> None:
    root = tmp_path / "claude"
    elsewhere = tmp_path / "elsewhere"
    write_session(root, [assistant("m1", "r1")])
    other = write_session(elsewhere, [assistant("m2", "r2")], name="s9.jsonl")
    os.symlink(other, root / "projects" / "-home-dev-app" / "linked.jsonl")
    os.symlink(other.parent, root / "projects" / "-home-dev-linked")
    skipped: list[str] = []
    files = discover(root, on_skip=skipped.append)
    assert [Path(f.path).name for f in files] == ["s1.jsonl"]
    assert len(skipped) == 2
    run(ch, root)
    assert totals(ch)[0] == 1


def test_paths_name_project_session_and_agent(tmp_path: Path) -> None:
    root = tmp_path
    session_path = root / "projects" / "-p" / "abc.jsonl"
    agent_path = root / "projects" / "-p" / "abc" / "subagents" / "agent-x7.jsonl"
    for path in (session_path, agent_path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n")
    session = describe_path(root, session_path, session_path.stat())
    agent = describe_path(root, agent_path, agent_path.stat())
    assert (session.project, session.session_id, session.kind) == ("-p", "abc", "session")
    assert (agent.project, agent.session_id, agent.agent_id, agent.kind) == (
        "-p",
        "abc",
        "x7",
        "subagent",
    )
