-- Which resource attribute keys a user set through OTEL_RESOURCE_ATTRIBUTES are labels, and
-- which of them feed the team, department and cost_center columns of cc_api_requests
-- (CC_PIPELINE_LABEL_KEYS: `key` keeps a label, `column=key` also feeds that column before
-- the default keys). Ingestion writes the configured keys here at the start of every run, so
-- the views read the configuration the data was loaded with. `feeds` is '' for a key that
-- feeds no column; `rank` orders the keys of one column, the first non-empty value wins.
CREATE TABLE IF NOT EXISTS telemetry_label_keys (
    feeds LowCardinality(String),
    key String,
    rank UInt16
) ENGINE = MergeTree
ORDER BY (feeds, rank)
SETTINGS cleanup_delay_period = 1, cleanup_delay_period_random_add = 0;
