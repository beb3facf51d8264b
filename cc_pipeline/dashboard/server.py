"""The dashboard's HTTP server: one page per URL, rendered from the URL's filters.

``/`` the dashboard (filters in the query string), ``/session?id=...`` one session,
``/static/<file>`` the vendored chart library. It binds to 127.0.0.1 by default and reads a
``Source``: the published Parquet files on the embedded engine (never the database itself),
the live tables on a ClickHouse server.
"""

from __future__ import annotations

import http.server
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cc_pipeline.dashboard.page import Filters, page_data, session_data, static_text
from cc_pipeline.dashboard.render import render_dashboard, render_session
from cc_pipeline.dashboard.source import LiveSource, PublishedSource, Source

log = logging.getLogger(__name__)
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


def source_from_env() -> Source:
    """Published data on the embedded engine; the live server (read-only) otherwise."""
    from cc_pipeline.resources.connection import connection_from_env

    connection = connection_from_env()
    if connection.mode == "server":
        return LiveSource.server(connection)
    return PublishedSource()


def respond(source: Source, target: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET of ``target``."""
    url = urlsplit(target)
    try:
        if url.path == "/":
            filters = Filters.parse(url.query)
            return 200, "text/html; charset=utf-8", _page(source, filters)
        if url.path == "/session":
            session = parse_qs(url.query).get("id", [""])[-1]
            html = render_session(session_data(source, session))
            return 200, "text/html; charset=utf-8", html.encode()
        if url.path.startswith("/static/"):
            name = url.path.removeprefix("/static/")
            kind = CONTENT_TYPES.get(name[name.rfind(".") :], "application/octet-stream")
            return 200, kind, static_text(name).encode()
    except ValueError as exc:
        return 400, "text/plain; charset=utf-8", str(exc).encode()
    except FileNotFoundError as exc:
        return 404, "text/plain; charset=utf-8", str(exc).encode()
    return 404, "text/plain; charset=utf-8", b"not found"


def _page(source: Source, filters: Filters) -> bytes:
    return render_dashboard(page_data(source, filters), filters).encode()


def export_html(source: Source, filters: Filters) -> str:
    """One self-contained page of ``filters``: chart library and data inlined."""
    return render_dashboard(page_data(source, filters), filters, inline=True)


class Handler(http.server.BaseHTTPRequestHandler):
    """GET only; every answer rendered by ``respond``."""

    source: Source

    def do_GET(self) -> None:
        try:
            status, kind, body = respond(self.source, self.path)
        except Exception:
            log.exception("dashboard request failed: %s", self.path)
            status, kind, body = 500, "text/plain; charset=utf-8", b"internal error (see the log)"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)


def make_server(source: Source, host: str = "127.0.0.1", port: int = 8765) -> Any:
    """A threaded HTTP server of the dashboard (``serve_forever`` runs it)."""
    handler = type("BoundHandler", (Handler,), {"source": source})
    return http.server.ThreadingHTTPServer((host, port), handler)
