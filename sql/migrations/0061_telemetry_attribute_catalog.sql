-- The attribute names every event arrives with, kept or dropped by the allow-list
-- (telemetry/privacy.py), so a maintainer sees what a new Claude Code version sends: names
-- and counts only, never values.
-- otel_logs notes on each record the names the allow-list dropped (record and resource
-- attributes); empty under CC_PIPELINE_KEEP_CONTENT and on rows the Collector's exporter
-- writes.
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS _dropped Array(LowCardinality(String)) DEFAULT []
    CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS _dropped_resource Array(LowCardinality(String))
    DEFAULT [] CODEC(ZSTD(1));

-- Filled as each batch is loaded (telemetry/attribute_counts.sql): one row per (event,
-- attribute, kept) of the batch, keyed by the batch's file and first byte, so the rows of an
-- unfinished batch are deleted with its records after a crash and written again once. Resource attributes are counted under the event name '(resource)'.
-- telemetry_attribute_catalog folds the rows together.
CREATE TABLE IF NOT EXISTS telemetry_attribute_counts (
    event_name LowCardinality(String),
    attribute String,
    kept Bool,
    _file_key String,
    _offset UInt64,
    seen SimpleAggregateFunction(sum, UInt64),
    first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    first_loaded SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    app_versions SimpleAggregateFunction(groupUniqArrayArray, Array(String))
) ENGINE = AggregatingMergeTree
ORDER BY (event_name, attribute, kept, _file_key, _offset)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
