"""Exactly-once tailing of folders of JSONL files (file identity, cursors, rotation, quarantine).

Both inputs of the pipeline, the Collector's telemetry files and Claude Code's transcripts,
are append-only JSONL that rotate, truncate, grow a partial last line or vanish. This package
reads only complete new lines in bounded batches and moves a persisted cursor only after the
batch's rows are committed; the sources differ only in how a line becomes rows.
"""
