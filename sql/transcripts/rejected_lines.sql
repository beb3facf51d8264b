-- Lines of one batch that are not loadable JSON objects: where they are and why, never content.
INSERT INTO ingest_quarantine (source, file_path, _file_key, _offset, length, reason)
SELECT 'transcripts', {file_paths:Array(String)}[file_index + 1], {file_keys:Array(String)}[file_index + 1],
       offset, length(line) + 1, problem
FROM _staging_transcript_lines
WHERE problem != ''
