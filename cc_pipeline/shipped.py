"""The files the package carries and reads at run time, found through ``importlib.resources``.

Developers edit them at the top of the checkout (``sql/``, ``docker/``); the package holds
them as ``cc_pipeline/sql`` and ``cc_pipeline/docker`` (links to those folders in a checkout,
copies in a built wheel), so an installed ``cc-pipeline`` never looks for a checkout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

PACKAGE = "cc_pipeline"


def root() -> Traversable:
    return resources.files(PACKAGE)


def sql_dir() -> Traversable:
    """The SQL the package runs: ``migrations/``, ``views/`` and one folder per domain."""
    return root() / "sql"


@cache
def sql_text(relative_path: str) -> str:
    """The text of ``sql/<relative_path>``."""
    node = sql_dir()
    for part in relative_path.split("/"):
        node = node / part
    if not node.is_file():
        raise FileNotFoundError(f"cc_pipeline ships no sql/{relative_path}")
    return node.read_text(encoding="utf-8")


def sql_folder(relative_path: str) -> list[tuple[str, str]]:
    """(file name, text) of every ``.sql`` file in ``sql/<relative_path>``, by name."""
    folder = sql_dir() / relative_path
    if not folder.is_dir():
        return []
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.is_file() and entry.name.endswith(".sql")
    )


def data_text(relative_path: str) -> str:
    """A data file of the package (``transcripts/prices.json``, ``dashboard/static/page.js``)."""
    node = root()
    for part in relative_path.split("/"):
        node = node / part
    return node.read_text(encoding="utf-8")


@contextmanager
def docker_dir() -> Iterator[Path]:
    """The shipped ``docker/`` folder (compose files, collector and ClickHouse config) as a
    real folder for as long as the ``with`` lasts."""
    with resources.as_file(root() / "docker") as path:
        yield Path(path)
