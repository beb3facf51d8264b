-- Claude Code session transcripts (~/.claude/projects/**/*.jsonl), metadata only.
--
-- transcript_entries keeps one row per parsed line (never prompt, response, code or tool
-- output), so the counting rule and the prices can change without reading the files again.
-- transcript_requests counts one entry per (message.id, requestId) like ccusage 20.
CREATE TABLE IF NOT EXISTS transcript_entries (
    _file_key LowCardinality(String),
    _offset UInt64,
    line_length UInt64,
    root LowCardinality(String),
    file_path String,
    file_kind LowCardinality(String),
    project LowCardinality(String),
    session_id String,
    agent_id String,
    entry_type LowCardinality(String),
    entry_subtype LowCardinality(String),
    uuid String,
    timestamp Nullable(DateTime64(3, 'UTC')),
    cwd String,
    version LowCardinality(String),
    is_sidechain Bool,
    is_api_error_message Bool,
    usage_source LowCardinality(String),
    message_id String,
    request_id String,
    has_request_id Bool,
    model LowCardinality(String),
    speed LowCardinality(String),
    input_tokens UInt64,
    output_tokens UInt64,
    cache_creation_input_tokens UInt64,
    cache_read_input_tokens UInt64,
    cache_creation_5m_tokens UInt64,
    cache_creation_1h_tokens UInt64,
    has_cache_breakdown Bool,
    cache_creation_tokens UInt64,
    recorded_cost_usd Nullable(Float64),
    tool_names Array(LowCardinality(String)),
    tool_use_count UInt32,
    countable Bool,
    skip_reason LowCardinality(String),
    loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (_file_key, _offset);

-- USD per million tokens, from cc_pipeline/transcripts/prices.json (plus the user's override
-- file); reloaded at the start of every backfill. A model missing here is reported, never
-- priced at a guess: its requests get a NULL cost.
CREATE TABLE IF NOT EXISTS transcript_prices (
    model String,
    input Float64,
    output Float64,
    cache_write_5m Float64,
    cache_write_1h Float64,
    cache_read Float64,
    tier_threshold UInt64,
    input_above Nullable(Float64),
    output_above Nullable(Float64),
    cache_write_5m_above Nullable(Float64),
    cache_write_1h_above Nullable(Float64),
    cache_read_above Nullable(Float64),
    fast_multiplier Float64,
    price_version String,
    source LowCardinality(String)
) ENGINE = MergeTree
ORDER BY model;

-- transcript_usage_lines: defined in sql/views/transcript_usage_lines.sql, applied again whenever it changes

-- transcript_requests: defined in sql/views/transcript_requests.sql, applied again whenever it changes
