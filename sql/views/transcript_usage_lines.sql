-- Every countable usage line with its price and cost. The model name is matched exactly,
-- then after dropping a provider prefix ("anthropic/", "us.anthropic.", ...), a "-v1:0"
-- suffix and "@" / "." separators, then without a "-YYYYMMDD" date suffix.
-- A line's own costUSD (old Claude Code versions) wins, as in ccusage's default mode.
-- Each token kind above the tier threshold is priced at the higher tier (ccusage's rule).
CREATE OR REPLACE VIEW transcript_usage_lines AS
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
