"""Every kind of bad line is quarantined with its reason and counted; the rest still loads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.transcripts.helpers import assistant, dumps, run, totals, write_session


def test_bad_lines_are_quarantined_and_the_file_still_loads(
    ch: Any, tmp_path: Path, batch_lines: str
) -> None:
    good = [assistant(f"m{i}", f"r{i}") for i in range(3)]
    huge = dumps(assistant("m_huge", "r_huge", text="x" * 200_000))
    path = write_session(
        tmp_path,
        [
            good[0],
            '{"type":"assistant","message":{"id":"m_trunc","usage":{"input_tok',  # truncated
            b'{"type":"user","message":{"content":"caf\xe9"}}',  # Latin-1, not UTF-8
            "not json at all",
            "[1, 2, 3]",
            huge,
            assistant("m_float", "r_float", output_tokens=12.5),
            assistant("m_neg", "r_neg", input_tokens=-4),
            assistant("m_str", "r_str", output_tokens="7"),
            good[1],
        ],
    )
    with open(path, "ab") as fh:  # a partial last line: not read until it is complete
        fh.write(dumps(good[2]).encode()[:40])
    summary = run(ch, tmp_path, max_line_bytes=100_000)
    assert totals(ch)[:3] == (2, 20, 10)
    reasons = dict(
        ch.query(
            "SELECT reason, count() FROM ingest_quarantine WHERE source = 'transcripts' "
            "GROUP BY reason"
        ).result_rows
    )
    assert reasons.pop("invalid JSON (malformed or truncated line)") == 2
    assert reasons.pop("invalid UTF-8") == 1
    assert reasons.pop("valid JSON but not an object") == 1
    assert reasons.pop("line longer than 100000 bytes") == 1
    assert sum(reasons.values()) == 3
    assert all("not a non-negative integer" in r for r in reasons)
    assert sorted(r.split(": ")[1].split(" ")[0] for r in reasons) == [
        "input_tokens",
        "output_tokens",
    ]
    assert summary.quarantined == 8
    # the badly typed lines keep their metadata, marked as not counted
    flagged = ch.query(
        "SELECT message_id FROM transcript_entries WHERE NOT countable AND skip_reason != '' "
        "ORDER BY message_id"
    ).result_rows
    assert flagged == [("m_float",), ("m_neg",), ("m_str",)]

    # completing the partial line loads it, once
    with open(path, "ab") as fh:
        fh.write(dumps(good[2]).encode()[40:] + b"\n")
    again = run(ch, tmp_path, max_line_bytes=100_000)
    assert again.quarantined == 0
    assert totals(ch)[:3] == (3, 30, 15)


def test_binary_file_is_quarantined_not_fatal(ch: Any, tmp_path: Path) -> None:
    write_session(tmp_path, [assistant("m1", "r1")])
    binary = tmp_path / "projects" / "-home-dev-app" / "s2.jsonl"
    binary.write_bytes(b"\x00\x01\x02garbage\n")
    summary = run(ch, tmp_path)
    assert totals(ch)[0] == 1
    assert summary.quarantined == 1
