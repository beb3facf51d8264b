"""Batches are staged in runs of about equal bytes: every item once, in order."""

from __future__ import annotations

import pytest

from cc_pipeline.files.rowbinary import balanced_runs


@pytest.mark.parametrize(
    ("sizes", "parts"),
    [([100] * 10, 4), ([1, 1, 1, 500, 1, 1], 3), ([7], 5), ([], 3), ([3, 0, 0, 3], 2)],
)
def test_runs_cover_every_item_once_in_order(sizes, parts):
    runs = balanced_runs(sizes, parts)
    assert len(runs) <= max(1, parts)
    covered = [i for start, stop in runs for i in range(start, stop)]
    assert covered == list(range(len(sizes)))
    assert all(stop > start for start, stop in runs)


def test_equal_items_split_evenly():
    assert balanced_runs([100] * 8, 4) == [(0, 2), (2, 4), (4, 6), (6, 8)]
