"""OTLP/gRPC: the three Export services on one grpcio server (gzip handled by grpcio)."""

from __future__ import annotations

from concurrent import futures
from typing import Any

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

from cc_pipeline.collector.otlp import LOGS, METRICS, TRACES, Signal
from cc_pipeline.collector.sink import JsonlSink, SinkClosed


def _export(sink: JsonlSink, signal: Signal, request: Any, context: grpc.ServicerContext) -> Any:
    try:
        sink.consume(signal, request, "grpc")
    except SinkClosed as exc:
        sink.stats.refuse(signal.unit, "grpc", 0, 503)
        context.abort(grpc.StatusCode.UNAVAILABLE, str(exc))
    return signal.response()


class LogsServicer(logs_service_pb2_grpc.LogsServiceServicer):
    def __init__(self, sink: JsonlSink) -> None:
        self.sink = sink

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _export(self.sink, LOGS, request, context)


class MetricsServicer(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, sink: JsonlSink) -> None:
        self.sink = sink

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _export(self.sink, METRICS, request, context)


class TraceServicer(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, sink: JsonlSink) -> None:
        self.sink = sink

    def Export(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _export(self.sink, TRACES, request, context)


def build_grpc_server(
    sink: JsonlSink,
    host: str,
    port: int,
    max_message_bytes: int,
    workers: int = 8,
    *,
    max_concurrent: int = 64,
) -> tuple[grpc.Server, int]:
    """A started-ready (not yet started) server and the port it bound (``port=0`` picks one).

    Messages over ``max_message_bytes`` and calls beyond ``max_concurrent`` are refused by
    grpcio itself (RESOURCE_EXHAUSTED)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="otlp-grpc"),
        maximum_concurrent_rpcs=max_concurrent,
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.so_reuseport", 0),
        ],
    )
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(LogsServicer(sink), server)
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(MetricsServicer(sink), server)
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(TraceServicer(sink), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot bind OTLP/gRPC on {host}:{port} (port in use?)")
    return server, bound
