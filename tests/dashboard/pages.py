"""Reading a served dashboard page: its HTML and the JSON data block it carries."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.request import urlopen

from tests.collector.helpers import free_port

DATA_OPENING = '<script id="data" type="application/json">'


def fetch_page(url: str) -> tuple[str, dict[str, Any]]:
    """A page's HTML and the data its charts are drawn from."""
    html = urlopen(url, timeout=60).read().decode()
    start = html.index(DATA_OPENING) + len(DATA_OPENING)
    return html, json.loads(html[start : html.index("</script>", start)])


@contextmanager
def served_dashboard(env: dict[str, str]) -> Iterator[str]:
    """``cc-pipeline dashboard`` on a free port for the home of ``env``; its URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cc_pipeline.cli", "dashboard", "--no-open", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urlopen(url, timeout=30).read()
                break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not answer"
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
