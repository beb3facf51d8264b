-- Scratch tables of one transcript batch, recreated at the start of each run so they always
-- follow the transcript_entries definition. Each line is validated once, on insert.
DROP TABLE IF EXISTS _staging_transcript_blobs;
CREATE TABLE _staging_transcript_blobs (
    file_index UInt32,
    offsets Array(UInt64),
    lines String
) ENGINE = Memory;
DROP TABLE IF EXISTS _staging_transcript_lines;
CREATE TABLE _staging_transcript_lines (
    file_index UInt32,
    offset UInt64,
    line String,
    problem LowCardinality(String) MATERIALIZED multiIf(
        NOT isValidUTF8(line), 'invalid UTF-8',
        NOT isValidJSON(line), 'invalid JSON (malformed or truncated line)',
        NOT (startsWith(line, '{') OR match(line, '^[ \\t\\r]+\\{')), 'valid JSON but not an object',
        '')
) ENGINE = Memory;
DROP TABLE IF EXISTS _batch_transcript_entries;
CREATE TABLE _batch_transcript_entries AS transcript_entries ENGINE = Memory;
ALTER TABLE _batch_transcript_entries ADD COLUMN _quarantine Bool;
