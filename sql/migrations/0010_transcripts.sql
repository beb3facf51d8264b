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

-- Every countable usage line with its price and cost. The model name is matched exactly,
-- then after dropping a provider prefix ("anthropic/", "us.anthropic.", ...), a "-v1:0"
-- suffix and "@" / "." separators, then without a "-YYYYMMDD" date suffix.
-- A line's own costUSD (old Claude Code versions) wins, as in ccusage's default mode.
-- Each token kind above the tier threshold is priced at the higher tier (ccusage's rule).
CREATE VIEW IF NOT EXISTS transcript_usage_lines AS
WITH (SELECT groupArray(model) FROM transcript_prices) AS priced_models
SELECT
    l.*,
    p.p_model != '' AS price_known,
    p.p_model AS price_model,
    if(l.has_cache_breakdown, l.cache_creation_5m_tokens, l.cache_creation_input_tokens) AS write_5m,
    if(l.has_cache_breakdown, l.cache_creation_1h_tokens, 0) AS write_1h,
    l.input_tokens + l.output_tokens + l.cache_creation_tokens + l.cache_read_input_tokens
        AS total_tokens,
    multiIf(
        l.recorded_cost_usd IS NOT NULL, l.recorded_cost_usd,
        l.model = '' OR l.model = '<synthetic>', 0.,
        p.p_model = '', if(total_tokens = 0, 0., NULL),
        (
            if(l.input_tokens > p.p_tier AND p.p_input_above IS NOT NULL,
               p.p_tier * p.p_input + (l.input_tokens - p.p_tier) * assumeNotNull(p.p_input_above),
               l.input_tokens * p.p_input)
          + if(l.output_tokens > p.p_tier AND p.p_output_above IS NOT NULL,
               p.p_tier * p.p_output + (l.output_tokens - p.p_tier) * assumeNotNull(p.p_output_above),
               l.output_tokens * p.p_output)
          + if(write_5m > p.p_tier AND p.p_write_5m_above IS NOT NULL,
               p.p_tier * p.p_write_5m + (write_5m - p.p_tier) * assumeNotNull(p.p_write_5m_above),
               write_5m * p.p_write_5m)
          + if(write_1h > p.p_tier AND p.p_write_1h_above IS NOT NULL,
               p.p_tier * p.p_write_1h + (write_1h - p.p_tier) * assumeNotNull(p.p_write_1h_above),
               write_1h * p.p_write_1h)
          + if(l.cache_read_input_tokens > p.p_tier AND p.p_read_above IS NOT NULL,
               p.p_tier * p.p_read + (l.cache_read_input_tokens - p.p_tier) * assumeNotNull(p.p_read_above),
               l.cache_read_input_tokens * p.p_read)
        ) / 1e6 * if(l.speed = 'fast', p.p_fast_multiplier, 1.)
    ) AS cost_usd
FROM (
    SELECT
        *,
        replaceRegexpAll(
            replaceRegexpOne(
                replaceRegexpOne(
                    replaceRegexpOne(lower(model), '^.*/', ''),
                    '^((us|eu|apac|global|jp|au)\\.)?anthropic\\.', ''),
                '-v[0-9]+(:[0-9]+)?$', ''),
            '[@.]', '-') AS model_key,
        if(has(priced_models, model), model,
           if(has(priced_models, model_key), model_key,
              replaceRegexpOne(model_key, '-[0-9]{8}$', ''))) AS price_lookup
    FROM transcript_entries
    WHERE countable
) AS l
LEFT JOIN (
    SELECT
        model AS p_model,
        input AS p_input,
        output AS p_output,
        cache_write_5m AS p_write_5m,
        cache_write_1h AS p_write_1h,
        cache_read AS p_read,
        tier_threshold AS p_tier,
        input_above AS p_input_above,
        output_above AS p_output_above,
        cache_write_5m_above AS p_write_5m_above,
        cache_write_1h_above AS p_write_1h_above,
        cache_read_above AS p_read_above,
        fast_multiplier AS p_fast_multiplier
    FROM transcript_prices
) AS p ON p.p_model = l.price_lookup;

-- One counted entry per API response, the ccusage 20 rule:
--  * lines of one response share (message.id, requestId); the line with the largest token
--    total is kept (then the higher cost, then one that states its speed, then the first line
--    in path and file order);
--  * a sub-agent (sidechain) line that replays a message already answered outside the
--    sidechain under another requestId is dropped; sidechain-only copies of one message under
--    several requestIds count once;
--  * lines without a message.id are each their own entry (keyed by file and uuid, so a
--    rewritten file read again is not counted twice);
--  * `<synthetic>` API-error lines (zero usage) are kept, as ccusage lists their day.
CREATE VIEW IF NOT EXISTS transcript_requests AS
WITH
    keyed AS (
        SELECT
            _file_key,
            _offset,
            is_sidechain,
            if(message_id != '', message_id,
               concat('line:', file_path, ':', if(uuid != '', uuid, toString(_offset)))) AS mkey,
            if(has_request_id, request_id, '\0') AS rkey,
            (-toInt64(total_tokens), -ifNull(cost_usd, 0.), speed = '', file_path, _offset)
                AS rank_key
        FROM transcript_usage_lines
    ),
    groups AS (
        SELECT
            mkey,
            argMin((_file_key, _offset), (is_sidechain, rank_key)) AS winner,
            min(is_sidechain) AS group_sidechain,
            min(rank_key) AS group_rank
        FROM keyed
        GROUP BY mkey, rkey
    ),
    kept AS (
        -- per message: every group answered outside a sidechain, or, when all its groups are
        -- sidechain copies, the best of them
        SELECT arrayJoin(if(min(group_sidechain), [argMin(winner, group_rank)],
                            groupArrayIf(winner, NOT group_sidechain))) AS winner
        FROM groups
        GROUP BY mkey
    )
SELECT
    request_id,
    message_id,
    session_id,
    project,
    assumeNotNull(timestamp) AS timestamp,
    model,
    speed,
    input_tokens,
    output_tokens,
    cache_creation_tokens,
    cache_read_input_tokens AS cache_read_tokens,
    write_5m AS cache_creation_5m_tokens,
    write_1h AS cache_creation_1h_tokens,
    cost_usd,
    price_known,
    is_sidechain,
    is_api_error_message,
    agent_id,
    cwd,
    version,
    usage_source,
    file_path,
    _file_key,
    _offset
FROM transcript_usage_lines
WHERE (_file_key, _offset) IN (SELECT winner FROM kept);
