"""`cc-pipeline env`: the output is sourced by real shells in a subshell."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cc_pipeline import settings
from cc_pipeline.cli import main as cli_main

EXPECTED = {
    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
    "OTEL_METRICS_EXPORTER": "otlp",
    "OTEL_LOGS_EXPORTER": "otlp",
    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
    "OTEL_METRIC_EXPORT_INTERVAL": "10000",
    "OTEL_LOGS_EXPORT_INTERVAL": "5000",
}
CONTENT = ("OTEL_LOG_USER_PROMPTS", "OTEL_LOG_ASSISTANT_RESPONSES", "OTEL_LOG_TOOL_DETAILS")


def env_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli_main(["env", *args]) == 0
    return capsys.readouterr().out


def sourced(shell: list[str], script: Path, env_cmd: str) -> dict[str, str]:
    """Run ``shell`` with prompt logging pre-set, source ``script``, dump the environment."""
    result = subprocess.run(
        [*shell, f"source {script}; {env_cmd}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(script.parent),
             "OTEL_LOG_USER_PROMPTS": "1", "OTEL_LOG_TOOL_DETAILS": "1"},
        timeout=30,
        check=True,
    )  # fmt: skip
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return dict(pairs)


def test_bash_output_sourced_in_a_subshell(tmp_path: Path, capsys) -> None:
    script = tmp_path / "env.sh"
    script.write_text(env_output(capsys, "--shell", "bash"))
    env = sourced(["bash", "--noprofile", "--norc", "-c"], script, "env")
    for key, value in EXPECTED.items():
        assert env[key] == value
    for key in CONTENT:
        assert key not in env  # unset even though the parent shell had them


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_output_sourced_in_a_subshell(tmp_path: Path, capsys) -> None:
    script = tmp_path / "env.fish"
    script.write_text(env_output(capsys, "--shell", "fish", "--protocol", "grpc"))
    env = sourced(["fish", "--no-config", "-c"], script, "env")
    expected = {**EXPECTED, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4317"}  # fmt: skip
    for key, value in expected.items():
        assert env[key] == value
    for key in CONTENT:
        assert key not in env


def test_content_logging_only_when_asked_and_values_are_quoted(tmp_path: Path, capsys) -> None:
    script = tmp_path / "env.sh"
    script.write_text(
        env_output(capsys, "--shell", "bash", "--log-content",
                   "--resource-attributes", "team=platform,owner=O'Neil $HOME")
    )  # fmt: skip
    env = sourced(["bash", "--noprofile", "--norc", "-c"], script, "env")
    assert all(env[key] == "1" for key in CONTENT)
    assert env["OTEL_RESOURCE_ATTRIBUTES"] == "team=platform,owner=O'Neil $HOME"


def test_powershell_and_zsh_forms(capsys) -> None:
    ps = env_output(capsys, "--shell", "powershell")
    assert "$env:OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318'" in ps
    assert "Remove-Item Env:OTEL_LOG_USER_PROMPTS -ErrorAction SilentlyContinue" in ps
    zsh = env_output(capsys, "--shell", "zsh")
    assert "export OTEL_METRIC_EXPORT_INTERVAL=10000" in zsh


def test_write_puts_both_files_under_the_home(capsys, tmp_path: Path) -> None:
    env_output(capsys, "--write", "--shell", "bash")
    sh = settings.home() / "telemetry-env.sh"
    ps1 = settings.home() / "telemetry-env.ps1"
    assert sh.exists() and ps1.exists()
    env = sourced(["bash", "--noprofile", "--norc", "-c"], sh, "env")
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    assert ps1.read_text().startswith("# Claude Code telemetry for cc_pipeline (powershell)")
