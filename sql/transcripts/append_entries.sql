-- The loadable lines of one batch (no _problem) move from the scratch table into
-- transcript_entries; lines with a problem stay behind (rejected_lines.sql quarantines them).
-- The scratch table is transcript_entries with _problem and _quarantine added at the end
-- (batch_tables.sql), so its other columns are transcript_entries' columns in their order.
INSERT INTO transcript_entries
SELECT * EXCEPT (_problem, _quarantine)
FROM _batch_transcript_entries
WHERE _problem = ''
