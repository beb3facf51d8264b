"""The telemetry environment Claude Code needs to send OTLP to the running stack.

Rendered for bash/zsh, fish and PowerShell; prompt, response and tool-detail logging stay off
(and are unset) unless asked for.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

SHELLS = ("bash", "zsh", "fish", "powershell")
PROTOCOLS = {"grpc": "grpc_port", "http/protobuf": "http_port", "http/json": "http_port"}
CONTENT_VARS = ("OTEL_LOG_USER_PROMPTS", "OTEL_LOG_ASSISTANT_RESPONSES", "OTEL_LOG_TOOL_DETAILS")


def telemetry_env(
    *,
    protocol: str = "http/protobuf",
    host: str = "127.0.0.1",
    grpc_port: int = 4317,
    http_port: int = 4318,
    log_content: bool = False,
    resource_attributes: str | None = None,
) -> dict[str, str | None]:
    """Variables to set (value) or unset (None), in a stable order."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}")
    port = grpc_port if protocol == "grpc" else http_port
    env: dict[str, str | None] = {
        "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_LOGS_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://{host}:{port}",
        "OTEL_METRIC_EXPORT_INTERVAL": "10000",
        "OTEL_LOGS_EXPORT_INTERVAL": "5000",
    }
    if resource_attributes:
        env["OTEL_RESOURCE_ATTRIBUTES"] = resource_attributes
    for name in CONTENT_VARS:
        env[name] = "1" if log_content else None
    return env


def _ps_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def render(env: dict[str, str | None], shell: str) -> str:
    """Source-able text for ``shell``."""
    lines = [f"# Claude Code telemetry for cc_pipeline ({shell})"]
    for name, value in env.items():
        if shell in ("bash", "zsh"):
            lines.append(
                f"unset {name}" if value is None else f"export {name}={shlex.quote(value)}"
            )
        elif shell == "fish":
            lines.append(
                f"set -e {name}" if value is None else f"set -gx {name} {shlex.quote(value)}"
            )
        elif shell == "powershell":
            lines.append(
                f"Remove-Item Env:{name} -ErrorAction SilentlyContinue"
                if value is None
                else f"$env:{name} = {_ps_quote(value)}"
            )
        else:
            raise ValueError(f"shell must be one of {', '.join(SHELLS)}")
    return "\n".join(lines) + "\n"


def write_env_files(env: dict[str, str | None], folder: Path) -> list[Path]:
    """``telemetry-env.sh`` (bash/zsh) and ``telemetry-env.ps1`` under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, shell in (("telemetry-env.sh", "bash"), ("telemetry-env.ps1", "powershell")):
        path = folder / name
        path.write_text(render(env, shell))
        paths.append(path)
    return paths


def pipeline_executable() -> str:
    """The ``cc-pipeline`` executable of this installation (beside the interpreter), else the
    one on PATH, else the bare name."""
    beside = Path(sys.executable).parent / "cc-pipeline"
    if beside.is_file():
        return str(beside)
    return shutil.which("cc-pipeline") or "cc-pipeline"


def statusline_settings(home: str | None = None) -> dict[str, dict[str, object]]:
    """The Claude Code settings that run ``cc-pipeline statusline`` as the status line
    (with ``CC_PIPELINE_HOME`` when the pipeline's home is not the default)."""
    command = f"{shlex.quote(pipeline_executable())} statusline"
    if home:
        command = f"CC_PIPELINE_HOME={shlex.quote(home)} {command}"
    return {"statusLine": {"type": "command", "command": command, "padding": 0}}
