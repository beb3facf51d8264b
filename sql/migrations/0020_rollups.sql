-- Rollups: one usage truth from telemetry and transcripts, and the tables dashboards read.
-- Rebuilt one day at a time and swapped in from a staging twin (REPLACE PARTITION), so a
-- refresh only touches the days whose sources changed. The large per-request tables are
-- partitioned by day; the small rollups dashboards read are partitioned by month (a few
-- hundred rows a day: one part per month keeps a year's query to a dozen parts), and a
-- changed day's month is restaged with its other days copied over before the swap.
-- The column lists are the contract for dashboards (README, "Rollups and dashboard"):
-- add, never rename.

-- Day-partitioned copy of transcript_requests (one row per counted transcript message), taken
-- when the transcript tables change, so a day's rebuild reads one partition, not the whole view.
CREATE TABLE IF NOT EXISTS rollup_transcript_requests (
    day Date,
    timestamp DateTime64(3, 'UTC'),
    request_id String,
    message_id String,
    session_id String,
    project String,
    model LowCardinality(String),
    input_tokens UInt64,
    output_tokens UInt64,
    cache_creation_tokens UInt64,
    cache_read_tokens UInt64,
    cost_usd Nullable(Float64),
    version LowCardinality(String)
) ENGINE = MergeTree
PARTITION BY day
ORDER BY (day, request_id, message_id);

-- One row per model API request from both sources (request_key unique).
CREATE TABLE IF NOT EXISTS usage_requests (
    day Date,
    timestamp DateTime64(3, 'UTC'),
    request_key String,
    request_id String,
    session_id String,
    project String,
    user_id String,
    organization_id String,
    user_email String,
    terminal_type LowCardinality(String),
    model LowCardinality(String),
    input_tokens UInt64,
    output_tokens UInt64,
    cache_read_tokens UInt64,
    cache_creation_tokens UInt64,
    total_tokens UInt64,
    cost_usd Float64,
    cost_known Bool,
    duration_ms Nullable(Float64),
    ttft_ms Nullable(Float64),
    query_source LowCardinality(String),
    app_version LowCardinality(String),
    source LowCardinality(String),
    entries UInt32
) ENGINE = MergeTree
PARTITION BY day
ORDER BY (day, timestamp, request_key);

-- Which days each source covers.
CREATE TABLE IF NOT EXISTS usage_coverage (
    day Date,
    requests UInt64,
    telemetry_requests UInt64,
    transcript_requests UInt64,
    both_requests UInt64,
    telemetry_only_requests UInt64,
    transcript_only_requests UInt64,
    telemetry_events UInt64,
    metric_points UInt64,
    first_request Nullable(DateTime64(3, 'UTC')),
    last_request Nullable(DateTime64(3, 'UTC')),
    sources Array(String)
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY day;

CREATE TABLE IF NOT EXISTS usage_daily (
    day Date,
    model LowCardinality(String),
    user_id String,
    organization_id String,
    project String,
    requests UInt64,
    sessions UInt64,
    input_tokens UInt64,
    output_tokens UInt64,
    cache_read_tokens UInt64,
    cache_creation_tokens UInt64,
    total_tokens UInt64,
    cost_usd Float64,
    cache_hit_ratio Float64,
    telemetry_only_requests UInt64,
    transcript_only_requests UInt64,
    both_requests UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, model, user_id, project);

-- Per session and day; the `sessions` view folds the days of a session into one row.
CREATE TABLE IF NOT EXISTS session_days (
    day Date,
    session_id String,
    user_id String,
    organization_id String,
    project String,
    first_seen DateTime64(3, 'UTC'),
    last_seen DateTime64(3, 'UTC'),
    models Array(String),
    api_requests UInt64,
    input_tokens UInt64,
    output_tokens UInt64,
    cache_read_tokens UInt64,
    cache_creation_tokens UInt64,
    cost_usd Float64,
    prompts UInt64,
    tool_calls UInt64,
    tool_failures UInt64,
    api_errors UInt64,
    active_time_user_s Float64,
    active_time_cli_s Float64,
    lines_added Float64,
    lines_removed Float64,
    commits Float64,
    pull_requests Float64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, session_id);

-- sessions: defined in sql/views/sessions.sql, applied again whenever it changes

CREATE TABLE IF NOT EXISTS tool_usage_daily (
    day Date,
    tool_name LowCardinality(String),
    calls UInt64,
    successes UInt64,
    failures UInt64,
    success_rate Nullable(Float64),
    duration_p50_ms Nullable(Float64),
    duration_p95_ms Nullable(Float64),
    accepts UInt64,
    rejects UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, tool_name);

CREATE TABLE IF NOT EXISTS api_health_daily (
    day Date,
    model LowCardinality(String),
    requests UInt64,
    timed_requests UInt64,
    errors UInt64,
    errors_by_status Map(String, UInt64),
    retries_exhausted UInt64,
    refusals UInt64,
    duration_p50_ms Nullable(Float64),
    duration_p95_ms Nullable(Float64),
    duration_p99_ms Nullable(Float64),
    ttft_p50_ms Nullable(Float64),
    ttft_p95_ms Nullable(Float64),
    ttft_p99_ms Nullable(Float64)
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, model);

CREATE TABLE IF NOT EXISTS productivity_daily (
    day Date,
    user_id String,
    organization_id String,
    lines_added Float64,
    lines_removed Float64,
    commits Float64,
    pull_requests Float64,
    edit_accepts Float64,
    edit_rejects Float64,
    active_time_user_s Float64,
    active_time_cli_s Float64,
    sessions_started Float64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, user_id);

-- 5-hour billing blocks per user, as ccusage `blocks` cuts them (gap blocks included).
CREATE TABLE IF NOT EXISTS billing_blocks (
    day Date,
    user_id String,
    block_id String,
    start_time DateTime64(3, 'UTC'),
    end_time DateTime64(3, 'UTC'),
    actual_end_time Nullable(DateTime64(3, 'UTC')),
    first_entry_time Nullable(DateTime64(3, 'UTC')),
    is_gap Bool,
    entries UInt64,
    input_tokens UInt64,
    output_tokens UInt64,
    cache_creation_tokens UInt64,
    cache_read_tokens UInt64,
    total_tokens UInt64,
    cost_usd Float64,
    models Array(String)
) ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (user_id, start_time, is_gap);

-- What the last refresh saw of each source (fingerprints), and when it ran.
CREATE TABLE IF NOT EXISTS rollup_state (
    key String,
    value String,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY key;

CREATE TABLE IF NOT EXISTS _stage_rollup_transcript_requests AS rollup_transcript_requests;
CREATE TABLE IF NOT EXISTS _stage_usage_requests AS usage_requests;
CREATE TABLE IF NOT EXISTS _stage_usage_coverage AS usage_coverage;
CREATE TABLE IF NOT EXISTS _stage_usage_daily AS usage_daily;
CREATE TABLE IF NOT EXISTS _stage_session_days AS session_days;
CREATE TABLE IF NOT EXISTS _stage_tool_usage_daily AS tool_usage_daily;
CREATE TABLE IF NOT EXISTS _stage_api_health_daily AS api_health_daily;
CREATE TABLE IF NOT EXISTS _stage_productivity_daily AS productivity_daily;

-- Scratch tables of one refresh batch: the batch's telemetry events and metric deltas,
-- extracted once and read by several rollups.
CREATE TABLE IF NOT EXISTS _rollup_events (
    day Date,
    timestamp DateTime64(3, 'UTC'),
    event_name LowCardinality(String),
    session_id String,
    user_id String,
    organization_id String,
    model LowCardinality(String),
    tool_name LowCardinality(String),
    success UInt8,
    duration_ms Nullable(Float64),
    decision LowCardinality(String),
    status_code String
) ENGINE = Memory;

CREATE TABLE IF NOT EXISTS _rollup_metric_deltas (
    day Date,
    time DateTime64(9, 'UTC'),
    metric_name LowCardinality(String),
    session_id String,
    user_id String,
    organization_id String,
    type LowCardinality(String),
    decision LowCardinality(String),
    delta Float64
) ENGINE = Memory;
