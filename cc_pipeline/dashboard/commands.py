"""``cc-pipeline dashboard``: build the dashboard from the rollups and open or serve it."""

from __future__ import annotations

import argparse
import functools
import http.server
import webbrowser

from cc_pipeline.console import add_wait_option, say


def add_dashboard(parser: argparse.ArgumentParser) -> None:
    """Build the dashboard from the rollup tables and open it in a browser."""
    parser.add_argument("--serve", action="store_true", help="serve it over HTTP instead")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-build", action="store_true", help="open the last build as it is")
    parser.add_argument("--no-open", action="store_true", help="only build and print the path")
    add_wait_option(parser)
    parser.set_defaults(func=run_dashboard)


def run_dashboard(args: argparse.Namespace) -> int:
    from cc_pipeline.dashboard.build import build_dashboard, dashboard_path
    from cc_pipeline.resources.connection import connection_from_env
    from cc_pipeline.schema import migrate

    path = dashboard_path()
    if not args.no_build:
        resource = connection_from_env(busy_timeout_s=args.wait)
        with resource.connect(on_wait=say) as client:
            migrate(client)
            path = build_dashboard(client).path
    if not path.exists():
        say(f"no dashboard at {path}: run `cc-pipeline rollup` first")
        return 1
    print(path)
    if args.serve:
        handler = functools.partial(
            http.server.SimpleHTTPRequestHandler, directory=str(path.parent)
        )
        server = http.server.ThreadingHTTPServer((args.host, args.port), handler)
        say(f"serving http://{args.host}:{server.server_address[1]}/{path.name} (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    elif not args.no_open:
        webbrowser.open(path.as_uri())
    return 0
