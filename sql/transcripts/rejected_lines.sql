-- Lines of one batch that cannot be loaded (not UTF-8, not JSON, not an object) or cannot be
-- counted (a token count that is not a non-negative integer): where they are and why, never
-- their content. The badly typed lines keep their metadata in transcript_entries.
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT
    'transcripts', file_path, _file_key, _offset, line_length,
    if(_problem != '', _problem, concat(skip_reason, ' (metadata kept, line not counted)'))
FROM _batch_transcript_entries
WHERE _quarantine
