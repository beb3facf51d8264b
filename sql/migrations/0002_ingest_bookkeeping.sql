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

-- Per-batch scratch table: complete lines of one file handed over by the tailer. Each line is
-- validated and classified once, on insert; the parse queries then read only good lines.
CREATE TABLE IF NOT EXISTS _staging_telemetry_lines (
    offset UInt64,
    line String,
    problem LowCardinality(String) MATERIALIZED multiIf(
        NOT isValidUTF8(line), 'invalid UTF-8',
        NOT isValidJSON(line), 'invalid JSON',
        ''),
    signal LowCardinality(String) MATERIALIZED multiIf(
        problem != '', '',
        startsWith(line, '{"resourceLogs"'), 'logs',
        startsWith(line, '{"resourceMetrics"'), 'metrics',
        startsWith(line, '{"resourceSpans"'), 'traces',
        JSONHas(line, 'resourceLogs'), 'logs',
        JSONHas(line, 'resourceMetrics'), 'metrics',
        JSONHas(line, 'resourceSpans'), 'traces',
        '')
) ENGINE = Memory;
