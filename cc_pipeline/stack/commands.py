"""``cc-pipeline stack up|down|status|logs`` and ``cc-pipeline env``."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from cc_pipeline.console import say


def _add_mode(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode",
        choices=("local", "docker", "auto"),
        default=None,
        help="local receiver, Docker Compose stack, or auto (Docker if a daemon answers); "
        "default CC_PIPELINE_STACK or local",
    )


def add_stack(stack: argparse.ArgumentParser) -> None:
    """The stack Claude Code sends OTLP to: the local receiver (default) or ClickHouse +
    OpenTelemetry Collector in Docker."""
    actions = stack.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (
        ("up", "start the stack and wait until it is healthy"),
        ("down", "stop the stack (data and volumes are kept)"),
        ("status", "show services, health and endpoints"),
        ("logs", "show recent logs"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        _add_mode(action)
        if name == "up":
            action.add_argument(
                "--clickhouse-direct",
                action="store_true",
                help="Docker: the Collector also writes ClickHouse through its clickhouse exporter",
            )
        if name == "logs":
            action.add_argument("--tail", type=int, default=100, help="lines per service")
            action.add_argument("--service", default=None, help="one service only")
        action.set_defaults(func=run_stack)


def add_env(env: argparse.ArgumentParser) -> None:
    """Telemetry environment for Claude Code: source it, then restart Claude Code. Example:
    eval "$(cc-pipeline env)"; fish: cc-pipeline env --shell fish | source"""
    env.add_argument("--shell", choices=("bash", "zsh", "fish", "powershell"), default=None)
    env.add_argument(
        "--protocol", choices=("grpc", "http/protobuf", "http/json"), default="http/protobuf"
    )
    env.add_argument(
        "--log-content",
        action="store_true",
        help="also log prompts, responses and tool details (off by default)",
    )
    env.add_argument("--resource-attributes", default=None, help="e.g. team=platform")
    env.add_argument(
        "--write",
        action="store_true",
        help="write telemetry-env.sh and telemetry-env.ps1 under CC_PIPELINE_HOME",
    )
    env.add_argument(
        "--statusline",
        action="store_true",
        help="print the Claude Code settings snippet that installs `cc-pipeline statusline` "
        "(merge it into ~/.claude/settings.json)",
    )
    _add_mode(env)
    env.set_defaults(func=run_env)


def _resource(mode: str | None, clickhouse_direct: bool = False) -> Any:
    from cc_pipeline.resources.stack import stack_from_env

    resource = stack_from_env()
    update: dict[str, Any] = {"clickhouse_direct": clickhouse_direct}
    if mode:
        update["mode"] = mode
    return type(resource)(**{**resource.model_dump(), **update})


def run_stack(args: argparse.Namespace) -> int:
    from cc_pipeline.stack.base import StackError

    resource = _resource(args.mode, getattr(args, "clickhouse_direct", False))
    try:
        backend = resource.backend()
        if args.action == "up":
            say(f"starting the {backend.mode} stack ...")
            status = backend.up()
        elif args.action == "down":
            stopped = backend.down()
            print(
                f"{backend.mode} stack stopped" if stopped else f"{backend.mode} stack not running"
            )
            return 0
        elif args.action == "logs":
            print(backend.logs(args.tail, args.service), end="")
            return 0
        else:
            status = backend.status()
    except StackError as exc:
        say(str(exc))
        return 1
    print("\n".join(status.lines()))
    return 0 if status.healthy or args.action == "status" else 1


def _default_shell() -> str:
    shell = os.path.basename(os.environ.get("SHELL", ""))
    return shell if shell in ("bash", "zsh", "fish") else "bash"


def run_env(args: argparse.Namespace) -> int:
    from cc_pipeline import settings
    from cc_pipeline.stack.envhelper import render, telemetry_env, write_env_files

    if args.statusline:
        from cc_pipeline.stack.envhelper import statusline_settings

        print(json.dumps(statusline_settings(os.environ.get("CC_PIPELINE_HOME")), indent=2))
        return 0
    resource = _resource(args.mode)
    ports = (resource.grpc_port, resource.http_port) if resource.mode == "local" else (4317, 4318)
    env = telemetry_env(
        protocol=args.protocol,
        grpc_port=ports[0],
        http_port=ports[1],
        log_content=args.log_content,
        resource_attributes=args.resource_attributes,
    )
    if args.write:
        for path in write_env_files(env, settings.home()):
            say(f"wrote {path}")
    print(render(env, args.shell or _default_shell()), end="")
    return 0
