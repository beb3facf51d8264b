"""The local (embedded) stack: the OTLP receiver as a managed background process.

The process is started detached (its own session), and a pid file under
``CC_PIPELINE_HOME/collector`` records it, so a later ``cc-pipeline`` command, a sensor or a
restarted Dagster finds and manages the same process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cc_pipeline.stack.base import ServiceState, StackError, StackStatus, http_health

MARKER = "cc_pipeline.collector"
SERVICE = "otel-receiver"


def _proc_state(pid: int) -> str | None:
    """'R', 'S', 'Z', ... from /proc, or None if the process does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[-1].split()[0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = _proc_state(pid)
    if state == "Z":
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _is_receiver(pid: int) -> bool:
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return True  # no /proc (macOS): trust the pid file
    try:
        return MARKER.encode() in cmdline.read_bytes()
    except OSError:
        return False


@dataclass
class LocalStack:
    """Start, stop and report the receiver process."""

    state_dir: Path
    output_dir: Path
    host: str = "127.0.0.1"
    grpc_port: int = 4317
    http_port: int = 4318
    health_port: int = 13133
    start_timeout: float = 20.0
    python: str = field(default_factory=lambda: sys.executable)

    mode = "local"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "receiver.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "receiver.log"

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.health_port}/"

    @property
    def metrics_url(self) -> str:
        return f"http://{self.host}:{self.health_port}/metrics"

    def endpoints(self) -> dict[str, str]:
        return {
            "otlp grpc": f"http://{self.host}:{self.grpc_port}",
            "otlp http": f"http://{self.host}:{self.http_port}",
            "health": self.health_url,
            "output": str(self.output_dir),
        }

    def read_pid(self) -> int | None:
        """The receiver's pid if it is running; a stale pid file is removed."""
        try:
            record = json.loads(self.pid_file.read_text())
            pid = int(record["pid"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None
        if _alive(pid) and _is_receiver(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def command(self) -> list[str]:
        return [
            self.python, "-m", MARKER,
            "--host", self.host,
            "--grpc-port", str(self.grpc_port),
            "--http-port", str(self.http_port),
            "--health-port", str(self.health_port),
            "--output", str(self.output_dir),
        ]  # fmt: skip

    def up(self) -> StackStatus:
        """Start the receiver unless it already runs; wait until its health endpoint answers."""
        if self.read_pid() is None:
            self._spawn()
        return self.status()

    def _spawn(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        # Reap the child when it ends if this process outlives it (no zombie in `ps`).
        threading.Thread(target=proc.wait, name="receiver-reaper", daemon=True).start()
        self.pid_file.write_text(
            json.dumps({"pid": proc.pid, "started": time.time(), "command": self.command()})
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise StackError(
                    f"the OTLP receiver exited at start (code {proc.returncode}): "
                    f"{self.logs(5).strip() or 'no output'}"
                )
            code, _ = http_health(self.health_url, timeout=0.5)
            if code == 200:
                return
            time.sleep(0.1)
        self.down(timeout=5)
        raise StackError(
            f"the OTLP receiver did not answer {self.health_url} within {self.start_timeout:.0f}s"
        )

    def down(self, timeout: float = 15.0) -> bool:
        """SIGTERM the receiver (it flushes and closes its file); SIGKILL after ``timeout``."""
        pid = self.read_pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def restart(self, service: str | None = None) -> StackStatus:
        self.down()
        return self.up()

    restart_collector = restart

    def collector_state(self) -> ServiceState:
        pid = self.read_pid()
        if pid is None:
            return ServiceState(SERVICE, "absent", detail="not started")
        code, text = http_health(self.health_url)
        health = "healthy" if code == 200 else "unhealthy"
        return ServiceState(SERVICE, "running", health, f"pid {pid}; health {code or text}")

    def status(self) -> StackStatus:
        return StackStatus(self.mode, [self.collector_state()], self.endpoints())

    def logs(self, tail: int = 100, service: str | None = None) -> str:
        try:
            with open(self.log_file, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(0, fh.tell() - 256 * 1024))
                lines = fh.read().decode(errors="replace").splitlines()
        except FileNotFoundError:
            return ""
        return "\n".join(lines[-tail:]) + ("\n" if lines else "")

    def describe(self) -> dict[str, Any]:
        return {"mode": self.mode, "pid_file": str(self.pid_file), **self.endpoints()}
