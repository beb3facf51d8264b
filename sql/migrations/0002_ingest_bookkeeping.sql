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

-- Per-batch scratch table: complete lines of one file handed over by the tailer, with the
-- signal their first key names (1 logs, 2 metrics, 3 traces, 0 unknown).
CREATE TABLE IF NOT EXISTS _staging_telemetry_lines (
    offset UInt64,
    signal UInt8,
    line String
) ENGINE = Memory;

-- Log records are parsed once into this Null table; one view appends them to otel_logs,
-- another notes the lines whose records held a number that is not a number.
CREATE TABLE IF NOT EXISTS _parsed_log_records AS otel_logs ENGINE = Null;
ALTER TABLE _parsed_log_records
    ADD COLUMN IF NOT EXISTS _line_length UInt64,
    ADD COLUMN IF NOT EXISTS _malformed Array(String);

CREATE TABLE IF NOT EXISTS _batch_malformed (
    offset UInt64,
    line_length UInt64,
    keys Array(String)
) ENGINE = Memory;

CREATE MATERIALIZED VIEW IF NOT EXISTS _parsed_log_records_to_otel_logs TO otel_logs AS
SELECT
    Timestamp, TimestampTime, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber,
    ServiceName, Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName,
    ScopeVersion, ScopeAttributes, LogAttributes, EventName, _file_key, _offset
FROM _parsed_log_records;

CREATE MATERIALIZED VIEW IF NOT EXISTS _parsed_log_records_malformed TO _batch_malformed AS
SELECT _offset AS offset, _line_length AS line_length, _malformed AS keys
FROM _parsed_log_records
WHERE notEmpty(_malformed);

-- Metric data points of sums and gauges are parsed once into this Null table; views append
-- them to otel_metrics_sum / otel_metrics_gauge and note every point (line, kind, whether its
-- value is a number) so a batch is counted and its unusable points quarantined.
CREATE TABLE IF NOT EXISTS _parsed_metric_points (
    kind LowCardinality(String),
    ResourceAttributes Map(LowCardinality(String), String),
    ResourceSchemaUrl String,
    ScopeName String,
    ScopeVersion String,
    ScopeAttributes Map(LowCardinality(String), String),
    ScopeSchemaUrl String,
    ServiceName LowCardinality(String),
    MetricName LowCardinality(String),
    MetricDescription String,
    MetricUnit String,
    Attributes Map(LowCardinality(String), String),
    StartTimeUnix DateTime64(9, 'UTC'),
    TimeUnix DateTime64(9, 'UTC'),
    Value Nullable(Float64),
    Flags UInt32,
    AggregationTemporality Int32,
    IsMonotonic Bool,
    _file_key String,
    _offset UInt64,
    _line_length UInt64
) ENGINE = Null;

CREATE TABLE IF NOT EXISTS _batch_point_notes (
    offset UInt64,
    line_length UInt64,
    kind LowCardinality(String),
    metric_name String,
    time DateTime64(9, 'UTC'),
    has_value UInt8
) ENGINE = Memory;

-- _parsed_metric_points_to_sum: defined in sql/views/_parsed_metric_points_to_sum.sql, applied again whenever it changes

-- _parsed_metric_points_to_gauge: defined in sql/views/_parsed_metric_points_to_gauge.sql, applied again whenever it changes

-- _parsed_metric_points_to_notes: defined in sql/views/_parsed_metric_points_to_notes.sql, applied again whenever it changes
