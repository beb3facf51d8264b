-- Scratch tables of one transcript batch, recreated at the start of each run so they always
-- follow the transcript_entries definition. The blobs table holds the batch's lines as framed
-- by the loader (one row per file: its identity and path facts, offsets, newline-joined lines); the entries scratch
-- table holds one row per line, with the reason when the line is not loadable.
DROP TABLE IF EXISTS _staging_transcript_blobs;
CREATE TABLE _staging_transcript_blobs (
    file_key String,
    file_path String,
    root String,
    kind String,
    project String,
    session String,
    agent String,
    offsets Array(UInt64),
    lines String
) ENGINE = Memory;
DROP TABLE IF EXISTS _batch_transcript_entries;
CREATE TABLE _batch_transcript_entries AS transcript_entries ENGINE = Memory;
ALTER TABLE _batch_transcript_entries
    ADD COLUMN _problem LowCardinality(String), ADD COLUMN _quarantine Bool;
