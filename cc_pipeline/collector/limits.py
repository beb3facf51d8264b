"""What bounds the receiver's memory and time per request: a byte budget shared by every
connection, and socket reads that stop at a deadline rather than per idle ``recv``."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds of the OTLP/HTTP listener (the gRPC server shares the request size and count).

    ``max_inflight_bytes`` is the sum over all connections of request bodies being received,
    held or inflated; a request that would pass it is refused with 503 at once. Idle keep-alive
    connections close after ``idle_timeout``; request headers must arrive within
    ``header_timeout`` and a body within ``body_timeout`` (else 408), however slowly trickled.
    """

    max_body_bytes: int = 20 * MiB  # the Collector's HTTP max_request_body_size
    max_inflight_bytes: int = 64 * MiB
    max_connections: int = 64
    idle_timeout: float = 30.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_header_bytes: int = 256 * 1024


class Busy(Exception):
    """The byte budget cannot cover this request now (503, retryable)."""


class ByteBudget:
    """Bytes held by requests in flight, across connections, never above ``capacity``."""

    def __init__(self, capacity: int, observe: Callable[[int], None] | None = None) -> None:
        self.capacity = capacity
        self._used = 0
        self._lock = threading.Lock()
        self._observe = observe

    @property
    def used(self) -> int:
        return self._used

    def take(self, amount: int) -> None:
        """Reserve ``amount`` bytes or raise Busy."""
        with self._lock:
            if self._used + amount > self.capacity:
                raise Busy(
                    f"receiver busy: {self._used} of {self.capacity} bytes in flight, "
                    f"{amount} more requested"
                )
            self._used += amount
            self._report()

    def give(self, amount: int) -> None:
        with self._lock:
            self._used -= amount
            self._report()

    def _report(self) -> None:
        if self._observe is not None:
            self._observe(self._used)

    def lease(self) -> Lease:
        return Lease(self)


class Lease:
    """One request's share of the budget, returned whole when the request ends."""

    def __init__(self, budget: ByteBudget) -> None:
        self.budget = budget
        self.held = 0

    def take(self, amount: int) -> None:
        self.budget.take(amount)
        self.held += amount

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.held:
            self.budget.give(self.held)
            self.held = 0


class HeaderTooLarge(ConnectionError):
    """More header bytes than allowed: the connection is dropped."""


class DeadlineReader(io.RawIOBase):
    """Raw socket reads that raise TimeoutError once ``deadline`` (monotonic) has passed, so a
    peer trickling a byte at a time cannot hold a connection past it."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline: float | None = None
        self.cap: int | None = None  # bytes still allowed in the current phase

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.deadline is not None:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("read deadline passed")
            self._sock.settimeout(remaining)
        count = self._sock.recv_into(buffer)
        if self.cap is not None:
            self.cap -= count
            if self.cap < 0:
                raise HeaderTooLarge("request headers too large")
        return count

    def phase(self, seconds: float, cap: int | None = None) -> None:
        """Start a phase: reads must complete within ``seconds`` and ``cap`` bytes."""
        self.deadline = time.monotonic() + seconds
        self.cap = cap
