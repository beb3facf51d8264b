-- Scratch tables for metric points parsed from one batch: points are checked here (a value
-- that is not a number is quarantined, not stored) before they are appended. Recreated at
-- the start of each run so they always follow the otel_metrics_* definitions.
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
