"""Local OTLP receiver throughput: records/s and peak RSS, OTLP/HTTP protobuf and OTLP/gRPC.

A replay client sends the real Claude Code 2.1.197 request bodies (the fixture batches: events
and counters as Claude Code exports them) from several concurrent connections to a receiver
process, for a fixed time per protocol. The same batches are also written as JSONL by a plain
loop (serialise + append, no network, no parsing) in a child process, as the yardstick.

    python -m bench.collector_throughput [--seconds 10] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "claude-code-2.1.197" / "otlp"
GRPC_METHODS = {
    "logs": "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
    "metrics": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "traces": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
}


def load_batches() -> list[tuple[str, bytes, int, dict[str, Any]]]:
    """(signal, protobuf body, record count, Collector JSON) for each fixture request once."""
    from cc_pipeline.collector.otlp import SIGNALS, parse_json, parse_protobuf, to_dict

    batches = []
    for line in (FIXTURES / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        signal_ = SIGNALS[entry["signal"]]
        raw = (FIXTURES / entry["file"]).read_bytes()
        is_json = entry["content_type"] == "application/json"
        message = parse_json(signal_, raw) if is_json else parse_protobuf(signal_, raw)
        records = signal_.count(message)
        if records:
            batches.append((signal_.name, message.SerializeToString(), records, to_dict(message)))
    return batches


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class ReceiverProcess:
    def __init__(self, output: Path) -> None:
        self.ports = {"grpc": free_port(), "http": free_port(), "health": free_port()}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cc_pipeline.collector", "--output", str(output),
             "--grpc-port", str(self.ports["grpc"]), "--http-port", str(self.ports["http"]),
             "--health-port", str(self.ports["health"]), "--max-megabytes", "100"],
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                url = f"http://127.0.0.1:{self.ports['health']}/"
                with urllib.request.urlopen(url, timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("receiver did not start") from None
                time.sleep(0.1)

    def stop(self) -> float:
        rss = peak_rss_mb(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        return rss


def http_client(port: int, batches: list, stop: threading.Event, counts: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    while not stop.is_set():
        signal_, body, records, _ = batches[i % len(batches)]
        i += 1
        conn.request("POST", f"/v1/{signal_}", body, {"Content-Type": "application/x-protobuf"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}")
        counts[0] += records
        counts[1] += 1
    conn.close()


def grpc_client(port: int, batches: list, stop: threading.Event, counts: list[int]) -> None:
    import grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        calls = {name: channel.unary_unary(path) for name, path in GRPC_METHODS.items()}
        i = 0
        while not stop.is_set():
            signal_, body, records, _ = batches[i % len(batches)]
            i += 1
            calls[signal_](body, timeout=30)
            counts[0] += records
            counts[1] += 1


def run_protocol(name: str, batches: list, seconds: float, clients: int, work: Path) -> dict:
    output = work / name
    receiver = ReceiverProcess(output)
    stop = threading.Event()
    counts = [[0, 0] for _ in range(clients)]
    target = http_client if name == "otlp-http-protobuf" else grpc_client
    port = receiver.ports["http" if target is http_client else "grpc"]
    threads = [threading.Thread(target=target, args=(port, batches, stop, c)) for c in counts]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    rss = receiver.stop()
    records = sum(c[0] for c in counts)
    lines = sum(p.read_bytes().count(b"\n") for p in output.glob("*.jsonl"))
    requests = sum(c[1] for c in counts)
    assert lines == requests, (lines, requests)  # every answered request is on disk
    return {"name": name, "records": records, "requests": requests, "seconds": elapsed,
            "rate": records / elapsed, "rss_mb": rss}  # fmt: skip


def plain_loop(seconds: float, path: Path) -> None:
    """Child process: append the same batches as JSONL with a plain loop; print one result."""
    import orjson

    batches = load_batches()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    records = written = 0
    started = time.perf_counter()
    with open(path, "ab") as fh:
        while time.perf_counter() - started < seconds:
            for _, _, count, tree in batches:
                fh.write(orjson.dumps(tree) + b"\n")
                fh.flush()
                records += count
                written += 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": "plain JSONL loop", "records": records, "requests": written,
                      "seconds": elapsed, "rate": records / elapsed, "rss_mb": peak,
                      "rss_before_loop_mb": base}))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per protocol (10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--plain-loop", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.plain_loop:
        plain_loop(args.seconds, args.plain_loop)
        return 0
    batches = load_batches()
    per_batch = sum(b[2] for b in batches) / len(batches)
    print(f"{len(batches)} Claude Code batches (fixture requests), {per_batch:.1f} records each "
          f"on average; {args.clients} concurrent clients; {args.seconds:.0f}s per protocol; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="cc-collector-bench-"))
    try:
        results = [
            run_protocol(name, batches, args.seconds, args.clients, work)
            for name in ("otlp-http-protobuf", "otlp-grpc")
        ]
        child = subprocess.run(
            [sys.executable, "-m", "bench.collector_throughput", "--seconds", str(args.seconds),
             "--plain-loop", str(work / "plain.jsonl")],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        results.append(json.loads(child.stdout))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'path':<20} {'records/s':>11} {'requests/s':>11} {'records':>10} {'peak RSS':>10}")
    for r in results:
        print(f"{r['name']:<20} {r['rate']:>11,.0f} {r['requests'] / r['seconds']:>11,.0f} "
              f"{r['records']:>10,} {r['rss_mb']:>8.0f} MB")  # fmt: skip
    target = 5000
    slowest = min(r["rate"] for r in results[:2])
    verdict = "meets" if slowest >= target else "misses"
    print(f"receiver {verdict} the {target:,} records/s target (slowest protocol {slowest:,.0f}/s)")
    return 0 if slowest >= target else 1


if __name__ == "__main__":
    raise SystemExit(main())
