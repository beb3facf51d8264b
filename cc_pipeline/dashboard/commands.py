"""``cc-pipeline dashboard``: serve the dashboard on 127.0.0.1 and open it in a browser."""

from __future__ import annotations

import argparse
import threading
import webbrowser
from pathlib import Path

from cc_pipeline.console import say
from cc_pipeline.dashboard.source import DIMENSIONS


def add_dashboard(parser: argparse.ArgumentParser) -> None:
    """Serve the dashboard from the data the pipeline publishes after each refresh (embedded
    engine; it never opens the database) or from a ClickHouse server (read-only), and open it
    in a browser."""
    parser.add_argument("--serve", action="store_true", help="serve (the default)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-open", action="store_true", help="serve without opening a browser")
    parser.add_argument(
        "--export", type=Path, metavar="FILE", help="write one self-contained HTML page and exit"
    )
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="first day of the exported page")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="last day of the exported page")
    for column in DIMENSIONS:
        parser.add_argument(f"--{column.replace('_', '-')}", dest=column, action="append")
    parser.set_defaults(func=run_dashboard)


def _export_query(args: argparse.Namespace) -> str:
    from urllib.parse import urlencode

    given = vars(args)
    pairs = [(k, given[k]) for k in ("since", "until") if given[k]]
    pairs += [(c, v) for c in DIMENSIONS for v in given[c] or []]
    return urlencode(pairs)


def run_dashboard(args: argparse.Namespace) -> int:
    from cc_pipeline.dashboard.page import Filters
    from cc_pipeline.dashboard.server import export_html, make_server, source_from_env

    source = source_from_env()
    if args.export:
        try:
            html = export_html(source, Filters.parse(_export_query(args)))
        except (ValueError, FileNotFoundError) as exc:
            say(str(exc))
            return 1
        args.export.write_text(html, encoding="utf-8")
        print(args.export)
        return 0
    server = make_server(source, args.host, args.port)
    url = f"http://{args.host}:{server.server_address[1]}/"
    say(f"dashboard on {url} ({source.describe()}; Ctrl-C stops)")
    print(url, flush=True)
    if not args.no_open:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
