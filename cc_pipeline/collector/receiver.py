"""The local receiver: OTLP/gRPC + OTLP/HTTP in, one rotating JSONL file out, a health port.

It stands in for the Collector of the Docker stack (``otlp`` receiver, ``file`` exporter with
rotation, ``health_check`` extension) so ingestion reads the same files either way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cc_pipeline.collector.grpc_receiver import build_grpc_server
from cc_pipeline.collector.http_receiver import HealthServer, OtlpHttpServer
from cc_pipeline.collector.limits import Limits
from cc_pipeline.collector.sink import JsonlSink
from cc_pipeline.collector.stats import ReceiverStats
from cc_pipeline.collector.writer import FsyncPolicy, RotatingJsonlWriter

LIVE_FILE = "telemetry.jsonl"


@dataclass
class ReceiverConfig:
    """Ports 0 pick free ones; the bound ports are on the started Receiver."""

    output_dir: Path
    host: str = "127.0.0.1"
    grpc_port: int = 4317
    http_port: int = 4318
    health_port: int = 13133
    file_name: str = LIVE_FILE
    max_megabytes: float = 100
    max_backups: int = 100
    grpc_workers: int = 8
    fsync: FsyncPolicy = FsyncPolicy.INTERVAL
    fsync_interval: float = 1.0
    limits: Limits = field(default_factory=Limits)


class Receiver:
    """Start, serve and stop the three listeners around one JSONL writer."""

    def __init__(self, config: ReceiverConfig) -> None:
        self.config = config
        self.stats = ReceiverStats()
        self.stats.watch_writer(lambda: self.writer)
        self.writer: RotatingJsonlWriter | None = None
        self.sink: JsonlSink | None = None
        self._grpc: Any = None
        self._http: OtlpHttpServer | None = None
        self._health: HealthServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()
        self.grpc_port = config.grpc_port
        self.http_port = config.http_port
        self.health_port = config.health_port

    @property
    def output_path(self) -> Path:
        return self.config.output_dir / self.config.file_name

    def metrics_text(self) -> bytes:
        """The Prometheus exposition served at ``/metrics``."""
        return self.stats.exposition()

    def start(self) -> Receiver:
        cfg = self.config
        self.writer = RotatingJsonlWriter(
            self.output_path,
            max_megabytes=cfg.max_megabytes,
            max_backups=cfg.max_backups,
            fsync=cfg.fsync,
            fsync_interval=cfg.fsync_interval,
        )
        self.sink = JsonlSink(self.writer, self.stats)
        try:
            self._health = HealthServer((cfg.host, cfg.health_port), self.metrics_text)
            self.health_port = self._health.server_address[1]
            self._grpc, self.grpc_port = build_grpc_server(
                self.sink, cfg.host, cfg.grpc_port, cfg.limits.max_body_bytes, cfg.grpc_workers,
                max_concurrent=cfg.limits.max_connections,
            )  # fmt: skip
            self._http = OtlpHttpServer((cfg.host, cfg.http_port), self.sink, cfg.limits)
            self.http_port = self._http.server_address[1]
        except BaseException:
            self._close_listeners(grace=0)
            if self._health is not None:
                self._health.server_close()
            self.writer.close()
            self._stopped.set()
            raise
        self._grpc.start()
        for name, server in (("otlp-http", self._http), ("health", self._health)):
            thread = threading.Thread(
                target=server.serve_forever, args=(0.1,), name=name, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        self._health.ready.set()
        return self

    def _close_listeners(self, grace: float = 5.0) -> None:
        if self._health is not None:
            self._health.ready.clear()
        if self._http is not None:
            if self._threads:  # shutdown() waits for serve_forever, which runs only once started
                self._http.shutdown()
            self._http.server_close()
        if self._grpc is not None:
            self._grpc.stop(grace).wait(grace + 1)

    def stop(self, grace: float = 5.0) -> None:
        """Stop listening, finish requests in flight, flush and close the file."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._close_listeners(grace)
        if self.sink is not None:
            self.sink.close(timeout=grace)
        if self._health is not None:
            if self._threads:
                self._health.shutdown()
            self._health.server_close()
        for thread in self._threads:
            thread.join(timeout=grace)

    def wait(self, timeout: float | None = None) -> bool:
        return self._stopped.wait(timeout)

    def serve_until_signalled(self, announce: Callable[[str], None] = print) -> None:
        """Run in the foreground until SIGTERM or SIGINT, then shut down cleanly."""
        stop_requested = threading.Event()

        def on_signal(signum: int, _frame: Any) -> None:
            stop_requested.set()

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            announce(
                f"OTLP receiver: gRPC {self.config.host}:{self.grpc_port}, "
                f"HTTP {self.config.host}:{self.http_port}, health "
                f"http://{self.config.host}:{self.health_port}/ -> {self.output_path}"
            )
            while not stop_requested.wait(0.5):
                pass
            announce("stopping: finishing requests in flight and closing the file")
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
