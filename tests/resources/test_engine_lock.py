"""Waiting for a lock: a holder is named once while waiting and in the busy error."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from cc_pipeline.files.cursors import SourceBusy, source_lock

HOLDER = """
import sys, time
from pathlib import Path
from cc_pipeline.files.cursors import source_lock
with source_lock(Path(sys.argv[1]), 5):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(lock_file: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_file), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_a_held_source_names_its_holder_once_then_gives_up(tmp_path):
    lock_file = tmp_path / "cursors.lock"
    holder = hold(lock_file, 30)
    told: list[str] = []
    try:
        with pytest.raises(SourceBusy) as busy, source_lock(lock_file, 0.5, told.append):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert f"process {holder.pid}" in str(busy.value)
    assert len(told) == 1 and f"process {holder.pid}" in told[0] and "waiting" in told[0]


def test_a_held_source_is_waited_for(tmp_path):
    lock_file = tmp_path / "cursors.lock"
    holder = hold(lock_file, 1.5)
    started = time.monotonic()
    told: list[str] = []
    with source_lock(lock_file, 60, told.append):
        waited = time.monotonic() - started
    holder.wait()
    assert waited >= 1 and len(told) == 1
    assert lock_file.exists()  # the file stays: every waiter locks the same inode


def test_a_free_source_is_taken_without_a_word(tmp_path):
    told: list[str] = []
    with source_lock(tmp_path / "cursors.lock", 0, told.append):
        pass
    assert told == []
