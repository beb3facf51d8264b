"""What both stack modes report, and their errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field


class StackError(RuntimeError):
    """A stack operation failed; the message is meant for the user as it is."""


class DockerUnavailable(StackError):
    """No Docker daemon answers (or the docker CLI/Compose plugin is missing)."""


@dataclass
class ServiceState:
    """One service of the stack: a container or the receiver process."""

    name: str
    state: str  # running | exited | absent | ...
    health: str = "none"  # healthy | unhealthy | starting | none
    detail: str = ""

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass
class StackStatus:
    mode: str
    services: list[ServiceState]
    endpoints: dict[str, str] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return bool(self.services) and all(s.running for s in self.services)

    @property
    def healthy(self) -> bool:
        return self.running and all(s.health in ("healthy", "none") for s in self.services)

    def lines(self) -> list[str]:
        out = [f"mode        {self.mode}"]
        for s in self.services:
            extra = f" ({s.detail})" if s.detail else ""
            out.append(f"{s.name:<18} {s.state}, health {s.health}{extra}")
        out += [f"{name:<18} {url}" for name, url in self.endpoints.items()]
        return out


def http_health(url: str, timeout: float = 2.0) -> tuple[int | None, str]:
    """GET a health_check-style endpoint: (HTTP status or None when unreachable, status text)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read(4096)
            code = response.status
    except urllib.error.HTTPError as exc:
        return exc.code, exc.reason or "error"
    except (urllib.error.URLError, OSError) as exc:
        return None, str(getattr(exc, "reason", exc))
    try:
        return code, str(json.loads(body).get("status", ""))
    except (ValueError, AttributeError):
        return code, body.decode(errors="replace")[:80]
