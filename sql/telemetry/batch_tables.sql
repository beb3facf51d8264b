-- Scratch tables for the rows parsed from one batch, before they are appended. They are
-- recreated at the start of each run so they always follow the otel_* table definitions.
DROP TABLE IF EXISTS _batch_otel_logs;
CREATE TABLE _batch_otel_logs AS otel_logs ENGINE = Memory;
ALTER TABLE _batch_otel_logs ADD COLUMN _line_length UInt64, ADD COLUMN _malformed Array(String);
DROP TABLE IF EXISTS _batch_otel_traces;
CREATE TABLE _batch_otel_traces AS otel_traces ENGINE = Memory;
ALTER TABLE _batch_otel_traces ADD COLUMN _line_length UInt64, ADD COLUMN _malformed Array(String);
DROP TABLE IF EXISTS _batch_otel_metrics_histogram;
CREATE TABLE _batch_otel_metrics_histogram AS otel_metrics_histogram ENGINE = Memory;
DROP TABLE IF EXISTS _batch_metric_points;
CREATE TABLE _batch_metric_points (
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
) ENGINE = Memory;
