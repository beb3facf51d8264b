-- Lines that could not be loaded: where they are and why, never their content.
CREATE TABLE IF NOT EXISTS ingest_quarantine (
    quarantined_at DateTime64(3, 'UTC') DEFAULT now64(3),
    source LowCardinality(String),
    file_path String,
    _file_key LowCardinality(String),
    _offset UInt64,
    length UInt64,
    reason String
) ENGINE = MergeTree
ORDER BY (source, _file_key, _offset);

-- Per-batch scratch table: complete lines of one file handed over by the tailer. The parse
-- queries validate (UTF-8, JSON) and classify lines themselves, in parallel.
CREATE TABLE IF NOT EXISTS _staging_telemetry_lines (
    offset UInt64,
    line String
) ENGINE = Memory;
