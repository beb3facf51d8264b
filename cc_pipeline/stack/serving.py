"""The stack around ``cc-pipeline serve`` (``make run``): start the local receiver with Dagster
and stop it afterwards, leaving alone a stack that was already running or runs in Docker."""

from __future__ import annotations

from collections.abc import Callable

from cc_pipeline.stack.base import StackError
from cc_pipeline.stack.local import LocalStack


def start_for_serve(say: Callable[[str], None]) -> LocalStack | None:
    """The local stack this call started (to stop later), else None."""
    from cc_pipeline.resources.stack import stack_from_env

    resource = stack_from_env()
    if resource.mode != "local":
        say(f"telemetry stack mode {resource.mode}: manage it with cc-pipeline stack up|down")
        return None
    local = resource.local()
    if local.read_pid() is not None:
        say(f"OTLP receiver already running (pid file {local.pid_file}); leaving it as it is")
        return None
    try:
        status = local.up()
    except StackError as exc:
        say(f"OTLP receiver not started: {exc}")
        return None
    endpoints = status.endpoints
    say(
        f"OTLP receiver on {endpoints['otlp grpc']} (gRPC) and {endpoints['otlp http']} (HTTP), "
        f'writing {endpoints["output"]}; point Claude Code at it: eval "$(cc-pipeline env)"'
    )
    return local


def stop_after_serve(local: LocalStack | None, say: Callable[[str], None]) -> None:
    if local is not None and local.down():
        say("OTLP receiver stopped")
