"""Start the real ``cc-pipeline serve`` in a scratch CC_PIPELINE_HOME, for the benchmarks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE_PORTS = (4317, 4318, 13133, 8765)  # the receiver's and the dashboard's, as serve starts them
LOCATIONS_QUERY = (
    "{ workspaceOrError { ... on Workspace { locationEntries { name "
    "locationOrLoadError { __typename } } } } }"
)


@dataclass
class Serving:
    home: Path
    ui_port: int
    process: subprocess.Popen[bytes]
    started: float

    @property
    def otlp_http(self) -> str:
        return "http://127.0.0.1:4318"

    @property
    def dashboard(self) -> str:
        """The dashboard ``serve`` starts beside Dagster (``cc-pipeline dashboard``'s port)."""
        return "http://127.0.0.1:8765"

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run a ``cc-pipeline`` command against the served home."""
        return subprocess.run(
            [sys.executable, "-m", "cc_pipeline.cli", *args],
            cwd=ROOT,
            env=_env(self.home),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, CC_PIPELINE_HOME=str(home), PYTHONPATH=str(ROOT))
    for name in ("CC_PIPELINE_CHDB_DIR", "CC_PIPELINE_TELEMETRY_DIR", "CC_PIPELINE_STACK"):
        env.pop(name, None)
    env["CLAUDE_CONFIG_DIR"] = str(home / "claude-config")
    return env


def graphql(
    port: int, query: str, variables: dict[str, str] | None = None, timeout: float = 60
) -> dict:
    """The ``data`` of a query to the Dagster UI's GraphQL API on ``port``."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload: dict = json.loads(response.read())
    if payload.get("errors"):
        raise RuntimeError(f"GraphQL error: {payload['errors']}")
    return payload["data"]


def ui_ready(port: int) -> bool:
    """True once the UI answers and the code location has loaded its definitions."""
    try:
        data = graphql(port, LOCATIONS_QUERY, timeout=2)
    except (urllib.error.URLError, OSError, ValueError, RuntimeError):
        return False
    entries = (data.get("workspaceOrError") or {}).get("locationEntries") or []
    return bool(entries) and all(
        (e.get("locationOrLoadError") or {}).get("__typename") == "RepositoryLocation"
        for e in entries
    )


@contextmanager
def serve() -> Iterator[Serving]:
    """``cc-pipeline serve`` on a free UI port in a scratch home; stopped with Ctrl-C after."""
    busy = [p for p in SERVE_PORTS if _port_taken(p)]
    if busy:
        raise SystemExit(f"ports {busy} are in use (is `make run` up?); stop it first")
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as scratch:
        home = Path(scratch) / "home"
        port = free_port()
        log = open(Path(scratch) / "serve.log", "wb")  # noqa: SIM115 - closed below
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "cc_pipeline.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=_env(home),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield Serving(home, port, process, started)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()
            if os.environ.get("BENCH_SHOW_LOG"):
                sys.stderr.write((Path(scratch) / "serve.log").read_text(errors="replace"))


def wait_for_ui(serving: Serving, timeout: float = 120) -> float:
    """Seconds from the start of ``serve`` until the UI answers with its definitions."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if serving.process.poll() is not None:
            raise SystemExit(f"cc-pipeline serve exited with {serving.process.returncode}")
        if ui_ready(serving.ui_port):
            return time.monotonic() - serving.started
        time.sleep(0.2)
    raise SystemExit(f"the UI did not answer within {timeout:.0f}s")
